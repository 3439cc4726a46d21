"""Importing a whole rules catalog: every row previewed, all of it imported in one transaction
or none, GBK CSV and Excel files, the sample catalog shipped with the kiosk."""
import io
from importlib import resources

import openpyxl
import pytest

from kiosk.audit import AuditEvent
from kiosk.earning import catalog, catalog_import, service
from kiosk.earning.models import Rule
from kiosk.errors import KioskError
from kiosk.staff.models import MANAGER

HEADER = "代码,名称,类别,积分,计分方式(每次/每30分钟),每月上限,劝导次数,劝导周期(月/季/年),结对分成%"


def csv_bytes(*lines, encoding="utf-8"):
    return "\r\n".join([HEADER, *lines]).encode(encoding)


def sample_bytes():
    return resources.files("kiosk.earning").joinpath("sample-catalog.csv").read_bytes()


def rules_of(store):
    return {rule.code: rule for rule in service.current_rules(store)}


def test_the_sample_catalog_imports_whole(world):
    rows = catalog_import.read(sample_bytes(), "sample-catalog.csv")
    preview = catalog_import.check(world.store, rows)
    assert preview.errors == [] and preview.count("new") == len(rows) == 41
    counts = catalog_import.apply(world.store, rows, world.staff[MANAGER], expect=preview.digest, source="sample.csv")
    assert (counts.added, counts.changed, counts.unchanged) == (41, 0, 0)
    rules = rules_of(world.store)
    assert len(rules) == 41
    parking, vol = rules["PARKING"], rules["VOL30"]
    assert (parking.points, parking.from_occurrence, parking.occurrence_period) == (-10, 3, "year")
    assert (vol.points, vol.unit, vol.cap_month, vol.linked_share) == (5, "half_hour", 200, 10)
    assert rules["DOG"].occurrence_period == "quarter" and rules["LITTER"].occurrence_period == "month"
    event = AuditEvent.get(AuditEvent.action == "rules_imported")
    assert '"added": 41' in event.detail and event.staff_id == world.staff[MANAGER].id
    # The same file again changes nothing.
    again = catalog_import.check(world.store, rows)
    assert again.count("same") == 41 and again.to_write == 0
    with pytest.raises(KioskError) as error:
        catalog_import.apply(world.store, rows)
    assert error.value.code == "catalog_nothing_to_do"


def test_a_gbk_csv_as_excel_saves_it_reads_like_utf8_with_a_bom(world):
    lines = ["BLOOD,无偿献血,道德风尚,100,每次,,,,", "NOISE,深夜噪音扰民,扣分项,-5,每次,,2,月,"]
    gbk = catalog_import.read(csv_bytes(*lines, encoding="gbk"), "规则.csv")
    bom = catalog_import.read(b"\xef\xbb\xbf" + csv_bytes(*lines), "规则.csv")
    assert gbk == bom
    assert [row["name"] for row in gbk] == ["无偿献血", "深夜噪音扰民"]
    catalog_import.apply(world.store, gbk)
    assert rules_of(world.store)["NOISE"].from_occurrence == 3


def test_an_excel_file_with_a_title_row_and_a_kind_column(world):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["幸福里社区积分规则（2027年）"])
    sheet.append(["名称", "类别", "加分或扣分", "积分", "计分方式", "每月上限"])
    sheet.append(["环境卫生清扫", "人居环境", "加分", 10, "每次", 60])
    sheet.append(["高空抛物", "扣分项", "扣分", 50, "每次", None])
    out = io.BytesIO()
    book.save(out)
    rows = catalog_import.read(out.getvalue(), "规则.xlsx")
    assert [row["row"] for row in rows] == [3, 4]
    preview = catalog_import.check(world.store, rows)
    assert preview.errors == [] and [line.code for line in preview.lines] == ["R001", "R002"]
    catalog_import.apply(world.store, rows, expect=preview.digest)
    rules = rules_of(world.store)
    assert (rules["R001"].name, rules["R001"].cap_month) == ("环境卫生清扫", 60)
    assert (rules["R002"].name, rules["R002"].points) == ("高空抛物", -50)
    # Without codes, the same names match the rules they made.
    assert catalog_import.check(world.store, rows).count("same") == 2


def test_a_file_with_one_bad_row_imports_nothing_and_says_why_for_each_row(world):
    catalog.install(world.store)
    before = Rule.select().count()
    data = csv_bytes(
        "BLOOD,无偿献血,道德风尚,100,每次,,,,",          # 2: fine
        "ZERO,零分规则,道德风尚,0,每次,,,,",             # 3: zero points
        "WEEK,每周规则,道德风尚,5,每周,,,,",             # 4: unknown unit
        "BLOOD,又一个献血,道德风尚,100,每次,,,,",        # 5: code also on row 2
        "CAP,上限太低,道德风尚,20,每次,10,,,",           # 6: cap below one occurrence
        "SHARE,扣分分成,扣分项,-5,每次,,,,10",           # 7: share on a deduction
        "WARN,加分劝导,道德风尚,5,每次,,2,,",            # 8: warnings on an earning
        "NEG,负分成,道德风尚,5,每次,,,,-5",              # 9: negative share
        "TEN,十分,道德风尚,十,每次,,,,",                 # 10: not a number
        "PER,周期,扣分项,-5,每次,,1,每周,",              # 11: unknown period
        ",,道德风尚,5,每次,,,,",                         # 12: no name
    )
    preview = catalog_import.check(world.store, catalog_import.read(data, "x.csv"))
    errors = {line.row: (line.column, line.error.code) for line in preview.errors}
    assert errors == {
        3: ("points", "rule_zero_points"), 4: ("unit", "catalog_bad_unit"), 5: ("code", "catalog_duplicate_code"),
        6: ("cap_month", "rule_cap_below_points"), 7: ("share", "rule_share_on_deduction"),
        8: ("warnings", "rule_warnings_on_earning"), 9: ("share", "catalog_bad_number"),
        10: ("points", "catalog_bad_points"), 11: ("period", "catalog_bad_period"), 12: ("name", "missing_field"),
    }
    assert preview.count("new") == 1
    with pytest.raises(KioskError) as error:
        catalog_import.apply(world.store, catalog_import.read(data, "x.csv"))
    assert (error.value.code, error.value.params) == ("catalog_has_errors", {"count": 10})
    assert Rule.select().count() == before
    assert not AuditEvent.select().where(AuditEvent.action == "rules_imported").exists()


def test_a_changed_row_makes_a_new_version_and_an_equal_one_is_left_alone(world):
    catalog.install(world.store)
    old = rules_of(world.store)
    data = csv_bytes(
        "CLEAN,环境卫生清扫,人居环境,12,每次,72,,,10",      # points and cap change
        "ELDER,探访独居老人,邻里互助,15,每次,90,,,10",      # as it is
        "PARKING,乱停车影响通行（两次劝导后）,扣分项,-10,每次,,1,年,",  # one warning instead of two
        "NEWONE,文明劝导,文明实践,10,每次,50,,,",
    )
    rows = catalog_import.read(data, "x.csv")
    preview = catalog_import.check(world.store, rows)
    assert [(line.code, line.action) for line in preview.lines] == [
        ("CLEAN", "change"), ("ELDER", "same"), ("PARKING", "change"), ("NEWONE", "new")]
    assert preview.lines[0].changed == ["points", "cap_month"]
    assert preview.lines[2].changed == ["from_occurrence"]
    counts = catalog_import.apply(world.store, rows, expect=preview.digest)
    assert (counts.added, counts.changed, counts.unchanged) == (1, 2, 1)
    rules = rules_of(world.store)
    assert (rules["CLEAN"].version, rules["CLEAN"].points, rules["CLEAN"].cap_month) == (2, 12, 72)
    assert rules["ELDER"].id == old["ELDER"].id and rules["ELDER"].version == 1
    assert (rules["PARKING"].version, rules["PARKING"].from_occurrence) == (2, 2)
    assert Rule.get_by_id(old["CLEAN"].id).current is False


def test_a_catalog_changed_since_the_preview_is_not_imported(world):
    catalog.install(world.store)
    rows = catalog_import.read(csv_bytes("CLEAN,环境卫生清扫,人居环境,12,每次,72,,,10"), "x.csv")
    preview = catalog_import.check(world.store, rows)
    service.change_rule(rules_of(world.store)["CLEAN"].id, world.store, points=11)
    with pytest.raises(KioskError) as error:
        catalog_import.apply(world.store, rows, expect=preview.digest)
    assert error.value.code == "catalog_stale"
    assert rules_of(world.store)["CLEAN"].points == 11


def test_a_retired_code_in_the_file_is_refused(world):
    catalog.install(world.store)
    service.retire_rule(rules_of(world.store)["LITTER"].id, world.store)
    preview = catalog_import.check(world.store, catalog_import.read(csv_bytes("LITTER,乱扔垃圾,扣分项,-5,每次,,,,"), "x.csv"))
    (line,) = preview.errors
    assert (line.column, line.error.code) == ("code", "catalog_rule_retired")


@pytest.mark.parametrize("data, code", [
    ("名称,类别\r\n献血,道德风尚".encode(), "catalog_missing_columns"),
    ("随便写点什么\r\n没有表头".encode(), "catalog_missing_columns"),
    (HEADER.encode(), "import_empty"),
    (b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "import_old_excel"),
])
def test_files_that_are_not_a_catalog_are_refused_whole(data, code):
    with pytest.raises(KioskError) as error:
        catalog_import.read(data, "x.csv")
    assert error.value.code == code
