"""Goods in and out in Chromium: scan a donation in, print the donor's acknowledgement, then a
cashier writes off more than the threshold and the store manager approves with their PIN."""
import sqlite3
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from kiosk.demo import ean13
from tests.browser.docshots import keep_for_docs
from tests.helpers import cli, scan, sign_in

OIL = ean13("690123400001")  # 金龙鱼食用油 5L
FLOUR = ean13("690123400002")  # 香满园面粉 2.5kg
SALT = ean13("690123400006")  # 加碘食盐 400g

SMALL_TARGETS = """
() => Array.from(document.querySelectorAll(
    'button, a, input:not([type=hidden]):not([type=radio]):not([type=checkbox]), label.choice, [data-category-tab]'))
  .filter(el => el.offsetParent !== null)
  .map(el => [el.textContent.trim() || el.getAttribute('aria-label') || el.name, el.getBoundingClientRect()])
  .filter(([, r]) => r.width < 48 || r.height < 48)
  .map(([name, r]) => `${name} ${Math.round(r.width)}x${Math.round(r.height)}`)
"""


def quantity(env, name):
    path = env["KIOSK_DATABASE_URL"].split(":///", 1)[1]
    with sqlite3.connect(path) as db:
        return db.execute("SELECT quantity FROM product WHERE name = ?", (name,)).fetchone()[0]


def test_a_donation_is_scanned_in_thanked_and_a_big_write_off_approved_by_pin(server, page, shot):
    url, env = server
    oil, salt = quantity(env, "金龙鱼食用油 5L"), quantity(env, "加碘食盐 400g")

    sign_in(page, url, "李建国", "2222")
    page.get_by_role("link", name="首页").tap()
    expect(page.locator("#near-expiry")).to_be_visible()
    expect(page.locator("[data-low='鸡精 200g']")).to_be_visible()  # none left
    page.locator(".staff-tile", has_text="入库").tap()
    expect(page.locator("#scan")).to_be_focused()

    scan(page, OIL)
    expect(page.locator("[data-line='金龙鱼食用油 5L']")).to_be_visible()
    scan(page, FLOUR)
    expect(page.locator("[data-line='香满园面粉 2.5kg']")).to_be_visible()
    scan(page, "6901234999994")
    expect(page.get_by_role("alert")).to_have_text("本店没有此条码的商品。")
    scan(page, OIL)  # one more of the same
    line = page.locator("[data-line='金龙鱼食用油 5L']")
    expect(line.locator(".qty-input")).to_have_value("2")

    page.locator("#doc-form").get_by_text("捐赠", exact=True).tap()
    page.get_by_label("捐赠人（个人或单位）").fill("幸福里超市")
    page.get_by_label("联系方式（电话）").fill("13800001111")
    line.locator(".qty-input").fill("24")
    line.get_by_label("批号").fill("B2611")
    line.get_by_label("到期日").fill((datetime.now(ZoneInfo("Asia/Shanghai")).date() + timedelta(days=10)).isoformat())
    page.locator("[data-line='香满园面粉 2.5kg']").get_by_role("button", name="加一").tap()
    page.wait_for_load_state("load")  # measured before the stylesheet loads, nothing has its size
    assert page.evaluate(SMALL_TARGETS) == []
    keep_for_docs(shot("goods-in-donation"), "goods-in")
    page.get_by_role("button", name="确认入库").tap()

    expect(page.get_by_test_id("donor")).to_contain_text("幸福里超市")
    expect(page.locator("[data-line='金龙鱼食用油 5L']")).to_contain_text("B2611")
    assert quantity(env, "金龙鱼食用油 5L") == oil + 24
    page.get_by_role("button", name="打印捐赠回执").tap()
    expect(page.get_by_test_id("receipt-status")).to_contain_text("小票已打印")
    shot("goods-in-thanks")

    # The batch expiring in ten days is on the home screen now.
    page.get_by_role("link", name="首页").tap()
    expect(page.locator("[data-batch='金龙鱼食用油 5L']").first).to_contain_text("B2611")
    shot("goods-home-lists")

    sign_in(page, url, "张桂兰", "3333")
    page.get_by_role("link", name="首页").tap()
    page.locator(".staff-tile", has_text="出库").tap()
    expect(page.locator("#scan")).to_be_focused()
    scan(page, SALT)
    row = page.locator("[data-line='加碘食盐 400g']")
    row.locator(".qty-input").fill("12")
    page.locator("#doc-form").get_by_text("破损", exact=True).tap()
    page.locator("input[name=note]").fill("仓库漏水，受潮结块")
    page.get_by_role("button", name="确认出库").tap()
    expect(page.get_by_role("alert")).to_contain_text("须由店长输入密码批准")
    pad = page.locator("[data-pinpad]")
    for digit in "9999":
        pad.get_by_role("button", name=digit, exact=True).tap()
    page.get_by_role("button", name="确认出库").tap()
    expect(page.get_by_role("alert")).to_have_text("店长密码错误。")
    assert quantity(env, "加碘食盐 400g") == salt
    expect(row.locator(".qty-input")).to_have_value("12")  # what was typed stays
    for digit in "1111":
        page.locator("[data-pinpad]").get_by_role("button", name=digit, exact=True).tap()
    shot("goods-out-pin")
    page.get_by_role("button", name="确认出库").tap()
    expect(page.get_by_test_id("approved-by")).to_have_text("批准人：王秀英")
    assert quantity(env, "加碘食盐 400g") == salt - 12
    shot("goods-out-done")
    assert cli(env, "verify").startswith("ok")
