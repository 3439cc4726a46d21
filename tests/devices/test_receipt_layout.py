"""Layout on paper: widths, column alignment, wrapping, refund and reprint markers."""

import dataclasses
import re

import pytest

from devices import (
    PAPER_58,
    PAPER_80,
    ReceiptLabels,
    ReceiptLine,
    display_width,
    preview_lines,
    render_escpos,
)
from devices.layout import item_widths

PROFILES = [PAPER_58, PAPER_80]


def paper_width(line: str) -> int:
    """Width on a GB18030 printer, where × · — etc. print full width."""
    return display_width(line, ambiguous=2)


def row_for(lines: list[str], name_start: str) -> str:
    return next(line for line in lines if line.startswith(name_start))


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.name)
@pytest.mark.parametrize("kind", ["sale", "refund"])
def test_every_preview_line_fits_the_paper(busy_receipt, profile, kind):
    receipt = dataclasses.replace(busy_receipt, kind=kind, original_receipt_no="R1").as_reprint()
    lines = preview_lines(receipt, profile)
    assert lines
    for line in lines:
        assert display_width(line) <= profile.columns, line
        assert paper_width(line) <= profile.columns, line


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.name)
def test_points_of_chinese_row_line_up_with_ascii_row(small_receipt, profile):
    lines = preview_lines(small_receipt, profile)
    chinese, ascii_row = row_for(lines, "大米5kg"), row_for(lines, "Soap")
    _, qty_w, points_w = item_widths(profile.columns)
    for row, qty, points in ((chinese, "1", "50"), (ascii_row, "2", "6")):
        assert row.endswith(points)
        assert display_width(row) == profile.columns
        qty_end = display_width(row[: row.rindex(qty) + 1])
        assert qty_end == profile.columns - points_w
    assert display_width(row_for(lines, "商品")) == profile.columns


def test_ambiguous_width_characters_count_double_for_alignment(small_receipt):
    receipt = dataclasses.replace(small_receipt, lines=(ReceiptLine("纸巾×6", 2, 5),))
    row = row_for(preview_lines(receipt, PAPER_80), "纸巾×6")
    assert paper_width(row) == PAPER_80.columns
    assert row.endswith(" 10")


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.name)
def test_long_name_wraps_with_numbers_on_its_first_line(small_receipt, profile):
    name = "维达抽纸超韧三层一百三十抽六包家庭装整箱"
    receipt = dataclasses.replace(small_receipt, lines=(ReceiptLine(name, 2, 25),))
    lines = preview_lines(receipt, profile)
    start = next(i for i, line in enumerate(lines) if line.startswith(name[:2]))
    name_w = item_widths(profile.columns)[0]
    first, rest = lines[start], lines[start + 1 : start + 3]
    assert re.search(r" 2 +50$", first)
    pieces = [first[: len(first.rstrip(" 0123456789"))].rstrip()]
    for line in rest:
        if line.startswith("-"):
            break
        pieces.append(line)
    assert "".join(pieces) == name
    assert all(display_width(piece) <= name_w for piece in pieces)


def test_long_english_name_wraps_at_spaces(small_receipt):
    name = "Colgate Total Advanced Whitening Toothpaste"
    receipt = dataclasses.replace(small_receipt, lines=(ReceiptLine(name, 1, 15),))
    lines = preview_lines(receipt, PAPER_58)
    start = lines.index(row_for(lines, "Colgate"))
    assert lines[start].startswith("Colgate Total ")
    assert lines[start + 1 : start + 3] == ["Advanced", "Whitening"]


def test_refund_shows_refund_title_original_receipt_and_returned_total(small_receipt):
    refund = dataclasses.replace(small_receipt, kind="refund", original_receipt_no="R0000")
    lines = preview_lines(refund)
    assert lines[1].strip() == "退货小票"
    assert "原小票号：R0000" in lines
    assert any(line.startswith("合计退还") and line.endswith("56分") for line in lines)
    assert not any("合计扣除" in line or "兑换小票" in line for line in lines)


def test_sale_has_no_original_receipt_line(small_receipt):
    assert not any("原小票号" in line for line in preview_lines(small_receipt))


def test_reprint_marks_title_and_prints_bold_reprint_line(small_receipt):
    reprint = small_receipt.as_reprint()
    lines = preview_lines(reprint)
    assert lines[1].strip() == "兑换小票 【重印】"
    assert "** 重印 **" in [line.strip() for line in lines]
    bold_line = b"\x1b\x45\x01\x1c\x26" + "** 重印 **".encode("gb18030") + b"\x1c\x2e\n"
    assert bold_line + b"\x1b\x45\x00" in render_escpos(reprint)
    assert not any("重印" in line for line in preview_lines(small_receipt))


def test_qr_line_and_footer_are_centered_at_the_end(small_receipt):
    lines = preview_lines(small_receipt, PAPER_58)
    assert lines[-2].strip() == "[QR: R0001]"
    assert lines[-1].strip() == "谢谢惠顾，欢迎再来"
    assert lines[-1].startswith("       ")


def test_translated_labels_are_printed_with_ascii_colons_and_no_chinese_mode(small_receipt):
    labels = ReceiptLabels(
        title_sale="Receipt", receipt_no="No.", time="Time", cashier="Cashier",
        holder="Holder", household="Household", item="Item", quantity="Qty",
        points="Points", total_sale="Total", balance_before="Before",
        balance_after="After", unit=" pts", footer="Thank you",
    )
    receipt = dataclasses.replace(
        small_receipt, store_name="Sunshine", holder="Z*H", household="3-2-301",
        cashier="Wang", lines=(ReceiptLine("Soap", 2, 3),), labels=labels,
    )
    lines = preview_lines(receipt, PAPER_58)
    assert "No.: R0001" in lines
    assert any(line.startswith("Total") and line.endswith("56 pts") for line in lines)
    assert b"\x1c\x26" not in render_escpos(receipt, PAPER_58)


CONTROL = re.compile(rb"\x1b@|\x1b[aEd].|\x1d!.|\x1c!.|\x1c[&.]|\x1dVB\x00", re.DOTALL)
RASTER_LINE = "[raster]"


def printed_text(data: bytes) -> list[str]:
    """Text lines in ESC/POS bytes, with control sequences and QR data removed.

    A line sent as a raster image (GS v 0, for characters the printer's font
    lacks) reads as RASTER_LINE.
    """
    out, i = b"", 0
    while i < len(data):
        if data.startswith(b"\x1d(k", i):
            i += 5 + data[i + 3] + 256 * data[i + 4]
            continue
        if data.startswith(b"\x1dv0", i):
            width = int.from_bytes(data[i + 4 : i + 6], "little")
            height = int.from_bytes(data[i + 6 : i + 8], "little")
            i += 8 + width * height
            out += RASTER_LINE.encode() + b"\n"
            continue
        match = CONTROL.match(data, i)
        if match:
            i = match.end()
            continue
        out += data[i : i + 1]
        i += 1
    return out.decode("gb18030").split("\n")[:-1]


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.name)
def test_preview_is_the_printed_text(busy_receipt, profile):
    receipt = busy_receipt.as_reprint()
    preview = [line.strip() for line in preview_lines(receipt, profile) if "[QR:" not in line]
    printed = [line.strip() for line in printed_text(render_escpos(receipt, profile))]
    # "𠮷野家…" is outside the printer's GBK font, so its line goes out as an image.
    expected = [RASTER_LINE if "𠮷" in line else line for line in preview]
    assert RASTER_LINE in expected
    assert printed == expected
