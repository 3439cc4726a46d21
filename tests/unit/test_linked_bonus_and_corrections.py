"""A party member paired with a household earns a share of its approved services; corrections
after approval are compensating entries with a reason, never edits."""
from datetime import date, time

import pytest

from kiosk.earning import catalog, service
from kiosk.earning.models import Correction, ServiceRecord
from kiosk.errors import KioskError
from kiosk.ledger.models import LedgerEntry
from kiosk.registry import service as registry
from kiosk.registry.models import Resident
from kiosk.reports.verify import verify
from kiosk.staff.models import MANAGER, OPERATIONS, SERVICE
from tests.helpers import balance

TODAY = date(2026, 11, 23)


@pytest.fixture
def rules(world):
    catalog.install(world.store)
    return {rule.code: rule for rule in service.current_rules(world.store)}


def resident(name):
    return Resident.get(Resident.name == name)


def serve(world, rules, name="张建华", code="VOL30", minutes=120, **times):
    (record,) = service.record_service(
        world.store, resident_ids=[resident(name).id], rule_id=rules[code].id, content="社区图书角值班",
        service_date=TODAY, minutes=minutes, staff=world.staff[OPERATIONS], today=TODAY, **times)
    return service.approve(record.id, world.store, world.staff[SERVICE], today=TODAY)


def test_a_paired_party_member_earns_the_rules_share(world, rules):
    registry.pair(world.store, resident("张建华").household, resident("王德明").id)
    member_before, before = balance(world, "王德明"), balance(world, "张建华")
    record = serve(world, rules, minutes=120)  # 4 half hours x 5 = 20 points, 10% linked share
    assert balance(world, "张建华") == before + 20
    assert balance(world, "王德明") == member_before + 2
    entry = LedgerEntry.get(LedgerEntry.reference == f"linked:{record.id}")
    assert (entry.kind, entry.delta, entry.account_id) == ("earn", 2, world.accounts["王德明"].id)
    assert "结对帮扶" in entry.note
    assert verify() == []


def test_no_share_without_a_pairing_below_one_point_or_after_unpairing(world, rules):
    household = resident("张建华").household
    before = balance(world, "王德明")
    serve(world, rules, minutes=120)
    registry.pair(world.store, household, resident("王德明").id)
    serve(world, rules, code="PERFORM", minutes=None)  # no linked share on this rule
    serve(world, rules, minutes=30)  # 10% of 5 points rounds down to nothing
    assert registry.unpair(world.store, household) is True
    serve(world, rules, minutes=120)
    assert balance(world, "王德明") == before
    assert LedgerEntry.select().where(LedgerEntry.reference.startswith("linked:")).count() == 0


def test_a_household_has_one_pairing_and_never_with_itself(world, rules):
    household = resident("张建华").household
    with pytest.raises(KioskError) as error:
        registry.pair(world.store, household, resident("张建华").id)
    assert error.value.code == "pair_own_household"
    with pytest.raises(KioskError) as error:
        registry.pair(world.store, household, 10**12)
    assert error.value.code == "unknown_resident"
    registry.pair(world.store, household, resident("王德明").id)
    registry.pair(world.store, household, resident("李秀兰").id)
    assert registry.current_pairing(household).member.name == "李秀兰"
    assert registry.paired_households(resident("王德明")) == []


def test_start_and_end_times_give_the_duration(world, rules):
    record = serve(world, rules, minutes=None, start=time(9, 0), end=time(10, 40))
    assert (record.minutes, record.units, record.points) == (100, 3, 15)
    assert (record.start_time, record.end_time) == (time(9, 0), time(10, 40))
    with pytest.raises(KioskError) as error:
        serve(world, rules, minutes=None, start=time(10, 0), end=time(9, 30))
    assert error.value.code == "end_before_start"


def test_a_correction_is_a_compensating_entry_with_a_reason(world, rules):
    before = balance(world, "张建华")
    record = serve(world, rules, minutes=120)
    correction = service.correct(record.id, world.store, world.staff[MANAGER], points=10, reason="实际服务一小时")
    assert (correction.delta, correction.ledger_entry.kind, correction.ledger_entry.delta) == (-10, "adjust", -10)
    assert correction.ledger_entry.reference == f"correction:{record.id}"
    record = ServiceRecord.get_by_id(record.id)
    assert (record.points, record.ledger_entry.delta) == (20, 20)  # never edited
    assert service.corrected_points(record) == 10 and balance(world, "张建华") == before + 10
    # Corrected again, back up to what was approved.
    service.correct(record.id, world.store, world.staff[SERVICE], points=20, reason="核实后恢复")
    assert balance(world, "张建华") == before + 20
    assert verify() == []


@pytest.mark.parametrize("points, reason, staff, code", [
    (21, "x", MANAGER, "bad_correction"),  # more needs a new record
    (-1, "x", MANAGER, "bad_correction"),
    (10**12, "x", MANAGER, "bad_correction"),
    (20, "x", MANAGER, "correction_changes_nothing"),
    (10, " ", MANAGER, "missing_field"),
    (10, "x", OPERATIONS, "reviewer_is_recorder"),
])
def test_bad_corrections_are_refused_and_change_nothing(world, rules, points, reason, staff, code):
    record = serve(world, rules, minutes=120)
    before = balance(world, "张建华")
    with pytest.raises(KioskError) as error:
        service.correct(record.id, world.store, world.staff[staff], points=points, reason=reason)
    assert error.value.code == code
    assert balance(world, "张建华") == before and Correction.select().count() == 0


def test_only_approved_records_are_corrected(world, rules):
    (pending,) = service.record_service(
        world.store, resident_ids=[resident("张建华").id], rule_id=rules["CLEAN"].id, content="清扫",
        service_date=TODAY, staff=world.staff[OPERATIONS], today=TODAY)
    with pytest.raises(KioskError) as error:
        service.correct(pending.id, world.store, world.staff[MANAGER], points=5, reason="x")
    assert error.value.code == "not_correctable"


def test_a_deduction_can_be_corrected_towards_nothing(world, rules):
    from kiosk.stores.models import Store

    Store.update(objection_days=0).where(Store.id == world.store.id).execute()
    world.store = Store.get_by_id(world.store.id)
    before = balance(world, "张建华")
    record = serve(world, rules, code="LITTER", minutes=None)
    assert balance(world, "张建华") == before - 5
    service.correct(record.id, world.store, world.staff[MANAGER], points=0, reason="误扣")
    assert balance(world, "张建华") == before
    assert verify() == []


def test_verify_finds_records_and_entries_that_do_not_match(world, rules):
    from kiosk.db import database
    from kiosk.ledger import service as ledger

    record = serve(world, rules, minutes=120)
    (pending,) = service.record_service(
        world.store, resident_ids=[resident("李秀兰").id], rule_id=rules["CLEAN"].id, content="清扫",
        service_date=TODAY, staff=world.staff[OPERATIONS], today=TODAY)
    assert verify() == []
    with database.atomic():  # points posted for a record nobody approved
        ledger.post(world.accounts["李秀兰"].id, 10, "earn", reference=f"service:{pending.id}")
    ServiceRecord.update(points=25).where(ServiceRecord.id == record.id).execute()
    problems = verify()
    assert f"service record {pending.id} is pending but has ledger entries" in problems
    assert f"service record {record.id}: its ledger entry does not match its 25 points" in problems
