"""A blind stock-take on the touch screen while another kiosk keeps selling, then the manager
finalizes and sees the adjustments: a sale before an item is counted is no shortage, a sale
after it stays a sale."""
import sqlite3

import pytest
from playwright.sync_api import expect

from kiosk.demo import ean13
from tests.browser.conftest import CHROMIUM_ARGS  # noqa: F401  (the same Chromium set-up)
from tests.browser.docshots import keep_for_docs
from tests.helpers import cli, open_screen, scan, sign_in

pytestmark = pytest.mark.browser

SMALL_TARGETS = """
() => Array.from(document.querySelectorAll('button, a, input:not([type=hidden]), [data-category-tab]'))
  .filter(el => el.offsetParent !== null)
  .map(el => [el.textContent.trim() || el.getAttribute('aria-label') || el.name, el.getBoundingClientRect()])
  .filter(([, r]) => r.width < 48 || r.height < 48)
  .map(([name, r]) => `${name} ${Math.round(r.width)}x${Math.round(r.height)}`)
"""

# Per screen size its own category, so the two runs against one server do not overlap.
# counted_then_sold: counted first, one sold after; sold_then_counted: two sold, then counted;
# stepped: typed on the keypad as the books say, then one more with the + stepper.
CASES = {
    1280: {"category": "粮油", "card": "10000001",
           "counted_then_sold": ("东北大米 5kg", 0, 40, 100), "sold_then_counted": ("金龙鱼食用油 5L", 1, 25, 100),
           "stepped": ("香满园面粉 2.5kg", 2, 30, 50)},
    1024: {"category": "调味", "card": "10000003",
           "counted_then_sold": ("加碘食盐 400g", 6, 80, 20), "sold_then_counted": ("海天生抽酱油 500ml", 7, 50, 20),
           "stepped": ("山西老陈醋 500ml", 8, 45, 20)},
}


def assert_touch_targets(page):
    page.wait_for_load_state("load")  # measured before the stylesheet loads, nothing has its size
    assert page.evaluate(SMALL_TARGETS) == []


def quantity(env, name):
    path = env["KIOSK_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        return db.execute("SELECT quantity FROM product WHERE name = ?", (name,)).fetchone()[0]


def payload_of(env, number):
    from kiosk import keys
    from kiosk.cards.service import card_payload

    return card_payload("XY", number, keys.load(env["KIOSK_INSTANCE_PATH"])["CARD_SIGNING_KEY"])


def sell(till, env, card, name, times):
    """The cashier at the other kiosk (signed in once: signing in again while its printer badge
    refreshes could race) redeems ``times`` of ``name`` and returns to idle."""
    expect(till.get_by_text("请扫描积分卡")).to_be_visible()
    till.locator("#scan").focus()
    scan(till, payload_of(env, card))
    expect(till.get_by_test_id("balance")).to_be_visible()
    till.locator(f"[data-product='{name}']").tap()
    for _ in range(times - 1):
        till.locator(f"[data-line='{name}']").get_by_role("button", name="加一").tap()
    expect(till.locator(f"[data-line='{name}'] .qty")).to_have_text(str(times))
    till.get_by_role("button", name="确认兑换").tap()
    expect(till.get_by_text("兑换成功", exact=True)).to_be_visible()
    till.get_by_role("button", name="完成", exact=True).tap()
    expect(till.get_by_text("请扫描积分卡")).to_be_visible()


def keypad(line, digits):
    for digit in digits:
        line.get_by_role("button", name=digit, exact=True).tap()
    line.get_by_role("button", name="保存").tap()


def test_a_blind_stock_take_while_another_kiosk_sells_then_finalize(server, browser, page, shot):
    url, env = server
    width = page.viewport_size["width"]
    case = CASES[width]
    rice, rice_order, rice_stock, rice_points = case["counted_then_sold"]
    oil, _, oil_stock, _ = case["sold_then_counted"]
    flour, _, flour_stock, flour_points = case["stepped"]
    other = browser.new_context(viewport=page.viewport_size, has_touch=True, locale="zh-CN")
    till = other.new_page()
    try:
        sign_in(till, url, "张桂兰", "3333")  # the other kiosk, open for redemptions throughout
        # Operations starts a blind count of one category on the touch screen.
        sign_in(page, url, "李建国", "2222")
        open_screen(page, "盘点")
        page.locator("label.choice-tile", has_text=case["category"]).tap()
        page.locator("label.choice-tile", has_text="盲盘").tap()
        assert_touch_targets(page)
        shot("50-stocktake-start")
        page.get_by_role("button", name="开始盘点").tap()
        expect(page.get_by_test_id("progress")).to_contain_text("已盘 0 /")
        expect(page.locator(".blind-badge")).to_be_visible()
        expect(page.get_by_test_id("book")).to_have_count(0)  # blind: the books are hidden
        assert_touch_targets(page)
        shot("51-stocktake-blind")

        # A barcode of no product says so; a product's barcode jumps to its line with the keypad.
        page.locator("#scan").focus()
        scan(page, "6900000000000")
        expect(page.locator("#scan-feedback").get_by_role("alert")).to_have_text("本店没有此条码的商品。")
        # The shelf has two less than the books.
        scan(page, ean13(f"6901234{rice_order:05d}"))
        line = page.locator(f"[data-line='{rice}']")
        expect(line.locator("[data-pinpad]")).to_be_visible()
        expect(line).to_be_in_viewport()
        assert_touch_targets(page)
        shot("52-stocktake-keypad")
        keypad(line, str(rice_stock - 2))
        expect(line.get_by_test_id("counted")).to_have_text(str(rice_stock - 2))
        expect(line.locator("[data-pinpad]")).to_have_count(0)
        expect(line).not_to_contain_text("盘亏")  # blind: no variance shown either

        # Meanwhile the other kiosk sells: one of what was just counted, two of what was not yet.
        sell(till, env, case["card"], rice, 1)
        sell(till, env, case["card"], oil, 2)
        assert quantity(env, rice) == rice_stock - 1 and quantity(env, oil) == oil_stock - 2

        # The oil on the shelf is what the books say now: counted by tapping its number.
        line = page.locator(f"[data-line='{oil}']")
        line.get_by_test_id("counted").tap()
        keypad(line, str(oil_stock - 2))
        expect(line.get_by_test_id("counted")).to_have_text(str(oil_stock - 2))
        # The flour: typed as it is, then one more found behind it, with the + stepper.
        line = page.locator(f"[data-line='{flour}']")
        line.get_by_test_id("counted").tap()
        keypad(line, str(flour_stock))
        expect(line.get_by_test_id("counted")).to_have_text(str(flour_stock))
        line.get_by_role("button", name="加一").tap()
        expect(line.get_by_test_id("counted")).to_have_text(str(flour_stock + 1))
        expect(page.get_by_test_id("progress")).to_contain_text("已盘 3 /")
        keep_for_docs(shot("53-stocktake-counted"), "stocktake-count")

        # A typo is refused in Chinese and changes nothing.
        line.get_by_test_id("counted").tap()
        line.locator("[data-pin-field]").fill("-1")
        line.get_by_role("button", name="保存").tap()
        expect(line.get_by_role("alert")).to_have_text("盘点数量须为 0 到 999999 之间的整数。")
        line.get_by_role("button", name="关闭").tap()
        expect(line.locator("[data-pinpad]")).to_have_count(0)
        expect(line.get_by_test_id("counted")).to_have_text(str(flour_stock + 1))

        # The manager reviews the differences and finalizes with the PIN.
        sign_in(page, url, "王秀英", "1111")
        open_screen(page, "盘点")
        page.locator("tr", has_text=case["category"]).first.get_by_role("link", name="差异表").tap()
        expect(page.get_by_test_id("shortage")).to_have_text(str(-2 * rice_points))
        expect(page.get_by_test_id("surplus")).to_have_text(f"+{flour_points}")
        expect(page.locator(f"[data-variance='{oil}']")).to_contain_text("0")
        expect(page.locator(f"[data-variance='{rice}'] td").nth(5)).to_have_text("-1")  # sold after counting
        assert_touch_targets(page)
        keep_for_docs(shot("54-stocktake-variances"), "stocktake-variances")
        for digit in "1111":
            page.locator("[data-pinpad]").get_by_role("button", name=digit, exact=True).tap()
        page.get_by_role("button", name="完成盘点并调整库存").tap()
        expect(page.get_by_text("已完成：调整了 2 种商品。")).to_be_visible()
        expect(page.locator(f"[data-variance='{rice}'] td").nth(5)).to_have_text("-2")
        expect(page.locator(f"[data-variance='{flour}'] td").nth(5)).to_have_text("+1")
        assert_touch_targets(page)
        shot("55-stocktake-finished")

        # The books now match the shelves: the rice counted less the one sold since.
        assert quantity(env, rice) == rice_stock - 2 - 1
        assert quantity(env, oil) == oil_stock - 2
        assert quantity(env, flour) == flour_stock + 1
        assert cli(env, "verify").startswith("ok")
        with page.expect_popup() as popup:
            page.get_by_role("link", name="打印（A4 PDF）").tap()
        assert popup.value.url.endswith("/report.pdf")
    finally:
        other.close()
