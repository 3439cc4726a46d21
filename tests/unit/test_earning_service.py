"""Earning points: rules with versions and caps, service records with maker-checker review."""
from datetime import date, timedelta

import pytest

from kiosk.db import database
from kiosk.earning import catalog, service
from kiosk.earning.models import Rule, ServiceRecord
from kiosk.errors import KioskError
from kiosk.ledger.models import LedgerEntry
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


def record(world, rules, names, code="VOL30", minutes=90, day=TODAY, staff=OPERATIONS, content="社区图书角值班"):
    return service.record_service(
        world.store, resident_ids=[resident(n).id for n in names], rule_id=rules[code].id, content=content,
        service_date=day, minutes=minutes, staff=world.staff[staff], today=TODAY,
    )


def test_the_sample_catalog_installs_once(world, rules):
    assert {"VOL30", "CLEAN", "ELDER", "PERFORM", "GOODDEED", "PARKING", "LITTER", "CHECKPOINT"} <= set(rules)
    assert rules["PARKING"].points == -10
    assert catalog.install(world.store) == 0


@pytest.mark.parametrize("minutes, units", [(30, 1), (59, 1), (60, 2), (95, 3), (24 * 60, 48)])
def test_service_rules_count_whole_half_hours(world, rules, minutes, units):
    assert service.units_for(rules["VOL30"], minutes) == (units, minutes)


@pytest.mark.parametrize("minutes, code", [(29, "service_too_short"), (0, "service_too_short"),
                                           (24 * 60 + 1, "service_too_long"), (None, "missing_duration")])
def test_durations_outside_half_an_hour_to_a_day_are_refused(world, rules, minutes, code):
    with pytest.raises(KioskError) as error:
        record(world, rules, ["张建华"], minutes=minutes)
    assert error.value.code == code
    assert ServiceRecord.select().count() == 0


def test_a_group_entry_waits_for_review_and_approval_posts_the_points(world, rules):
    before = balance(world, "张建华")
    records = record(world, rules, ["张建华", "李秀兰"], minutes=90)
    assert [r.status for r in records] == ["pending", "pending"]
    assert [r.points for r in records] == [15, 15] and records[0].group_key == records[1].group_key != ""
    assert balance(world, "张建华") == before  # nothing until it is reviewed

    approved = service.approve(records[0].id, world.store, world.staff[SERVICE])
    assert (approved.status, approved.reviewed_by_id) == ("approved", world.staff[SERVICE].id)
    assert balance(world, "张建华") == before + 15
    entry = LedgerEntry.get_by_id(approved.ledger_entry_id)
    assert (entry.kind, entry.delta, entry.reference) == ("earn", 15, f"service:{approved.id}")
    assert "志愿服务" in entry.note and "图书角" in entry.note
    assert verify() == []


def test_the_recorder_cannot_review_their_own_record(world, rules):
    (rec,) = record(world, rules, ["张建华"], staff=MANAGER)
    for review in (lambda: service.approve(rec.id, world.store, world.staff[MANAGER]),
                   lambda: service.reject(rec.id, world.store, world.staff[MANAGER], "重复登记")):
        with pytest.raises(KioskError) as error:
            review()
        assert error.value.code == "reviewer_is_recorder"
    assert ServiceRecord.get_by_id(rec.id).status == "pending"


def test_a_rejection_needs_a_reason_and_posts_nothing(world, rules):
    before = balance(world, "张建华")
    (rec,) = record(world, rules, ["张建华"])
    with pytest.raises(KioskError):
        service.reject(rec.id, world.store, world.staff[SERVICE], "  ")
    rejected = service.reject(rec.id, world.store, world.staff[SERVICE], "当天未到岗")
    assert (rejected.status, rejected.reason) == ("rejected", "当天未到岗")
    assert balance(world, "张建华") == before
    with pytest.raises(KioskError) as error:
        service.approve(rec.id, world.store, world.staff[MANAGER])
    assert error.value.code == "already_reviewed"


@pytest.mark.parametrize("names, code", [([], "no_participants"), (["张建华", "张建华"], "duplicate_participant")])
def test_bad_participant_lists_are_refused(world, rules, names, code):
    with pytest.raises(KioskError) as error:
        record(world, rules, names)
    assert error.value.code == code


def test_a_person_not_in_the_registry_refuses_the_whole_group(world, rules):
    with pytest.raises(KioskError) as error:
        service.record_service(world.store, resident_ids=[resident("张建华").id, 99999], rule_id=rules["CLEAN"].id,
                               content="清扫楼道", service_date=TODAY, staff=world.staff[OPERATIONS], today=TODAY)
    assert error.value.code == "unknown_resident"
    assert ServiceRecord.select().count() == 0


def test_future_dates_and_rules_outside_their_period_are_refused(world, rules):
    with pytest.raises(KioskError) as error:
        record(world, rules, ["张建华"], day=TODAY + timedelta(days=1))
    assert error.value.code == "future_date"
    later = service.change_rule(rules["CLEAN"].id, world.store, active_from=date(2026, 12, 1))
    with pytest.raises(KioskError) as error:
        record(world, rules | {"CLEAN": later}, ["张建华"], code="CLEAN", minutes=None)
    assert error.value.code == "rule_inactive"


def test_a_record_keeps_the_rule_version_it_was_scored_with(world, rules):
    (old,) = record(world, rules, ["张建华"], code="CLEAN", minutes=None)
    new_rule = service.change_rule(rules["CLEAN"].id, world.store, points=12)
    assert (new_rule.version, new_rule.points, new_rule.current) == (2, 12, True)
    assert Rule.get_by_id(rules["CLEAN"].id).current is False
    (new,) = record(world, {"CLEAN": new_rule}, ["李秀兰"], code="CLEAN", minutes=None)
    assert (ServiceRecord.get_by_id(old.id).rule.version, old.points) == (1, 10)
    assert (new.rule.version, new.points) == (2, 12)
    assert [r.code for r in service.current_rules(world.store)].count("CLEAN") == 1


def test_the_monthly_cap_limits_points_per_account(world, rules):
    # 探访独居老人: 15 points, at most 90 a month per account.
    records = [record(world, rules, ["张建华"], code="ELDER", minutes=None, day=TODAY - timedelta(days=d))[0]
               for d in range(6)]
    assert sum(r.points for r in records) == 90
    with pytest.raises(KioskError) as error:
        record(world, rules, ["张建华"], code="ELDER", minutes=None)
    assert error.value.code == "rule_cap_reached"
    # Another month starts afresh.
    (october,) = record(world, rules, ["张建华"], code="ELDER", minutes=None, day=date(2026, 10, 31))
    assert october.points == 15


def test_approval_is_capped_again_against_what_was_approved_meanwhile(world, rules):
    """Two desks recording at the same moment both saw room under the cap; the review keeps
    the account within it."""
    vol = service.change_rule(rules["VOL30"].id, world.store, cap_month=20)
    first, = record(world, {"VOL30": vol}, ["张建华"], minutes=90)  # 15 points
    # The other desk's record, made before it could see the first one.
    second = ServiceRecord.create(store=world.store, resident=first.resident, account=first.account, rule=vol,
                                  content="同时登记", service_date=TODAY, minutes=90, units=3, points=15,
                                  recorded_by=world.staff[MANAGER])
    service.approve(first.id, world.store, world.staff[SERVICE])
    assert service.approve(second.id, world.store, world.staff[SERVICE]).points == 5
    third = ServiceRecord.create(store=world.store, resident=first.resident, account=first.account, rule=vol,
                                 content="又一次", service_date=TODAY, minutes=30, units=1, points=5,
                                 recorded_by=world.staff[MANAGER])
    with pytest.raises(KioskError) as error:
        service.approve(third.id, world.store, world.staff[SERVICE])
    assert error.value.code == "rule_cap_reached"


def test_two_reviewers_at_once_post_once(world, rules):
    (rec,) = record(world, rules, ["张建华"])
    before = balance(world, "张建华")
    service.approve(rec.id, world.store, world.staff[SERVICE])
    with pytest.raises(KioskError):
        service.approve(rec.id, world.store, world.staff[MANAGER])
    assert balance(world, "张建华") == before + 15
    assert not database.in_transaction()
