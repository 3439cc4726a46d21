"""The virtual printer's PNG preview: size, QR codes that scan, raster lines, garbage input."""

import dataclasses
import io
import random

import pytest
import zxingcpp
from PIL import Image, ImageOps

from devices import PAPER_58, PAPER_80, ReceiptLine, render_escpos, render_items
from devices.layout import Cut, TextLine
from devices.paper import MARGIN, render_document_png, render_paper, render_png

PROFILES = [PAPER_58, PAPER_80]


def png_image(data: bytes) -> Image.Image:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    return Image.open(io.BytesIO(data))


def dark_pixels(image: Image.Image, box: tuple[int, int, int, int]) -> int:
    """Black pixels inside `box` of a 1-bit or grey image."""
    return ImageOps.invert(image.crop(box).convert("L")).histogram()[255]


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.name)
@pytest.mark.parametrize("qr", ["native", "image"])
def test_qr_code_on_the_preview_scans_to_the_receipt_number(small_receipt, profile, qr):
    image = png_image(render_document_png(small_receipt, profile, qr=qr))
    assert [code.text for code in zxingcpp.read_barcodes(image)] == ["R0001"]


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.name)
def test_preview_is_as_wide_as_the_printable_dots_plus_margins(small_receipt, profile):
    image = png_image(render_document_png(small_receipt, profile))
    assert image.width == profile.dots + 2 * MARGIN


def test_render_document_png_is_render_png_of_the_bytes(small_receipt):
    data = render_escpos(small_receipt, PAPER_58, encoding="gbk")
    assert render_document_png(small_receipt, PAPER_58, encoding="gbk") == render_png(data, PAPER_58, encoding="gbk")


def test_rare_character_raster_line_shows_as_dark_pixels():
    data = render_items([TextLine("䶮"), TextLine("𠮷", "center")], PAPER_58)
    assert data.count(b"\x1d\x76\x30") == 2
    image = render_paper(data, PAPER_58)
    first = (MARGIN, MARGIN, MARGIN + 24, MARGIN + 30)  # one 24-dot character, left
    second = (MARGIN + 180, MARGIN + 30, MARGIN + 204, MARGIN + 60)  # centered on 384 dots
    assert dark_pixels(image, first) > 40
    assert dark_pixels(image, second) > 40
    assert dark_pixels(image, (MARGIN + 30, MARGIN, MARGIN + 384, MARGIN + 30)) == 0


def test_rare_line_inside_a_receipt_is_drawn_where_the_text_line_would_be(small_receipt):
    plain = render_paper(render_escpos(small_receipt, PAPER_80), PAPER_80)
    receipt = dataclasses.replace(small_receipt, lines=(ReceiptLine("大米5kg", 1, 50), ReceiptLine("䶮", 2, 3)))
    rare = render_paper(render_escpos(receipt, PAPER_80), PAPER_80)
    assert rare.size == plain.size  # a raster line is exactly as tall as a text line


def test_big_text_is_twice_as_tall():
    image = render_paper(render_items([TextLine("大"), TextLine("大", big=True)], PAPER_58), PAPER_58)
    box = ImageOps.invert(image.convert("L")).getbbox()
    assert box[3] - MARGIN > 30 + 40  # the second line is at least 40 dots of ink tall


def test_cut_is_drawn_as_a_dashed_line_across_the_paper():
    image = render_paper(render_items([TextLine("x"), Cut()], PAPER_58), PAPER_58)
    rows = [y for y in range(image.height) if dark_pixels(image, (0, y, image.width, y + 1)) > image.width // 3]
    assert len(rows) == 1
    grey = image.convert("L")
    row = [grey.getpixel((x, rows[0])) for x in range(image.width)]
    assert 0 in row[:MARGIN] and 255 in row  # edge to edge, and dashed


@pytest.mark.parametrize("seed", range(30))
def test_random_bytes_never_crash(seed):
    rng = random.Random(seed)
    size = rng.choice([0, 1, 2, 3, 8, 64, 1000, 20000])
    if seed % 2:
        data = rng.randbytes(size)
    else:  # mostly command bytes, to reach the parameter parsing
        alphabet = b"\x1b\x1c\x1d\x10\n\x00\x010(kv0V!&.a@EdQP1C\xff\x81\xa1"
        data = bytes(rng.choice(alphabet) for _ in range(size))
    for encoding in ("gb18030", "big5"):
        image = png_image(render_png(data, PAPER_58, encoding=encoding))
        assert image.width == PAPER_58.dots + 2 * MARGIN


@pytest.mark.parametrize(
    "data",
    [
        b"\x1dv0\x00\xff\xff\xff\xff",  # a huge raster image with no data
        b"\x1dv0\x00\x30\x00\xff\xff" + b"\xff" * 100,  # cut short
        b"\x1d(k\xff\xff1P0",  # QR data longer than the input
        b"\x1d(k\x03\x001Q0",  # print a QR code that was never stored
        b"\x1b*!\xff\xff",  # bit image cut short
        b"\x1b" * 5 + b"\x1d" * 5 + b"\x1c" * 5,
        b"\x1bd\xff" * 200,  # a lot of paper feed
    ],
)
def test_malformed_commands_never_crash(data):
    assert render_paper(data, PAPER_80).width == PAPER_80.dots + 2 * MARGIN
