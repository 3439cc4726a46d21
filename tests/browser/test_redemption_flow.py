"""The cashier's whole loop in Chromium, by touch, with a scanner typing into the page."""
import subprocess
import sys

from playwright.sync_api import expect

from kiosk.demo import ean13
from tests.browser.docshots import keep_for_docs, settle_for_docs
from tests.helpers import balance_of, cli, open_screen, scan, sign_in

# One card per screen size, so the two runs against one server do not share a balance.
CARDS = {1280: "10000001", 1024: "10000003"}


def payload_of(env, number):
    # `kiosk demo` prints scannable payloads; the signing key lives in the instance folder.
    code = (
        "from kiosk.cards.service import card_payload; from kiosk import keys; import os;"
        "k = keys.load(os.environ['KIOSK_INSTANCE_PATH'])['CARD_SIGNING_KEY'];"
        f"print(card_payload('XY', '{number}', k))"
    )
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout.strip()


SMALL_TARGETS = """
() => Array.from(document.querySelectorAll('button, a, input:not([type=hidden]), [data-category-tab]'))
  .filter(el => el.offsetParent !== null)
  .map(el => [el.textContent.trim() || el.getAttribute('aria-label') || el.name, el.getBoundingClientRect()])
  .filter(([, r]) => r.width < 48 || r.height < 48)
  .map(([name, r]) => `${name} ${Math.round(r.width)}x${Math.round(r.height)}`)
"""


def assert_touch_targets(page):
    """Every visible control is at least 48 px both ways, for fingers at arm's length."""
    page.wait_for_load_state("load")  # measured before the stylesheet loads, nothing has its size
    assert page.evaluate(SMALL_TARGETS) == []


def test_sign_in_scan_add_three_goods_check_out_and_reprint(server, page, shot):
    url, env = server
    number = CARDS[page.viewport_size["width"]]
    before = balance_of(env, number)

    page.goto(url + "/")
    expect(page.get_by_text("工作人员登录")).to_be_visible()
    assert_touch_targets(page)
    shot("01-signin")
    sign_in(page, url, "张桂兰", "3333")
    expect(page.get_by_text("请扫描积分卡")).to_be_visible()
    expect(page.locator("#scan")).to_be_focused()
    keep_for_docs(shot("02-cashier-idle"), "cashier-idle")

    scan(page, payload_of(env, number))
    expect(page.get_by_test_id("balance")).to_have_text(str(before))
    expect(page.get_by_test_id("holder")).to_contain_text("*")
    shot("03-card-scanned")

    for name in ("金龙鱼食用油 5L", "加碘食盐 400g", "心相印卫生纸 10卷"):
        page.locator(f"[data-product='{name}']").tap()
        expect(page.locator(f"[data-line='{name}']")).to_be_visible()
        # Focus goes back to the scan field after every tap, ready for the scanner.
        expect(page.locator("#scan")).to_be_focused()
    page.locator("[data-line='加碘食盐 400g']").get_by_role("button", name="加一").tap()
    expect(page.locator("[data-line='加碘食盐 400g'] .qty")).to_have_text("2")
    total = 100 + 2 * 20 + 50
    expect(page.get_by_test_id("total")).to_have_text(str(total))
    assert_touch_targets(page)
    shot("04-cart")

    page.get_by_role("button", name="确认兑换").tap()
    expect(page.get_by_text("兑换成功", exact=True)).to_be_visible()
    expect(page.get_by_test_id("new-balance")).to_have_text(str(before - total))
    expect(page.get_by_text("小票已打印")).to_be_visible()
    assert_touch_targets(page)
    keep_for_docs(shot("05-checked-out"), "cashier-checked-out")
    assert balance_of(env, number) == before - total

    page.get_by_role("button", name="重印小票").tap()
    expect(page.get_by_text("小票已重印。")).to_be_visible()
    open_screen(page, "小票")
    expect(page.locator(".paper").first).to_contain_text("重印")
    expect(page.locator(".paper").first).to_contain_text("加碘食盐 400g")
    settle_for_docs(page)
    keep_for_docs(shot("06-receipts"), "receipts")
    assert cli(env, "verify").startswith("ok")


def test_bad_scans_show_a_clear_message_and_change_nothing(server, page, shot):
    url, env = server
    sign_in(page, url, "张桂兰", "3333")
    expect(page.locator("#scan")).to_be_focused()

    scan(page, ean13("690123400000"))  # the demo rice's barcode, before any card
    expect(page.get_by_role("alert")).to_have_text("这是商品条码，请先扫描积分卡。")
    scan(page, "JF:XY:10000002:AAAAAAAAAAAAAAAA")
    expect(page.get_by_role("alert")).to_have_text("无效卡。")
    scan(page, "#$%^&*()")
    expect(page.get_by_role("alert")).to_have_text("无法识别扫描内容，请重新扫描。")
    expect(page.get_by_text("请扫描积分卡")).to_be_visible()
    shot("07-bad-scan")

    # A card with too few points: the checkout button is disabled and says why.
    number = "10000010"  # 周文斌, 45 points
    scan(page, payload_of(env, number))
    scan(page, ean13("690123400000"))  # a product barcode with a card adds the product
    expect(page.locator("[data-line='东北大米 5kg']")).to_be_visible()
    expect(page.get_by_test_id("reason")).to_contain_text("积分不足")
    expect(page.get_by_role("button", name="确认兑换")).to_be_disabled()
    keep_for_docs(shot("08-not-enough-points"), "cashier-refused")
    assert balance_of(env, number) == 45
