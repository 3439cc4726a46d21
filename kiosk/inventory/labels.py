"""Shelf labels (价签) on A4: name, points and barcode, 24 labels of 70 × 37 mm a sheet (the
common 3 × 8 label sheet; on plain paper, cut along the grey guides). No Flask here.
"""
import io

from PIL import Image, ImageDraw

from devices.barcodes import QUIET_MODULES, barcode_image, modules
from kiosk.cards.render import A4_MM, INK, MUTED, _fit, cjk_font

LABEL_MM = (70.0, 37.0)
COLUMNS, ROWS = 3, 8
PER_PAGE = COLUMNS * ROWS
ACCENT = (194, 65, 12)
GUIDE = (200, 200, 200)


def label_image(store_name, product, *, points_unit="分", dpi=300):
    """One label as a PIL image (70 × 37 mm at ``dpi``). Raises RuntimeError without the CJK font."""
    def px(mm):
        return round(mm * dpi / 25.4)

    width, height = px(LABEL_MM[0]), px(LABEL_MM[1])
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    margin = px(3)
    font, text = _fit(draw, store_name, width - 2 * margin, px(2.8))
    draw.text((margin, px(4.5)), text, font=font, fill=MUTED, anchor="ls")
    font, text = _fit(draw, product.name, width - 2 * margin, px(5.5), bold=True)
    draw.text((margin, px(11)), text, font=font, fill=INK, anchor="ls")
    price = f"{product.points}{points_unit}"
    price_font = cjk_font(px(7.5), True)
    draw.text((margin, px(19.5)), price, font=price_font, fill=ACCENT, anchor="ls")
    if product.unit:
        left = margin + draw.textlength(price, font=price_font) + px(1)
        draw.text((left, px(19.5)), f"/{product.unit}", font=cjk_font(px(3.5)), fill=MUTED, anchor="ls")
    if product.barcode:
        bars = len(modules(product.barcode)) + 2 * QUIET_MODULES
        module = max(1, min(px(0.33), (width - 2 * margin + 2 * px(1)) // bars))
        code = barcode_image(product.barcode, module=module, height=px(9)).convert("RGB")
        top = px(21.5)
        image.paste(code, ((width - code.width) // 2, top))
        draw.text((width // 2, top + code.height + px(3)), product.barcode, font=cjk_font(px(2.8)), fill=INK, anchor="ms")
    return image


def sheet_images(store_name, items, *, points_unit="分", dpi=300):
    """A4 page images with one label per product in ``items`` (repeat a product for copies).

    Raises ValueError when there is nothing to print.
    """
    items = list(items)
    if not items:
        raise ValueError("no labels to print")

    def px(mm):
        return round(mm * dpi / 25.4)

    page_w, page_h = px(A4_MM[0]), px(A4_MM[1])
    label_w, label_h = px(LABEL_MM[0]), px(LABEL_MM[1])
    left, top = (page_w - COLUMNS * label_w) // 2, (page_h - ROWS * label_h) // 2
    pages = []
    for start in range(0, len(items), PER_PAGE):
        page = Image.new("RGB", (page_w, page_h), "white")
        draw = ImageDraw.Draw(page)
        for i, product in enumerate(items[start:start + PER_PAGE]):
            x, y = left + (i % COLUMNS) * label_w, top + (i // COLUMNS) * label_h
            page.paste(label_image(store_name, product, points_unit=points_unit, dpi=dpi), (x, y))
            draw.rectangle((x, y, x + label_w - 1, y + label_h - 1), outline=GUIDE, width=1)
        pages.append(page)
    return pages


def labels_pdf(store_name, items, *, points_unit="分", dpi=300):
    """The labels as a PDF of A4 sheets. Raises ValueError when there is nothing to print."""
    first, *rest = sheet_images(store_name, items, points_unit=points_unit, dpi=dpi)
    out = io.BytesIO()
    # Barcodes need hard edges: JPEG at high quality without chroma subsampling, as the cards.
    first.save(out, "PDF", save_all=True, append_images=rest, resolution=dpi, quality=95, subsampling=0)
    return out.getvalue()
