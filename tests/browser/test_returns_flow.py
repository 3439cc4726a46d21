"""A return in Chromium: find the sale by its receipt number, a manager approves by PIN."""
import re

from playwright.sync_api import expect

from kiosk import keys
from kiosk.cards.service import card_payload
from tests.browser.docshots import keep_for_docs
from tests.helpers import balance_of, cli, open_screen, scan, sign_in

CARD = {1280: "10000004", 1024: "10000006"}


def tap_pin(page, scope, pin):
    for digit in pin:
        scope.get_by_role("button", name=digit, exact=True).tap()


def test_a_cashier_returns_part_of_a_sale_with_a_managers_pin(server, page, shot):
    url, env = server
    number = CARD[page.viewport_size["width"]]
    before = balance_of(env, number)
    # Waits for the PIN page's scripts before tapping (a digit tapped earlier is lost).
    sign_in(page, url, "张桂兰", "3333")
    expect(page.locator("#scan")).to_be_focused()
    # The card's QR code, scanned (a typed card number is off by default, see the settings).
    scan(page, card_payload("XY", number, keys.load(env["KIOSK_INSTANCE_PATH"])["CARD_SIGNING_KEY"]))
    expect(page.get_by_test_id("balance")).to_have_text(str(before))
    page.locator("[data-product='龙须挂面 1kg']").tap()
    page.locator("[data-line='龙须挂面 1kg']").get_by_role("button", name="加一").tap()
    expect(page.locator("[data-line='龙须挂面 1kg'] .qty")).to_have_text("2")
    page.get_by_role("button", name="确认兑换").tap()
    expect(page.get_by_test_id("new-balance")).to_have_text(str(before - 40))
    receipt_no = re.search(r"XYS[0-9]{7}", page.locator(".receipt-status").inner_text()).group(0)

    open_screen(page, "退货")
    expect(page.locator("#receipt")).to_be_focused()
    page.keyboard.type(receipt_no.lower(), delay=5)  # a scanner with Caps Lock on
    page.keyboard.press("Enter")
    row = page.locator("[data-line='龙须挂面 1kg']")
    row.get_by_role("button", name="加一").tap()
    pad = page.locator("[data-pinpad]")
    tap_pin(page, pad, "9999")
    keep_for_docs(shot("09-return"), "returns")
    page.get_by_role("button", name="确认退货").tap()
    expect(page.get_by_role("alert")).to_have_text("店长密码错误。")
    assert balance_of(env, number) == before - 40

    # The quantity chosen before the wrong PIN is still chosen.
    expect(page.locator("[data-line='龙须挂面 1kg'] input")).to_have_value("1")
    tap_pin(page, page.locator("[data-pinpad]"), "1111")
    page.get_by_role("button", name="确认退货").tap()
    expect(page.get_by_text("退货完成，已退还 20 积分。")).to_be_visible()
    expect(page.locator("[data-line='龙须挂面 1kg'] td").nth(3)).to_have_text("1")
    shot("10-returned")
    assert balance_of(env, number) == before - 20
    assert cli(env, "verify").startswith("ok")
