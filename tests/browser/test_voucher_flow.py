"""Vouchers in Chromium at 1280x800: a cashier redeems two fruit vouchers and one property
voucher for a household; the receipt and then one slip per voucher come out of a network
receipt printer (a fake ESC/POS printer on 127.0.0.1 that keeps the bytes it read), each cut
apart, each QR code reading back (zxing-cpp) as its voucher's signed payload. The receipts
screen previews the slips; a slip scanned where a card is expected is named for what it is."""
import time
from io import BytesIO

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from devices import PAPER_80
from devices.paper import render_paper
from kiosk import keys
from kiosk.cards.service import card_payload
from kiosk.vouchers.codes import parse_voucher_payload
from tests.browser.conftest import running_kiosk
from tests.fakeprinter import FakePrinter
from tests.helpers import balance_of, scan, sign_in

pytestmark = pytest.mark.browser
CARD = "10000001"  # 张建华, household 1栋1单元101
CUT = b"\x1d\x56\x42\x00"


@pytest.fixture(scope="module")
def printer():
    printer = FakePrinter()
    yield printer
    printer.close()


@pytest.fixture(scope="module")
def till(tmp_path_factory, printer):
    with running_kiosk(tmp_path_factory.mktemp("voucher-instance"), KIOSK_PRINTER=printer.url + "?timeout=2") as running:
        yield running


def zh(text):
    return text.encode("gb18030")


def wait_for_jobs(printer, count, seconds=20):
    """The printer's jobs once it has read ``count`` of them (the worker sends them in turn)."""
    deadline = time.monotonic() + seconds
    while len(printer.jobs) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    return list(printer.jobs)


@pytest.mark.parametrize("page", [(1280, 800)], indirect=True, ids=["1280x800"])
def test_a_cashier_redeems_three_vouchers_and_each_prints_on_its_own_slip(till, printer, page, shot):
    url, env = till
    key = keys.load(env["KIOSK_INSTANCE_PATH"])["CARD_SIGNING_KEY"]
    before = balance_of(env, CARD)
    sign_in(page, url, "张桂兰", "3333")
    expect(page.locator("#scan")).to_be_focused()
    scan(page, card_payload("XY", CARD, key))
    expect(page.get_by_test_id("balance")).to_have_text(str(before))
    page.locator("[data-product='时令水果兑换券']").tap()
    expect(page.locator("[data-line='时令水果兑换券']")).to_be_visible()
    page.locator("[data-line='时令水果兑换券']").get_by_role("button", name="加一").tap()
    expect(page.locator("[data-line='时令水果兑换券'] .qty")).to_have_text("2")
    page.locator("[data-product='物业费抵扣券 20元']").tap()
    expect(page.locator("[data-line='物业费抵扣券 20元']")).to_be_visible()
    expect(page.get_by_test_id("total")).to_have_text(str(2 * 50 + 100))
    shot("voucher-01-cart")
    page.get_by_role("button", name="确认兑换").tap()
    expect(page.get_by_test_id("new-balance")).to_have_text(str(before - 200))
    expect(page.get_by_test_id("receipt-status")).to_contain_text("小票已打印")
    expect(page.get_by_test_id("voucher-slips")).to_have_text("服务券 3 张随小票打印，请撕开后分别交给居民。")
    shot("voucher-02-redeemed")

    jobs = wait_for_jobs(printer, 4)
    assert len(jobs) == 4, f"{len(jobs)} jobs printed"
    receipt, *slips = jobs
    assert zh("兑换小票") in receipt and zh("时令水果兑换券") in receipt
    serials = []
    for data in slips:
        assert data.count(CUT) == 1 and data.endswith(CUT)  # each slip cut off on its own
        assert zh("服务券") in data and b"\x1d(k" in data  # GB18030 text, native QR code
        (payload,) = [code.text for code in zxingcpp.read_barcodes(render_paper(data, PAPER_80))]
        serials.append(parse_voucher_payload(payload, "XY", key, allow_number=False))
        assert f"{serials[-1]:010d}".encode() in data
    assert serials == sorted(serials) and len(set(serials)) == 3
    fruit, _fruit, prop = slips
    assert zh("时令水果 1 份") in fruit and zh("老王水果摊") in fruit and zh("张*华 1栋1单元101") in fruit
    assert zh("物业费抵扣 20 元") in prop and zh("幸福里物业") in prop

    # The receipts screen shows each slip's paper preview, whose QR code reads back too.
    page.get_by_role("link", name="小票").tap()
    previews = page.locator("article.job img.paper-png")
    expect(previews).to_have_count(4)
    expect(page.get_by_role("button", name="重印服务券")).to_have_count(3)
    shot("voucher-03-receipts-screen")
    newest = page.locator("article.job").first
    response = page.request.get(url + newest.locator("img.paper-png").get_attribute("src"))
    (payload,) = [code.text for code in zxingcpp.read_barcodes(Image.open(BytesIO(response.body())))]
    assert parse_voucher_payload(payload, "XY", key, allow_number=False) == serials[-1]

    # A voucher slip scanned at the register where a card is expected changes nothing.
    page.goto(url + "/cashier/")
    expect(page.locator("#scan")).to_be_focused()
    scan(page, payload)
    expect(page.get_by_text("这是服务券，不是居民卡")).to_be_visible()
    expect(page.get_by_text("请扫描积分卡")).to_be_visible()
    assert balance_of(env, CARD) == before - 200
