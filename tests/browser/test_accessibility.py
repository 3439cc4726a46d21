"""axe-core on the screens a volunteer or a resident meets, at 1280×800 and 1024×768: the sign-in
and PIN screens, the resident's passbook, the stock-take count (with a counted line and with its
keypad open) and the manager's variances, and the monthly notice. Each fails on any serious or
critical violation (tests/browser/axe.py), with axe's experimental label-content-name-mismatch
as well (a control whose name does not hold the text it shows: a voice user says what they see)."""
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from kiosk import keys
from kiosk.cards.service import card_payload
from tests.browser.axe import assert_accessible
from tests.browser.conftest import running_kiosk
from tests.browser.test_notice_display import PUBLISH
from tests.helpers import open_screen, sign_in

pytestmark = pytest.mark.browser

# Per screen size its own category, so that the two runs against one server do not meet; the
# larger screen counts blind (no books, no variances on the count screen).
COUNTS = {1280: ("粮油", True), 1024: ("调味", False)}
ALSO = ("label-content-name-mismatch",)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The demo store with a published monthly notice. The passbook stays open and the idle
    screen does not rotate to the notice while axe looks (both on the clock otherwise)."""
    instance = tmp_path_factory.mktemp("axe-instance")
    with running_kiosk(instance, KIOSK_PASSBOOK_SECONDS="600", KIOSK_NOTICE_ROTATE_SECONDS="0") as (url, env):
        subprocess.run([sys.executable, "-c", PUBLISH], env=env, capture_output=True, text=True, check=True)
        yield url, env


def loaded(page):
    page.wait_for_load_state("load")  # the stylesheet in: axe judges contrast and sizes on it


def test_the_sign_in_and_pin_screens(server, page):
    url, _ = server
    page.goto(url + "/signin")
    expect(page.get_by_text("张桂兰")).to_be_visible()
    loaded(page)
    assert_accessible(page, "登录", ALSO)
    page.get_by_text("张桂兰").tap()
    expect(page.get_by_role("button", name="登录")).to_be_visible()
    loaded(page)
    assert_accessible(page, "输入密码", ALSO)
    # A wrong PIN: the page again with its red message.
    for digit in "9999":
        page.get_by_role("button", name=digit, exact=True).tap()
    page.get_by_role("button", name="登录").tap()
    expect(page.get_by_role("alert")).to_be_visible()
    loaded(page)
    assert_accessible(page, "输入密码（密码错误）", ALSO)


def test_the_passbook_idle_and_with_a_card(server, page):
    url, env = server
    page.goto(url + "/passbook/")
    expect(page.locator("#passbook-scan")).to_be_focused()
    loaded(page)
    assert_accessible(page, "积分查询（空闲）", ALSO)
    # The card as the camera hands it in (scanner.js), not typed: the passbook tells a scanner
    # from a person by key timing, which a loaded machine upsets.
    payload = card_payload("XY", "10000009", keys.load(env["KIOSK_INSTANCE_PATH"])["CARD_SIGNING_KEY"])
    assert page.evaluate("code => window.kioskScan(code)", payload)
    expect(page.get_by_test_id("passbook-balance")).to_be_visible()
    expect(page.locator(".passbook-entries")).to_contain_text("期初积分")
    assert_accessible(page, "积分查询（存折）", ALSO)
    # A code that is no card of this store: the idle screen with its message.
    assert page.evaluate("code => window.kioskScan(code)", "NOT-A-CARD")
    expect(page.get_by_test_id("passbook-balance")).to_have_count(0)
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page, "积分查询（无效卡）", ALSO)


def test_the_stock_take_count_and_variance_screens(server, page):
    url, _ = server
    category, blind = COUNTS[page.viewport_size["width"]]
    sign_in(page, url, "李建国", "2222")
    open_screen(page, "盘点")
    expect(page.get_by_role("button", name="开始盘点")).to_be_visible()
    loaded(page)
    assert_accessible(page, "盘点（开始）", ALSO)
    page.locator("label.choice-tile", has_text=category).tap()
    if blind:
        page.locator("label.choice-tile", has_text="盲盘").tap()
    page.get_by_role("button", name="开始盘点").tap()
    expect(page.get_by_test_id("progress")).to_contain_text("已盘 0 /")
    loaded(page)
    assert_accessible(page, "盘点（未清点）", ALSO)

    # One line counted on its keypad (the line then shows its number), the next one's keypad open.
    first, second = page.locator(".count-line").nth(0), page.locator(".count-line").nth(1)
    first.get_by_test_id("counted").tap()
    expect(first.locator("[data-pinpad]")).to_be_visible()
    first.get_by_role("button", name="3", exact=True).tap()
    first.locator(".count-keypad").get_by_role("button", name="保存").tap()
    expect(first.get_by_test_id("counted")).to_have_text("3")
    expect(first.locator("[data-pinpad]")).to_have_count(0)
    second.get_by_test_id("counted").tap()
    expect(second.locator("[data-pinpad]")).to_be_visible()
    assert_accessible(page, "盘点（已清点一行，数字键盘打开）", ALSO)
    second.locator(".count-keypad").get_by_role("button", name="关闭").tap()
    expect(second.locator("[data-pinpad]")).to_have_count(0)

    # The manager's variances of that count.
    sign_in(page, url, "王秀英", "1111")
    open_screen(page, "盘点")
    page.locator("tr", has_text=category).first.get_by_role("link", name="差异表").tap()
    expect(page.get_by_role("button", name="完成盘点并调整库存")).to_be_visible()
    loaded(page)
    assert_accessible(page, "盘点差异表", ALSO)


def test_the_monthly_notice(server, page):
    url, _ = server
    page.goto(url + "/notice/display")
    expect(page.get_by_test_id("notice-board")).to_be_visible()
    expect(page.locator(".board-lines tbody tr").first).to_be_visible()
    loaded(page)
    assert_accessible(page, "积分公示", ALSO)
