"""Shelf labels on the receipt printer: the exact ESC/POS bytes (GB18030 text, GS k barcodes),
the fallback to an image when bars would not fit, and barcodes a scanner reads off the paper."""
import pytest
import zxingcpp

from devices import PAPER_58, PAPER_80, ShelfLabel, ShelfLabels, preview_lines, render_escpos
from devices.barcodes import CODE128, EAN13, barcode_image, is_ean13, symbology
from devices.paper import render_paper

CHINESE = lambda text: b"\x1c&" + text.encode("gb18030") + b"\x1c."  # noqa: E731  FS & … FS .


def test_one_label_is_exactly_these_bytes():
    labels = ShelfLabels("信义超市", (ShelfLabel("食用油", 100, "6901234567892", "瓶"),))
    assert render_escpos(labels, PAPER_58) == b"".join([
        b"\x1b@",                                   # ESC @
        b"\x1ba\x01", CHINESE("信义超市"), b"\n",      # centered store name
        b"\x1d!\x11\x1c!\x0c", CHINESE("食用油"), b"\n",  # double size (GS ! and FS !)
        b"\x1bE\x01", CHINESE("100分/瓶"), b"\n",       # bold, still double size
        b"\x1bd\x01",                                # a line of space above the bars
        b"\x1d!\x00\x1c!\x00\x1bE\x00",              # back to normal for the barcode
        b"\x1dhP",                                   # GS h 80: bars 80 dots (10 mm) tall
        b"\x1dw\x03",                                # GS w 3: module width 3 dots
        b"\x1df\x00\x1dH\x02",                       # HRI digits in font A, below the bars
        b"\x1dkC\x0d6901234567892",                  # GS k 67 (EAN-13) n=13 and the digits
        b"\x1bd\x02",                                # feed
        b"\x1dVB\x00",                               # feed to the cutter and cut
    ])


@pytest.mark.parametrize("code, command", [
    ("12345678", b"\x1dkI\x06{C\x0c\x22\x38\x4e"),   # even digits: code set C, a byte per pair
    ("6901234000017", b"\x1dkI\x0f{B6901234000017"),  # a wrong EAN check digit: Code 128, set B
    ("XY{01", b"\x1dkI\x08{BXY{{01"),                # "{" is doubled inside the data
])
def test_other_codes_are_sent_as_code_128(code, command):
    data = render_escpos(ShelfLabels("", (ShelfLabel("盐", 20, code),)), PAPER_80)
    assert command in data


def test_a_label_without_barcode_has_no_barcode_command():
    data = render_escpos(ShelfLabels("", (ShelfLabel("水果券", 50, ""),)), PAPER_80)
    assert b"\x1dk" not in data and CHINESE("水果券") in data


def test_bars_too_wide_for_the_paper_become_an_image_with_the_code_under_it():
    code = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"  # 32 characters: 387 modules, too wide at 2 dots on 58 mm
    data = render_escpos(ShelfLabels("", (ShelfLabel("长码商品", 5, code),)), PAPER_58)
    assert b"\x1dk" not in data and b"\x1dv0\x00" in data and code.encode() + b"\n" in data


def test_every_barcode_on_the_paper_reads_back():
    labels = ShelfLabels("信义超市", tuple(ShelfLabel(f"商品{i}", 10 + i, code) for i, code in enumerate(
        ["6901234567892", "6901234000017", "12345678", "XY-0001", "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"])))
    for profile in (PAPER_58, PAPER_80):
        paper = render_paper(render_escpos(labels, profile), profile).convert("L")
        found = [(r.text, r.format.name) for r in zxingcpp.read_barcodes(paper)]
        assert sorted(found) == sorted([("6901234567892", "EAN13"), ("6901234000017", "Code128"), ("12345678", "Code128"),
                                        ("XY-0001", "Code128"), ("ABCDEFGHIJKLMNOPQRSTUVWXYZ012345", "Code128")])


def test_labels_survive_the_print_queue_and_read_as_text():
    labels = ShelfLabels("信义超市", (ShelfLabel("大米", 50, "XY-0001", "袋"),))
    assert ShelfLabels.from_dict(labels.to_dict()) == labels
    lines = [line.strip() for line in preview_lines(labels, PAPER_80)]
    assert lines == ["信义超市", "大米", "50分/袋", "[|||| XY-0001 ||||]"]


def test_which_symbology_a_code_gets():
    assert is_ean13("6901234567892") and not is_ean13("6901234567893") and not is_ean13("690123456789")
    assert symbology("6901234567892") == EAN13 and symbology("6901234567893") == CODE128
    with pytest.raises(ValueError):
        symbology("条码")
    image = barcode_image("XY-0001", module=1, height=10)
    assert image.mode == "1" and image.height == 10
