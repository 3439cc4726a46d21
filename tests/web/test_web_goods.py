"""Goods in and out on the web: scan to add lines, post the document once, print the donor's
acknowledgement, a manager's PIN above the write-off threshold; the home screen's lists."""
import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kiosk.goods.models import StockReceipt, StockReceiptLine, WriteOff
from kiosk.inventory.models import Product
from kiosk.printing.models import PrintJob
from kiosk.reports.verify import verify
from kiosk.staff.models import MANAGER, SERVICE
from kiosk.stores.models import Store
from tests.conftest import signed_in
from tests.helpers import body, pdf_page_sizes_mm, pdf_text, stock


def local_today():
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


OIL, RICE, SALT = "6901234000017", "6901234000024", "6901234000031"


def doc_form(session, forms, which):
    """The document form of the goods-in or goods-out page, as the browser would send it."""
    page = session.get(f"/stock/{which}/")
    assert page.status_code == 200, body(page)
    form = next(f for f in forms(page) if f.attrs.get("id") == "doc-form")
    return {k: v for k, v in form.fields.items() if k != "csrf_token"}


def scan(session, which, code):
    return session.post(f"/stock/{which}/scan", {"code": code})


def test_operations_scan_goods_in_as_a_donation_and_print_the_thanks(operations, world, forms, printer):
    assert scan(operations, "in", OIL).status_code == 200
    assert scan(operations, "in", OIL).status_code == 200  # the same product again: one more
    response = scan(operations, "in", RICE)
    assert response.status_code == 200 and 'data-line="大米"' in body(response) and "<html" not in body(response)
    fields = doc_form(operations, forms, "in")
    assert (fields["product_0"], fields["qty_0"], fields["product_1"]) == (
        str(world.products["食用油"].id), "2", str(world.products["大米"].id))
    expiry = (local_today() + timedelta(days=200)).isoformat()
    fields.update(kind="donation", donor_name="幸福里超市", donor_contact="13800001111", thank_publicly="1",
                  qty_0="24", batch_0="B2611", expiry_0=expiry, qty_1="10")
    posted = operations.post("/stock/in/post", fields)
    receipt = StockReceipt.get()
    assert posted.status_code == 200 and posted.headers["HX-Redirect"] == f"/stock/in/{receipt.id}"
    assert (stock(world, "食用油"), stock(world, "大米")) == (34, 30)
    assert (receipt.kind, receipt.donor_name, receipt.total_units) == ("donation", "幸福里超市", 34)
    (batch,) = StockReceiptLine.select().where(StockReceiptLine.batch_no == "B2611")
    assert batch.expiry.isoformat() == expiry

    # The stale page submitted again is the same document, and the draft started over.
    again = operations.post("/stock/in/post", fields)
    assert again.headers["HX-Redirect"] == f"/stock/in/{receipt.id}" and StockReceipt.select().count() == 1
    assert stock(world, "食用油") == 34
    assert "data-line" not in body(operations.get("/stock/in/"))

    page = operations.get(f"/stock/in/{receipt.id}")
    assert "幸福里超市" in body(page) and "B2611" in body(page) and "13800001111" not in body(page)
    printed = operations.post(f"/stock/in/{receipt.id}/thanks", {})
    assert printed.status_code == 200 and 'data-testid="receipt-status"' in body(printed)
    job = PrintJob.get(PrintJob.kind == "thanks")
    assert job.status == "printed" and (job.document_kind, job.document_id) == ("", None)
    document, data = printer.jobs[-1]
    assert "捐赠人：幸福里超市".encode("gb18030") in data
    assert "食用油".encode("gb18030") in data and "2900分".encode("gb18030") in data
    pdf = operations.get(f"/stock/in/{receipt.id}/thanks.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf_page_sizes_mm(pdf.data) == [(210.0, 297.0)]  # one A4 page, portrait
    text = pdf_text(pdf.data)
    assert "感谢信" in text and "幸福里超市" in text and "食用油" in text and "2900分" in text
    assert verify() == []


def test_a_purchase_works_without_javascript(operations, world, forms):
    operations.post("/stock/in/scan", {"code": SALT}, htmx=False)
    fields = doc_form(operations, forms, "in")
    fields.update(kind="purchase", qty_0="100", donor_name="ignored")
    response = operations.post("/stock/in/post", fields, htmx=False)
    receipt = StockReceipt.get()
    assert response.status_code == 302 and response.headers["Location"] == f"/stock/in/{receipt.id}"
    assert receipt.donor_name == "" and stock(world, "食盐") == 150
    # No thanks for a purchase.
    assert operations.post(f"/stock/in/{receipt.id}/thanks", {}, htmx=False).status_code == 302
    assert PrintJob.select().where(PrintJob.kind == "thanks").count() == 0


@pytest.mark.parametrize("changes, words", [
    ({"qty_0": "-1"}, "第1行"), ({"qty_0": "0"}, "第1行"), ({"qty_0": "1000000000000"}, "1 到 99999"),
    ({"qty_0": "十"}, "整数"), ({"expiry_0": "2020-01-01"}, "已过"), ({"expiry_0": "31/12/2030"}, "到期日"),
    ({"kind": "donation", "donor_name": ""}, "捐赠人"), ({"kind": "gift"}, "采购还是捐赠"),
    ({"key": "x" * 24}, "页面已过期"), ({"product_0": "999"}, "页面已过期"),
])
def test_bad_goods_in_is_refused_in_chinese_and_changes_nothing(operations, world, forms, books, changes, words):
    scan(operations, "in", RICE)
    fields = doc_form(operations, forms, "in")
    fields.update(kind="purchase")
    fields.update(changes)
    before = books()
    response = operations.post("/stock/in/post", fields)
    assert response.status_code == 422 and words in body(response), body(response)
    assert books() == before and StockReceipt.select().count() == 0


def test_an_empty_document_and_unknown_barcodes_are_refused(operations, world, forms, books):
    before = books()
    fields = doc_form(operations, forms, "in")
    response = operations.post("/stock/in/post", dict(fields, kind="purchase"))
    assert response.status_code == 422 and "清单是空的" in body(response)
    for code, words in [("6901234999999", "没有此条码"), ("扫码乱码", "无法识别"), ("", "无法识别")]:
        response = scan(operations, "in", code)
        assert response.status_code == 422 and words in body(response), body(response)
    assert books() == before and "data-line" not in body(operations.get("/stock/in/"))


def test_a_line_can_be_removed_and_another_batch_added(operations, world, forms):
    scan(operations, "in", OIL)
    scan(operations, "in", RICE)
    fields = doc_form(operations, forms, "in")
    fields.update(qty_1="7", batch_1="R1")
    response = operations.post("/stock/in/lines", dict(fields, remove="0"))
    assert 'data-line="食用油"' not in body(response) and 'value="7"' in body(response)
    fields = doc_form(operations, forms, "in")
    response = operations.post("/stock/in/add", dict(fields, new_batch_of=str(world.products["大米"].id)))
    assert body(response).count('data-line="大米"') == 2
    # A page showing other lines cannot remove one.
    stale = operations.post("/stock/in/lines", dict(fields, remove="0", product_0=str(world.products["食盐"].id)))
    assert stale.status_code == 422
    assert body(operations.get("/stock/in/")).count('data-line="大米"') == 2


def test_goods_out_above_the_threshold_needs_the_managers_pin(cashier, world, forms, books):
    scan(cashier, "out", SALT)
    fields = doc_form(cashier, forms, "out")
    fields.update(reason="damaged", note="受潮结块", qty_0="11")
    before = books()
    asked = cashier.post("/stock/out/post", fields)
    assert asked.status_code == 422 and "店长" in body(asked) and 'name="manager_pin"' in body(asked)
    wrong = cashier.post("/stock/out/post", dict(fields, manager_pin="9999"))
    assert wrong.status_code == 422 and "店长密码错误" in body(wrong)
    not_a_manager = cashier.post("/stock/out/post", dict(fields, manager_pin="3333"))  # the cashier's own PIN
    assert not_a_manager.status_code == 422
    assert books() == before
    done = cashier.post("/stock/out/post", dict(fields, manager_pin="1111"))
    record = WriteOff.get()
    assert done.headers["HX-Redirect"] == f"/stock/out/{record.id}"
    assert (record.approved_by_id, record.total_units, record.note) == (world.staff["manager"].id, 11, "受潮结块")
    assert stock(world, "食盐") == 39
    # A double tap, or the stale page sent again with the PIN: the same document, stock taken once.
    again = cashier.post("/stock/out/post", dict(fields, manager_pin="1111"))
    assert again.headers["HX-Redirect"] == f"/stock/out/{record.id}" and stock(world, "食盐") == 39
    page = cashier.get(f"/stock/out/{record.id}")
    assert "王店长" in body(page) and "受潮结块" in body(page)
    assert verify() == []


def test_the_pin_pad_shows_as_soon_as_the_lines_need_it(cashier, world, forms):
    scan(cashier, "out", OIL)
    assert 'name="manager_pin"' not in body(cashier.get("/stock/out/"))
    for _ in range(5):
        response = scan(cashier, "out", OIL)  # 6 × 100 points > 500
    assert 'name="manager_pin"' in body(response)


def test_a_small_write_off_and_the_refusals(cashier, world, forms, books):
    scan(cashier, "out", OIL)
    fields = doc_form(cashier, forms, "out")
    before = books()
    for changes, words in [({"reason": ""}, "原因"), ({"reason": "other", "note": ""}, "经过"),
                           ({"reason": "expired", "qty_0": "11"}, "库存不足"), ({"reason": "expired", "qty_0": "-3"}, "第1行")]:
        response = cashier.post("/stock/out/post", dict(fields, **changes))
        assert response.status_code == 422 and words in body(response), (changes, body(response))
    assert books() == before
    done = cashier.post("/stock/out/post", dict(fields, reason="internal", note="店内清洁用"))
    assert done.status_code == 200 and stock(world, "食用油") == 9
    assert WriteOff.get().approved_by_id is None


def test_staff_without_stock_duties_cannot_open_the_screens(client, world):
    service = signed_in(client, world, SERVICE)
    assert service.get("/stock/in/").status_code == 403
    assert service.post("/stock/out/scan", {"code": OIL}).status_code == 403
    assert service.get("/stock/restock.csv").status_code == 403


def test_home_lists_goods_expiring_soon_and_running_low(operations, world, forms):
    Product.update(low_stock=10).where(Product.id == world.products["食用油"].id).execute()
    scan(operations, "in", RICE)
    fields = doc_form(operations, forms, "in")
    soon = (local_today() + timedelta(days=5)).isoformat()  # the store's date, not the machine's
    operations.post("/stock/in/post", dict(fields, kind="purchase", qty_0="3", batch_0="R-5", expiry_0=soon))
    home = body(operations.get("/home"))
    assert 'data-batch="大米"' in home and "R-5" in home and "5 天后" in home
    assert 'data-low="食用油"' in home and 'data-low="洗洁精"' in home and 'data-low="大米"' not in home
    csv_response = operations.get("/stock/restock.csv")
    assert csv_response.mimetype == "text/csv" and csv_response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(csv_response.data.decode("utf-8-sig"))))
    assert rows[0][:2] == ["商品", "分类"] and [r[0] for r in rows[1:]] == ["洗洁精", "食用油"]


def test_the_manager_sets_the_threshold_and_the_expiry_window(manager, world):
    page = body(manager.get("/settings/stock"))
    assert 'name="writeoff_approval_units"' in page and 'value="10"' in page
    response = manager.post("/stock/settings", {"writeoff_approval_units": "3", "writeoff_approval_points": "200",
                                                "expiry_warning_days": "14"}, htmx=False)
    assert response.status_code == 302 and response.headers["Location"].endswith("/settings/stock")
    assert "库存设置已保存" in body(manager.get("/settings/stock"))
    store = Store.get_by_id(world.store.id)
    assert (store.writeoff_approval_units, store.writeoff_approval_points, store.expiry_warning_days) == (3, 200, 14)
    for bad in ["-1", "abc", "1000000", ""]:
        manager.post("/stock/settings", {"writeoff_approval_units": bad, "writeoff_approval_points": "200",
                                         "expiry_warning_days": "14"}, htmx=False)
        assert Store.get_by_id(world.store.id).writeoff_approval_units == 3
    assert "库存设置有误" in body(manager.get("/settings/stock"))


def test_the_donors_list_names_only_those_who_agreed(operations, world, forms):
    for name, public in [("刘阿姨", "1"), ("不留名的张先生", "")]:
        scan(operations, "in", RICE)
        fields = doc_form(operations, forms, "in")
        operations.post("/stock/in/post", dict(fields, kind="donation", donor_name=name, thank_publicly=public))
    page = body(operations.get("/stock/donors"))
    assert "刘阿姨" in page and "不留名的张先生" not in page and "爱心人士" in page
    assert operations.get("/stock/donors?month=garbage").status_code == 200


def test_goods_out_cannot_list_more_than_the_shelf_holds(cashier, world):
    empty = cashier.post("/stock/out/add", {"product_id": str(world.products["洗洁精"].id)})
    assert empty.status_code == 422 and "库存不足" in body(empty) and 'data-line="洗洁精"' not in body(empty)
    assert scan(cashier, "out", "6901234000048").status_code == 200  # 酱油: 1 on the shelf
    again = scan(cashier, "out", "6901234000048")
    assert again.status_code == 422 and "海天" not in body(again) and "酱油 仅剩 1" in body(again)
    assert 'name="qty_0" value="1"' in body(again)


def test_the_acknowledgement_is_on_the_receipts_screen_and_reprints(client, world, forms, printer):
    manager = signed_in(client, world, MANAGER)
    scan(manager, "in", RICE)
    fields = doc_form(manager, forms, "in")
    manager.post("/stock/in/post", dict(fields, kind="donation", donor_name="刘阿姨", qty_0="5"))
    receipt = StockReceipt.get()
    manager.post(f"/stock/in/{receipt.id}/thanks", {})
    job = PrintJob.get(PrintJob.kind == "thanks")
    screen = body(manager.get("/receipts/"))
    assert "捐赠人：刘阿姨" in screen and f'data-job="{job.id}"' in screen
    assert manager.post(f"/receipts/{job.id}/reprint", {}, htmx=False).status_code == 302
    again = PrintJob.select().where(PrintJob.kind == "thanks").order_by(PrintJob.id.desc()).first()
    assert again.id != job.id and again.reprint and again.status == "printed"
    assert "捐赠人：刘阿姨".encode("gb18030") in printer.jobs[-1][1]


def test_goods_out_shows_the_batches_on_the_shelf_first_to_expire_first(operations, world, forms):
    scan(operations, "in", SALT)
    fields = doc_form(operations, forms, "in")
    soon = (local_today() + timedelta(days=3)).isoformat()
    operations.post("/stock/in/post", dict(fields, kind="purchase", qty_0="4", batch_0="S-OLD", expiry_0=soon))
    response = scan(operations, "out", SALT)
    assert f"批次 S-OLD，到期 {soon}：在库 4" in body(response)


def test_the_screens_speak_english_when_asked(operations, world):
    operations.post("/lang/en", {"next": "/stock/in/"}, htmx=False)
    assert "Scan a product barcode" in body(operations.get("/stock/in/"))
    assert "Why the goods go out" in body(operations.get("/stock/out/"))
    assert "Expiring soon" in body(operations.get("/home"))
    refused = scan(operations, "out", "6901234999999")
    assert "No product of this store has that barcode." in body(refused)
