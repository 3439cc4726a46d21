"""Importing service from the volunteer platform's exports: reading, mapping, matching people,
duplicates, caps, and confirmation by a second person in one transaction."""
import io
import json
import threading
from datetime import date, datetime, time

import openpyxl
import pytest

from kiosk.audit import AuditEvent
from kiosk.db import database
from kiosk.earning import catalog
from kiosk.earning import service as earning
from kiosk.earning.models import ServiceRecord
from kiosk.errors import KioskError
from kiosk.ledger import service as ledger
from kiosk.ledger.models import LedgerEntry
from kiosk.registry.models import Household, Resident
from kiosk.registry.service import initials
from kiosk.reports.verify import verify
from kiosk.staff.models import CASHIER, MANAGER, OPERATIONS, SERVICE
from kiosk.volunteer import importer
from kiosk.volunteer import service as batches
from kiosk.volunteer.models import VolunteerImport, VolunteerImportRecord
from tests.helpers import balance

TODAY = date(2026, 11, 23)
TITLE = "幸福里社区志愿服务时长明细（2026年11月）"
HEADER = "序号,姓名,手机号,身份证号,活动名称,服务日期,开始时间,结束时间,服务时长(小时)"
# What the platform exports for November: the world's residents (张建华 13800000001, 李秀兰
# 13800000002, 王德明 13800000003) and two more added by the ``people`` fixture.
ROWS = [
    "1,张建华,13800000001,110105196503120011,社区图书角值班,2026-11-02,09:00,11:00,2",
    "2,李秀兰,138****0002,,敬老院陪伴老人,2026/11/05,14:00,15:30,1.5",
    "3,周小梅,13912345678,1101**********0021,垃圾分类宣传,2026年11月8日,08:30,10:00,1.5",
]


def export_csv(rows=ROWS, header=HEADER, encoding="utf-8", title=True):
    lines = ([TITLE] if title else []) + [header, *rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def export_xlsx(rows):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def rules(world):
    catalog.install(world.store)
    return {rule.code: rule for rule in earning.current_rules(world.store)}


@pytest.fixture
def people(world):
    """周小梅 (ID …0021) and two residents called 王芳 whose phones both end in 1234."""
    made = {}
    for building, room, name, phone, tail in [("9", "602", "周小梅", "13912345678", "0021"),
                                              ("9", "603", "王芳", "13811111234", "0042"),
                                              ("9", "604", "王芳", "13922221234", "0043")]:
        household = Household.create(store=world.store, building=building, room=room)
        from kiosk.ledger.models import Account

        Account.create(store=world.store, household=household, holder_name=name)
        made[phone] = Resident.create(store=world.store, household=household, name=name, initials=initials(name),
                                      phone=phone, id_tail=tail)
    return made


def preview_of(world, data, filename="志愿服务.csv", rule_choice=None, mapping=None):
    header, rows = importer.read(data, filename)
    guessed, guessed_rule = importer.guess(header, rows, earning.current_rules(world.store))
    return importer.check(world.store, rows, mapping or guessed, rule_choice or guessed_rule or "rule:VOL30",
                          today=TODAY)


def by_row(preview):
    return {line.row: (line.error.code if line.error else "ok") for line in preview.lines}


def upload(world, data, filename="志愿服务.csv", staff=OPERATIONS, rule="rule:VOL30"):
    batch = batches.upload(world.store, data, filename, world.staff[staff])
    if rule is not None:
        batches.set_mapping(batch.id, world.store, world.staff[staff], batches.mapping_of(batch), rule)
    return VolunteerImport.get_by_id(batch.id)


def submitted(world, data, **kwargs):
    batch = upload(world, data, **kwargs)
    return batches.submit(batch.id, world.store, batch.uploaded_by, today=TODAY)


def digest(batch):
    return batches.preview(batch, today=TODAY).digest


# ---------------------------------------------------------------------------------------------
# Reading files


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8", "utf-8-sig"])
def test_gbk_and_utf8_exports_with_or_without_bom_read_the_same(encoding):
    header, rows = importer.read(export_csv(encoding=encoding), "志愿汇导出.csv")
    assert header[:3] == ["序号", "姓名", "手机号"]
    assert [number for number, _ in rows] == [3, 4, 5]  # the title is row 1, the header row 2
    assert rows[2][1][1] == "周小梅" and rows[2][1][4] == "垃圾分类宣传"


def test_a_file_mixing_utf8_and_gbk_is_refused():
    data = export_csv(rows=ROWS[:1], encoding="utf-8") + ROWS[1].encode("gbk") + b"\r\n"
    with pytest.raises(KioskError) as error:
        importer.read(data, "拼接.csv")
    assert error.value.code == "import_mixed_encoding"


def test_a_utf8_bom_in_front_of_gbk_text_is_refused_as_mixed():
    with pytest.raises(KioskError) as error:
        importer.read(b"\xef\xbb\xbf" + export_csv(encoding="gbk"), "a.csv")
    assert error.value.code == "import_mixed_encoding"


def test_an_xlsx_with_real_dates_and_times_is_read():
    data = export_xlsx([
        [TITLE],
        ["姓名", "联系电话", "服务内容", "活动日期", "开始时间", "结束时间"],
        ["张建华", 13800000001, "社区图书角值班", datetime(2026, 11, 2), time(9, 0), time(10, 30)],
    ])
    header, rows = importer.read(data, "导出.xlsx")
    assert header == ["姓名", "联系电话", "服务内容", "活动日期", "开始时间", "结束时间"]
    (number, cells), = rows
    assert number == 3 and cells[1] == "13800000001"
    assert importer.parse_date(cells[3]) == date(2026, 11, 2)
    assert importer.parse_time(cells[4]) == (None, 9 * 60)


@pytest.mark.parametrize("data, name, code", [
    (b"", "a.csv", "import_empty"),
    (b"PK\x03\x04garbage", "a.xlsx", "import_bad_file"),
    (b"\xd0\xcf\x11\xe0old", "a.xls", "import_old_excel"),
    (b"%PDF-1.4", "a.pdf", "import_unknown_type"),
    ("姓名,手机号\r\n".encode(), "a.csv", "import_empty"),
])
def test_files_that_cannot_be_imported_are_refused(data, name, code):
    with pytest.raises(KioskError) as error:
        importer.read(data, name)
    assert error.value.code == code


def test_whole_id_numbers_are_cut_before_a_batch_is_stored(world, rules):
    batch = upload(world, export_csv())
    assert "110105196503120011" not in batch.cells and "**************0011" in batch.cells


# ---------------------------------------------------------------------------------------------
# Guessing the mapping


def test_the_mapping_is_guessed_from_the_platform_headers(rules):
    header, rows = importer.read(export_csv())
    mapping, rule_choice = importer.guess(header, rows, list(rules.values()))
    assert mapping == {"name": 1, "phone": 2, "id_number": 3, "content": 4, "date": 5, "start": 6, "end": 7,
                       "hours": 8}
    assert rule_choice == ""  # the activities are not rule names: the person chooses


@pytest.mark.parametrize("title, values, field", [
    ("服务时长（分钟）", ["90"], "minutes"),
    ("志愿时长(小时)", ["1.5"], "hours"),
    ("服务时长", ["1.5", "2", "3"], "hours"),
    ("服务时长", ["90", "120", "60"], "minutes"),
])
def test_a_duration_column_is_read_in_hours_or_minutes(title, values, field):
    rows = [(n, ["张建华", "13800000001", "2026-11-02", v]) for n, v in enumerate(values, start=2)]
    mapping, _ = importer.guess(["姓名", "联系电话", "活动日期", title], rows, [])
    assert mapping[field] == 3


def test_a_rule_column_or_activities_named_like_rules_choose_the_rule_per_row(rules):
    header, rows = importer.read("姓名,手机号,服务日期,积分项目\r\n张建华,13800000001,2026-11-02,CLEAN\r\n".encode())
    assert importer.guess(header, rows, list(rules.values()))[1] == "column:3"
    header, rows = importer.read("姓名,手机号,服务日期,活动名称\r\n张建华,13800000001,2026-11-02,环境卫生清扫\r\n".encode())
    assert importer.guess(header, rows, list(rules.values()))[1] == "column:3"


@pytest.mark.parametrize("text, minutes", [("1.5", 90), ("2小时", 120), ("90分钟", 90), ("1小时30分", 90), ("45min", 45)])
def test_durations_are_read_with_their_units(text, minutes):
    assert importer.parse_duration(text, "hours") == minutes


# ---------------------------------------------------------------------------------------------
# Checking rows


def test_a_good_export_previews_points_per_person(world, rules, people):
    preview = preview_of(world, export_csv())
    assert by_row(preview) == {3: "ok", 4: "ok", 5: "ok"}
    first, second, third = preview.lines
    assert (first.resident.name, first.minutes, first.points, first.content) == ("张建华", 120, 20, "社区图书角值班")
    assert (second.resident.name, second.day, second.points) == ("李秀兰", date(2026, 11, 5), 15)
    assert third.resident.id == people["13912345678"].id and third.day == date(2026, 11, 8)
    assert preview.points == 50


def test_people_are_matched_by_name_and_phone_tail_or_id_tail(world, rules, people):
    rows = [
        "1,周小梅,,0021,图书角,2026-11-02,09:00,10:00,",        # ID tail only: found
        "2,周小梅,13900009999,,图书角,2026-11-03,09:00,10:00,",  # phone of someone else
        "3,王芳,,,图书角,2026-11-02,09:00,10:00,",               # no phone, no ID
        "4,王芳,138****1234,,图书角,2026-11-02,09:00,10:00,",   # two 王芳 have phones ending 1234
        "5,王芳,13811111234,,图书角,2026-11-02,09:00,10:00,",   # only one of them has the whole number
        "6,赵无名,13700000000,,图书角,2026-11-02,09:00,10:00,",  # not in the registry
    ]
    preview = preview_of(world, export_csv(rows=rows, title=False))
    assert by_row(preview) == {2: "ok", 3: "import_person_mismatch", 4: "import_no_identifier",
                               5: "import_ambiguous_person", 6: "ok", 7: "import_unknown_person"}
    assert preview.lines[4].resident.id == people["13811111234"].id


def test_rows_with_bad_values_get_their_reasons(world, rules, people):
    rows = [
        "1,张建华,13800000001,,图书角,2026-13-45,09:00,10:00,",   # no such date
        "2,张建华,13800000001,,图书角,2026-11-30,09:00,10:00,",   # after today
        "3,张建华,13800000001,,图书角,2026-11-02,10:00,09:00,",   # ends before it starts
        "4,张建华,13800000001,,图书角,2026-11-03,09:00,09:20,",   # 20 minutes
        "5,张建华,13800000001,,图书角,2026-11-04,,,25",          # 25 hours
        "6,张建华,13800000001,,图书角,2026-11-05,九点,10:00,",     # not a time
        "7,张建华,13800000001,,图书角,2026-11-06,,,两小时",        # not a duration
        "8,张建华,13800000001,,图书角,2026-11-07,,,",            # no duration at all
        "9,,13800000001,,图书角,2026-11-08,09:00,10:00,",        # no name
    ]
    preview = preview_of(world, export_csv(rows=rows, title=False))
    assert by_row(preview) == {2: "import_bad_date", 3: "future_date", 4: "import_end_before_start",
                               5: "service_too_short", 6: "service_too_long", 7: "import_bad_time",
                               8: "import_bad_duration", 9: "missing_duration", 10: "missing_field"}
    assert preview.valid == [] and preview.points == 0


def test_a_rule_column_is_matched_against_rule_codes_and_names(world, rules, people):
    data = "\r\n".join([
        "姓名,手机号,服务日期,服务时长(分钟),积分规则",
        "张建华,13800000001,2026-11-02,90,志愿服务",        # the name without its note
        "李秀兰,13800000002,2026-11-02,,clean",            # a code, any case
        "王德明,13800000003,2026-11-02,,跳广场舞",           # not in the catalog
        "王德明,13800000003,2026-11-03,,乱停车影响通行（两次劝导后）",  # a deduction
    ]).encode("gbk")
    preview = preview_of(world, data)
    assert by_row(preview) == {2: "ok", 3: "ok", 4: "import_unknown_rule", 5: "import_rule_is_deduction"}
    assert [line.rule.code for line in preview.valid] == ["VOL30", "CLEAN"]
    assert preview.valid[1].content == "环境卫生清扫"  # no activity column: the rule's name


def test_a_rule_outside_its_active_period_is_refused_for_that_date(world, rules, people):
    earning.change_rule(rules["CLEAN"].id, world.store, active_from=date(2026, 11, 10))
    data = "姓名,手机号,服务日期\r\n张建华,13800000001,2026-11-02\r\n张建华,13800000001,2026-11-12\r\n".encode()
    preview = preview_of(world, data, rule_choice="rule:CLEAN")
    assert by_row(preview) == {2: "rule_inactive", 3: "ok"}


def test_a_mapping_without_names_identifiers_dates_or_rule_checks_nothing(world, rules):
    header, rows = importer.read(export_csv())
    preview = importer.check(world.store, rows, {"content": 4}, "", today=TODAY)
    assert [(e.code, e.params.get("field")) for e in preview.missing] == [
        ("import_map_missing", "import_name"), ("import_map_identifier", None),
        ("import_map_missing", "service_date"), ("import_no_rule", None)]
    assert preview.lines == []


# ---------------------------------------------------------------------------------------------
# Duplicates and caps


def test_duplicates_in_the_file_and_in_the_database_are_found(world, rules, people):
    earning.record_service(world.store, resident_ids=[Resident.get(Resident.name == "李秀兰").id],
                           rule_id=rules["VOL30"].id, content="敬老院 陪伴老人", service_date=date(2026, 11, 5),
                           minutes=60, staff=world.staff[OPERATIONS], today=TODAY)
    rows = ROWS + ["4,张建华,13800000001,,社区图书角值班,2026-11-02,14:00,16:00,2"]
    preview = preview_of(world, export_csv(rows=rows))
    assert by_row(preview) == {3: "ok", 4: "import_duplicate_record", 5: "ok", 6: "import_duplicate_row"}
    assert preview.lines[3].error.params == {"row": 3}


def test_a_rejected_record_is_not_a_duplicate(world, rules, people):
    (record,) = earning.record_service(world.store, resident_ids=[Resident.get(Resident.name == "李秀兰").id],
                                       rule_id=rules["VOL30"].id, content="敬老院陪伴老人",
                                       service_date=date(2026, 11, 5), minutes=60, staff=world.staff[OPERATIONS],
                                       today=TODAY)
    earning.reject(record.id, world.store, world.staff[SERVICE], "日期登记错误")
    assert by_row(preview_of(world, export_csv()))[4] == "ok"


def test_the_monthly_cap_counts_earlier_rows_of_the_file(world, rules, people):
    # CLEAN: +10 each, at most 60 a month per account.
    rows = [f"张建华,13800000001,清扫{n}号楼,2026-11-{n:02d}" for n in range(1, 8)]
    data = ("姓名,手机号,活动名称,服务日期\r\n" + "\r\n".join(rows)).encode()
    preview = preview_of(world, data, rule_choice="rule:CLEAN")
    assert [line.points for line in preview.lines[:6]] == [10] * 6
    assert preview.lines[6].error.code == "rule_cap_reached"


# ---------------------------------------------------------------------------------------------
# Batches: maker-checker


def test_a_batch_is_posted_only_when_a_second_person_confirms_it(world, rules, people):
    before = {name: balance(world, name) for name in ("张建华", "李秀兰")}
    batch = submitted(world, export_csv(encoding="gbk"))
    assert batch.status == "waiting"
    assert ServiceRecord.select().count() == 0 and balance(world, "张建华") == before["张建华"]

    done = batches.confirm(batch.id, world.store, world.staff[SERVICE], digest(batch), today=TODAY)
    assert (done.status, done.records, done.points, done.skipped) == ("confirmed", 3, 50, 0)
    assert done.decided_by_id == world.staff[SERVICE].id
    records = list(ServiceRecord.select().order_by(ServiceRecord.id))
    assert {(r.status, r.recorded_by_id, r.reviewed_by_id) for r in records} == {
        ("approved", world.staff[OPERATIONS].id, world.staff[SERVICE].id)}
    assert balance(world, "张建华") == before["张建华"] + 20 and balance(world, "李秀兰") == before["李秀兰"] + 15
    assert [link.row for link in VolunteerImportRecord.select().order_by(VolunteerImportRecord.row)] == [3, 4, 5]
    entries = [LedgerEntry.get_by_id(r.ledger_entry_id) for r in records]
    assert [(e.kind, e.delta, e.reference, e.staff_id) for e in entries] == [
        ("earn", r.points, f"service:{r.id}", world.staff[SERVICE].id) for r in records]
    assert entries[0].note == "志愿服务（每30分钟）：社区图书角值班"
    assert [(r.minutes, r.units, r.rule.code) for r in records] == [(120, 4, "VOL30"), (90, 3, "VOL30"), (90, 3, "VOL30")]
    actions = [e.action for e in AuditEvent.select().where(AuditEvent.action.startswith("volunteer_import"))]
    assert actions == ["volunteer_import_uploaded", "volunteer_import_submitted", "volunteer_import_confirmed"]
    assert json.loads(AuditEvent.get(AuditEvent.action == "volunteer_import_confirmed").detail)["points"] == 50
    assert verify() == []


def test_the_uploader_cannot_confirm_their_own_batch(world, rules, people):
    batch = submitted(world, export_csv(), staff=MANAGER)
    with pytest.raises(KioskError) as error:
        batches.confirm(batch.id, world.store, world.staff[MANAGER], digest(batch), today=TODAY)
    assert error.value.code == "import_confirmer_is_uploader"
    assert VolunteerImport.get_by_id(batch.id).status == "waiting" and ServiceRecord.select().count() == 0


@pytest.mark.parametrize("role", [OPERATIONS, CASHIER])
def test_only_customer_service_or_the_manager_confirm(world, rules, people, role):
    batch = submitted(world, export_csv(), staff=MANAGER)
    with pytest.raises(KioskError) as error:
        batches.confirm(batch.id, world.store, world.staff[role], digest(batch), today=TODAY)
    assert error.value.code == "forbidden"


def test_a_draft_cannot_be_confirmed_and_only_its_uploader_changes_or_submits_it(world, rules, people):
    batch = upload(world, export_csv())
    with pytest.raises(KioskError) as error:
        batches.confirm(batch.id, world.store, world.staff[SERVICE], digest(batch), today=TODAY)
    assert error.value.code == "import_batch_draft"
    for attempt in (lambda: batches.submit(batch.id, world.store, world.staff[MANAGER], today=TODAY),
                    lambda: batches.set_mapping(batch.id, world.store, world.staff[MANAGER], {}, "")):
        with pytest.raises(KioskError) as error:
            attempt()
        assert error.value.code == "import_not_uploader"


def test_a_batch_without_a_rule_or_valid_rows_cannot_be_submitted(world, rules):
    batch = upload(world, export_csv(), rule=None)
    with pytest.raises(KioskError) as error:
        batches.submit(batch.id, world.store, world.staff[OPERATIONS], today=TODAY)
    assert error.value.code == "import_no_rule"
    batch = upload(world, export_csv(rows=[ROWS[0].replace("张建华", "查无此人")]))
    with pytest.raises(KioskError) as error:
        batches.submit(batch.id, world.store, world.staff[OPERATIONS], today=TODAY)
    assert error.value.code == "import_nothing_valid"


def test_a_batch_is_confirmed_once_even_when_tapped_twice(world, rules, people):
    batch = submitted(world, export_csv())
    seen = digest(batch)
    batches.confirm(batch.id, world.store, world.staff[SERVICE], seen, today=TODAY)
    with pytest.raises(KioskError) as error:
        batches.confirm(batch.id, world.store, world.staff[MANAGER], seen, today=TODAY)
    assert error.value.code == "import_batch_decided"
    assert ServiceRecord.select().count() == 3


def test_two_confirmers_at_the_same_moment_post_once(world, rules, people):
    batch = submitted(world, export_csv())
    seen = digest(batch)
    barrier = threading.Barrier(2)
    outcomes = []

    def confirm(role):
        database.connect(reuse_if_open=True)
        try:
            barrier.wait()
            batches.confirm(batch.id, world.store, world.staff[role], seen, today=TODAY)
            outcomes.append("confirmed")
        except KioskError as exc:
            outcomes.append(exc.code)
        finally:
            database.close()

    threads = [threading.Thread(target=confirm, args=(role,)) for role in (SERVICE, MANAGER)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    database.connect(reuse_if_open=True)
    assert sorted(outcomes) == ["confirmed", "import_batch_decided"]
    assert ServiceRecord.select().count() == 3 and VolunteerImportRecord.select().count() == 3
    assert verify() == []


def test_a_duplicate_recorded_meanwhile_makes_the_batch_stale_and_posts_nothing(world, rules, people):
    batch = submitted(world, export_csv())
    seen = digest(batch)
    earning.record_service(world.store, resident_ids=[Resident.get(Resident.name == "张建华").id],
                           rule_id=rules["VOL30"].id, content="社区图书角值班", service_date=date(2026, 11, 2),
                           minutes=60, staff=world.staff[MANAGER], today=TODAY)
    ledger_before = LedgerEntry.select().count()
    with pytest.raises(KioskError) as error:
        batches.confirm(batch.id, world.store, world.staff[SERVICE], seen, today=TODAY)
    assert error.value.code == "import_batch_stale"
    assert VolunteerImport.get_by_id(batch.id).status == "waiting"
    assert ServiceRecord.select().count() == 1 and LedgerEntry.select().count() == ledger_before
    # The fresh preview skips the duplicate; confirming it posts the other two rows.
    fresh = batches.preview(batch, today=TODAY)
    assert by_row(fresh)[3] == "import_duplicate_record"
    done = batches.confirm(batch.id, world.store, world.staff[SERVICE], fresh.digest, today=TODAY)
    assert (done.records, done.skipped) == (2, 1)


def test_a_cap_reached_meanwhile_is_caught_at_confirmation(world, rules, people):
    data = "姓名,手机号,活动名称,服务日期\r\n张建华,13800000001,清扫3号楼,2026-11-20\r\n".encode()
    batch = submitted(world, data, rule="rule:CLEAN")
    seen = digest(batch)
    for day in range(1, 7):  # six cleanings approved meanwhile: 60, the monthly cap
        (rec,) = earning.record_service(world.store, resident_ids=[Resident.get(Resident.name == "张建华").id],
                                        rule_id=rules["CLEAN"].id, content=f"清扫{day}", service_date=date(2026, 11, day),
                                        staff=world.staff[MANAGER], today=TODAY)
        earning.approve(rec.id, world.store, world.staff[SERVICE])
    with pytest.raises(KioskError) as error:
        batches.confirm(batch.id, world.store, world.staff[SERVICE], seen, today=TODAY)
    assert error.value.code == "import_batch_stale"
    assert by_row(batches.preview(batch, today=TODAY)) == {2: "rule_cap_reached"}


def test_a_failure_half_way_posts_nothing(world, rules, people, monkeypatch):
    batch = submitted(world, export_csv())
    calls = []
    real = ledger.post

    def post_then_fail(*args, **kwargs):
        calls.append(args)
        if len(calls) == 3:
            raise RuntimeError("power cut")
        return real(*args, **kwargs)

    monkeypatch.setattr(ledger, "post", post_then_fail)
    before = (LedgerEntry.select().count(), balance(world, "张建华"))
    with pytest.raises(RuntimeError):
        batches.confirm(batch.id, world.store, world.staff[SERVICE], digest(batch), today=TODAY)
    assert len(calls) == 3
    assert (LedgerEntry.select().count(), balance(world, "张建华")) == before
    assert ServiceRecord.select().count() == 0 and VolunteerImportRecord.select().count() == 0
    assert VolunteerImport.get_by_id(batch.id).status == "waiting"
    assert not database.in_transaction()


def test_discarding_posts_nothing_and_needs_a_reason_from_someone_else(world, rules, people):
    batch = submitted(world, export_csv())
    with pytest.raises(KioskError) as error:
        batches.discard(batch.id, world.store, world.staff[SERVICE], "  ")
    assert (error.value.code, error.value.params) == ("missing_field", {"field": "discard_reason"})
    with pytest.raises(KioskError) as error:
        batches.discard(batch.id, world.store, world.staff[CASHIER], "不对")
    assert error.value.code == "forbidden"
    done = batches.discard(batch.id, world.store, world.staff[SERVICE], "活动日期与签到表不符")
    assert (done.status, done.reason, done.decided_by_id) == ("discarded", "活动日期与签到表不符", world.staff[SERVICE].id)
    with pytest.raises(KioskError) as error:
        batches.confirm(batch.id, world.store, world.staff[MANAGER], digest(batch), today=TODAY)
    assert error.value.code == "import_batch_decided"
    assert ServiceRecord.select().count() == 0
    assert AuditEvent.select().where(AuditEvent.action == "volunteer_import_discarded").count() == 1


def test_the_uploader_may_withdraw_a_draft_without_a_reason(world, rules):
    batch = upload(world, export_csv())
    assert batches.discard(batch.id, world.store, world.staff[OPERATIONS]).status == "discarded"


def test_the_same_file_uploaded_twice_is_noticed(world, rules):
    first = upload(world, export_csv())
    second = upload(world, export_csv())
    assert [b.id for b in batches.same_file(second)] == [first.id]


def test_residents_without_phone_or_id_and_lost_id_digits_are_explained(world, rules, people):
    household = Household.create(store=world.store, building="9", room="605")
    Resident.create(store=world.store, household=household, name="钱多多", initials="QDD")
    data = "\r\n".join([
        "姓名,手机号,身份证号,服务日期,服务时长",
        "钱多多,13700001111,,2026-11-02,1:30",
        "周小梅,,1.10105194912310E+17,2026-11-02,1:30",
        "张 建华,13800000001,,2026-11-02,1:30:00",   # a space typed into the name; an Excel duration
    ]).encode()
    preview = preview_of(world, data)
    assert by_row(preview) == {2: "import_person_unverifiable", 3: "import_id_as_number", 4: "ok"}
    assert (preview.lines[2].name, preview.lines[2].minutes) == ("张建华", 90)


def test_a_tab_separated_export_with_a_title_row_is_read():
    text = "\r\n".join([TITLE, HEADER.replace(",", "\t"), ROWS[0].replace(",", "\t")]) + "\r\n"
    header, rows = importer.read(text.encode("gbk"), "导出.txt")
    assert header[1] == "姓名" and rows[0][1][4] == "社区图书角值班"


def test_a_confirmed_import_pays_the_paired_party_members_linked_bonus(world, rules, people):
    """Imported services earn the linked bonus exactly as reviewed ones do."""
    from kiosk.registry import service as registry

    registry.pair(world.store, Resident.get(Resident.name == "张建华").household, Resident.get(Resident.name == "王德明").id)
    before = balance(world, "王德明")
    batch = submitted(world, export_csv())
    batches.confirm(batch.id, world.store, world.staff[SERVICE], digest(batch), today=TODAY)
    record = ServiceRecord.get(ServiceRecord.resident == Resident.get(Resident.name == "张建华"))
    assert balance(world, "王德明") == before + 2  # 10% of 张建华's 20 points
    assert LedgerEntry.get(LedgerEntry.reference == f"linked:{record.id}").delta == 2
    assert verify() == []
