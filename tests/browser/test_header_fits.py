"""The header at 1024×768 and 1280×800 for every role: one row of the same height at both
sizes, the screens grouped by task (a menu per task where a role has many), the signed-in name,
the store's whole name and the printer's state in words always in view; the home screen's
tiles are the header's screens. Nothing scrolls sideways, in either language."""
import os
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.axe import assert_accessible
from tests.helpers import sign_in

pytestmark = pytest.mark.browser

DOCS = Path(__file__).resolve().parents[2] / "docs"
STAFF = [("王秀英", "1111"), ("李建国", "2222"), ("张桂兰", "3333"), ("陈志强", "4444")]
ROLES = {"王秀英": "manager", "李建国": "operations", "张桂兰": "cashier", "陈志强": "service"}
# The task groups each role's header shows, in order ("首页" first).
GROUPS = {
    "manager": ["收银", "库存", "积分", "管理"],
    "operations": ["库存", "积分"],
    "cashier": ["收银", "库存"],
    "service": ["积分审核", "志愿导入", "积分公示", "报表"],  # four screens: links, no menus
}
WIDER_THAN_THE_SCREEN = "() => document.documentElement.scrollWidth - window.innerWidth"
HEADER = """() => {
  const bar = document.querySelector('header.topbar');
  const store = bar.querySelector('.store-name');
  const shown = el => el.checkVisibility({visibilityProperty: true});
  const targets = Array.from(bar.querySelectorAll('a, button, summary')).filter(shown);
  const r = bar.getBoundingClientRect();
  return {
    height: r.height,
    storeCut: store.scrollWidth > store.clientWidth,
    // One row: every target's middle lies within the bar, none below another.
    rows: new Set(targets.map(el => { const b = el.getBoundingClientRect(); return Math.round((b.top + b.bottom) / 2 / 16); })).size,
    small: targets.map(el => [el.textContent.trim(), el.getBoundingClientRect()])
                  .filter(([, b]) => b.width < 48 || b.height < 48).map(([t, b]) => `${t} ${Math.round(b.width)}x${Math.round(b.height)}`),
    items: Array.from(bar.querySelector('nav').children).map(el => (el.tagName === 'DETAILS' ? el.querySelector('summary') : el).childNodes[0].textContent.trim()),
  };
}"""
SCREENS = """(selector) => Array.from(document.querySelectorAll(selector)).map(a => [a.getAttribute('href'), (a.querySelector('.tile-title') || a).childNodes[0].textContent.trim()])"""


def keep_for_docs(path, name):
    if os.environ.get("KIOSK_UPDATE_DOCS"):  # the manuals' screenshots; a test run leaves docs/ alone
        shutil.copy(path, DOCS / name)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_no_screen_scrolls_sideways_for_any_role(server, page, shot, language):
    url, _ = server
    sign_out = "退出" if language == "zh" else "Sign out"
    for name, pin in STAFF:
        sign_in(page, url, name, pin)
        page.wait_for_url(lambda address: "/signin" not in address)
        if language == "en":
            page.get_by_role("button", name="English").tap()
            expect(page.get_by_role("button", name="中文")).to_be_visible()
        # The header is the same on every screen of a role: its first screen tells.
        page.wait_for_load_state("load")  # the stylesheet decides the widths
        assert page.evaluate(WIDER_THAN_THE_SCREEN) <= 0, f"{name}: {page.url}"
        expect(page.get_by_role("button", name=sign_out)).to_be_in_viewport(ratio=1)
        expect(page.locator("nav.nav > *").last).to_be_in_viewport(ratio=1)
        assert page.evaluate(HEADER)["rows"] == 1, f"{name} ({language}): the header wraps"
        if name == "王秀英":
            shot(f"70-header-{language}")


def test_each_role_has_a_one_row_header_grouped_by_task_that_the_home_tiles_repeat(server, page, shot):
    url, _ = server
    size = f"{page.viewport_size['width']}x{page.viewport_size['height']}"
    for name, pin in STAFF:
        role = ROLES[name]
        sign_in(page, url, name, pin)
        page.wait_for_url(lambda address: "/signin" not in address)
        page.goto(url + "/home")
        page.wait_for_load_state("load")
        header = page.evaluate(HEADER)
        # The same 64 px at both sizes (the store's name, the person and the screens never wrap).
        assert 60 <= header["height"] <= 68, f"{role}: the header is {header['height']} px high"
        assert header["rows"] == 1, f"{role}: the header wraps"
        assert header["small"] == [], f"{role}: targets under 48 px"
        assert not header["storeCut"], f"{role}: the store's name is cut"
        assert header["items"] == ["首页", *GROUPS[role]]
        expect(page.get_by_test_id("store-name")).to_have_text("幸福里社区信义积分超市")
        expect(page.get_by_test_id("staff-name")).to_contain_text(name)
        expect(page.get_by_test_id("staff-name")).to_be_in_viewport(ratio=1)
        if role in ("cashier", "manager"):
            badge = page.get_by_test_id("printer-badge")
            expect(badge).to_contain_text("打印机正常")
            expect(badge).to_be_in_viewport(ratio=1)

        # The home tiles are the header's screens: the same links, names and order.
        menus = page.locator("header details.nav-group")
        tiles = page.evaluate(SCREENS, "[data-screen]")
        header_links = page.evaluate(SCREENS, "header nav a:not([href='/home'])")
        assert tiles == header_links and len(tiles) >= 4, role
        # Each menu opens in view, one at a time, its links 48 px or more.
        for index in range(menus.count()):
            menus.nth(index).locator("summary").tap()
            links = menus.nth(index).locator(".nav-menu a")
            for link in range(links.count()):
                expect(links.nth(link)).to_be_in_viewport(ratio=1)
                box = links.nth(link).bounding_box()
                assert box["height"] >= 48 and box["width"] >= 48
            assert page.locator("header details.nav-group[open]").count() == 1
        keep_for_docs(shot(f"header-{role}"), f"header-{role}-{size}.png")
        if menus.count():
            page.keyboard.press("Escape")
            expect(page.locator("header details.nav-group[open]")).to_have_count(0)
        assert_accessible(page, f"home of the {role} at {size}")
        shot(f"home-{role}")


def test_the_current_screen_is_marked_in_its_task_menu(server, page):
    url, _ = server
    sign_in(page, url, "王秀英", "1111")
    page.wait_for_url("**/cashier/")
    page.goto(url + "/stocktake/")
    stock = page.locator("header details.nav-group", has_text="库存")
    expect(stock).to_have_class(re.compile(r"\bactive\b"))
    stock.locator("summary").tap()
    expect(stock.get_by_role("link", name="盘点")).to_have_attribute("aria-current", "page")
    stock.get_by_role("link", name="入库").tap()
    page.wait_for_url("**/stock/in/")
    expect(page.locator("header details.nav-group", has_text="库存")).to_have_class(re.compile(r"\bactive\b"))
