"""The paper preview reads as the printed text: "500ml" is drawn as 500ml, not 500rl.

The preview drew each ASCII character with the CJK font's proportional Latin letters,
centered in a 12-dot cell: a wide letter ("m" is 20 pixels) lost both sides and read "r".
"""
import io
from datetime import datetime

from PIL import Image

from devices import PAPER_58, PAPER_80, Receipt, ReceiptLine, preview_lines, render_escpos, render_items
from devices.layout import TextLine
from devices.paper import render_png
from tests.devices.test_receipt_layout import printed_text

UNITS = Receipt(
    store_name="幸福里社区信义积分超市",
    receipt_no="XYS0000001",
    issued_at=datetime(2026, 11, 23, 10, 55),
    cashier="张桂兰",
    holder="张*华",
    household="1栋1单元101",
    lines=(
        ReceiptLine("海天生抽酱油 500ml", 1, 20),
        ReceiptLine("花生油 1.8L", 1, 50),
        ReceiptLine("云南白药牙膏", 2, 50),
        ReceiptLine("Colgate牙膏 mini 40g×2", 1, 30),
        ReceiptLine("WMmw 宽字母 www.mm", 1, 5),
    ),
    total=205,
    balance_before=860,
    balance_after=655,
)


def stems(image: Image.Image) -> int:
    """The most dark runs on one row of `image` (an "m" has three stems, an "r" one)."""
    pixels = image.convert("1").load()
    best = 0
    for y in range(image.height):
        runs, dark = 0, False
        for x in range(image.width):
            now = pixels[x, y] == 0
            runs += now and not dark
            dark = now
        best = max(best, runs)
    return best


def test_the_text_preview_is_the_printed_text_for_units_and_mixed_names():
    for profile in (PAPER_58, PAPER_80):
        preview = [line.strip() for line in preview_lines(UNITS, profile) if "[QR:" not in line]
        printed = [line.strip() for line in printed_text(render_escpos(UNITS, profile))]
        assert printed == preview
        assert any("500ml" in line for line in printed) and any("1.8L" in line for line in printed)


def test_an_m_on_the_paper_preview_keeps_its_three_stems():
    def drawn(text):
        return Image.open(io.BytesIO(render_png(render_items([TextLine(text)], PAPER_80), PAPER_80)))

    assert stems(drawn("mmmm")) == 12
    assert stems(drawn("rrrr")) <= 8  # a stem and the start of its arm
    assert stems(drawn("500ml")) != stems(drawn("500rl"))
