"""At 1024x768 (and 1280x800): 取消 on the cashier screen, then 撤销 brings the same cart back; a resident's
passbook on the sign-in screen leaves the staff names in view and closes with its 关闭 button."""
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, running_kiosk
from tests.browser.test_redemption_flow import payload_of
from tests.helpers import scan, sign_in

CARDS = {1024: "10000005", 1280: "10000006"}
GOODS = ("金龙鱼食用油 5L", "加碘食盐 400g")


@pytest.fixture(scope="module")
def kiosk_server(tmp_path_factory):
    # A passbook that stays open long enough to be closed by hand.
    with running_kiosk(tmp_path_factory.mktemp("cancel-undo"), KIOSK_PASSBOOK_SECONDS="300") as running:
        yield running


@pytest.fixture(params=[(1024, 768), (1280, 800)], ids=lambda size: f"{size[0]}x{size[1]}")
def small(browser, request):
    width, height = request.param
    context = browser.new_context(viewport={"width": width, "height": height}, has_touch=True, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    size = page.viewport_size
    page.screenshot(path=str(ARTIFACTS / f"{name}-{size['width']}x{size['height']}.png"))


def in_viewport(page, locator):
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= page.viewport_size["height"]


def test_cancel_then_undo_brings_back_the_same_cart(kiosk_server, small):
    url, env = kiosk_server
    page = small
    sign_in(page, url, "张桂兰", "3333")
    expect(page.get_by_text("请扫描积分卡")).to_be_visible()
    scan(page, payload_of(env, CARDS[page.viewport_size["width"]]))
    expect(page.get_by_test_id("holder")).to_contain_text("*")
    for name in GOODS:
        page.locator(f"[data-product='{name}']").tap()
        expect(page.locator(f"[data-line='{name}']")).to_be_visible()
    page.locator(f"[data-product='{GOODS[1]}']").tap()
    expect(page.locator(f"[data-line='{GOODS[1]}'] .qty")).to_have_text("2")
    total = page.get_by_test_id("total").inner_text()
    shot(page, "cancel-1-cart")

    page.locator(".cancel-form").get_by_role("button", name="取消").tap()
    expect(page.get_by_text("请扫描积分卡")).to_be_visible()
    expect(page.locator("[data-line]")).to_have_count(0)
    notice = page.get_by_test_id("undo-notice")
    expect(notice).to_contain_text("已取消")
    shot(page, "cancel-2-undo-offered")

    notice.get_by_role("button", name="撤销").tap()
    expect(page.get_by_test_id("holder")).to_contain_text("*")
    for name in GOODS:
        expect(page.locator(f"[data-line='{name}']")).to_be_visible()
    expect(page.locator(f"[data-line='{GOODS[1]}'] .qty")).to_have_text("2")
    expect(page.get_by_test_id("total")).to_have_text(total)
    expect(page.get_by_test_id("undo-notice")).to_have_count(0)
    shot(page, "cancel-3-undone")


def test_the_passbook_closes_with_its_button_and_leaves_the_staff_names_in_view(kiosk_server, small):
    url, env = kiosk_server
    page = small
    page.goto(url + "/")
    expect(page.locator("#passbook-scan")).to_be_focused()
    scan(page, payload_of(env, "10000009"))
    expect(page.get_by_test_id("passbook-balance")).to_be_visible()
    countdown = page.get_by_test_id("passbook-countdown")
    expect(countdown).not_to_have_text("300")  # counting down
    names = page.locator(".staff-tile .name")
    assert names.count() > 0
    for index in range(names.count()):
        assert in_viewport(page, names.nth(index)), names.nth(index).inner_text()
    close = page.get_by_test_id("passbook-close")
    assert in_viewport(page, close)
    shot(page, "passbook-open-beside-signin")

    close.tap()
    expect(page.get_by_test_id("passbook-balance")).to_have_count(0)
    expect(page.get_by_test_id("passbook-close")).to_have_count(0)
    expect(page.locator(".passbook-idle")).to_be_visible()
    expect(page.get_by_text("工作人员登录")).to_be_visible()
    shot(page, "passbook-closed")
