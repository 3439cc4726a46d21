"""Printable points cards (积分卡): one CR80 card as an image or PNG, A4 sheets of ten as a PDF.

No Flask here: callers pass the card, its store and its QR payload (kiosk.cards.service.card_payload).
Sizes are in millimetres and converted at the requested dpi; the QR code's modules are scaled by a
whole number of pixels so that every module prints the same size.
"""
import io
import os
from functools import lru_cache
from typing import NamedTuple

import qrcode
from PIL import Image, ImageDraw, ImageFont
from qrcode.constants import ERROR_CORRECT_M

from kiosk.privacy import mask_name

FONT_DIR = "/usr/share/fonts/opentype/noto"
FONT_FILES = {False: "NotoSansCJK-Regular.ttc", True: "NotoSansCJK-Bold.ttc"}
SIMPLIFIED_CHINESE = 2  # the face index of Noto Sans CJK SC in the collections (0 is Japanese)

CARD_MM = (85.6, 54.0)  # ISO/IEC 7810 ID-1, "CR80"
CORNER_MM = 3.18
A4_MM = (210.0, 297.0)
COLUMNS, ROWS = 2, 5
PER_PAGE = COLUMNS * ROWS
GAP_MM = (6.0, 2.0)  # between columns, between rows on a sheet

MARGIN_MM = 5.0
QR_SPACE_MM = 27.0  # the square reserved for the QR code, quiet zone included
QR_BORDER = 4  # modules of quiet zone, as the QR standard asks

INK, ACCENT, MUTED, GUIDE = (20, 20, 20), (196, 30, 45), (90, 90, 90), (170, 170, 170)


class RenderedCard(NamedTuple):
    """A drawn card and where its QR code is: ``qr_box`` is (left, top, right, bottom) in pixels,
    quiet zone included; it holds ``qr_modules`` × ``qr_modules`` modules of ``qr_scale`` pixels."""

    image: Image.Image
    qr_box: tuple
    qr_modules: int
    qr_scale: int


@lru_cache(maxsize=64)
def cjk_font(size, bold=False):
    """Noto Sans CJK SC at ``size`` pixels (bold falls back to regular if only that is installed).

    Raises RuntimeError when Debian's fonts-noto-cjk is not installed.
    """
    path = os.path.join(FONT_DIR, FONT_FILES[bold])
    if bold and not os.path.exists(path):
        path = os.path.join(FONT_DIR, FONT_FILES[False])
    if not os.path.exists(path):
        raise RuntimeError(f"install fonts-noto-cjk (sudo apt-get install fonts-noto-cjk): {path} is missing")
    return ImageFont.truetype(path, size, index=SIMPLIFIED_CHINESE)


def make_qr(payload):
    """The QR code for ``payload`` (error correction M), fitted to the smallest version."""
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=1, border=QR_BORDER)
    qr.add_data(payload)
    qr.make(fit=True)
    return qr


def qr_image(payload, max_px):
    """(image, modules, scale): the QR code scaled by the largest whole factor that fits ``max_px``.

    Raises ValueError when not even one pixel per module fits.
    """
    matrix = make_qr(payload).get_matrix()
    modules = len(matrix)
    scale = max_px // modules
    if scale < 1:
        raise ValueError(f"a QR code of {modules} modules does not fit in {max_px} pixels")
    image = Image.new("1", (modules, modules), 1)
    image.putdata([0 if dark else 1 for row in matrix for dark in row])
    size = modules * scale
    return image.resize((size, size), Image.Resampling.NEAREST).convert("RGB"), modules, scale


def _fit(draw, text, max_width, size, bold=False, smallest=0.6):
    """(font, text) for drawing ``text`` within ``max_width``: a smaller font, then an ellipsis."""
    for step in range(int((1 - smallest) * 20) + 1):
        font = cjk_font(max(1, round(size * (1 - step / 20))), bold)
        if draw.textlength(text, font=font) <= max_width:
            return font, text
    while len(text) > 1 and draw.textlength(text + "…", font=font) > max_width:
        text = text[:-1]
    return font, text + "…"


def _card_number(number):
    """10000001 → "1000 0001": groups of four, easier to read out and type."""
    return " ".join(number[i:i + 4] for i in range(0, len(number), 4))


def render_card(card, store, payload, *, dpi=300, mask=True):
    """Draw ``card`` of ``store`` with ``payload`` in its QR code; returns a RenderedCard.

    Raises RuntimeError when the CJK font is missing.
    """
    def px(mm):
        return round(mm * dpi / 25.4)

    width, height = px(CARD_MM[0]), px(CARD_MM[1])
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    margin = px(MARGIN_MM)
    draw.rounded_rectangle((0, 0, width - 1, height - 1), radius=px(CORNER_MM), outline=GUIDE, width=max(1, dpi // 150))

    font, text = _fit(draw, store.name, width - 2 * margin, px(4.8), bold=True)
    draw.text((margin, px(10)), text, font=font, fill=INK, anchor="ls")
    draw.rectangle((margin, px(12.5), width - margin, px(12.5) + max(1, px(0.4))), fill=ACCENT)

    # The QR code sits right; its visible modules line up with the right margin, the quiet zone
    # (white) may reach into the margin.
    qr, modules, scale = qr_image(payload, px(QR_SPACE_MM))
    quiet = QR_BORDER * scale
    left = width - margin - qr.width + quiet
    top = (px(13) + height - qr.height) // 2
    image.paste(qr, (left, top))
    text_width = left + quiet - px(3) - margin

    draw.text((margin, px(20)), "积分卡", font=cjk_font(px(4.2), bold=True), fill=ACCENT, anchor="ls")
    name = mask_name(card.holder_name) if mask else card.holder_name
    font, text = _fit(draw, name, text_width, px(6.2), bold=True)
    draw.text((margin, px(29)), text, font=font, fill=INK, anchor="ls")
    # No address on the card: a lost card must not tell a finder where its holder lives.
    font, text = _fit(draw, "遗失请及时到社区挂失", text_width, px(3.4))
    draw.text((margin, px(35)), text, font=font, fill=MUTED, anchor="ls")
    draw.text((margin, px(42.5)), "卡号", font=cjk_font(px(2.8)), fill=MUTED, anchor="ls")
    font, text = _fit(draw, _card_number(card.number), text_width, px(7.5), bold=True)
    draw.text((margin, height - margin), text, font=font, fill=INK, anchor="ls")
    return RenderedCard(image, (left, top, left + qr.width, top + qr.height), modules, scale)


def card_image(card, store, payload, *, dpi=300, mask=True):
    """The card as a PIL image: 85.6 × 54 mm at ``dpi`` (1011 × 638 px at 300 dpi).

    Raises RuntimeError when the CJK font is missing.
    """
    return render_card(card, store, payload, dpi=dpi, mask=mask).image


def card_png(card, store, payload, *, dpi=300, mask=True):
    """The card as PNG bytes carrying its dpi. Raises RuntimeError when the CJK font is missing."""
    out = io.BytesIO()
    card_image(card, store, payload, dpi=dpi, mask=mask).save(out, "PNG", dpi=(dpi, dpi))
    return out.getvalue()


def sheet_images(items, *, dpi=300, mask=True):
    """A4 page images holding ``items`` ((card, store, payload) triples), ten cards a page.

    Raises ValueError when there is nothing to print, RuntimeError when the CJK font is missing.
    """
    items = list(items)
    if not items:
        raise ValueError("no cards to print")

    def px(mm):
        return round(mm * dpi / 25.4)

    page_size = (px(A4_MM[0]), px(A4_MM[1]))
    card_w, card_h = px(CARD_MM[0]), px(CARD_MM[1])
    gap_x, gap_y = px(GAP_MM[0]), px(GAP_MM[1])
    left = (page_size[0] - COLUMNS * card_w - (COLUMNS - 1) * gap_x) // 2
    top = (page_size[1] - ROWS * card_h - (ROWS - 1) * gap_y) // 2
    xs = [left + c * (card_w + gap_x) for c in range(COLUMNS)]
    ys = [top + r * (card_h + gap_y) for r in range(ROWS)]

    pages = []
    for start in range(0, len(items), PER_PAGE):
        page = Image.new("RGB", page_size, "white")
        _cut_marks(ImageDraw.Draw(page), xs, ys, card_w, card_h, px(2), px(4), max(1, dpi // 150))
        for i, (card, store, payload) in enumerate(items[start:start + PER_PAGE]):
            page.paste(card_image(card, store, payload, dpi=dpi, mask=mask), (xs[i % COLUMNS], ys[i // COLUMNS]))
        pages.append(page)
    return pages


def _cut_marks(draw, xs, ys, card_w, card_h, gap, length, width):
    """Short lines in the page margins in line with every card edge, for a paper cutter."""
    first_y, last_y = ys[0], ys[-1] + card_h
    first_x, last_x = xs[0], xs[-1] + card_w
    for x in sorted({edge for x in xs for edge in (x, x + card_w - 1)}):
        draw.line((x, first_y - gap - length, x, first_y - gap), fill=INK, width=width)
        draw.line((x, last_y + gap, x, last_y + gap + length), fill=INK, width=width)
    for y in sorted({edge for y in ys for edge in (y, y + card_h - 1)}):
        draw.line((first_x - gap - length, y, first_x - gap, y), fill=INK, width=width)
        draw.line((last_x + gap, y, last_x + gap + length, y), fill=INK, width=width)


def cards_pdf(items, *, dpi=300, mask=True):
    """A PDF of A4 sheets, ten cards a page, for ``items`` ((card, store, payload) triples).

    Raises ValueError when there is nothing to print, RuntimeError when the CJK font is missing.
    """
    first, *rest = sheet_images(items, dpi=dpi, mask=mask)
    out = io.BytesIO()
    # Pillow stores RGB pages as JPEG; high quality without chroma subsampling keeps edges sharp.
    first.save(out, "PDF", save_all=True, append_images=rest, resolution=dpi, quality=95, subsampling=0)
    return out.getvalue()
