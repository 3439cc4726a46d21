"""Deductions (扣分): reviewed like services, then an objection period (异议期) before they take
effect; an upheld objection cancels them. Rules from the Nth occurrence: warnings before it."""
from datetime import date, timedelta

import pytest

from kiosk.earning import catalog, service
from kiosk.earning.models import Objection, ServiceRecord
from kiosk.errors import KioskError
from kiosk.ledger.models import LedgerEntry
from kiosk.registry.models import Resident
from kiosk.reports.verify import verify
from kiosk.staff.models import MANAGER, OPERATIONS, SERVICE
from kiosk.stores.models import Store
from tests.helpers import balance

TODAY = date(2026, 11, 23)


@pytest.fixture
def rules(world):
    catalog.install(world.store)
    return {rule.code: rule for rule in service.current_rules(world.store)}


def deduct(world, rules, name="张建华", code="LITTER", day=TODAY):
    (record,) = service.record_service(
        world.store, resident_ids=[Resident.get(Resident.name == name).id], rule_id=rules[code].id,
        content="楼道堆放垃圾", service_date=day, staff=world.staff[OPERATIONS], today=TODAY)
    return record


def approve(world, record, today=TODAY):
    return service.approve(record.id, world.store, world.staff[SERVICE], today=today)


def test_an_approved_deduction_waits_out_the_objection_period_then_takes_effect(world, rules):
    before = balance(world, "张建华")
    record = deduct(world, rules)
    assert (record.status, record.points) == ("pending", -5)
    record = approve(world, record)
    assert (record.status, record.effective_on) == ("waiting", TODAY + timedelta(days=7))
    assert record.ledger_entry is None and balance(world, "张建华") == before
    assert [r.id for r in service.deductions_for(world.accounts["张建华"].id)] == [record.id]
    # Nothing happens before the period is over, however often it is asked.
    assert service.settle_due(world.store, TODAY + timedelta(days=6)) == 0
    assert service.settle_due(world.store, TODAY + timedelta(days=7)) == 1
    assert service.settle_due(world.store, TODAY + timedelta(days=8)) == 0
    record = ServiceRecord.get_by_id(record.id)
    assert record.status == "approved" and record.ledger_entry.kind == "deduct"
    assert (record.ledger_entry.delta, record.ledger_entry.reference) == (-5, f"service:{record.id}")
    assert balance(world, "张建华") == before - 5
    assert list(service.deductions_for(world.accounts["张建华"].id)) == []
    assert verify() == []


def test_the_objection_period_is_a_store_setting(world, rules):
    Store.update(objection_days=0).where(Store.id == world.store.id).execute()
    world.store = Store.get_by_id(world.store.id)
    record = approve(world, deduct(world, rules))
    assert record.status == "approved" and record.ledger_entry.delta == -5


def test_an_upheld_objection_cancels_the_deduction(world, rules):
    before = balance(world, "张建华")
    record = approve(world, deduct(world, rules))
    record = service.raise_objection(record.id, world.store, today=TODAY + timedelta(days=2),
                                     statement="那天我不在家", account_id=world.accounts["张建华"].id)
    assert record.status == "disputed"
    # A disputed deduction does not take effect when its period ends.
    assert service.settle_due(world.store, TODAY + timedelta(days=30)) == 0
    record = service.decide_objection(record.id, world.store, world.staff[MANAGER], upheld=True,
                                      reason="监控显示非本户", today=TODAY + timedelta(days=3))
    assert record.status == "cancelled" and record.ledger_entry is None
    objection = Objection.get(Objection.record == record.id)
    assert (objection.upheld, objection.statement, objection.raised_by) == (True, "那天我不在家", None)
    assert service.settle_due(world.store, TODAY + timedelta(days=30)) == 0
    assert balance(world, "张建华") == before
    assert verify() == []


def test_a_dismissed_objection_lets_the_deduction_take_effect(world, rules):
    before = balance(world, "张建华")
    record = approve(world, deduct(world, rules))
    service.raise_objection(record.id, world.store, today=TODAY, staff=world.staff[SERVICE], statement="代为提出")
    # Decided after the period ended: it takes effect at once.
    record = service.decide_objection(record.id, world.store, world.staff[MANAGER], upheld=False,
                                      reason="有照片为证", today=TODAY + timedelta(days=10))
    assert record.status == "approved" and balance(world, "张建华") == before - 5


def test_objections_are_refused_when_closed_twice_or_for_someone_else(world, rules):
    record = approve(world, deduct(world, rules))
    with pytest.raises(KioskError) as error:  # another household's card
        service.raise_objection(record.id, world.store, today=TODAY, account_id=world.accounts["李秀兰"].id)
    assert error.value.code == "unknown_service_record"
    with pytest.raises(KioskError) as error:  # the last day has passed
        service.raise_objection(record.id, world.store, today=TODAY + timedelta(days=7))
    assert error.value.code == "objection_closed"
    service.raise_objection(record.id, world.store, today=TODAY)
    with pytest.raises(KioskError) as error:
        service.raise_objection(record.id, world.store, today=TODAY)
    assert error.value.code == "objection_already_raised"
    with pytest.raises(KioskError) as error:  # the recorder does not decide
        service.decide_objection(record.id, world.store, world.staff[OPERATIONS], upheld=True, reason="x", today=TODAY)
    assert error.value.code == "reviewer_is_recorder"
    with pytest.raises(KioskError) as error:
        service.decide_objection(record.id, world.store, world.staff[SERVICE], upheld=True, reason=" ", today=TODAY)
    assert error.value.code == "missing_field"
    service.decide_objection(record.id, world.store, world.staff[SERVICE], upheld=True, reason="成立", today=TODAY)
    with pytest.raises(KioskError) as error:  # a second tap
        service.decide_objection(record.id, world.store, world.staff[SERVICE], upheld=False, reason="x", today=TODAY)
    assert error.value.code == "already_reviewed"


def test_a_deduction_never_takes_a_balance_below_zero(world, rules):
    for _ in range(2):  # two warnings
        approve(world, deduct(world, rules, name="王德明", code="PARKING"))
    assert balance(world, "王德明") == 0
    # 王德明's third parking takes effect on a zero balance: it is recorded, nothing is taken.
    third = approve(world, deduct(world, rules, name="王德明", code="PARKING"))
    assert third.status == "waiting"
    service.settle_due(world.store, TODAY + timedelta(days=7))
    third = ServiceRecord.get_by_id(third.id)
    assert third.status == "approved" and third.ledger_entry is None
    assert balance(world, "王德明") == 0
    assert verify() == []


def test_parking_counts_two_warnings_a_year_then_deducts_each_time(world, rules):
    before = balance(world, "张建华")
    days = [date(2026, 3, 1), date(2026, 5, 1), date(2026, 6, 1), date(2026, 7, 1)]
    statuses = [approve(world, deduct(world, rules, code="PARKING", day=day)).status for day in days]
    assert statuses == ["warning", "warning", "waiting", "waiting"]
    service.settle_due(world.store, TODAY + timedelta(days=7))
    assert balance(world, "张建华") == before - 20
    # Warnings post nothing, ever.
    assert LedgerEntry.select().where(LedgerEntry.kind == "deduct").count() == 2
    # A new year starts with warnings again (the rule counts per calendar year).
    next_year = service.occurrence(rules["PARKING"], world.accounts["张建华"].id, date(2027, 1, 5))
    assert next_year == 1
    assert verify() == []


def test_rejected_and_cancelled_occurrences_do_not_count(world, rules):
    first = deduct(world, rules, code="PARKING", day=date(2026, 3, 1))
    service.reject(first.id, world.store, world.staff[SERVICE], "认错人了")
    assert approve(world, deduct(world, rules, code="PARKING", day=date(2026, 3, 2))).status == "warning"
    assert approve(world, deduct(world, rules, code="PARKING", day=date(2026, 3, 3))).status == "warning"
    third = approve(world, deduct(world, rules, code="PARKING", day=date(2026, 3, 4)))
    assert third.status == "waiting"
    service.raise_objection(third.id, world.store, today=TODAY)
    service.decide_objection(third.id, world.store, world.staff[MANAGER], upheld=True, reason="成立", today=TODAY)
    assert approve(world, deduct(world, rules, code="PARKING", day=date(2026, 3, 5))).status == "waiting"


@pytest.mark.parametrize("changes, code", [
    ({"unit": "half_hour"}, "rule_deduction_per_time"), ({"cap_month": 10}, "rule_cap_on_deduction"),
    ({"linked_share": 10}, "rule_share_on_deduction"), ({"from_occurrence": 0}, "bad_rule_warnings"),
    ({"from_occurrence": 101}, "bad_rule_warnings"), ({"occurrence_period": "week"}, "bad_rule_period"),
])
def test_deduction_rules_count_occurrences_only(world, rules, changes, code):
    with pytest.raises(KioskError) as error:
        service.change_rule(rules["PARKING"].id, world.store, **changes)
    assert error.value.code == code


def test_an_earning_rule_cannot_start_from_an_nth_occurrence(world, rules):
    with pytest.raises(KioskError):
        service.change_rule(rules["CLEAN"].id, world.store, from_occurrence=2)
