"""1-bit raster images for ESC/POS `GS v 0`: text lines, QR codes and logos."""

from __future__ import annotations

import os

from PIL import Image, ImageDraw, ImageOps

from . import fonts
from .profiles import FONT_A_WIDTH, FONT_HEIGHT, LINE_SPACING
from .text import display_width

__all__ = ["gs_v0", "text_image", "qr_image", "logo_image", "BAND_ROWS"]

# Rows per GS v 0 command. Cheap printers have small receive buffers and some
# reject tall images, so long images go out in bands (python-escpos does the same).
BAND_ROWS = 256
# Glyphs are drawn a little smaller than the 24-dot cell, like a printer font
# that leaves a dot or two of spacing around each character.
GLYPH_SIZE = 22


def gs_v0(image: Image.Image) -> bytes:
    """`GS v 0 0 xL xH yL yH d…` for `image` (black = printed), in bands of BAND_ROWS rows.

    Widths that are not a multiple of 8 are padded with white on the right.
    """
    mono = image.convert("1")
    width_bytes = (mono.width + 7) // 8
    if mono.width != width_bytes * 8:
        padded = Image.new("1", (width_bytes * 8, mono.height), 1)
        padded.paste(mono, (0, 0))
        mono = padded
    # In mode "1" a set bit is white; ESC/POS wants a set bit to be a black dot.
    inverted = ImageOps.invert(mono.convert("L")).convert("1")
    out = bytearray()
    for top in range(0, inverted.height, BAND_ROWS):
        band = inverted.crop((0, top, inverted.width, min(top + BAND_ROWS, inverted.height)))
        out += b"\x1d\x76\x30\x00"
        out += width_bytes.to_bytes(2, "little") + band.height.to_bytes(2, "little")
        out += band.tobytes()
    return bytes(out)


def _cell_widths(text: str) -> list[int]:
    """Columns each character takes on a Chinese-mode printer (ambiguous ones are full width)."""
    return [display_width(ch, ambiguous=2) for ch in text]


def text_image(text: str, dots: int, *, align: str = "left", bold: bool = False, big: bool = False) -> Image.Image:
    """`text` drawn as the printer would print it: 12×24 dots per column, doubled when big.

    The image is `dots` wide with the alignment baked in, so the printer's own
    ESC a setting does not matter, and as tall as a printed text line
    (LINE_SPACING, or the character height when taller), so the lines around
    it keep their spacing. Raises fonts.FontNotFoundError without a CJK font.
    """
    scale = 2 if big else 1
    cell_w, cell_h = FONT_A_WIDTH * scale, FONT_HEIGHT * scale
    height = max(LINE_SPACING, cell_h)
    widths = _cell_widths(text)
    total = sum(widths) * cell_w
    x = (dots - total) // 2 if align == "center" else 0
    x = max(x, 0)
    font = fonts.cjk_font(GLYPH_SIZE * scale)
    image = Image.new("1", (dots, height), 1)
    draw = ImageDraw.Draw(image)
    for ch, cols in zip(text, widths):
        if cols and not ch.isspace():
            # Center each glyph in its cell so proportional glyphs stay on the column grid.
            cx, cy = x + cols * cell_w / 2, cell_h / 2
            draw.text((cx, cy), ch, font=font, fill=0, anchor="mm")
            if bold:
                draw.text((cx + 1, cy), ch, font=font, fill=0, anchor="mm")
        x += cols * cell_w
    return image


def _centered(image: Image.Image, dots: int) -> Image.Image:
    """`image` (1-bit) on a white band `dots` wide, horizontally centered."""
    band = Image.new("1", (dots, image.height), 1)
    band.paste(image, ((dots - image.width) // 2, 0))
    return band


def qr_image(data: str, dots: int, module: int) -> Image.Image:
    """A QR code for `data` (error correction L, like the native one) centered in `dots`.

    `module` is the dot size of one module; it shrinks if the code would not fit.
    """
    import qrcode

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_L, box_size=1, border=2)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()
    side = len(matrix)
    module = max(1, min(module, dots // side))
    image = Image.new("1", (side, side), 1)
    image.putdata([0 if cell else 255 for row in matrix for cell in row])
    image = image.resize((side * module, side * module), Image.Resampling.NEAREST)
    return _centered(image, dots)


def logo_image(logo: str | os.PathLike | Image.Image, dots: int) -> Image.Image:
    """`logo` scaled down to at most half of `dots` wide (and as tall), dithered to 1 bit, centered.

    Transparent areas become white paper; small logos are not enlarged. Raises
    ValueError when a logo file cannot be read as an image.
    """
    if isinstance(logo, Image.Image):
        source = logo
    else:
        try:
            with Image.open(logo) as opened:
                opened.load()
                source = opened.copy()
        except (OSError, ValueError) as exc:
            raise ValueError(f"cannot read receipt logo {os.fspath(logo)!r}: {exc}") from None
    if source.mode in ("RGBA", "LA", "PA") or (source.mode == "P" and "transparency" in source.info):
        rgba = source.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        source = Image.alpha_composite(background, rgba)
    gray = source.convert("L")
    limit = max(8, dots // 2)
    ratio = min(1.0, limit / gray.width, limit / gray.height)
    if ratio < 1:
        size = (max(1, round(gray.width * ratio)), max(1, round(gray.height * ratio)))
        gray = gray.resize(size, Image.Resampling.LANCZOS)
    # Floyd–Steinberg is Pillow's default dither for L → 1.
    return _centered(gray.convert("1"), dots)
