"""Vouchers in Chromium at 1280x800: a cashier redeems two fruit vouchers and one property
voucher for a household; the receipt and then one slip per voucher come out of a network
receipt printer (a fake ESC/POS printer on 127.0.0.1 that keeps the bytes it read), each cut
apart, each QR code reading back (zxing-cpp) as its voucher's signed payload. The receipts
screen previews the slips; a slip scanned where a card is expected is named for what it is.

Then the slips' journey, in order on the same till: the fruit stall uses one fruit voucher on a
phone (390x844) and a second scan says 已使用; the property company uses its voucher on the kiosk;
a return cancels the unused fruit voucher; each partner's statement holds exactly what it used."""
import re
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
from tests.browser.conftest import ARTIFACTS, running_kiosk
from tests.browser.docshots import keep_bytes_for_docs, keep_for_docs, settle_for_docs
from tests.fakeprinter import FakePrinter
from tests.helpers import balance_of, cli, open_screen, scan, sign_in

pytestmark = pytest.mark.browser
CARD = "10000001"  # 张建华, household 1栋1单元101
CUT = b"\x1d\x56\x42\x00"
# What the first test sold, for the journey's later steps: receipt number and [(serial, payload)].
SOLD = {}
PHONE = dict(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, device_scale_factor=2,
             locale="zh-CN")
KIOSK = dict(viewport={"width": 1280, "height": 800}, has_touch=True, locale="zh-CN")


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
    SOLD["receipt"] = re.search(r"XYS[0-9]{7}", page.locator(".card-panel.done").inner_text()).group(0)
    shot("voucher-02-redeemed")

    printer.wait_for_jobs(4, seconds=20)  # the worker sends them in turn
    jobs = list(printer.jobs)
    assert len(jobs) == 4, f"{len(jobs)} jobs printed"
    receipt, *slips = jobs
    assert zh("兑换小票") in receipt and zh("时令水果兑换券") in receipt
    serials, payloads = [], []
    for data in slips:
        assert data.count(CUT) == 1 and data.endswith(CUT)  # each slip cut off on its own
        assert zh("服务券") in data and b"\x1d(k" in data  # GB18030 text, native QR code
        (payload,) = [code.text for code in zxingcpp.read_barcodes(render_paper(data, PAPER_80))]
        payloads.append(payload)
        serials.append(parse_voucher_payload(payload, "XY", key, allow_number=False))
        assert f"{serials[-1]:010d}".encode() in data
    assert serials == sorted(serials) and len(set(serials)) == 3
    SOLD["slips"] = [(f"{serial:010d}", payload) for serial, payload in zip(serials, payloads)]
    fruit, _fruit, prop = slips
    assert zh("时令水果 1 份") in fruit and zh("老王水果摊") in fruit and zh("张*华 1栋1单元101") in fruit
    assert zh("物业费抵扣 20 元") in prop and zh("幸福里物业") in prop

    # The receipts screen shows each slip's paper preview, whose QR code reads back too.
    open_screen(page, "小票")
    previews = page.locator("article.job img.paper-png")
    expect(previews).to_have_count(4)
    expect(page.get_by_role("button", name="重印服务券")).to_have_count(3)
    settle_for_docs(page)
    keep_for_docs(shot("voucher-03-receipts-screen"), "voucher-receipts")
    # The manuals show one fruit slip as it prints (the newest job is the property voucher's).
    fruit_preview = page.locator("article.job").nth(1).locator("img.paper-png").get_attribute("src")
    keep_bytes_for_docs(page.request.get(url + fruit_preview).body(), "voucher-slip.png")
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


def partner_signs_in(page, url, name, pin):
    page.goto(url + "/partner/")
    page.get_by_test_id("partner-tile").filter(has_text=name).tap()
    page.wait_for_url("**/partner/signin/*")
    page.wait_for_load_state("load")
    for digit in pin:
        page.get_by_role("button", name=digit, exact=True).tap()
    page.get_by_role("button", name="登录").tap()
    expect(page.get_by_test_id("partner-name")).to_have_text(name)
    page.wait_for_load_state("load")


def test_the_fruit_stall_uses_one_fruit_voucher_on_a_phone_and_a_second_scan_says_used(browser, till):
    url, _env = till
    (fruit_serial, _payload), _second, _property = SOLD["slips"]
    context = browser.new_context(**PHONE)
    page = context.new_page()
    try:
        partner_signs_in(page, url, "老王水果摊", "5555")
        field = page.get_by_test_id("voucher-scan")
        field.tap()
        page.keyboard.type(fruit_serial, delay=60)  # the number typed from the slip
        page.keyboard.press("Enter")
        expect(page.get_by_test_id("voucher-state")).to_have_text("有效")
        expect(page.get_by_test_id("voucher-card")).to_contain_text("时令水果 1 份")
        expect(page.get_by_test_id("voucher-card")).to_contain_text("张*华")
        page.get_by_test_id("use-voucher").tap()
        expect(page.get_by_text("核销成功")).to_be_visible()
        field.fill("")
        field.tap()
        page.keyboard.type(fruit_serial, delay=60)
        page.keyboard.press("Enter")
        expect(page.get_by_test_id("voucher-state")).to_have_text("已使用")
        expect(page.get_by_test_id("use-voucher")).to_have_count(0)
        assert page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
        page.screenshot(path=str(ARTIFACTS / "voucher-04-fruit-used-phone.png"), full_page=True)
    finally:
        context.close()


def test_the_property_company_uses_its_voucher_on_the_kiosk(browser, till):
    url, _env = till
    _first, (_serial, fruit_payload), (property_serial, property_payload) = SOLD["slips"]
    context = browser.new_context(**KIOSK)
    page = context.new_page()
    try:
        partner_signs_in(page, url, "幸福里物业", "6666")
        expect(page.get_by_test_id("voucher-scan")).to_be_focused()
        scan(page, fruit_payload)  # the fruit stall's voucher is not the property company's
        expect(page.get_by_test_id("voucher-scan")).to_be_visible()
        expect(page.get_by_text("这张券不是您的")).to_be_visible()
        expect(page.get_by_test_id("use-voucher")).to_have_count(0)
        page.get_by_test_id("voucher-scan").fill("")
        page.get_by_test_id("voucher-scan").focus()
        scan(page, property_payload)
        expect(page.get_by_test_id("voucher-state")).to_have_text("有效")
        expect(page.get_by_test_id("voucher-serial")).to_have_text(property_serial)
        expect(page.get_by_test_id("voucher-card")).to_contain_text("物业费抵扣 20 元")
        page.get_by_test_id("use-voucher").tap()
        expect(page.get_by_text("核销成功")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "voucher-05-property-used-1280x800.png"), full_page=True)
    finally:
        context.close()


def test_a_return_cancels_the_unused_fruit_voucher_and_the_statements_hold_what_was_used(browser, till):
    url, env = till
    (used_fruit, _p1), (unused_fruit, unused_payload), (used_property, _p3) = SOLD["slips"]
    context = browser.new_context(**KIOSK)
    page = context.new_page()
    try:
        sign_in(page, url, "王秀英", "1111")
        open_screen(page, "退货")
        expect(page.locator("#receipt")).to_be_focused()
        scan(page, SOLD["receipt"])
        row = page.locator("[data-line='时令水果兑换券']")
        expect(row.get_by_test_id("line-vouchers")).to_contain_text("已使用")
        row.get_by_role("button", name="加一").tap()
        row.get_by_role("button", name="加一").tap()  # both fruit vouchers: one is used
        page.get_by_role("button", name="确认退货").tap()
        expect(page.get_by_role("alert")).to_contain_text(f"券 {used_fruit}")
        expect(page.get_by_role("alert")).to_contain_text("已使用")
        row = page.locator("[data-line='时令水果兑换券']")
        row.get_by_role("button", name="减一").tap()
        expect(row.locator("input")).to_have_value("1")
        page.get_by_role("button", name="确认退货").tap()
        expect(page.get_by_text("退货完成，已退还 50 积分。")).to_be_visible()
        expect(page.locator("[data-line='时令水果兑换券']").get_by_test_id("line-vouchers")).to_contain_text("已作废")
        page.screenshot(path=str(ARTIFACTS / "voucher-06-returned-1280x800.png"), full_page=True)

        # Each partner's statement of this month holds exactly the vouchers it used.
        for partner, used in (("老王水果摊", used_fruit), ("幸福里物业", used_property)):
            page.goto(url + "/partners/")
            page.locator(f"tr[data-partner='{partner}']").get_by_role("link", name="管理").tap()
            page.get_by_test_id("new-statement").tap()
            page.get_by_test_id("period-this_month").tap()
            expect(page.locator("tr[data-serial]")).to_have_count(1)
            expect(page.locator(f"tr[data-serial='{used}']")).to_have_count(1)
            page.get_by_test_id("make-statement").tap()
            expect(page.get_by_test_id("statement-status")).to_have_text("未结算")
        expect(page.get_by_test_id("statement-total")).to_have_text("20.00")
        page.screenshot(path=str(ARTIFACTS / "voucher-07-statement-1280x800.png"), full_page=True)
    finally:
        context.close()
    assert cli(env, "verify").startswith("ok")

    # The cancelled slip, scanned by the fruit stall, says 已作废.
    context = browser.new_context(**KIOSK)
    page = context.new_page()
    try:
        partner_signs_in(page, url, "老王水果摊", "5555")
        scan(page, unused_payload)
        expect(page.get_by_test_id("voucher-state")).to_have_text("已作废")
        expect(page.get_by_test_id("use-voucher")).to_have_count(0)
    finally:
        context.close()
