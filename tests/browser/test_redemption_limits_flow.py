"""Purchase limits and redemption times in Chromium: the manager sets them by touch, the
cashier sees what is left, is refused one more, and sees when redemption is closed."""
import subprocess
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.docshots import keep_for_docs
from tests.helpers import balance_of, open_screen, scan, sign_in

OIL = "金龙鱼食用油 5L"
SALT = "加碘食盐 400g"
# One household per screen size, so the two runs against one server do not share an allowance.
CARDS = {1280: "10000001", 1024: "10000004"}

SMALL_TARGETS = """
() => Array.from(document.querySelectorAll('button, a, input:not([type=hidden]), [data-category-tab]'))
  .filter(el => el.offsetParent !== null)
  .map(el => [el.textContent.trim() || el.getAttribute('aria-label') || el.name, el.getBoundingClientRect()])
  .filter(([, r]) => r.width < 48 || r.height < 48)
  .map(([name, r]) => `${name} ${Math.round(r.width)}x${Math.round(r.height)}`)
"""


def assert_touch_targets(page, within="body"):
    """Every visible control (inside ``within``) is at least 48 px both ways."""
    page.wait_for_load_state("load")  # measured before the stylesheet loads, nothing has its size
    small = page.evaluate(SMALL_TARGETS.replace("document.querySelectorAll(", f"document.querySelector('{within}').querySelectorAll("))
    assert small == []


def signed_in(page, url, name, pin):
    """Sign in and wait for the screen it leads to (the cashier screen for both roles here).

    The page is left first: a background request still under way (the printer status) would
    otherwise bring the old session's cookie back after sign_in cleared it."""
    page.goto("about:blank")
    sign_in(page, url, name, pin)
    expect(page.locator("#scan")).to_be_visible()


def payload_of(env, number):
    code = (
        "from kiosk.cards.service import card_payload; from kiosk import keys; import os;"
        "k = keys.load(os.environ['KIOSK_INSTANCE_PATH'])['CARD_SIGNING_KEY'];"
        f"print(card_payload('XY', '{number}', k))"
    )
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout.strip()


def test_the_manager_limits_oil_and_the_cashier_is_refused_a_second_bottle(server, page, shot):
    url, env = server
    number = CARDS[page.viewport_size["width"]]
    before = balance_of(env, number)

    signed_in(page, url, "王秀英", "1111")
    open_screen(page, "超市设置")
    page.locator(".settings-tabs").get_by_role("link", name="兑换", exact=True).tap()
    page.get_by_role("link", name="设置商品限购").tap()
    expect(page.get_by_role("heading", name="商品限购")).to_be_visible()
    page.wait_for_load_state("load")  # typed before htmx is there, the search would never be sent
    page.get_by_placeholder("按商品名称、条码或类别查找").fill("食用油")
    row = page.locator(f"[data-limit-product='{OIL}']")
    expect(page.locator("[data-limit-product]")).to_have_count(1)
    row.get_by_role("link").tap()
    quantity = row.locator("input[name=quantity]")
    quantity.fill("0")
    row.get_by_role("button", name="保存").tap()
    expect(row.get_by_text("限购数量须为 1 到 999 之间的整数。")).to_be_visible()
    expect(row.locator("input[name=quantity]")).to_have_value("0")
    row.get_by_role("button", name="加一").tap()
    row.locator("label.toggle", has_text="每月").tap()
    assert_touch_targets(page, "#limit-rows")
    shot("limits-edit")
    row.get_by_role("button", name="保存").tap()
    expect(row.get_by_test_id("limit-text")).to_have_text("每月限 1 桶")
    expect(row.get_by_text("限购已保存。")).to_be_visible()
    shot("limits-saved")

    signed_in(page, url, "张桂兰", "3333")
    tile = page.locator(f"[data-product='{OIL}']")
    expect(tile.locator(".tile-limit")).to_have_text("每月限 1 桶")
    scan(page, payload_of(env, number))
    expect(page.get_by_test_id("balance")).to_have_text(str(before))
    expect(tile.locator(".tile-limit")).to_have_text("本月还可兑换 1 桶")
    tile.tap()
    line = page.locator(f"[data-line='{OIL}']")
    expect(line).to_be_visible()
    expect(line.locator(".line-limit")).to_have_text("本月已达限购")
    expect(tile.locator(".tile-limit")).to_have_text("本月已达限购")

    tile.tap()
    expect(page.get_by_text(f"{OIL}：本账户每月限兑换 1 桶，本月还可兑换 0 桶。")).to_be_visible()
    expect(line.locator(".qty")).to_have_text("1")
    line.get_by_role("button", name="加一").tap()
    expect(page.get_by_text(f"{OIL}：本账户每月限兑换 1 桶，本月还可兑换 0 桶。")).to_be_visible()
    expect(line.locator(".qty")).to_have_text("1")
    assert_touch_targets(page)
    keep_for_docs(shot("cashier-limit-refused"), "cashier-limit")

    page.get_by_role("button", name="确认兑换").tap()
    expect(page.get_by_text("兑换成功", exact=True)).to_be_visible()
    assert balance_of(env, number) == before - 100
    page.get_by_role("button", name="完成").tap()
    scan(page, payload_of(env, number))
    expect(tile.locator(".tile-limit")).to_have_text("本月已达限购")
    tile.tap()
    expect(page.get_by_text(f"{OIL}：本账户每月限兑换 1 桶，本月还可兑换 0 桶。")).to_be_visible()
    expect(page.locator(f"[data-line='{OIL}']")).to_have_count(0)


def test_when_redemption_is_closed_the_cashier_sees_when_it_opens(server, page, shot):
    url, env = server
    number = CARDS[page.viewport_size["width"]]
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    other = 1 if today.day != 1 else 2

    signed_in(page, url, "王秀英", "1111")
    page.goto(url + "/settings/redemption")
    section = page.locator("#redemption-window")
    expect(section.get_by_test_id("window-status")).to_contain_text("随时可兑换")
    section.locator(".toggle-grid.days label.toggle").nth(other - 1).tap()
    # Ticking a day chooses "certain days of each month" by itself.
    expect(section.locator("input[name=mode][value=month_days]")).to_be_checked()
    assert_touch_targets(page, "#redemption-window .toggle-grid.days")
    shot("settings-window")
    try:
        section.get_by_role("button", name="保存兑换时间").tap()
        expect(page.get_by_text("兑换时间已保存。")).to_be_visible()
        expect(page.locator("#redemption-window").get_by_test_id("window-status")).to_contain_text(f"每月 {other} 日")
        expect(page.locator("#redemption-window").get_by_test_id("window-status")).to_contain_text("接下来的兑换时间")
        size = page.viewport_size
        ARTIFACTS.mkdir(exist_ok=True)
        page.locator("#redemption-window").screenshot(path=str(ARTIFACTS / f"settings-window-saved-{size['width']}x{size['height']}.png"))

        signed_in(page, url, "张桂兰", "3333")
        notice = page.get_by_test_id("window-closed")
        expect(notice).to_contain_text("现在不是兑换时间")
        expect(notice).to_contain_text("下次开放：")
        expect(notice).to_contain_text(f"{other}日")
        scan(page, payload_of(env, number))
        expect(page.get_by_test_id("balance")).to_have_text(str(balance_of(env, number)))
        page.locator(f"[data-product='{SALT}']").tap()
        expect(page.locator("#register .message.error")).to_contain_text("现在不是兑换时间")
        expect(page.locator(f"[data-line='{SALT}']")).to_have_count(0)
        expect(page.get_by_role("button", name="确认兑换")).to_have_count(0)  # nothing to redeem while closed
        assert_touch_targets(page)
        keep_for_docs(shot("cashier-window-closed"), "cashier-closed")
    finally:
        # Open again for the next run (the server is shared by the module).
        signed_in(page, url, "王秀英", "1111")
        page.goto(url + "/settings/redemption")
        page.locator("#redemption-window input[name=mode][value=always]").check()
        page.locator("#redemption-window").get_by_role("button", name="保存兑换时间").tap()
        expect(page.get_by_text("兑换时间已保存。")).to_be_visible()
