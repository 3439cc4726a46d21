"""The store manager imports the sample rules catalog through its preview and reorders the
goods categories on the touch screen; every button is big enough to tap."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import CHROMIUM_ARGS  # noqa: F401  (the same Chromium set-up)
from tests.browser.docshots import keep_for_docs
from tests.helpers import sign_in

pytestmark = pytest.mark.browser

SMALL_TARGETS = """
() => Array.from(document.querySelectorAll('main button, main a, main input:not([type=hidden]):not([type=radio]), main label.choice, main select, main summary'))
  .filter(el => el.offsetParent !== null)
  .map(el => [el.textContent.trim() || el.getAttribute('aria-label') || el.name, el.getBoundingClientRect()])
  .filter(([, r]) => r.width < 48 || r.height < 48)
  .map(([name, r]) => `${name} ${Math.round(r.width)}x${Math.round(r.height)}`)
"""


def assert_touch_targets(page):
    page.wait_for_load_state("load")
    assert page.evaluate(SMALL_TARGETS) == []


def test_the_manager_imports_the_sample_catalog_and_orders_the_categories(server, page, shot):
    url, _ = server
    sign_in(page, url, "王秀英", "1111")
    page.wait_for_url(lambda address: "/signin" not in address)
    page.goto(url + "/settings/")
    page.get_by_role("link", name="积分规则").tap()
    expect(page.locator('tr[data-rule="PARKING"]')).to_be_visible()
    assert_touch_targets(page)
    keep_for_docs(shot("rules"), "rules")

    page.get_by_role("link", name="新增规则").tap()
    page.wait_for_url(re.compile(r"/rules/new$"))
    assert_touch_targets(page)
    for field, value in (("name", "文明劝导员"), ("category", "文明实践"), ("points", "10"), ("cap_month", "5")):
        page.locator(f'.rule-form input[name="{field}"]').fill(value)
    page.get_by_role("button", name="保存").tap()
    expect(page.get_by_role("alert")).to_contain_text("每月上限（5）低于一次的积分（10）")
    shot("rule-form")
    page.goto(url + "/rules/")

    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("下载示例规则库")).tap()
    sample = download.value.path()
    page.locator('#rules-import input[type=file]').set_input_files(sample)
    page.get_by_role("button", name="检查文件").tap()
    expect(page.locator(".catalog-preview")).to_be_visible()
    expect(page.locator('[data-count="rows"]')).to_have_text("41")
    shot("rules-import-preview")
    if page.viewport_size["width"] == 1280:  # the first run imports; the same server's second finds it done
        page.locator(".confirm-import button").tap()
        expect(page.get_by_text(re.compile("规则导入完成"))).to_be_visible()
        expect(page.locator('tr[data-rule="BRAVE"]')).to_be_visible()
    else:
        expect(page.locator('[data-count="same"]')).to_have_text("41")
        expect(page.locator(".confirm-import")).to_have_count(0)

    page.goto(url + "/categories/")
    assert_touch_targets(page)
    first = page.locator("tr[data-category]").first.get_attribute("data-category")
    second = page.locator("tr[data-category]").nth(1).get_attribute("data-category")
    page.locator(f'tr[data-category="{second}"]').get_by_role("button", name=re.compile("上移")).tap()
    expect(page.locator("tr[data-category]").first).to_have_attribute("data-category", second)
    page.locator(f'tr[data-category="{second}"]').get_by_role("button", name="停用").tap()
    expect(page.get_by_role("alert")).to_contain_text(f"类别“{second}”下还有")
    shot("categories")
    assert page.locator("tr[data-category]").nth(1).get_attribute("data-category") == first
