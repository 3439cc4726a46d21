"""A4 shelf-label sheets (kiosk.inventory.labels): 70 × 37 mm labels, 24 a sheet, whose barcodes
an independent decoder (zxing-cpp) reads off the page as PDFium renders it."""
import pytest
import zxingcpp

from kiosk.inventory import labels
from kiosk.inventory.models import Product
from tests.helpers import pdf_page_images, pdf_page_sizes_mm, pdf_text

DPI = 600


def products(count):
    return [Product(name=f"商品{i}", points=10 + i, unit="瓶", barcode=f"XY-{i:04d}") for i in range(count)]


def test_twenty_five_labels_make_two_a4_sheets_and_every_barcode_reads_back():
    data = labels.labels_pdf("幸福里超市", products(25))
    assert pdf_page_sizes_mm(data) == [(210.0, 297.0)] * 2
    first, second = pdf_page_images(data, dpi=300)
    assert sorted(r.text for r in zxingcpp.read_barcodes(first)) == [f"XY-{i:04d}" for i in range(24)]
    assert [r.text for r in zxingcpp.read_barcodes(second)] == ["XY-0024"]
    text = pdf_text(data)
    assert "幸福里超市" in text and "商品7" in text and "17分" in text


def test_labels_are_70_by_37_mm_exactly():
    (page,) = pdf_page_images(labels.labels_pdf("幸福里超市", products(24)), dpi=DPI)
    mm = lambda px: px * 25.4 / DPI  # noqa: E731
    gray = page.convert("L")
    # Every label's barcode is centred on it, so the codes of a row sit a label's width apart.
    found = {r.text: r.position for r in zxingcpp.read_barcodes(gray)}
    assert len(found) == 24
    centre = {text: mm((p.top_left.x + p.top_right.x) / 2) for text, p in found.items()}
    for i in range(24):
        if i % 3:
            assert centre[f"XY-{i:04d}"] - centre[f"XY-{i - 1:04d}"] == pytest.approx(labels.LABEL_MM[0], abs=0.15)
    assert centre["XY-0000"] == pytest.approx(labels.LABEL_MM[0] / 2, abs=0.3)  # the first column starts at 0
    # The grey cutting guides crossing a column near the labels' right edge (nothing else is
    # printed there) stand a label's height apart: nine lines, eight rows of 37 mm.
    column = [160 < gray.getpixel((round(66 * DPI / 25.4), y)) < 240 for y in range(page.height)]
    guides = [mm(y) for y in _runs(column)]
    assert len(guides) == 9
    for upper, lower in zip(guides, guides[1:]):
        assert lower - upper == pytest.approx(labels.LABEL_MM[1], abs=0.1)


def _runs(values):
    """Centres of the runs of True in ``values``."""
    runs, start = [], None
    for index, hit in enumerate(list(values) + [False]):
        if hit and start is None:
            start = index
        elif not hit and start is not None:
            runs.append((start + index - 1) / 2)
            start = None
    return runs


def test_no_labels_is_an_error():
    with pytest.raises(ValueError):
        labels.labels_pdf("幸福里超市", [])
