"""A kiosk box with real device protocols: a network receipt printer (a fake ESC/POS printer
on 127.0.0.1 speaking raw TCP and DLE EOT) and a serial scanner (a pseudo-terminal). Scans
arrive from the serial port; the printer's cable is pulled in the middle of the shift and
plugged back; nothing is lost."""
import os

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import running_kiosk
from tests.browser.docshots import keep_for_docs
from tests.fakeprinter import FakePrinter
from tests.helpers import balance_of, cli, open_screen, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def devices():
    printer = FakePrinter()
    master, slave = os.openpty()
    yield printer, master, os.ttyname(slave)
    printer.close()
    os.close(master)
    os.close(slave)


@pytest.fixture(scope="module")
def box(tmp_path_factory, devices):
    printer, _, tty = devices
    with running_kiosk(tmp_path_factory.mktemp("box-instance"), KIOSK_PRINTER=printer.url + "?timeout=1",
                       KIOSK_SCANNER=f"serial://{tty}?baudrate=9600") as running:
        yield running


def payload_of(env, number):
    from kiosk import keys
    from kiosk.cards.service import card_payload

    instance = env["KIOSK_INSTANCE_PATH"]
    return card_payload("XY", number, keys.load(instance)["CARD_SIGNING_KEY"])


def serial_scan(master, code):
    os.write(master, code.encode() + b"\r\n")


def check_out(page, product):
    page.locator(f"[data-product^='{product}']").first.tap()
    # The cart shows the line before 确认兑换 is tapped: a checkout of a cart the page has not
    # shown yet is refused as a stale page, as it should be.
    expect(page.locator(f"[data-line^='{product}']")).to_be_visible()
    page.get_by_role("button", name="确认兑换").tap()
    expect(page.get_by_text("兑换成功", exact=True)).to_be_visible()


@pytest.fixture
def page(browser):
    """One kiosk screen (1024×768, touch): this flow is about devices, not layout, and the
    fake printer and scanner belong to one box."""
    context = browser.new_context(viewport={"width": 1024, "height": 768}, has_touch=True, locale="zh-CN")
    yield context.new_page()
    context.close()


def test_serial_scans_and_a_printer_unplugged_mid_shift(box, devices, page, shot):
    url, env = box
    printer, master, _ = devices
    printed = len(printer.jobs)
    sign_in(page, url, "张桂兰", "3333")
    expect(page.locator("#scan")).to_be_focused()
    page.wait_for_timeout(700)  # the screen has asked the scanner feed once

    serial_scan(master, payload_of(env, "10000003"))
    expect(page.get_by_test_id("holder")).to_be_visible()
    check_out(page, "加碘食盐")
    expect(page.get_by_test_id("receipt-status")).to_contain_text("小票已打印")
    assert printer.wait_for_jobs(printed + 1)
    assert "加碘食盐".encode("gb18030") in printer.jobs[-1]
    page.get_by_role("button", name="完成").tap()

    # The cable is pulled: the sale still goes through and the screen says the receipt waits.
    printer.set_mode("refuse")
    before = balance_of(env, "10000003")
    serial_scan(master, payload_of(env, "10000003"))
    expect(page.get_by_test_id("holder")).to_be_visible()
    check_out(page, "加碘食盐")
    expect(page.get_by_test_id("receipt-status")).to_contain_text("小票尚未打印：网络打印机")
    expect(page.get_by_test_id("receipt-status")).to_contain_text("拒绝连接")
    assert balance_of(env, "10000003") == before - 20
    page.reload()  # the header's printer badge counts it too
    expect(page.get_by_test_id("printer-badge")).to_contain_text("1张等待打印")
    expect(page.get_by_test_id("receipt-status")).to_contain_text("小票尚未打印")
    keep_for_docs(shot("30-printer-unplugged"), "cashier-printer-unplugged")

    # Plugged back: the queue retries by itself (after 2, 5, 15… seconds) and the receipt comes
    # out; nobody pressed a thing.
    printer.set_mode("ok")
    expect(page.get_by_test_id("receipt-status")).to_contain_text("小票已打印", timeout=30_000)
    assert printer.wait_for_jobs(printed + 2)
    assert "加碘食盐".encode("gb18030") in printer.jobs[-1] and "重印".encode("gb18030") not in printer.jobs[-1]
    expect(page.get_by_test_id("printer-badge")).to_contain_text("打印机正常", timeout=10_000)
    shot("31-printer-back")
    assert cli(env, "verify").startswith("ok")

    # The receipts screen draws each receipt as the paper would look.
    open_screen(page, "小票")
    expect(page.get_by_test_id("printer-status")).to_contain_text("打印机正常")
    image = page.locator(".paper-png").first
    expect(image).to_be_visible()
    # Drawn on request: wait for the picture to arrive before measuring it.
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle(), timeout=15_000)
    assert page.evaluate("img => img.naturalWidth", image.element_handle()) > 576
    shot("32-receipts-paper")
