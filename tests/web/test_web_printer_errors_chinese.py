"""Printer errors reach the screens in Chinese: the receipts page (its heading names the printer
in words), the printer's status, the cashier's badge, the settings test page and the list of
receipts that need attention. The printer's English text stays only in the technician's details."""
import re
import socket
from datetime import timedelta

import pytest

from kiosk.printing.models import PrintJob
from kiosk.stores.models import Store
from tests.helpers import body

REFUSED = "拒绝连接。请检查打印机是否已开机，地址和端口是否正确。"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def outside_details(html):
    """The page without the technician's details and attributes (titles, data, alt text)."""
    html = re.sub(r"<details.*?</details>", "", html, flags=re.S)
    return re.sub(r"<[^>]*>", " ", html)


@pytest.fixture
def refusing(world):
    """The store's printer is a network printer nobody listens at."""
    port = free_port()
    Store.update(printer_url=f"tcp://127.0.0.1:{port}").where(Store.id == world.store.id).execute()
    return f"127.0.0.1:{port}"


@pytest.fixture
def failed_sale(cashier, world, checkout_form, refusing):
    cashier.post("/cashier/scan", {"code": world.payload("张建华")})
    form = checkout_form(cashier.post("/cashier/cart/add", {"product_id": str(world.products["食盐"].id)}))
    response = cashier.post("/cashier/checkout", {k: v for k, v in form.fields.items() if k != "csrf_token"})
    assert PrintJob.get().status == "pending"
    return response


def test_the_cashier_sees_the_refused_printer_in_chinese(failed_sale, refusing):
    text = outside_details(body(failed_sale))
    assert f"网络打印机 {refusing} {REFUSED}" in text
    assert "refused" not in text


def test_the_receipts_page_names_the_printer_in_words_and_its_error_in_chinese(cashier, failed_sale, refusing):
    html = body(cashier.get("/receipts/"))
    heading = html.split("<h1>", 1)[1].split("</h1>", 1)[0]
    assert f"网络打印机 {refusing}" in heading and "tcp://" not in heading  # the address in words, not as a URL
    assert f"网络打印机 {refusing} {REFUSED}" in outside_details(html)
    assert "refused" not in outside_details(html)
    assert "refused the connection" in html  # whole, for the technician, inside details


def test_the_printer_status_says_what_is_wrong_in_chinese(cashier, refusing):
    html = body(cashier.get("/receipts/printer-status", htmx=True))
    assert "离线" in html and f"网络打印机 {refusing} {REFUSED}" in html
    assert "refused" not in outside_details(html)
    assert f"tcp://{refusing}" in html and f"tcp://{refusing}" not in outside_details(html)  # for the technician


def test_the_badge_shortens_at_a_character_and_keeps_the_whole_sentence(cashier, failed_sale, refusing):
    html = body(cashier.get("/receipts/badge", htmx=True))
    whole = f"网络打印机 {refusing} {REFUSED}"
    assert f'title="{whole}"' in html
    shown = html.split('class="problem"', 1)[1].split(">", 1)[1].split("</span>", 1)[0]
    assert shown.endswith("…") and whole.startswith(shown[:-1]) and len(shown) <= 20
    assert "refused" not in outside_details(html)


def test_a_job_error_stored_in_english_before_the_codes_reads_in_chinese(cashier, failed_sale):
    PrintJob.update(error="receipt printer at 127.0.0.1:9 refused the connection").execute()
    html = body(cashier.get("/receipts/"))
    assert "打印机没有响应，请检查电源和网线。" in outside_details(html)
    assert "refused" not in outside_details(html)


def test_a_receipt_waiting_too_long_shows_why_in_chinese(cashier, failed_sale, refusing):
    job = PrintJob.get()
    PrintJob.update(created_at=job.created_at - timedelta(hours=2)).execute()
    html = body(cashier.get("/receipts/"))
    attention = html.split('data-testid="receipt-problems"', 1)[1].split("</div>", 1)[0]
    assert f"网络打印机 {refusing} {REFUSED}" in attention


def test_the_settings_test_page_says_why_in_chinese(manager, refusing):
    manager.post("/settings/test-page", {}, htmx=False)
    html = body(manager.get("/settings/receipts"))
    assert f"测试页未打印：网络打印机 {refusing} {REFUSED}" in html
    assert "refused" not in html


def test_the_day_close_page_says_why_a_receipt_did_not_print_in_chinese(manager, world, monkeypatch):
    from datetime import datetime

    from devices import PrinterError
    from kiosk.checkout import service as checkout
    from kiosk.dayclose import service as dayclose
    from kiosk.printing.faults import stored_error
    from kiosk.staff.models import CASHIER, MANAGER
    from tests.helpers import pdf_text

    monkeypatch.setattr(dayclose, "utcnow", lambda: datetime(2026, 11, 10, 4, 0))
    card = world.cards["张建华"]
    checkout.checkout(world.store, card.id, [(world.products["食盐"].id, 1)], world.staff[CASHIER].id,
                      "web-leaks-close-0001", now=datetime(2026, 11, 10, 1, 0))
    error = PrinterError("receipt printer at 127.0.0.1:9 refused the connection", code="refused",
                         params={"kind": "network", "address": "127.0.0.1:9"})
    PrintJob.update(status="pending", error=stored_error(error)).execute()
    record = dayclose.close_day(world.store, datetime(2026, 11, 10).date(), staff=world.staff[MANAGER])
    text = pdf_text(manager.get(f"/close/{record.id}.pdf").data).replace("\n", "")
    assert "网络打印机 127.0.0.1:9 拒绝连接" in text
    assert "refused" not in text and '"code"' not in text


@pytest.mark.parametrize("url, example", [("tcp://", "tcp://192.168.1.50:9100"), ("usb://nonsense", "usb://0x0416:0x5011"),
                                          ("lp0", "tcp://192.168.1.50:9100 / usb://0x0416:0x5011 / file:///dev/usb/lp0")])
def test_a_printer_address_that_cannot_be_used_is_answered_in_chinese_with_an_example(manager, world, url, example):
    form = {"printer_kind": "other", "printer_url": url, "timezone": "Asia/Shanghai"}
    html = body(manager.post("/settings/advanced", form, htmx=False))
    assert f"这个打印机地址无法使用。请按这样的格式填写：{example}" in html
    assert "use tcp://host" not in html and "unknown printer URL scheme" not in html
