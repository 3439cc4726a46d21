"""The rules catalog kept by the store manager: refusing nonsense with a clear reason, new
versions, retiring a rule (it is no longer offered, its records keep it)."""
from datetime import date

import pytest

from kiosk.audit import AuditEvent
from kiosk.earning import catalog, service
from kiosk.earning.models import Rule
from kiosk.errors import KioskError
from kiosk.staff.models import MANAGER, OPERATIONS, SERVICE
from kiosk.volunteer import importer as volunteer_importer

TODAY = date(2026, 11, 23)
EARNING = {"name": "探访独居老人", "category": "邻里互助", "points": 15, "unit": "occurrence"}
DEDUCTION = {"name": "乱扔垃圾", "category": "扣分项", "points": -5, "unit": "occurrence"}


@pytest.fixture
def rules(world):
    catalog.install(world.store)
    return {rule.code: rule for rule in service.current_rules(world.store)}


def refused(**fields):
    with pytest.raises(KioskError) as error:
        service.check_rule(fields.pop("code", "X1"), **{
            "cap_month": None, "cap_year": None, "active_from": None, "active_to": None, "from_occurrence": 1,
            "occurrence_period": "year", "linked_share": 0, **fields})
    return error.value


@pytest.mark.parametrize("fields, code", [
    (dict(EARNING, points=0), "rule_zero_points"),
    (dict(EARNING, points=10_001), "bad_rule_points"),
    (dict(EARNING, unit="week"), "bad_rule_unit"),
    (dict(EARNING, cap_month=10), "rule_cap_below_points"),
    (dict(EARNING, unit="half_hour", points=8, cap_month=5), "rule_cap_below_points"),
    (dict(EARNING, cap_month=0), "bad_rule_cap"),
    (dict(EARNING, linked_share=-5), "bad_rule_share"),
    (dict(EARNING, linked_share=101), "bad_rule_share"),
    (dict(EARNING, from_occurrence=3), "rule_warnings_on_earning"),
    (dict(DEDUCTION, linked_share=10), "rule_share_on_deduction"),
    (dict(DEDUCTION, cap_month=50), "rule_cap_on_deduction"),
    (dict(DEDUCTION, unit="half_hour"), "rule_deduction_per_time"),
    (dict(DEDUCTION, occurrence_period="week"), "bad_rule_period"),
    (dict(DEDUCTION, from_occurrence=101), "bad_rule_warnings"),
    (dict(EARNING, active_from=date(2026, 12, 1), active_to=date(2026, 11, 1)), "bad_rule_dates"),
    (dict(EARNING, code="清扫"), "bad_rule_code"),
    (dict(EARNING, code="A" * 21), "too_long"),
    (dict(EARNING, name=""), "missing_field"),
])
def test_nonsense_rules_are_refused_with_their_own_reason(fields, code):
    assert refused(**fields).code == code


def test_a_cap_of_exactly_one_occurrence_and_warnings_on_a_deduction_are_fine():
    service.check_rule("X1", **dict(EARNING, cap_month=15, cap_year=None, active_from=None, active_to=None,
                                    from_occurrence=1, occurrence_period="year", linked_share=10))
    service.check_rule("X2", **dict(DEDUCTION, cap_month=None, cap_year=None, active_from=None, active_to=None,
                                    from_occurrence=3, occurrence_period="quarter", linked_share=0))


def test_a_rule_added_without_a_code_gets_the_next_free_one(world):
    first = service.add_rule(world.store, code="", **EARNING, staff=world.staff[MANAGER])
    second = service.add_rule(world.store, code=" ", **DEDUCTION)
    assert (first.code, second.code) == ("R001", "R002")
    service.add_rule(world.store, code="r004", **dict(EARNING, name="献血"))
    assert service.add_rule(world.store, code="", **dict(EARNING, name="见义勇为")).code == "R003"
    with pytest.raises(KioskError) as error:
        service.add_rule(world.store, code="R001", **EARNING)
    assert error.value.code == "duplicate_rule"


def test_editing_a_rule_makes_a_new_version_and_an_edit_that_changes_nothing_is_refused(world, rules):
    clean = rules["CLEAN"]
    new = service.change_rule(clean.id, world.store, points=12, cap_month=72, staff=world.staff[MANAGER])
    assert (new.version, new.points, new.current) == (2, 12, True)
    assert Rule.get_by_id(clean.id).current is False
    with pytest.raises(KioskError) as error:
        service.change_rule(new.id, world.store, points=12)
    assert error.value.code == "rule_unchanged"
    with pytest.raises(KioskError) as error:
        service.change_rule(clean.id, world.store, points=20)  # an old version
    assert error.value.code == "unknown_rule"


def test_a_retired_rule_is_no_longer_offered_and_its_records_keep_it(world, rules):
    clean = rules["CLEAN"]
    resident = world.cards["张建华"].resident_id
    (record,) = service.record_service(world.store, resident_ids=[resident], rule_id=clean.id, content="清扫楼道",
                                       service_date=TODAY, staff=world.staff[OPERATIONS], today=TODAY)
    service.retire_rule(clean.id, world.store, staff=world.staff[MANAGER])
    assert "CLEAN" not in [rule.code for rule in service.current_rules(world.store)]
    assert "CLEAN" not in [rule.code for rule in service.current_rules(world.store, on=TODAY)]
    # A record waiting for review is still approved with the version it was scored with.
    approved = service.approve(record.id, world.store, world.staff[SERVICE], today=TODAY)
    assert (approved.status, approved.rule_id, approved.points) == ("approved", clean.id, 10)
    for attempt in (
        lambda: service.record_service(world.store, resident_ids=[resident], rule_id=clean.id, content="清扫",
                                       service_date=TODAY, staff=world.staff[OPERATIONS], today=TODAY),
        lambda: service.change_rule(clean.id, world.store, points=20),
        lambda: service.retire_rule(clean.id, world.store),
    ):
        with pytest.raises(KioskError) as error:
            attempt()
        assert error.value.code == "rule_retired"
    assert AuditEvent.select().where(AuditEvent.action == "rule_retired").count() == 1


def test_the_volunteer_import_does_not_match_a_retired_rule(world, rules):
    service.retire_rule(rules["CLEAN"].id, world.store)
    header = ["姓名", "手机号", "活动名称", "服务日期", "服务时长（小时）"]
    rows = [(2, ["张建华", world.cards["张建华"].resident.phone, "环境卫生清扫", "2026-11-20", "1"])]
    mapping, choice = volunteer_importer.guess(header, rows, service.current_rules(world.store))
    preview = volunteer_importer.check(world.store, rows, mapping, "column:2", today=TODAY)
    (line,) = preview.lines
    assert line.error is not None and line.error.code == "import_unknown_rule"
