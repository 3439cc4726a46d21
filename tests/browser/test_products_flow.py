"""Operations staff add a product on the touch screen: the barcode is scanned (the scan fills
the barcode field wherever the focus is, and submits nothing), a photo is uploaded; the cashier
then sees the product with its photo on the goods grid."""

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from tests.browser.docshots import keep_for_docs
from tests.helpers import open_screen, scan, sign_in

pytestmark = pytest.mark.browser

# Checkboxes and radio buttons count by their label, which is what a finger taps.
SMALL_TARGETS = """
() => Array.from(document.querySelectorAll('button, a, input:not([type=hidden]), select'))
  .filter(el => el.offsetParent !== null)
  .map(el => ['checkbox', 'radio'].includes(el.type) && el.closest('label') ? el.closest('label') : el)
  .map(el => [el.textContent.trim() || el.getAttribute('aria-label') || el.name, el.getBoundingClientRect()])
  .filter(([, r]) => r.width < 48 || r.height < 48)
  .map(([name, r]) => `${name} ${Math.round(r.width)}x${Math.round(r.height)}`)
"""


def photo(path):
    image = Image.new("RGB", (1200, 900), (250, 236, 200))
    draw = ImageDraw.Draw(image)
    draw.ellipse((350, 150, 850, 750), fill=(214, 160, 40))
    draw.rectangle((540, 60, 660, 180), fill=(40, 110, 60))
    image.save(path, "JPEG")
    return path


def test_add_a_product_with_a_scanned_barcode_and_a_photo_and_see_it_at_the_cashier(server, page, shot, tmp_path):
    url, env = server
    width = page.viewport_size["width"]
    name, code = f"花生油{width}", f"HS-{width}"

    sign_in(page, url, "李建国", "2222")
    open_screen(page, "商品")
    expect(page.locator("#product-list")).to_be_visible()
    page.wait_for_load_state("load")  # measured before the stylesheet loads, nothing has its size
    assert page.evaluate(SMALL_TARGETS) == []
    shot("60-products")
    page.get_by_role("link", name="新增商品").tap()

    name_field = page.locator("input[name=name]")
    name_field.tap()
    page.keyboard.type(name, delay=120)  # a person typing, slower than a scanner
    page.locator("input[name=category]").fill("粮油")
    page.locator("input[name=points]").fill("66")
    # The scanner fires while the focus is still in another field: the code goes into the
    # barcode field, nothing lands in the focused field, and the form is not sent.
    page.locator("input[name=points]").focus()
    scan(page, code.lower())
    expect(page.locator("input[name=barcode]")).to_have_value(code.lower())
    expect(page.locator("input[name=points]")).to_have_value("66")
    expect(name_field).to_have_value(name)
    assert page.url.endswith("/products/new")
    # Scanned again with the barcode field focused: the field holds the new code, not two.
    scan(page, code)
    expect(page.locator("input[name=barcode]")).to_have_value(code)
    assert page.url.endswith("/products/new")

    page.locator("input[name=photo]").set_input_files(str(photo(tmp_path / "peanut-oil.jpg")))
    page.wait_for_load_state("load")  # measured before the stylesheet loads, nothing has its size
    assert page.evaluate(SMALL_TARGETS) == []
    keep_for_docs(shot("61-new-product"), "product-edit")
    page.get_by_role("button", name="保存").tap()
    expect(page.get_by_text(f"已保存：{name}")).to_be_visible()
    expect(page.locator("input[name=barcode]")).to_have_value(code)
    expect(page.locator(".photo-preview")).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                           arg=page.locator(".photo-preview").element_handle(), timeout=15_000)
    assert page.locator(".photo-preview").evaluate("img => img.naturalWidth") == 600
    shot("62-product-saved")

    # A refused form keeps what was typed and says why in Chinese.
    page.locator("input[name=points]").fill("0")
    page.get_by_role("button", name="保存").tap()
    expect(page.get_by_text("积分价格须为 1 到 100000 之间的整数。")).to_be_visible()
    expect(page.locator("input[name=name]")).to_have_value(name)
    # A new price is saved with who changed it.
    page.locator("input[name=points]").fill("70")
    page.get_by_role("button", name="保存").tap()
    expect(page.get_by_text(f"已保存：{name}")).to_be_visible()
    history = page.locator("table.price-history tbody tr")
    expect(history).to_have_count(1)
    expect(history.first).to_contain_text("66")
    expect(history.first).to_contain_text("70")
    expect(history.first).to_contain_text("李建国")
    history.first.scroll_into_view_if_needed()
    shot("64-price-history")

    sign_in(page, url, "张桂兰", "3333")
    tile = page.locator(f"[data-product='{name}']")
    tile.scroll_into_view_if_needed()
    expect(tile).to_be_visible()
    expect(tile.locator(".tile-price")).to_have_text("70分")
    tile_photo = tile.locator("img.tile-photo")
    expect(tile_photo).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=tile_photo.element_handle())
    shot("63-cashier-grid-with-photo")
