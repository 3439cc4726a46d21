"""After a dismissal the same deduction cannot be objected to again from the kiosk (the old
ticket or a fresh scan); customer service can reopen it at the desk."""
from datetime import date

import pytest

from kiosk.audit import AuditEvent
from kiosk.earning import catalog, service
from kiosk.errors import KioskError
from kiosk.registry.models import Resident
from kiosk.staff.models import MANAGER, OPERATIONS, SERVICE

TODAY = date(2026, 11, 23)


@pytest.fixture
def dismissed(world):
    catalog.install(world.store)
    rules = {rule.code: rule for rule in service.current_rules(world.store)}
    (record,) = service.record_service(
        world.store, resident_ids=[Resident.get(Resident.name == "张建华").id], rule_id=rules["LITTER"].id,
        content="楼道堆放垃圾", service_date=TODAY, staff=world.staff[OPERATIONS], today=TODAY)
    service.approve(record.id, world.store, world.staff[SERVICE], today=TODAY)
    service.raise_objection(record.id, world.store, today=TODAY, account_id=world.accounts["张建华"].id)
    service.decide_objection(record.id, world.store, world.staff[MANAGER], upheld=False, reason="有照片为证",
                             today=TODAY)
    return record


def test_the_kiosk_refuses_a_second_objection_after_a_dismissal(world, dismissed):
    for _ in range(3):
        with pytest.raises(KioskError) as refused:
            service.raise_objection(dismissed.id, world.store, today=TODAY, account_id=world.accounts["张建华"].id)
        assert refused.value.code == "objection_dismissed"
    assert service.ServiceRecord.get_by_id(dismissed.id).status == "waiting"


def test_customer_service_can_reopen_it_at_the_desk(world, dismissed):
    record = service.raise_objection(dismissed.id, world.store, today=TODAY, staff=world.staff[SERVICE],
                                     statement="新的证据")
    assert record.status == "disputed"
    event = AuditEvent.select().where(AuditEvent.action == "objection_raised").order_by(AuditEvent.id.desc()).first()
    assert "reopened" in event.detail
