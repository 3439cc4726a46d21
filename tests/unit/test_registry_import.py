"""Importing households and residents from CSV and Excel, and exporting them back."""
import io
import json
import time

import openpyxl
import pytest

from kiosk.audit import AuditEvent
from kiosk.errors import KioskError
from kiosk.ledger.models import Account
from kiosk.registry import importer
from kiosk.registry import service as registry
from kiosk.registry.models import Household, Resident
from kiosk.stores.models import Store

HEADER = "社区,楼栋,单元,房号,人口,户电话,姓名,电话,身份证号"


def csv_bytes(*lines, encoding="utf-8"):
    return ("\r\n".join((HEADER, *lines)) + "\r\n").encode(encoding)


def xlsx_bytes(rows):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def codes(preview):
    return {problem.row: problem.error.code for problem in preview.problems}


def snapshot(store):
    return (
        Household.select().where(Household.store == store).count(),
        Resident.select().where(Resident.store == store).count(),
        Account.select().where(Account.store == store).count(),
    )


# ---------------------------------------------------------------------------------------------
# Reading files


def test_a_gbk_csv_from_excel_is_read():
    data = csv_bytes("幸福里社区,9,1,602,2,,周小梅,13912345678,110105194912310021", encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    (row,) = importer.read_table(data, "花名册.csv")
    assert row["community"] == "幸福里社区" and row["name"] == "周小梅" and row["row"] == 2


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_utf8_with_and_without_bom(bom):
    data = bom + csv_bytes("幸福里社区,9,1,602,2,,周小梅,13912345678,")
    (row,) = importer.read_table(data, "a.csv")
    assert row["community"] == "幸福里社区" and row["phone"] == "13912345678"


def test_an_xlsx_made_with_openpyxl_is_read_with_numbers_as_text():
    data = xlsx_bytes([
        ["居民花名册"],  # a title row above the header
        ["姓名", "楼栋", "房号", "电话", "备注"],  # columns in any order, an unknown one ignored
        ["周小梅", 9, 602, 13912345678, "x"],
        [None, None, None, None, None],
        ["钱多多", "9", "603", None, None],
    ])
    rows = importer.read_table(data, "a.xlsx")
    assert [(r["row"], r["name"], r["building"], r["room"], r["phone"]) for r in rows] == [
        (3, "周小梅", "9", "602", "13912345678"),
        (5, "钱多多", "9", "603", ""),
    ]
    assert "备注" not in rows[0] and "unit" not in rows[0]


def test_english_headers_spaces_and_a_tab_separated_file():
    data = "Name\tBuilding\tRoom\tPhone\n  赵丽 \t 7 \t101\t139 1234 0000\n".encode("utf-8")
    (row,) = importer.read_table(data, "a.txt")
    assert (row["name"], row["building"], row["room"]) == ("赵丽", "7", "101")


@pytest.mark.parametrize("data, name", [
    (b"", "a.csv"),
    (b"\xef\xbb\xbf\r\n", "a.csv"),
    ((HEADER + "\r\n").encode(), "a.csv"),  # a header and nothing else
])
def test_an_empty_file_is_refused(data, name):
    with pytest.raises(KioskError) as caught:
        importer.read_table(data, name)
    assert caught.value.code == "import_empty"


def test_an_empty_workbook_is_refused():
    with pytest.raises(KioskError, match="import_empty"):
        importer.read_table(xlsx_bytes([]), "a.xlsx")


def test_a_file_without_a_name_column_is_refused_naming_the_column():
    data = "社区,楼栋,单元,房号,电话\r\n幸福里,9,1,602,13912345678\r\n".encode()
    with pytest.raises(KioskError) as caught:
        importer.read_table(data, "a.csv")
    assert caught.value.code == "import_missing_columns"
    assert caught.value.params == {"columns": "姓名"}


@pytest.mark.parametrize("data, name, code", [
    (b"%PDF-1.4 ...", "a.pdf", "import_unknown_type"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "a.xls", "import_old_excel"),
    (b"PK\x03\x04 not really a zip", "a.xlsx", "import_bad_file"),
    (b"plain text", "a.xlsx", "import_bad_file"),
])
def test_files_that_are_not_csv_or_xlsx_are_refused(data, name, code):
    with pytest.raises(KioskError) as caught:
        importer.read_table(data, name)
    assert caught.value.code == code


def test_more_rows_than_the_limit_are_refused(monkeypatch):
    monkeypatch.setattr(importer, "MAX_ROWS", 5)
    assert len(importer.read_table(csv_bytes(*["c,1,1,%d,,,张%d,," % (i, i) for i in range(5)]), "a.csv")) == 5
    with pytest.raises(KioskError) as caught:
        importer.read_table(csv_bytes(*["c,1,1,%d,,,张%d,," % (i, i) for i in range(6)]), "a.csv")
    assert caught.value.code == "import_too_many_rows" and caught.value.params == {"max": 5}


def test_the_real_limit_is_a_hundred_thousand_rows():
    assert importer.MAX_ROWS == 100_000


# ---------------------------------------------------------------------------------------------
# Checking rows


def test_errors_are_reported_per_row_with_the_spreadsheet_row_number(world):
    rows = importer.read_table(csv_bytes(
        "幸福里,9,1,602,2,,周小梅,13912345678,110105194912310021",   # 2 ok: new household
        "幸福里,9,1,602,2,,,13912340000,",                          # 3 phone but no name
        "幸福里,,,,,,无地址,,",                                      # 4 unknown household
        "幸福里,9,1,603,1,,钱多多,13912345678,",                     # 5 phone already on row 2
        "幸福里,9,1,602,2,,周小梅,,",                                # 6 same person twice
        ",3,2,301,1,,张大伟,13800000001,",                           # 7 phone registered in the store
        ",3,2,301,1,,张建华,,",                                     # 8 already in that household
        "幸福里,9,1,604,abc,,孙一,,",                               # 9 bad members
        "幸福里,9,1,605,1,,孙二,12345,",                            # 10 bad phone
        "幸福里,9,1,606,1,,孙三,,12345",                            # 11 bad ID number
        "幸福里,9,1,607,1,,,,",                                     # 12 household only
        ",3,2,301,1,,张小华,,",                                     # 13 ok: existing household
    ), "a.csv")
    preview = importer.check(world.store, rows)
    assert codes(preview) == {
        3: "missing_field", 4: "import_unknown_household", 5: "import_duplicate_phone", 6: "import_duplicate_resident",
        7: "duplicate_phone", 8: "import_resident_exists", 9: "bad_members", 10: "bad_phone", 11: "bad_id_number",
    }
    by_row = {p.row: p for p in preview.problems}
    assert by_row[3].column == "姓名" and by_row[3].error.params == {"field": "name"}
    assert by_row[5].error.params == {"phone": "5678", "row": 2}
    assert by_row[6].error.params == {"name": "周小梅", "row": 2}
    assert by_row[9].column == "人口" and by_row[10].column == "电话" and by_row[11].column == "身份证号"
    assert (preview.new_households, preview.existing_households, preview.new_residents, preview.errors) == (2, 1, 2, 9)
    assert preview.valid_rows == 3 and preview.total_rows == 12


def test_the_errors_read_in_chinese(app, world):
    from kiosk.messages import message

    rows = importer.read_table(csv_bytes(
        "幸福里,9,1,602,2,,周小梅,13912345678,", "幸福里,9,1,603,1,,钱多多,13912345678,",
        "幸福里,,,,,,无地址,,", "幸福里,9,1,604,1,,,13912340000,",
    ), "a.csv")
    with app.test_request_context():
        texts = [message(p.error) for p in importer.check(world.store, rows).problems]
    assert texts == ["尾号 5678 的电话与第 2 行重复。", "无地址：没有楼栋和房号，无法确定是哪一户。", "请填写姓名。"]


def test_an_id_number_that_excel_turned_into_a_number_is_refused_not_misread(world):
    data = xlsx_bytes([
        ["姓名", "楼栋", "房号", "身份证号"],
        ["周小梅", 9, 602, 110105194912310021.0],  # what Excel keeps of an 18-digit number: a double
        ["钱多多", 9, 603, "110105194912310021"],  # the column formatted as text
        ["孙三", 9, 604, 110105491231002],  # an old 15-digit number survives as a number
    ])
    preview = importer.check(world.store, importer.read_table(data, "a.xlsx"))
    assert codes(preview) == {2: "import_id_as_number"}
    assert [row["id_tail"] for row in preview.sample()] == ["0021", "1002"]
    csv_preview = importer.check(world.store, importer.read_table(csv_bytes("幸福里,9,1,602,,,周小梅,,1.10105E+17"), "a.csv"))
    assert codes(csv_preview) == {2: "import_id_as_number"}


def test_redacted_rows_hold_no_full_id_number_and_check_the_same(world):
    rows = importer.read_table(csv_bytes(
        "幸福里,9,1,602,,,周小梅,,110105194912310021", "幸福里,9,1,603,,,钱多多,,11010519491231002x",
        "幸福里,9,1,604,,,孙三,,12345", "幸福里,9,1,605,,,孙四,,1.10105E+17", "幸福里,9,1,606,,,,,110105194912310021",
        "幸福里,9,1,607,,,孙五,,**************0021", "幸福里,9,1,608,,,孙六,,",
    ), "a.csv")
    redacted = importer.redact(rows)
    assert "110105194912310021" not in repr(redacted) and "11010519491231002x" not in repr(redacted)
    assert [row["id_number"] for row in redacted] == [
        "**************0021", "**************002X", "?", "1.10105E+17", "**************0021", "**************0021", "",
    ]
    before, after = importer.check(world.store, rows), importer.check(world.store, redacted)
    assert after.digest == before.digest and codes(after) == codes(before)
    assert [r["id_tail"] for r in after.sample()] == [r["id_tail"] for r in before.sample()]


def test_checking_changes_nothing(world):
    before = snapshot(world.store)
    importer.check(world.store, importer.read_table(csv_bytes("幸福里,9,1,602,2,,周小梅,13912345678,"), "a.csv"))
    assert snapshot(world.store) == before


# ---------------------------------------------------------------------------------------------
# Importing


def test_import_creates_households_residents_and_accounts_like_the_forms(world):
    rows = importer.read_table(csv_bytes(
        "幸福里,9,1,602,,13700000000,周小梅,13912345678,110105194912310021",
        "幸福里,9,1,602,,,周大海,,",
        "幸福里,9,1,603,4,,,,",
        ",3,2,301,,,张小华,13912340000,",
    ), "a.csv")
    counts = importer.apply(world.store, importer.check(world.store, rows), world.staff["operations"])
    assert counts == {"households": 2, "residents": 3, "accounts": 2, "existing_households": 1, "skipped": 0, "rows": 4}
    household = Household.get(Household.building == "9", Household.room == "602")
    assert (household.community, household.unit, household.phone) == ("幸福里", "1", "13700000000")
    assert household.members == 2  # no 人口 given: the residents listed
    assert Household.get(Household.room == "603").members == 4
    zhou = Resident.get(Resident.name == "周小梅")
    assert (zhou.initials, zhou.phone, zhou.id_tail, zhou.household_id) == ("ZXM", "13912345678", "0021", household.id)
    (account,) = Account.select().where(Account.household == household)
    assert account.holder_name == "周小梅" and account.resident_id is None and account.balance == 0
    assert registry.account_of(zhou).id == account.id
    assert registry.search(world.store, "ZXM")[0].name == "周小梅"
    event = AuditEvent.select().where(AuditEvent.action == "import_registry").get()
    assert event.staff_id == world.staff["operations"].id and json.loads(event.detail)["residents"] == 3


def test_person_mode_gives_each_imported_resident_an_account(world):
    world.store.account_mode = "person"
    world.store.save()
    rows = importer.read_table(csv_bytes("幸福里,9,1,602,,,周小梅,,", "幸福里,9,1,602,,,周大海,,", "幸福里,9,1,603,,,,,"), "a.csv")
    counts = importer.apply(world.store, rows)
    assert counts["accounts"] == 2
    for name in ("周小梅", "周大海"):
        resident = Resident.get(Resident.name == name)
        account = registry.account_of(resident)
        assert account.resident_id == resident.id and account.holder_name == name
    assert not Account.select().where(Account.household == Household.get(Household.room == "603")).exists()


def test_only_valid_rows_go_in_and_the_same_file_twice_adds_nothing(world):
    rows = importer.read_table(csv_bytes("幸福里,9,1,602,2,,周小梅,13912345678,", "幸福里,9,1,603,1,,钱多多,12345,"), "a.csv")
    assert importer.apply(world.store, rows)["residents"] == 1
    assert not Resident.select().where(Resident.name == "钱多多").exists()
    before = snapshot(world.store)
    again = importer.check(world.store, rows)
    assert codes(again) == {2: "duplicate_phone", 3: "bad_phone"}
    assert importer.apply(world.store, again)["residents"] == 0
    assert snapshot(world.store) == before


def test_a_failure_while_writing_the_last_row_leaves_nothing_written(world, monkeypatch):
    rows = importer.read_table(csv_bytes(*[f"幸福里,9,1,{600 + i},1,,居民{i},139000000{i:02d}," for i in range(1, 13)]), "a.csv")
    before = snapshot(world.store)
    events = AuditEvent.select().count()
    original = importer.insert_rows
    monkeypatch.setattr(importer, "CHUNK", 5)

    def failing(model, chunk, **kwargs):
        if model is Resident and any(row["name"] == "居民12" for row in chunk):
            raise RuntimeError("disk full")
        return original(model, chunk, **kwargs)

    monkeypatch.setattr(importer, "insert_rows", failing)
    with pytest.raises(RuntimeError):
        importer.apply(world.store, rows, world.staff["operations"])
    assert snapshot(world.store) == before
    assert AuditEvent.select().count() == events


def test_a_preview_confirmed_after_the_registry_changed_is_refused(world):
    rows = importer.read_table(csv_bytes("幸福里,9,1,602,2,,周小梅,13912345678,", "幸福里,9,1,603,1,,钱多多,,"), "a.csv")
    preview = importer.check(world.store, rows)
    household = registry.register_household(world.store, building="7", room="101")
    registry.register_resident(world.store, household, name="别人", phone="13912345678")
    before = snapshot(world.store)
    with pytest.raises(KioskError, match="import_stale"):
        importer.apply(world.store, preview)
    assert snapshot(world.store) == before


def test_progress_is_reported_while_checking_then_writing(world):
    rows = importer.read_table(csv_bytes(*[f"幸福里,9,1,{600 + i},1,,居民{i},," for i in range(1200)]), "a.csv")
    seen = []
    importer.apply(world.store, rows, progress=lambda stage, done, total: seen.append((stage, done, total)))
    assert seen[0][0] == "checking" and ("checking", 1200, 1200) in seen
    assert seen[-1] == ("writing", 1200, 1200)
    assert [s for s, _, _ in seen].index("writing") > [s for s, _, _ in seen].index("checking")


# ---------------------------------------------------------------------------------------------
# Export and round trip


def _registry_of(store):
    households = {
        h.id: (h.community, h.building, h.unit, h.room, h.members, h.phone)
        for h in Household.select().where(Household.store == store)
    }
    residents = sorted(
        (households[r.household_id], r.name, r.initials, r.phone, r.id_tail)
        for r in Resident.select().where(Resident.store == store)
    )
    return sorted(households.values()), residents


def _filled_store(world):
    store = world.store
    household = registry.register_household(store, community="幸福里", building="10", unit="1", room="0201",
                                            members=3, phone="02812345678")
    registry.register_resident(store, household, name="周小梅", phone="13912345678", id_number="110105194912310021")
    registry.register_resident(store, household, name="=SUM(1)", id_number="11010519491231002X")
    registry.register_household(store, community="幸福里", building="2", room="101", members=2)  # no residents
    return store


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_export_then_import_onto_an_empty_store_gives_the_same_registry(world, kind):
    store = _filled_store(world)
    data = importer.export(store) if kind == "xlsx" else importer.export_csv(store)
    empty = Store.create(name="新店", code="NEW")
    rows = importer.read_table(data, "export." + kind)
    preview = importer.check(empty, rows)
    assert preview.problems == []
    importer.apply(empty, preview)
    assert _registry_of(empty) == _registry_of(store)
    assert Account.select().where(Account.store == empty).count() == Household.select().where(Household.store == empty).count()
    # Importing the export onto the store it came from adds nothing.
    before = snapshot(store)
    importer.apply(store, importer.read_table(data, "export." + kind))
    assert snapshot(store) == before


def test_the_export_masks_id_numbers_and_never_writes_formulas(world):
    store = _filled_store(world)
    text = importer.export_csv(store).decode("utf-8")
    assert text.startswith("\ufeff社区,楼栋,单元,房号,人口,户电话,姓名,电话,身份证号")
    assert "**************0021" in text and "110105194912310021" not in text
    assert "'=SUM(1)" in text
    sheet = openpyxl.load_workbook(io.BytesIO(importer.export(store))).worksheets[0]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == list(importer.HEADERS)
    assert ["幸福里", "10", "1", "0201", "3", "02812345678", "周小梅", "13912345678", "**************0021"] in values
    formula_cell = next(cell for row in sheet.iter_rows() for cell in row if cell.value == "=SUM(1)")
    assert formula_cell.data_type == "s"
    # Building 2 sorts before building 10.
    assert [row[1] for row in values[1:] if row[0] == "幸福里"] == ["2", "10", "10"]


# ---------------------------------------------------------------------------------------------
# Size


def test_twenty_thousand_rows_import_in_one_go(world):
    """A district-size file. 100,000 rows were measured by hand (see the report in the PR)."""
    count = 20_000
    lines = [f"幸福里,{i // 300 + 1},{i // 100 % 3 + 1},{i % 100 + 101},3,,居民{i},139{i:08d},"
             for i in range(count)]
    data = csv_bytes(*lines, encoding="gbk")
    started = time.perf_counter()
    rows = importer.read_table(data, "big.csv")
    preview = importer.check(world.store, rows)
    assert preview.errors == 0 and preview.new_residents == count
    counts = importer.apply(world.store, preview)
    elapsed = time.perf_counter() - started
    assert counts["residents"] == count and counts["households"] == count
    assert Resident.select().where(Resident.store == world.store).count() == count + 3
    assert elapsed < 60, f"{count} rows took {elapsed:.1f} s"
