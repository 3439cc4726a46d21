"""The volunteer-platform import on screen: upload an export, correct the mapping, submit; a
second staff member confirms (or discards) it; the uploader cannot; bad files are refused."""
import io
import re

import openpyxl
import pytest

from kiosk.audit import AuditEvent
from kiosk.earning import catalog
from kiosk.earning.models import ServiceRecord
from kiosk.ledger.models import LedgerEntry
from kiosk.registry.models import Resident
from kiosk.staff.models import CASHIER, MANAGER, OPERATIONS, SERVICE
from kiosk.volunteer.models import VolunteerImport
from tests.conftest import signed_in
from tests.helpers import balance, body

EXPORT = "\r\n".join([
    "幸福里社区志愿服务时长明细（2026年11月）",
    "序号,志愿者姓名,联系电话,身份证号,服务内容,活动日期,签到时间,签退时间,服务时长",
    "1,张建华,13800000001,110105196503120011,社区图书角值班,2026-11-02,09:00,11:00,2",
    "2,李秀兰,138****0002,,敬老院陪伴老人,2026/11/05,14:00,15:30,1.5",
    "3,王德明,13800000003,,垃圾分类宣传,2026-11-06,08:00,08:20,0.3",   # 20 minutes: too short
    "4,赵无名,13700000000,,垃圾分类宣传,2026-11-06,08:00,09:00,1",     # not in the registry
]) + "\r\n"


@pytest.fixture
def rules(world):
    catalog.install(world.store)


def upload(session, data, name="志愿汇导出.csv"):
    return session.client.post("/earning/import/", data={"file": (io.BytesIO(data), name),
                                                         "csrf_token": session.token()},
                               content_type="multipart/form-data")


def batch_id(response):
    return int(re.search(r"/earning/import/(\d+)", response.headers["Location"]).group(1))


def digest_of(html):
    return re.search(r'name="digest" value="([0-9a-f]+)"', html).group(1)


def mapping_form(operations, batch, rule="rule:VOL30", **fields):
    data = {"rule": rule}
    data.update({f"map_{name}": value for name, value in fields.items()})
    return operations.post(f"/earning/import/{batch}/mapping", data)


GUESSED = {"name": "1", "phone": "2", "id_number": "3", "content": "4", "date": "5", "start": "6", "end": "7",
           "hours": "8"}


def test_upload_preview_then_a_second_person_confirms(client, operations, world, rules):
    response = upload(operations, EXPORT.encode("gbk"))
    assert response.status_code == 303
    batch = batch_id(response)
    page = body(operations.get(f"/earning/import/{batch}"))
    # The guessed mapping is shown for correction; no rule chosen yet.
    assert 'name="map_name"' in page and re.search(r'<option value="1" selected>B · 志愿者姓名', page)
    assert "请选择计分规则" in page
    assert 'class="btn big primary" type="submit" disabled' in page

    page = body(mapping_form(operations, batch, **GUESSED))
    assert 'data-count="valid">2<' in page and 'data-count="errors">2<' in page and 'data-count="points">35<' in page
    assert "服务时长满 30 分钟才计分" in page
    assert "登记册中没有 赵无名" in page
    response = operations.post(f"/earning/import/{batch}/submit", htmx=False)
    assert response.status_code == 303
    waiting = body(operations.get(f"/earning/import/{batch}"))
    assert "已提交，等待其他工作人员（客服或店长）确认" in waiting and "这个文件是您上传的，等待客服或店长确认" in waiting
    assert ServiceRecord.select().count() == 0

    reviewer = signed_in(client, world, SERVICE)
    listing = body(reviewer.get("/earning/import/"))
    assert "志愿汇导出.csv" in listing and 'data-testid="imports-waiting">1<' in listing
    page = body(reviewer.get(f"/earning/import/{batch}"))
    assert "确认入账" in page and 'name="map_name"' not in page  # the confirmer cannot change the mapping
    before = balance(world, "张建华")
    response = reviewer.post(f"/earning/import/{batch}/confirm", {"digest": digest_of(page)}, htmx=False)
    assert response.status_code == 303
    done = body(reviewer.get(f"/earning/import/{batch}"))
    assert "已确认：入账 2 条服务，共 35 积分" in done
    assert balance(world, "张建华") == before + 20
    assert {(r.recorded_by_id, r.reviewed_by_id, r.status) for r in ServiceRecord.select()} == {
        (world.staff[OPERATIONS].id, world.staff[SERVICE].id, "approved")}
    # A second tap on the old page changes nothing.
    again = reviewer.post(f"/earning/import/{batch}/confirm", {"digest": digest_of(page)}, htmx=False)
    assert again.status_code == 409 and "已经确认或作废" in body(again)
    assert ServiceRecord.select().count() == 2


def test_the_uploader_cannot_confirm_even_as_manager(client, manager, world, rules):
    batch = batch_id(upload(manager, EXPORT.encode("utf-8-sig")))
    mapping_form(manager, batch, **GUESSED)
    manager.post(f"/earning/import/{batch}/submit", htmx=False)
    page = body(manager.get(f"/earning/import/{batch}"))
    assert "confirm-batch" not in page and "撤回" in page
    response = manager.post(f"/earning/import/{batch}/confirm", {"digest": "0" * 32}, htmx=False)
    assert response.status_code == 422 and "须由其他工作人员确认" in body(response)
    assert ServiceRecord.select().count() == 0 and VolunteerImport.get_by_id(batch).status == "waiting"


@pytest.mark.parametrize("role", [OPERATIONS, CASHIER])
def test_other_roles_cannot_confirm(client, manager, world, rules, role):
    batch = batch_id(upload(manager, EXPORT.encode()))
    mapping_form(manager, batch, **GUESSED)
    manager.post(f"/earning/import/{batch}/submit", htmx=False)
    other = signed_in(client, world, role)
    response = other.post(f"/earning/import/{batch}/confirm", {"digest": "0" * 32}, htmx=False)
    assert response.status_code == 403
    assert ServiceRecord.select().count() == 0


def test_a_stale_confirmation_shows_the_fresh_rows(client, operations, world, rules):
    batch = batch_id(upload(operations, EXPORT.encode("gbk")))
    mapping_form(operations, batch, **GUESSED)
    operations.post(f"/earning/import/{batch}/submit", htmx=False)
    reviewer = signed_in(client, world, SERVICE)
    page = body(reviewer.get(f"/earning/import/{batch}"))
    # Meanwhile 张建华's library shift is recorded by hand.
    from datetime import date

    from kiosk.earning import service as earning
    from kiosk.earning.models import Rule
    earning.record_service(world.store, resident_ids=[Resident.get(Resident.name == "张建华").id],
                           rule_id=Rule.get(Rule.code == "VOL30").id, content="社区图书角值班",
                           service_date=date(2026, 11, 2), minutes=60, staff=world.staff[MANAGER],
                           today=date(2026, 11, 23))
    ledger = LedgerEntry.select().count()
    response = reviewer.post(f"/earning/import/{batch}/confirm", {"digest": digest_of(page)}, htmx=False)
    assert response.status_code == 409
    fresh = body(response)
    assert "没有入账" in fresh and "已有记录：张建华" in fresh and 'data-count="valid">1<' in fresh
    assert LedgerEntry.select().count() == ledger
    response = reviewer.post(f"/earning/import/{batch}/confirm", {"digest": digest_of(fresh)}, htmx=False)
    assert response.status_code == 303 and ServiceRecord.select().count() == 2


def test_discarding_needs_a_reason_and_posts_nothing(client, operations, world, rules):
    batch = batch_id(upload(operations, EXPORT.encode()))
    mapping_form(operations, batch, **GUESSED)
    operations.post(f"/earning/import/{batch}/submit", htmx=False)
    reviewer = signed_in(client, world, SERVICE)
    response = reviewer.post(f"/earning/import/{batch}/discard", {"reason": ""}, htmx=False)
    assert response.status_code == 422 and "请填写作废原因" in body(response)
    response = reviewer.post(f"/earning/import/{batch}/discard", {"reason": "签到表与导出不一致"}, htmx=False)
    assert response.status_code == 303
    page = body(reviewer.get(f"/earning/import/{batch}"))
    assert "已作废" in page and "签到表与导出不一致" in page
    assert ServiceRecord.select().count() == 0
    assert AuditEvent.select().where(AuditEvent.action == "volunteer_import_discarded").count() == 1


@pytest.mark.parametrize("data, name, words", [
    (b"", "a.csv", "没有可导入的行"),
    (b"%PDF-1.7 not a table", "报表.pdf", "只能导入 CSV"),
    (b"PK\x03\x04 broken zip", "导出.xlsx", "无法读取"),
    ("姓名,手机号\r\n张建华,13800000001\r\n".encode() + "李秀兰,13800000002\r\n".encode("gbk"), "拼接.csv", "两种编码"),
])
def test_garbage_files_are_refused_with_a_reason(operations, world, rules, data, name, words):
    response = upload(operations, data, name)
    assert response.status_code == 422
    assert words in body(response)
    assert VolunteerImport.select().count() == 0


def test_an_xlsx_export_with_a_rule_column(client, operations, world, rules):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["姓名", "手机号", "活动名称", "服务日期", "服务时长（分钟）", "积分规则"])
    sheet.append(["张建华", "13800000001", "清扫3号楼楼道", "2026-11-03", None, "CLEAN"])
    sheet.append(["李秀兰", "13800000002", "社区图书角值班", "2026-11-03", 90, "志愿服务"])
    out = io.BytesIO()
    book.save(out)
    batch = batch_id(upload(operations, out.getvalue(), "导出.xlsx"))
    page = body(operations.get(f"/earning/import/{batch}"))
    assert 'value="column:5" selected' in page  # the rule column was recognised
    assert 'data-count="valid">2<' in page and 'data-count="points">25<' in page


def test_only_the_uploader_changes_a_draft(client, operations, world, rules):
    batch = batch_id(upload(operations, EXPORT.encode()))
    other = signed_in(client, world, MANAGER)
    page = body(other.get(f"/earning/import/{batch}"))
    assert 'name="map_name"' not in page and "正在准备" in page
    response = mapping_form(other, batch, **GUESSED)
    assert response.status_code == 422 and "只有上传文件的工作人员" in body(response)


def test_the_import_screens_need_a_signed_in_role(client, world, rules):
    assert client.get("/earning/import/").status_code == 302
    cashier = signed_in(client, world, CASHIER)
    assert cashier.get("/earning/import/").status_code == 403
    service_staff = signed_in(client, world, SERVICE)
    page = body(service_staff.get("/earning/import/"))
    assert 'type="file"' not in page  # customer service checks imports; operations upload them
    assert service_staff.get("/earning/import/999").status_code == 303


def test_the_mapping_widget_is_a_fragment_for_htmx_and_the_errors_download(client, operations, world, rules):
    batch = batch_id(upload(operations, EXPORT.encode("gbk")))
    fragment = mapping_form(operations, batch, **GUESSED)
    assert fragment.status_code == 200 and body(fragment).startswith('<div id="volunteer-batch"')
    plain = operations.post(f"/earning/import/{batch}/mapping", {"rule": "rule:CLEAN", **{
        f"map_{k}": v for k, v in GUESSED.items()}}, htmx=False)
    assert plain.status_code == 303 and VolunteerImport.get_by_id(batch).rule_choice == "rule:CLEAN"
    errors = operations.get(f"/earning/import/{batch}/errors.csv")
    text = errors.get_data().decode("utf-8-sig")
    assert errors.mimetype == "text/csv" and "赵无名" in text and "登记册中没有 赵无名" in text
    assert "张建华" not in text  # only the rows with errors


def test_customer_service_cannot_upload_and_the_page_speaks_english_too(client, world, rules):
    service_staff = signed_in(client, world, SERVICE)
    assert upload(service_staff, EXPORT.encode()).status_code == 403
    service_staff.post("/lang/en", {"next": "/earning/import/"}, htmx=False)
    page = body(service_staff.get("/earning/import/"))
    assert "Import from the volunteer platform" in page and "No import waits for confirmation." in page
