"""The donation acknowledgement (捐赠回执): exact ESC/POS bytes, Chinese sent as GB18030."""
from datetime import date

from devices import PAPER_58, PAPER_80, Acknowledgement, AcknowledgementLabels, AcknowledgementLine, render_escpos
from devices.escpos_render import preview_lines


def zh(line: str) -> bytes:
    return b"\x1c\x26" + line.encode("gb18030") + b"\x1c\x2e\n"


def make(**changes):
    values = dict(
        store_name="阳光积分超市", number="XYRK0000012", donor="幸福里超市", issued_on=date(2026, 11, 23),
        lines=(AcknowledgementLine("食用油 5L", 24, "桶"), AcknowledgementLine("Soap", 3, "")), total_points=2409,
        staff="李运营", labels=AcknowledgementLabels(thanks="感谢您的爱心捐赠！"),
    )
    values.update(changes)
    return Acknowledgement(**values)


def test_the_acknowledgement_at_58mm_renders_exact_bytes():
    rule = b"-" * 32 + b"\n"
    expected = (
        b"\x1b@" + b"\x1ba\x01" + b"\x1d!\x11\x1c!\x0c" + zh("阳光积分超市")
        + b"\x1d!\x00\x1c!\x00" + b"\x1bE\x01" + zh("捐赠回执")
        + b"\x1ba\x00" + b"\x1bE\x00" + rule
        + zh("捐赠人：幸福里超市") + zh("单号：XYRK0000012") + zh("日期：2026-11-23")
        + rule
        + zh("捐赠物品")
        + zh("食用油 5L" + " " * 19 + "24桶")
        + b"Soap" + b" " * 27 + b"3\n"
        + rule
        + zh("折合积分" + " " * 18 + "2409分")
        + b"\n" + zh("感谢您的爱心捐赠！") + b"\n"
        + zh("经办人：李运营")
        + b"\x1bd\x03" + b"\x1dVB\x00"
    )
    assert render_escpos(make(), PAPER_58) == expected


def test_the_donor_line_is_gb18030_text_at_80mm_and_the_thanks_wrap():
    long_thanks = "衷心感谢您对社区积分超市的爱心捐赠！您的善意将化作居民手中的日用品，我们将在社区公示栏公开致谢。"
    doc = make(labels=AcknowledgementLabels(thanks=long_thanks))
    data = render_escpos(doc, PAPER_80)
    assert zh("捐赠人：幸福里超市") in data
    lines = preview_lines(doc, PAPER_80)
    start = next(i for i, line in enumerate(lines) if line.startswith("折合积分"))
    thanks = [line for line in lines[start + 1:] if line and not line.startswith("经办人")]
    assert "".join(thanks) == long_thanks and len(thanks) == 2  # 24 characters a line
    assert all(len(line.encode("gb18030")) <= 48 for line in lines)


def test_a_donor_name_the_printer_font_lacks_is_printed_as_an_image():
    data = render_escpos(make(donor="𠮷野家"), PAPER_58)
    # That line goes as a raster image instead of "?"; the others stay text.
    assert "野家".encode("gb18030") not in data and "捐赠人".encode("gb18030") not in data
    assert data.count(b"\x1d\x76\x30\x00") == 1 and zh("单号：XYRK0000012") in data


def test_the_acknowledgement_survives_the_print_queue_as_a_dict():
    doc = make()
    assert Acknowledgement.from_dict(doc.to_dict()) == doc
