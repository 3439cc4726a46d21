"""The cart at 1024×768 and 1280×800: up to eight goods every line shows whole, without the page
scrolling, also for a card with a proxy (代领人) row; past eight the list scrolls inside itself,
a cue counts the lines out of sight, and the total and 确认兑换 stay in view. axe finds nothing
serious on the screen with a cart."""
import os
import shutil
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.axe import assert_accessible
from tests.browser.test_redemption_flow import assert_touch_targets, payload_of
from tests.helpers import scan, sign_in

DOCS = Path(__file__).resolve().parents[2] / "docs"
# 李秀兰's household also has 王德明: her card shows the 代领人 row (who picks the goods up).
PROXY_CARD = "10000002"
GOODS = ["东北大米 5kg", "金龙鱼食用油 5L", "香满园面粉 2.5kg", "加碘食盐 400g", "海天生抽酱油 500ml",
         "心相印卫生纸 10卷", "立白洗洁精 1kg", "蓝月亮洗衣液 2kg", "纯棉毛巾", "中性笔 10支"]

BOXES = """() => {
  const box = el => { const r = el.getBoundingClientRect(); return {top: r.top, bottom: r.bottom, left: r.left, right: r.right}; };
  return {
    cart: box(document.querySelector('.cart')),
    lines: Array.from(document.querySelectorAll('.cart [data-line]')).map(el => [el.dataset.line, box(el)]),
    page: document.scrollingElement.scrollHeight - window.innerHeight,
  };
}"""


def keep_for_docs(path, name):
    if os.environ.get("KIOSK_UPDATE_DOCS"):  # the manuals' screenshots; a test run leaves docs/ alone
        shutil.copy(path, DOCS / name)


def add(page, names):
    for name in names:
        page.locator(f"[data-product='{name}']").tap()
        expect(page.locator(f".cart [data-line='{name}']")).to_be_attached()


def assert_every_line_in_view(page, count):
    width, height = page.viewport_size["width"], page.viewport_size["height"]
    boxes = page.evaluate(BOXES)
    assert boxes["page"] <= 0, "the page itself scrolls"
    cart = boxes["cart"]
    assert len(boxes["lines"]) == count
    for name, line in boxes["lines"]:
        assert 0 <= line["top"] and line["bottom"] <= height and 0 <= line["left"] and line["right"] <= width, name
        assert cart["top"] - 0.5 <= line["top"] and line["bottom"] <= cart["bottom"] + 0.5, f"{name} is cut by the cart"


def test_eight_goods_show_whole_and_more_scroll_inside_the_cart_with_a_cue(server, page, shot):
    url, env = server
    size = f"{page.viewport_size['width']}x{page.viewport_size['height']}"
    sign_in(page, url, "张桂兰", "3333")
    expect(page.locator("#scan")).to_be_focused()
    page.wait_for_load_state("load")
    scan(page, payload_of(env, PROXY_CARD))
    expect(page.get_by_test_id("holder")).to_contain_text("*")
    expect(page.locator(".pickup")).to_be_visible()  # the 代领人 row

    add(page, GOODS[:3])
    assert_every_line_in_view(page, 3)
    keep_for_docs(shot("cashier-cart-3"), f"cashier-cart-3-{size}.png")

    add(page, GOODS[3:8])
    assert_every_line_in_view(page, 8)
    expect(page.get_by_test_id("cart-cue")).to_be_hidden()
    expect(page.get_by_test_id("total")).to_be_in_viewport(ratio=1)
    expect(page.get_by_role("button", name="确认兑换")).to_be_in_viewport(ratio=1)
    expect(page.get_by_test_id("item-count")).to_have_text("共 8 件")
    assert_touch_targets(page)
    keep_for_docs(shot("cashier-cart-8"), f"cashier-cart-8-{size}.png")
    assert_accessible(page, f"cashier with eight goods at {size}")

    # Ten: the list scrolls inside itself and says how many more lines there are.
    add(page, GOODS[8:])
    cue = page.get_by_test_id("cart-cue")
    expect(cue).to_be_visible()
    expect(cue).to_contain_text("上面还有 2 种商品")  # the cart followed the line just added
    expect(page.get_by_test_id("total")).to_be_in_viewport(ratio=1)
    expect(page.get_by_role("button", name="确认兑换")).to_be_in_viewport(ratio=1)
    assert page.evaluate(BOXES)["page"] <= 0
    # The line just added was brought into view inside the cart.
    last = page.locator(f".cart [data-line='{GOODS[-1]}']")
    expect(last).to_be_in_viewport(ratio=1)
    keep_for_docs(shot("cashier-cart-10"), f"cashier-cart-10-{size}.png")
    assert_accessible(page, f"cashier with ten goods at {size}")
    # Scrolled back to the top, the cue counts the lines below; a tap on it scrolls to them.
    page.locator(".cart").evaluate("cart => cart.scrollTo(0, 0)")
    expect(cue).to_contain_text("还有 2 种商品，向下滑动")
    expect(page.locator(f".cart [data-line='{GOODS[0]}']")).to_be_in_viewport(ratio=1)
    cue.tap()
    expect(last).to_be_in_viewport(ratio=1)
