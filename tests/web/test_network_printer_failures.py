"""A real network printer protocol against a fake printer on 127.0.0.1: exact bytes, refused,
jammed (accepts and never reads), reset mid-job. In every case the sale stays committed, the
job waits, the screen says so, and a reprint succeeds once the printer is back."""
import pytest

from devices import printer_from_url
from kiosk.checkout.models import Sale
from kiosk.printing import service
from kiosk.printing.models import PrintJob
from kiosk.reports.verify import verify
from tests.fakeprinter import FakePrinter
from tests.helpers import balance, body


@pytest.fixture
def fake():
    printer = FakePrinter()
    yield printer
    printer.close()


@pytest.fixture
def printer(fake):
    """The app's default printer: tcp:// to the fake, with a short time-out."""
    return printer_from_url(fake.url + "?timeout=1")


def redeem(cashier, world, checkout_form, product="食盐"):
    cashier.post("/cashier/scan", {"code": world.payload("张建华")})
    form = checkout_form(cashier.post("/cashier/cart/add", {"product_id": str(world.products[product].id)}))
    response = cashier.post("/cashier/checkout", {k: v for k, v in form.fields.items() if k != "csrf_token"})
    assert response.status_code == 200 and "兑换成功" in body(response)
    cashier.post("/cashier/done")
    return response


def test_the_printer_receives_exactly_the_receipts_bytes(cashier, world, checkout_form, fake, printer):
    redeem(cashier, world, checkout_form)
    job = PrintJob.get()
    assert job.status == "printed"
    assert fake.jobs == [printer.render(service.job_document(job))]
    assert "食盐".encode("gb18030") in fake.jobs[0]


def broken_then_fixed(cashier, world, checkout_form, fake, mode, problem):
    """Check out while the printer is ``mode``; the sale commits and the job waits with
    ``problem`` on screen; once the printer is back a reprint prints."""
    before = balance(world, "张建华")
    if mode != "refuse":
        redeem(cashier, world, checkout_form, "大米")  # the printer worked before it broke
        assert fake.wait_for_jobs(1)
    fake.set_mode(mode)
    response = redeem(cashier, world, checkout_form)
    sale = Sale.select().order_by(Sale.id.desc()).get()
    job = PrintJob.get(PrintJob.document_kind == "sale", PrintJob.document_id == sale.id)
    assert (job.status, job.attempts) == ("pending", 1) and job.error
    assert f"小票尚未打印：{problem}" in body(response)
    assert f"小票尚未打印：{problem}" in body(cashier.get(f"/receipts/{job.id}/status"))
    assert "张等待打印" in body(cashier.get("/receipts/badge"))
    assert balance(world, "张建华") == before - sale.total - (50 if mode != "refuse" else 0)
    assert verify() == []

    printed_before = len(fake.jobs)
    fake.set_mode("ok")
    response = cashier.post(f"/receipts/{job.id}/reprint", htmx=False)
    assert response.status_code == 302
    assert fake.wait_for_jobs(printed_before + 1)
    assert "重印".encode("gb18030") in fake.jobs[-1] and sale.receipt_no.encode() in fake.jobs[-1]
    reprint = PrintJob.select().order_by(PrintJob.id.desc()).get()
    assert (reprint.status, reprint.reprint, reprint.document_kind, reprint.document_id) == ("printed", True, "sale", sale.id)
    assert PrintJob.get_by_id(job.id).status == "failed"  # replaced, so it never prints twice
    assert "打印机正常" in body(cashier.get("/receipts/badge"))


def test_a_printer_that_refuses_the_connection(cashier, world, checkout_form, fake):
    broken_then_fixed(cashier, world, checkout_form, fake, "refuse", f"网络打印机 127.0.0.1:{fake.port} 拒绝连接。")


def test_a_printer_that_accepts_and_never_reads(cashier, world, checkout_form, fake):
    broken_then_fixed(cashier, world, checkout_form, fake, "hang", "打印机离线")


def test_a_printer_that_closes_in_the_middle_of_a_job(cashier, world, checkout_form, fake):
    broken_then_fixed(cashier, world, checkout_form, fake, "close", f"网络打印机 127.0.0.1:{fake.port} 中断了连接。")


def test_a_printer_out_of_paper_is_not_sent_the_job(cashier, world, checkout_form, fake):
    from tests.fakeprinter import PAPER_OUT

    fake.answers = PAPER_OUT
    response = redeem(cashier, world, checkout_form)
    assert "小票尚未打印：打印机缺纸" in body(response)
    assert fake.jobs == []


def test_a_jammed_printer_never_holds_up_the_next_checkout(app, cashier, world, checkout_form, fake):
    """With the background worker (as in production) a checkout returns while the printer
    hangs: the receipt is still being sent when the page already says the sale is done."""
    app.config["PRINT_WORKER"] = "thread"
    fake.set_mode("hang")
    try:
        for _ in range(2):
            html = body(redeem(cashier, world, checkout_form))
            assert "正在打印小票" in html
        assert Sale.select().count() == 2
    finally:
        app.extensions["print_worker"].stop()
