"""The cashier's goods at 1024×768 and 1280×800: the category filter keeps to one row (more
categories than fit scroll sideways behind a fade), its buttons say which one is chosen
(aria-pressed, no tablist of plain buttons), and more than nine of the demo's goods show whole
without scrolling, every tile 48 px or more with a readable name."""
import re

from playwright.sync_api import expect

from tests.browser.axe import assert_accessible
from tests.helpers import sign_in

TABS = """() => Array.from(document.querySelectorAll('[data-category-tab]')).map(el => Math.round(el.getBoundingClientRect().top))"""
TILES = """() => {
  const area = document.querySelector('.goods').getBoundingClientRect();
  const tabs = document.querySelector('.goods .tabs').getBoundingClientRect();
  const tiles = Array.from(document.querySelectorAll('.goods-grid .tile')).filter(el => el.checkVisibility());
  const whole = tiles.filter(el => { const r = el.getBoundingClientRect();
    return r.top >= tabs.bottom - 0.5 && r.bottom <= area.bottom + 0.5 && r.bottom <= window.innerHeight && r.right <= window.innerWidth; });
  return {
    whole: whole.length,
    small: tiles.map(el => el.getBoundingClientRect()).filter(r => r.width < 48 || r.height < 48).length,
    nameSizes: tiles.map(el => parseFloat(getComputedStyle(el.querySelector('.tile-name')).fontSize)),
  };
}"""


def test_one_row_of_categories_and_more_than_nine_goods_in_view(server, page, shot):
    url, _ = server
    size = f"{page.viewport_size['width']}x{page.viewport_size['height']}"
    sign_in(page, url, "张桂兰", "3333")
    expect(page.locator("#scan")).to_be_focused()
    page.wait_for_load_state("load")

    tops = page.evaluate(TABS)
    assert len(tops) == 7 and len(set(tops)) == 1, f"the categories wrap: {tops}"
    assert page.locator("[role=tablist]").count() == 0
    row = page.get_by_role("group", name="分类")
    expect(row.get_by_role("button", name="全部")).to_have_attribute("aria-pressed", "true")

    grid = page.evaluate(TILES)
    assert grid["whole"] > 9, f"only {grid['whole']} goods show whole at {size}"
    assert grid["small"] == 0
    assert min(grid["nameSizes"]) >= 16
    shot("cashier-goods")
    assert_accessible(page, f"cashier at {size}")

    # A category chosen: only its goods, the button pressed.
    row.get_by_role("button", name="文具").tap()
    expect(row.get_by_role("button", name="文具")).to_have_attribute("aria-pressed", "true")
    expect(row.get_by_role("button", name="全部")).to_have_attribute("aria-pressed", "false")
    expect(page.locator("[data-product='中性笔 10支']")).to_be_visible()
    expect(page.locator("[data-product='东北大米 5kg']")).to_be_hidden()

    # More categories than fit (the row made narrow here): still one row, a fade says there is
    # more, and it goes once the row is scrolled to its end.
    tabs = page.locator("[data-category-tabs]")
    tabs.evaluate("row => { row.style.maxWidth = '260px'; window.dispatchEvent(new Event('resize')); }")
    assert len(set(page.evaluate(TABS))) == 1
    expect(tabs).to_have_class(re.compile(r"\bmore-right\b"))
    tabs.evaluate("row => row.scrollTo(row.scrollWidth, 0)")
    expect(tabs).not_to_have_class(re.compile(r"\bmore-right\b"))
