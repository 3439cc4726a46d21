"""The store settings in tabs: a change not saved is never lost without being asked (issue 16,
item 7: the store name reverted after 保存 was pressed in another section), every tab fits the
kiosk's screens with 48 px targets, and axe finds nothing serious on any tab.

Screenshots: test-artifacts/settings-<tab>-<size>.png; with KIOSK_UPDATE_DOCS=1 those the
manuals show (DOC_SHOTS) are copied to docs/."""
import os
import re
import shutil
import sqlite3

import pytest
from playwright.sync_api import expect

from tests.browser.axe import assert_accessible
from tests.browser.conftest import ARTIFACTS
from tests.helpers import open_screen, sign_in

pytestmark = pytest.mark.browser

DOCS = ARTIFACTS.parent / "docs"
TABS = (("manage", "/settings/", "管理"), ("store", "/settings/store", "超市与积分卡"), ("points", "/settings/points", "积分"),
        ("redemption", "/settings/redemption", "兑换"), ("stock", "/settings/stock", "库存"),
        ("receipts", "/settings/receipts", "小票"), ("advanced", "/settings/advanced", "高级"))

SMALL_TARGETS = """
() => Array.from(document.querySelectorAll('main button, main a, main input:not([type=hidden]):not([type=radio]):not([type=checkbox]), main label.choice, main select'))
  .filter(el => el.offsetParent !== null && !el.closest('label.toggle'))
  .map(el => [el.textContent.trim() || el.getAttribute('aria-label') || el.name, el.getBoundingClientRect()])
  .filter(([, r]) => r.width < 48 || r.height < 48)
  .map(([name, r]) => `${name} ${Math.round(r.width)}x${Math.round(r.height)}`)
"""


# The ones the manuals show (docs/, both sizes).
DOC_SHOTS = ("settings-manage", "settings-store", "settings-advanced", "settings-unsaved-warning")


def take(shot, name):
    artifact = shot(name)
    if name in DOC_SHOTS and os.environ.get("KIOSK_UPDATE_DOCS"):  # a test run leaves docs/ alone
        shutil.copy(artifact, DOCS / artifact.name)


def store_name(env):
    with sqlite3.connect(env["KIOSK_INSTANCE_PATH"] + "/kiosk.db") as db:
        return db.execute("SELECT name FROM store").fetchone()[0]


def manager(page, url):
    sign_in(page, url, "王秀英", "1111")
    page.wait_for_url(lambda address: "/signin" not in address)


def tab(page, label):
    return page.locator(".settings-tabs").get_by_role("link", name=label, exact=True)


def test_a_changed_store_name_is_never_lost_without_asking(server, page, shot):
    url, env = server
    original = store_name(env)
    manager(page, url)
    page.goto(url + "/settings/")
    tab(page, "超市与积分卡").tap()
    page.wait_for_url("**/settings/store")
    name = page.get_by_label("店名")
    name.tap()
    name.press("End")
    page.keyboard.type("（新）")
    expect(page.get_by_test_id("unsaved-note")).to_have_text("尚未保存")

    # Another tab: the page asks, and staying keeps the change where it was.
    tab(page, "库存").tap()
    dialog = page.locator("#unsaved-changes")
    expect(dialog).to_be_visible()
    expect(dialog.locator("li")).to_have_text(["超市与积分卡"])
    take(shot, "settings-unsaved-warning")
    dialog.get_by_role("button", name="留在本页，去保存").tap()
    expect(dialog).to_be_hidden()
    assert page.url.endswith("/settings/store")
    expect(name).to_have_value(original + "（新）")
    # A header link is the same.
    open_screen(page, "兑换")  # the cashier screen, in the header's 收银 menu
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="留在本页，去保存").tap()
    assert page.url.endswith("/settings/store") and store_name(env) == original

    # A reload or a closed window: the browser asks (beforeunload); dismissed, the page stays.
    asked = []
    page.once("dialog", lambda d: (asked.append(d.type), d.dismiss()))
    page.close(run_before_unload=True)
    expect(name).to_have_value(original + "（新）")
    assert asked == ["beforeunload"]

    # Saved, it is kept and said so: the header shows it.
    page.locator("#store-settings").get_by_role("button", name="保存").tap()
    expect(page.get_by_text("超市与积分卡设置已保存。")).to_be_visible()
    expect(page.locator(".store-name")).to_have_text(original + "（新）")
    assert store_name(env) == original + "（新）"

    # Discarding a change is a choice, and then nothing is saved.
    name = page.get_by_label("店名")
    name.fill(original)
    tab(page, "高级").tap()
    dialog.get_by_role("button", name="放弃这些修改").tap()
    page.wait_for_url("**/settings/advanced")
    assert store_name(env) == original + "（新）"
    with sqlite3.connect(env["KIOSK_INSTANCE_PATH"] + "/kiosk.db") as db:  # the module's other tests see the demo's name
        db.execute("UPDATE store SET name = ?", (original,))


def test_saving_one_section_asks_about_another_sections_changes(server, page):
    url, env = server
    manager(page, url)
    page.goto(url + "/settings/points")
    notice = page.locator("#notice-settings")
    cutoff = notice.get_by_label("每月公示截止日（1–28 日）")
    before = cutoff.input_value()
    cutoff.fill("27" if before != "27" else "26")
    # The expiry section saves in place (htmx): the other section's change stays on the page.
    expiry = page.locator("#expiry-settings")
    expiry.get_by_role("button", name="保存").tap()
    expect(expiry.locator(".message.success")).to_contain_text("已保存")
    expect(cutoff).not_to_have_value(before)
    # The deductions section loads the page again: the notice's change would be lost, so it asks.
    page.locator("#earning-settings").get_by_role("button", name="保存").tap()
    dialog = page.locator("#unsaved-changes")
    expect(dialog).to_be_visible()
    expect(dialog.locator("li")).to_have_text(["积分公示"])
    dialog.get_by_role("button", name="留在本页，去保存").tap()
    notice.get_by_role("button", name="保存").tap()
    expect(page.get_by_text("公示设置已保存。")).to_be_visible()
    with sqlite3.connect(env["KIOSK_INSTANCE_PATH"] + "/kiosk.db") as db:
        assert str(db.execute("SELECT notice_cutoff_day FROM store").fetchone()[0]) != before
        db.execute("UPDATE store SET notice_cutoff_day = ?", (int(before),))


def test_every_tab_fits_the_screen_with_big_targets(server, page, shot):
    url, _ = server
    manager(page, url)
    size = page.viewport_size
    for name, path, label in TABS:
        page.goto(url + path)
        page.wait_for_load_state("load")
        expect(tab(page, label)).to_have_attribute("aria-current", "page")
        assert page.evaluate(SMALL_TARGETS) == [], name
        # The tabs take one row, nothing is wider than the screen, and no tab is the old 4,900 px page.
        tabs = page.locator(".settings-tabs").bounding_box()
        assert tabs["height"] < 70, (name, tabs)
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"], name
        height = page.evaluate("document.documentElement.scrollHeight")
        assert height <= 2 * size["height"], (name, height)
        take(shot, f"settings-{name}")
    # Keyboard: the tabs are links in order, each reachable by Tab and opened by Enter.
    page.goto(url + "/settings/")
    tab(page, "管理").focus()
    page.keyboard.press("Tab")
    expect(tab(page, "超市与积分卡")).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/settings/store$"))


def test_no_settings_tab_has_a_serious_accessibility_problem(server, browser):
    url, _ = server
    context = browser.new_context(viewport={"width": 1280, "height": 800}, has_touch=True, locale="zh-CN")
    page = context.new_page()
    try:
        manager(page, url)
        for name, path, label in TABS:
            page.goto(url + path)
            page.wait_for_load_state("load")
            expect(tab(page, label)).to_have_attribute("aria-current", "page")
            assert_accessible(page, f"settings {name}")
        # The warning dialog too.
        page.goto(url + "/settings/store")
        page.get_by_label("店名").fill("改了")
        tab(page, "积分").tap()
        expect(page.locator("#unsaved-changes")).to_be_visible()
        assert_accessible(page, "settings: changes not saved")
    finally:
        context.close()


def test_the_idle_sign_out_is_not_held_up_by_changes_not_saved(server, page):
    """A manager who walks away from a changed form is still signed out after the idle period
    (KIOSK_IDLE_SIGNOUT_SECONDS, 300 s): nothing asks the empty room whether to leave."""
    url, env = server
    page.clock.install()
    manager(page, url)
    page.goto(url + "/settings/store")
    page.get_by_label("店名").fill("没人保存的店名")
    expect(page.get_by_test_id("unsaved-note")).to_be_visible()
    asked = []
    page.on("dialog", lambda d: (asked.append(d.type), d.dismiss()))
    page.clock.fast_forward("05:01")
    # The idle sign-out and the header's polls may both navigate; the last one wins, so wait on
    # where the page ends up rather than on one navigation (which the other may abort).
    expect(page).to_have_url(re.compile(r"/signin"))
    expect(page.get_by_text("工作人员登录")).to_be_visible()
    assert asked == [] and store_name(env) != "没人保存的店名"
