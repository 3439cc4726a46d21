"""The import screens: upload a CSV or Excel file, check the preview, confirm, watch the progress;
and the export downloads."""
import io
import os
import re
import time

import openpyxl
import pytest

from kiosk.audit import AuditEvent
from kiosk.registry import import_views
from kiosk.registry.models import Household, Resident
from tests.helpers import body

HEADER = "社区,楼栋,单元,房号,人口,户电话,姓名,电话,身份证号"
GOOD_AND_BAD = "\r\n".join([
    HEADER,
    "幸福里,9,1,602,2,,周小梅,13912345678,110105194912310021",
    "幸福里,9,1,602,2,,周大海,,",
    "幸福里,9,1,603,1,,钱多多,13912345678,",   # 4: phone also on row 2
    "幸福里,,,,,,无地址,,",                    # 5: unknown household
    "幸福里,9,1,604,1,,,13900000000,",         # 6: no name
]).encode("gbk")


def upload(operations, data, name="花名册.csv", htmx=False):
    headers = {"HX-Request": "true"} if htmx else {}
    return operations.client.post(
        "/registry/import",
        data={"file": (io.BytesIO(data), name), "csrf_token": operations.token()},
        content_type="multipart/form-data", headers=headers,
    )


def token_of(response):
    return re.search(r"/registry/import/([A-Za-z0-9_-]+)", response.headers.get("Location") or
                     response.headers.get("HX-Push-Url")).group(1)


def digest_of(html):
    return re.search(r'name="digest" value="([0-9a-f]+)"', html).group(1)


def wait_until_done(operations, token, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        html = body(operations.get(f"/registry/import/{token}/progress", htmx=True))
        stage = re.search(r'data-stage="(\w+)"', html).group(1)
        if stage in ("done", "failed") or time.monotonic() > deadline:
            return stage, html
        time.sleep(0.05)


def test_the_registry_links_to_the_import_page(operations):
    assert "/registry/import" in body(operations.get("/registry/"))
    page = body(operations.get("/registry/import"))
    assert "批量导入居民和户" in page and 'type="file"' in page and "/registry/export.xlsx" in page


def test_upload_preview_confirm_and_the_rows_exist(operations, world):
    response = upload(operations, GOOD_AND_BAD)
    assert response.status_code == 303
    token = token_of(response)
    folder = os.path.join(operations.client.application.instance_path, "imports")
    (saved,) = os.listdir(folder)
    assert saved == token + ".json" and oct(os.stat(os.path.join(folder, saved)).st_mode & 0o777) == "0o600"
    with open(os.path.join(folder, saved), encoding="utf-8") as fh:
        assert "110105194912310021" not in fh.read()
    html = body(operations.get(f"/registry/import/{token}"))
    # Errors in Chinese with the row numbers people see in Excel.
    assert re.search(r'<tr data-row="4">.*?尾号 5678 的电话与第 2 行重复。', html, re.S)
    assert re.search(r'<tr data-row="5">.*?无地址：没有楼栋和房号，无法确定是哪一户。', html, re.S)
    assert re.search(r'<tr data-row="6">.*?请填写姓名。', html, re.S)
    assert 'data-count="new-households">1<' in html and 'data-count="new-residents">2<' in html
    assert 'data-count="errors">3<' in html and "导入 2 行" in html
    assert "110105194912310021" not in html and "****5678" in html
    assert not Resident.select().where(Resident.name == "周小梅").exists()  # the preview changes nothing

    response = operations.post(f"/registry/import/{token}/confirm", {"digest": digest_of(html)}, htmx=False)
    assert response.status_code == 303 and response.headers["Location"] == f"/registry/import/{token}/progress"
    stage, progress = wait_until_done(operations, token)
    assert stage == "done"
    assert "导入完成：新登记 1 户、2 位居民；跳过 3 行。" in progress
    assert "hx-trigger" not in progress  # polling stops
    household = Household.get(Household.building == "9", Household.room == "602")
    assert [r.name for r in household.residents.order_by(Resident.id)] == ["周小梅", "周大海"]
    assert not Resident.select().where(Resident.name == "钱多多").exists()
    assert not os.listdir(os.path.join(operations.client.application.instance_path, "imports"))  # file deleted


def test_all_errors_download_as_csv_in_chinese(operations, world):
    token = token_of(upload(operations, GOOD_AND_BAD))
    response = operations.get(f"/registry/import/{token}/errors.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    lines = response.get_data().decode("utf-8-sig").splitlines()
    assert lines == ["行号,列,原因", "4,电话,尾号 5678 的电话与第 2 行重复。",
                     "5,楼栋,无地址：没有楼栋和房号，无法确定是哪一户。", "6,姓名,请填写姓名。"]


def test_htmx_upload_swaps_in_the_preview_and_pushes_its_address(operations, world):
    response = upload(operations, GOOD_AND_BAD, htmx=True)
    assert response.status_code == 200
    html = body(response)
    assert html.startswith('<div id="import-panel">') and "导入前核对" in html
    assert response.headers["HX-Push-Url"] == f"/registry/import/{token_of(response)}"


def test_a_confirm_posted_twice_imports_once(operations, world):
    token = token_of(upload(operations, GOOD_AND_BAD))
    digest = digest_of(body(operations.get(f"/registry/import/{token}")))
    first = operations.post(f"/registry/import/{token}/confirm", {"digest": digest}, htmx=False)
    second = operations.post(f"/registry/import/{token}/confirm", {"digest": digest}, htmx=False)
    assert first.status_code == second.status_code == 303
    assert wait_until_done(operations, token)[0] == "done"
    third = operations.post(f"/registry/import/{token}/confirm", {"digest": digest}, htmx=False)
    assert third.headers["Location"] == f"/registry/import/{token}/progress"
    assert Resident.select().where(Resident.name == "周小梅").count() == 1
    assert AuditEvent.select().where(AuditEvent.action == "import_registry").count() == 1
    # Once the job is forgotten (a restart, or an hour later) the page says so in Chinese.
    import_views._jobs.pop(token)
    gone = operations.post(f"/registry/import/{token}/confirm", {"digest": digest}, htmx=False)
    assert gone.status_code == 410 and "这次导入已经完成或已过期" in body(gone)
    assert Resident.select().where(Resident.name == "周小梅").count() == 1


def test_a_stale_preview_imports_nothing_and_can_be_checked_again(operations, world):
    token = token_of(upload(operations, GOOD_AND_BAD))
    digest = digest_of(body(operations.get(f"/registry/import/{token}")))
    operations.post("/registry/households/new", {"building": "1", "room": "101"}, htmx=False)
    household = Household.get(Household.building == "1", Household.room == "101")
    operations.post(f"/registry/households/{household.id}/residents", {"name": "先来", "phone": "13912345678"}, htmx=False)
    operations.post(f"/registry/import/{token}/confirm", {"digest": digest}, htmx=False)
    stage, html = wait_until_done(operations, token)
    assert stage == "failed" and "核对之后登记信息有变动，请重新核对。" in html
    assert not Resident.select().where(Resident.name == "周大海").exists()
    preview = body(operations.get(f"/registry/import/{token}"))
    assert "尾号 5678 的电话已登记在其他居民名下。" in preview
    operations.post(f"/registry/import/{token}/confirm", {"digest": digest_of(preview)}, htmx=False)
    assert wait_until_done(operations, token)[0] == "done"
    assert Resident.select().where(Resident.name == "周大海").count() == 1


def test_an_xlsx_upload_works_the_same(operations, world):
    book = openpyxl.Workbook()
    book.active.append(["姓名", "楼栋", "单元", "房号", "电话"])
    book.active.append(["赵丽", 7, 1, 101, 13912340000])
    out = io.BytesIO()
    book.save(out)
    token = token_of(upload(operations, out.getvalue(), "居民.xlsx"))
    html = body(operations.get(f"/registry/import/{token}"))
    assert 'data-count="new-residents">1<' in html and 'data-count="errors">0<' in html
    operations.post(f"/registry/import/{token}/confirm", {"digest": digest_of(html)}, htmx=False)
    assert wait_until_done(operations, token)[0] == "done"
    assert Resident.get(Resident.name == "赵丽").phone == "13912340000"


def test_cancel_deletes_the_upload_and_changes_nothing(operations, world):
    token = token_of(upload(operations, GOOD_AND_BAD))
    response = operations.post(f"/registry/import/{token}/cancel", htmx=False)
    assert response.headers["Location"] == "/registry/import"
    assert "已取消导入" in body(operations.get("/registry/import"))
    assert operations.get(f"/registry/import/{token}").status_code == 410
    assert not Resident.select().where(Resident.name == "周小梅").exists()


@pytest.mark.parametrize("data, name, text", [
    (b"%PDF-1.4", "scan.pdf", "只能导入 CSV 或 Excel（.xlsx）文件。"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "old.xls", "这是旧版 Excel 文件（.xls）"),
    (b"", "empty.csv", "文件是空的，没有可导入的行。"),
    ("社区,楼栋,房号\r\n幸福里,9,602\r\n".encode(), "a.csv", "文件缺少“姓名”列。"),
])
def test_a_file_that_cannot_be_imported_gets_a_clear_message(operations, world, data, name, text):
    response = upload(operations, data, name)
    assert response.status_code == 422
    assert text in body(response)
    assert not os.path.exists(os.path.join(operations.client.application.instance_path, "imports")) or \
        not os.listdir(os.path.join(operations.client.application.instance_path, "imports"))


def test_an_upload_without_a_file_is_refused(operations):
    response = operations.client.post("/registry/import", data={"csrf_token": operations.token()},
                                      content_type="multipart/form-data")
    assert response.status_code == 422 and "请先选择文件。" in body(response)


def test_another_stores_or_a_made_up_token_is_not_found(operations):
    assert operations.get("/registry/import/not-a-token").status_code == 404
    assert operations.get("/registry/import/" + "x" * 24).status_code == 410
    assert operations.get("/registry/import/../../etc/passwd").status_code == 404


def test_a_cashier_can_neither_import_nor_export(client, cashier):
    assert client.get("/registry/import").status_code == 403
    assert upload(cashier, GOOD_AND_BAD).status_code == 403
    assert client.get("/registry/export.csv").status_code == 403
    assert client.get("/registry/export.xlsx").status_code == 403


def test_exports_download_the_registry(operations, world):
    response = operations.get("/registry/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data().decode("utf-8-sig")
    assert text.splitlines()[0] == HEADER and "张建华" in text
    response = operations.get("/registry/export.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).worksheets[0]
    assert [cell.value for cell in next(sheet.iter_rows())] == HEADER.split(",")
    assert AuditEvent.select().where(AuditEvent.action == "export_registry").count() == 2
