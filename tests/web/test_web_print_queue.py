"""The print queue on screen: a receipt that waits says so, retries, and prints once the printer
is back; the printer badge, the printer's own status, the store's printer address, a test page
and the paper preview."""
import collections
import io

import pytest
import zxingcpp
from PIL import Image

from kiosk.checkout.models import Sale
from kiosk.printing.models import PrintJob
from kiosk.stores.models import Store
from tests.helpers import body


@pytest.fixture
def sale_while_paper_out(cashier, world, printer, checkout_form):
    """张建华 redeemed 食盐 while the printer was out of paper; returns the checkout response."""
    printer.simulate("paper_out")
    cashier.post("/cashier/scan", {"code": world.payload("张建华")})
    form = checkout_form(cashier.post("/cashier/cart/add", {"product_id": str(world.products["食盐"].id)}))
    response = cashier.post("/cashier/checkout", {k: v for k, v in form.fields.items() if k != "csrf_token"})
    assert response.status_code == 200
    return response


def test_a_waiting_receipt_polls_its_status_until_it_prints(cashier, printer, sale_while_paper_out):
    job = PrintJob.get()
    html = body(sale_while_paper_out)
    assert "兑换成功" in html and "小票尚未打印：打印机缺纸" in html
    assert f'hx-get="/receipts/{job.id}/status"' in html and 'hx-trigger="every 1s"' in html
    assert (job.status, job.attempts, Sale.select().count()) == ("pending", 1, 1)

    status = body(cashier.get(f"/receipts/{job.id}/status"))
    assert "小票尚未打印：打印机缺纸" in status and "正在自动重试（第1次）" in status

    printer.simulate(None)
    assert cashier.post(f"/receipts/{job.id}/retry", htmx=False).status_code == 302
    status = body(cashier.get(f"/receipts/{job.id}/status"))
    assert "小票已打印" in status and "hx-trigger" not in status
    assert PrintJob.get_by_id(job.id).status == "printed" and len(printer.jobs) == 1


def test_the_badge_counts_waiting_receipts_and_names_the_problem(cashier, printer, sale_while_paper_out):
    badge = body(cashier.get("/receipts/badge"))
    assert "1张等待打印" in badge and "打印机缺纸" in badge
    printer.simulate(None)
    cashier.post(f"/receipts/{PrintJob.get().id}/retry", htmx=False)
    assert "打印机正常" in body(cashier.get("/receipts/badge"))


def test_the_receipts_screen_shows_the_queue_with_retry_and_reprint(cashier, sale_while_paper_out):
    job = PrintJob.get()
    html = body(cashier.get("/receipts/"))
    assert "等待打印" in html and "打印机缺纸" in html
    assert f"/receipts/{job.id}/retry" in html and f"/receipts/{job.id}/reprint" in html


@pytest.mark.parametrize("state, text", [(None, "打印机正常"), ("paper_out", "打印机缺纸"), ("cover_open", "打印机盖未合上")])
def test_the_printer_reports_its_state(cashier, printer, state, text):
    printer.simulate(state)
    assert text in body(cashier.get("/receipts/printer-status"))


def test_the_paper_preview_is_a_png_whose_qr_code_decodes(cashier, world, checkout_form):
    cashier.post("/cashier/scan", {"code": world.payload("张建华")})
    form = checkout_form(cashier.post("/cashier/cart/add", {"product_id": str(world.products["大米"].id)}))
    cashier.post("/cashier/checkout", {k: v for k, v in form.fields.items() if k != "csrf_token"})
    response = cashier.get(f"/receipts/{PrintJob.get().id}.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    image = Image.open(io.BytesIO(response.data))
    assert Sale.get().receipt_no in [code.text for code in zxingcpp.read_barcodes(image)]


def test_a_preview_of_another_stores_job_is_not_found(cashier):
    assert cashier.get("/receipts/999.png").status_code == 404
    assert cashier.get("/receipts/999/status").status_code == 404


def test_the_manager_sets_the_stores_printer_address(manager, world):
    form = {"printer_kind": "other", "printer_url": " tcp://192.168.1.50:9100 ", "timezone": "Asia/Shanghai"}
    assert manager.post("/settings/advanced", form, htmx=False).status_code == 302
    assert Store.get_by_id(world.store.id).printer_url == "tcp://192.168.1.50:9100"
    # A network address typed in full is shown as what it is: the printer's network address and port.
    html = body(manager.get("/settings/advanced"))
    assert 'name="printer_host" value="192.168.1.50"' in html and 'name="printer_port" value="9100"' in html
    form["printer_kind"] = "default"
    manager.post("/settings/advanced", form, htmx=False)
    assert Store.get_by_id(world.store.id).printer_url == ""


@pytest.mark.parametrize("url", ["lp0", "tcp://", "usb://nonsense", "virtual://x", "tcp://host:9100?encoding=latin1"])
def test_a_printer_address_that_cannot_work_is_refused(manager, world, url):
    form = {"printer_kind": "other", "printer_url": url, "timezone": "Asia/Shanghai"}
    response = manager.post("/settings/advanced", form, htmx=False)
    assert response.status_code == 422 and "这个打印机地址无法使用" in body(response)
    assert Store.get_by_id(world.store.id).printer_url == ""


def test_the_manager_prints_a_test_page(manager, printer):
    response = manager.post("/settings/test-page", htmx=False)
    assert response.status_code == 302 and response.headers["Location"].endswith("/settings/receipts")
    assert "测试页已发送到打印机" in body(manager.get("/settings/receipts"))
    data = printer.jobs[-1][1]
    assert "测试".encode("gb18030") in data


def test_a_test_page_on_a_broken_printer_says_why(manager, printer):
    printer.fail_with = "Connection refused"
    manager.post("/settings/test-page", htmx=False)
    assert "测试页未打印：打印机没有响应" in body(manager.get("/settings/receipts"))


@pytest.mark.parametrize("action", ["retry", "reprint"])
def test_retry_or_reprint_of_a_job_that_is_not_in_the_queue_says_so(cashier, printer, action):
    response = cashier.post(f"/receipts/99999/{action}", htmx=False)
    assert response.status_code == 302
    assert "打印队列中没有这张小票" in body(cashier.get("/receipts/"))
    assert PrintJob.select().count() == 0 and printer.jobs == collections.deque()


def test_a_second_tap_on_retry_does_not_print_twice(cashier, printer, sale_while_paper_out):
    job = PrintJob.get()
    printer.simulate(None)
    cashier.post(f"/receipts/{job.id}/retry", htmx=False)
    cashier.post(f"/receipts/{job.id}/retry", htmx=False)  # a stale page, tapped again
    assert len(printer.jobs) == 1 and PrintJob.get_by_id(job.id).status == "printed"
