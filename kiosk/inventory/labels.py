"""Shelf labels (价签) on A4: name, points and barcode, 24 labels of 70 × 37 mm a sheet (the
common 3 × 8 label sheet; on plain paper, cut along the grey guides), laid out by WeasyPrint
(kiosk.a4, ``templates/a4/labels.html``) at their physical size. No Flask here.
"""
from devices.barcodes import QUIET_MODULES, modules
from kiosk import a4

A4_MM = (210.0, 297.0)
LABEL_MM = (70.0, 37.0)
COLUMNS, ROWS = 3, 8
PER_PAGE = COLUMNS * ROWS
MARGIN_MM = 3.0
DOT_MM = 25.4 / 300  # a bar module is a whole number of 300 dpi dots
MODULE_DOTS = 4  # 0.34 mm, narrower only when a long code would not fit


def _laid_out(store_name, product, points_unit):
    """One label as the template draws it, in millimetres from its corner: texts fitted to the
    width (size, text), the price and its unit, the barcode's path and module size."""
    width = LABEL_MM[0] - 2 * MARGIN_MM
    price = f"{product.points}{points_unit}"
    label = {
        "store": a4.fit(store_name, width, 2.8), "name": a4.fit(product.name, width, 5.5, bold=True),
        "price": price, "unit": f"/{product.unit}" if product.unit else "",
        "unit_x": round(MARGIN_MM + a4.text_width(price, 7.5, bold=True) + 1, 3), "bars": "", "code": product.barcode,
    }
    if product.barcode:
        bars = modules(product.barcode)
        total = len(bars) + 2 * QUIET_MODULES
        dots = max(1, min(MODULE_DOTS, round((width + 2) / DOT_MM) // total))
        label.update(bars=a4.bars_path(bars, QUIET_MODULES), module=round(dots * DOT_MM, 5),
                     bars_x=round((LABEL_MM[0] - total * dots * DOT_MM) / 2, 4))
    return label


def labels_pdf(store_name, items, *, points_unit="分"):
    """The labels as a PDF of A4 sheets, one label per product in ``items`` (repeat a product
    for copies). Raises ValueError when there is nothing to print, RuntimeError when the CJK
    font is missing (kiosk.a4.PdfUnavailable when WeasyPrint's libraries are)."""
    items = list(items)
    if not items:
        raise ValueError("no labels to print")
    left = (A4_MM[0] - COLUMNS * LABEL_MM[0]) / 2
    top = (A4_MM[1] - ROWS * LABEL_MM[1]) / 2
    pages = []
    for start in range(0, len(items), PER_PAGE):
        page = []
        for i, product in enumerate(items[start:start + PER_PAGE]):
            page.append({**_laid_out(store_name, product, points_unit),
                         "x": round(left + (i % COLUMNS) * LABEL_MM[0], 3), "y": round(top + (i // COLUMNS) * LABEL_MM[1], 3)})
        pages.append(page)
    return a4.pdf("a4/labels.html", store_name=store_name, pages=pages, label_w=LABEL_MM[0], label_h=LABEL_MM[1],
                  margin=MARGIN_MM)
