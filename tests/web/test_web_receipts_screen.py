"""The receipts screen (小票): the print queue with a preview of each receipt, and reprint."""
import pytest

from kiosk.checkout.models import Sale
from kiosk.printing.models import PrintJob
from kiosk.reports.verify import verify
from tests.helpers import body


@pytest.fixture
def sold(cashier, world, checkout_form):
    """张建华 redeemed 食用油 and 大米 at this kiosk; its receipt printed."""
    cashier.post("/cashier/scan", {"code": world.payload("张建华")})
    cashier.post("/cashier/cart/add", {"product_id": str(world.products["食用油"].id)})
    page = cashier.post("/cashier/cart/add", {"product_id": str(world.products["大米"].id)})
    form = checkout_form(page)
    response = cashier.post("/cashier/checkout", {k: v for k, v in form.fields.items() if k != "csrf_token"})
    assert response.status_code == 200
    return Sale.get()


def test_empty_queue_says_so(cashier):
    response = cashier.get("/receipts/")
    assert response.status_code == 200
    assert "还没有小票" in body(response)


def test_receipts_screen_lists_jobs_with_a_text_preview(cashier, sold):
    job = PrintJob.get()
    response = cashier.get("/receipts/")
    assert response.status_code == 200
    html = body(response)
    assert f'data-job="{job.id}"' in html
    assert "已打印" in html
    preview = html.split('<pre class="paper">', 1)[1].split("</pre>", 1)[0]
    assert "食用油" in preview and "大米" in preview
    assert sold.receipt_no in preview
    assert "张*华" in preview and "张建华" not in html
    assert "virtual://" not in html  # the printer in words; its address is in the status's details
    assert "virtual://" in body(cashier.get("/receipts/printer-status", htmx=True))


def test_receipts_screen_htmx_gets_the_job_list_fragment(cashier, sold):
    html = body(cashier.get("/receipts/", htmx=True))
    assert "<html" not in html
    assert html.strip().startswith('<div id="jobs"')


def test_failed_job_shows_its_error(cashier, world, printer, checkout_form):
    printer.fail_with = "cover open"
    cashier.post("/cashier/scan", {"code": world.payload("张建华")})
    form = checkout_form(cashier.post("/cashier/cart/add", {"product_id": str(world.products["食盐"].id)}))
    cashier.post("/cashier/checkout", {k: v for k, v in form.fields.items() if k != "csrf_token"})
    html = body(cashier.get("/receipts/"))
    assert "打印机盖" in html and "cover open" in html


def test_reprint_from_the_screen_adds_a_job_marked_reprint(cashier, sold, printer, forms):
    original = PrintJob.get()
    page = cashier.get("/receipts/")
    form = next(f for f in forms(page) if f.action == f"/receipts/{original.id}/reprint")
    response = cashier.post(form.action, htmx=False)
    assert response.status_code in (302, 303)
    assert response.headers["Location"] == "/receipts/"

    jobs = list(PrintJob.select().order_by(PrintJob.id))
    assert len(jobs) == 2
    reprint = jobs[-1]
    assert (reprint.reprint, reprint.status, reprint.document_kind, reprint.document_id) == (True, "printed", "sale", sold.id)
    assert len(printer.jobs) == 2
    receipt, data = printer.jobs[-1]
    assert receipt.reprint and receipt.receipt_no == sold.receipt_no
    assert "重印".encode("gb18030") in data

    html = body(cashier.get("/receipts/"))
    assert "小票已重印" in html
    newest = html.split(f'data-job="{reprint.id}"', 1)[1].split("</article>", 1)[0]
    assert "重印" in newest
    # Reprinting is not redeeming again.
    assert Sale.select().count() == 1
    assert verify() == []


def test_reprint_of_an_unknown_job_flashes_an_error(cashier, sold, printer):
    response = cashier.post("/receipts/99999/reprint", htmx=False)
    assert response.status_code in (302, 303)
    assert "打印队列中没有这张小票" in body(cashier.get("/receipts/"))
    assert PrintJob.select().count() == 1
    assert len(printer.jobs) == 1


def test_reprint_while_the_printer_fails_flashes_the_error(cashier, sold, printer):
    printer.fail_with = "out of paper"
    cashier.post(f"/receipts/{PrintJob.get().id}/reprint", htmx=False)
    html = body(cashier.get("/receipts/"))
    assert "小票未打印：打印机缺纸" in html
    assert PrintJob.select().where(PrintJob.status == "pending", PrintJob.reprint == True).count() == 1  # noqa: E712
