"""render_escpos / render_items options: encodings, Chinese mode, rare characters, QR, logo."""

import dataclasses
import logging

import pytest
from PIL import Image, ImageOps

from devices import PAPER_58, PAPER_80, PaperProfile, ReceiptLine, escpos_render, fonts, raster, render_escpos, render_items
from devices.layout import Cut, QrCode, TextLine, layout_receipt

INIT = b"\x1b\x40"
CENTER = b"\x1b\x61\x01"
FS_AND, FS_DOT = b"\x1c\x26", b"\x1c\x2e"
GS_BIG, GS_NORMAL = b"\x1d\x21\x11", b"\x1d\x21\x00"
FS_BIG, FS_NORMAL = b"\x1c\x21\x0c", b"\x1c\x21\x00"
GS_V0 = b"\x1d\x76\x30\x00"
NATIVE_QR = b"\x1d\x28\x6b"
CUT = b"\x1d\x56\x42\x00"


def rasters(data: bytes) -> list[tuple[int, int]]:
    """(width in bytes, height in dots) of each GS v 0 image in `data`."""
    found, i = [], data.find(GS_V0)
    while i >= 0:
        width = int.from_bytes(data[i + 4 : i + 6], "little")
        height = int.from_bytes(data[i + 6 : i + 8], "little")
        found.append((width, height))
        i = data.find(GS_V0, i + 8 + width * height)
    return found


def black_box(image: Image.Image) -> tuple[int, int, int, int]:
    """Bounding box of the black dots of a 1-bit image."""
    return ImageOps.invert(image.convert("L")).getbbox()


def with_line(receipt, name):
    return dataclasses.replace(receipt, lines=(ReceiptLine("大米5kg", 1, 50), ReceiptLine(name, 1, 5)))


def test_paper_profiles_know_their_width_in_dots():
    assert (PAPER_58.dots, PAPER_80.dots) == (384, 576)
    assert PaperProfile("custom", 42, 6).dots == 42 * 12
    with pytest.raises(ValueError, match="dots"):
        PaperProfile("too narrow", 48, 6, 500)


def test_render_items_renders_any_items_after_esc_at():
    items = [TextLine("你好 ok", "center", big=True), TextLine("ok"), Cut()]
    assert render_items(items, PAPER_58) == (
        INIT + CENTER + GS_BIG + FS_BIG + FS_AND + "你好 ok".encode("gb18030") + FS_DOT + b"\n"
        + b"\x1b\x61\x00" + GS_NORMAL + FS_NORMAL + b"ok\n"
        + CUT
    )


def test_render_escpos_is_render_items_of_the_layout(small_receipt):
    assert render_escpos(small_receipt, PAPER_58) == render_items(layout_receipt(small_receipt, PAPER_58), PAPER_58)


def test_gbk_sends_gbk_bytes(small_receipt):
    data = render_escpos(small_receipt, encoding="gbk")
    assert FS_AND + "阳光积分超市".encode("gbk") + FS_DOT + b"\n" in data
    assert GS_V0 not in data


def test_big5_sends_big5_bytes_and_draws_simplified_characters(small_receipt):
    receipt = dataclasses.replace(small_receipt, store_name="陽光積分超市", cashier="王芳")
    data = render_escpos(receipt, encoding="big5")
    assert FS_AND + "陽光積分超市".encode("big5") + FS_DOT + b"\n" in data
    assert FS_AND + "收銀員".encode("big5") not in data  # the labels are simplified Chinese:
    assert rasters(data)  # 兑换小票, 收银员 … are not in Big5, so they print as images
    assert b"?" not in data.replace(NATIVE_QR, b"").split(GS_V0)[0]


def test_encoding_aliases_are_accepted_and_others_rejected(small_receipt):
    assert render_escpos(small_receipt, encoding="GB18030") == render_escpos(small_receipt)
    with pytest.raises(ValueError, match="gb18030, gbk, big5"):
        render_escpos(small_receipt, encoding="shift_jis")


def test_chinese_mode_off_sends_no_fs_commands_at_all(small_receipt):
    data = render_escpos(small_receipt, chinese_mode=False)
    assert b"\x1c" not in data
    assert CENTER + GS_BIG + "阳光积分超市".encode("gb18030") + b"\n" in data


def test_big_chinese_text_uses_gs_and_fs_exclamation(small_receipt):
    data = render_escpos(small_receipt)
    assert GS_BIG + FS_BIG + FS_AND + "阳光积分超市".encode("gb18030") in data
    assert GS_NORMAL + FS_NORMAL + FS_AND + "兑换小票".encode("gb18030") in data
    assert b"\x1b\x21" not in data  # ESC ! would only enlarge ASCII


@pytest.mark.parametrize("rare", ["䶮", "𠮷"])
def test_a_line_with_a_character_outside_gbk_becomes_one_raster_line(small_receipt, rare):
    receipt = with_line(small_receipt, f"{rare}牌酱油")
    data = render_escpos(receipt, PAPER_58)
    assert rasters(data) == [(384 // 8, 30)]  # paper-wide, one text line high
    assert rare.encode("gb18030") not in data and b"?" not in data.split(GS_V0)[0]
    # The rest of the receipt is still text.
    assert FS_AND + "大米5kg".encode("gb18030") in data
    assert FS_AND + "阳光积分超市".encode("gb18030") in data
    assert NATIVE_QR in data and data.endswith(CUT)


def test_a_big_rare_line_is_drawn_double_size(small_receipt):
    receipt = dataclasses.replace(small_receipt, store_name="䶮山积分超市")
    assert rasters(render_escpos(receipt, PAPER_80)) == [(576 // 8, 48)]


def test_control_characters_in_text_are_dropped():
    assert render_items([TextLine("A\x1bB\x00C")]) == INIT + b"ABC\n"


def test_without_a_cjk_font_a_rare_line_prints_with_question_marks(small_receipt, monkeypatch, caplog):
    def no_font(*args, **kwargs):
        raise fonts.FontNotFoundError("no font here")

    monkeypatch.setattr(escpos_render.raster, "text_image", no_font)
    with caplog.at_level(logging.WARNING, logger="devices.escpos_render"):
        data = render_escpos(with_line(small_receipt, "䶮牌"))
    assert FS_AND + b"?" + "牌".encode("gb18030") in data
    assert "no font here" in caplog.text


def test_qr_image_mode_sends_a_centered_raster_instead_of_gs_paren_k(small_receipt):
    data = render_escpos(small_receipt, PAPER_80, qr="image")
    assert NATIVE_QR not in data
    [(width, height)] = rasters(data)
    assert width == 576 // 8 and height > 100


def test_unknown_qr_mode_is_rejected(small_receipt):
    with pytest.raises(ValueError, match="QR mode"):
        render_escpos(small_receipt, qr="svg")


def test_logo_is_printed_first_centered_and_at_most_half_the_paper(small_receipt, tmp_path):
    logo = Image.new("RGBA", (1000, 500), (0, 0, 0, 0))
    logo.paste((200, 30, 30, 255), (100, 100, 900, 400))
    path = tmp_path / "logo.png"
    logo.save(path)
    for source in (logo, path, str(path)):
        data = render_escpos(small_receipt, PAPER_80, logo=source)
        assert data.startswith(INIT + GS_V0)
        assert rasters(data)[0] == (576 // 8, 144)  # scaled to 288 × 144 dots
    image = Image.frombytes("1", (576, 144), data[len(INIT) + 8 :][: 72 * 144], "raw", "1;I")
    left, _, right, _ = black_box(image)
    assert (left + right) // 2 == pytest.approx(288, abs=2)  # centered
    assert right - left <= 288


def test_unreadable_logo_is_a_clear_error(small_receipt, tmp_path):
    with pytest.raises(ValueError, match="logo"):
        render_escpos(small_receipt, logo=tmp_path / "missing.png")


def test_native_and_image_qr_items_work_in_render_items():
    assert NATIVE_QR in render_items([QrCode("x", 4)], PAPER_58)
    assert rasters(render_items([QrCode("x", 4)], PAPER_58, qr="image"))


def test_tall_images_go_out_in_bands():
    data = raster.gs_v0(Image.new("1", (10, 300), 0))
    first = b"\x1d\x76\x30\x00" + (2).to_bytes(2, "little") + (256).to_bytes(2, "little")
    assert data.startswith(first + b"\xff\xc0" * 256)
    second = b"\x1d\x76\x30\x00" + (2).to_bytes(2, "little") + (44).to_bytes(2, "little")
    assert data[len(first) + 512 :] == second + b"\xff\xc0" * 44
