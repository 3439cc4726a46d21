"""Printable points cards (积分卡): one CR80 card as an image or PNG (Pillow, 300 dpi), A4 sheets
of ten as a PDF (WeasyPrint through kiosk.a4: vector text and QR codes at their physical size).

No Flask here: callers pass the card, its store and its QR payload (kiosk.cards.service.card_payload).
Sizes are in millimetres and converted at the requested dpi; the QR code's modules are scaled by a
whole number of pixels so that every module prints the same size.
"""
import io
from typing import NamedTuple

import qrcode
from PIL import Image, ImageDraw
from qrcode.constants import ERROR_CORRECT_M

from kiosk import a4
from kiosk.a4 import cjk_font
from kiosk.privacy import mask_name

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


def _laid_out(card, store, payload, mask):
    """One card as the sheet template draws it: texts fitted to their space (size in mm, text),
    the QR code's path, its module size and place, all in millimetres from the card's corner.
    The QR module is a whole number of 300 dpi dots, as on the PNG."""
    matrix = make_qr(payload).get_matrix()
    modules = len(matrix)
    dots = round(QR_SPACE_MM * 300 / 25.4) // modules
    module = dots * 25.4 / 300
    size = modules * module
    quiet = QR_BORDER * module
    left = CARD_MM[0] - MARGIN_MM - size + quiet
    text_width = left + quiet - 3 - MARGIN_MM
    name = mask_name(card.holder_name) if mask else card.holder_name
    return {
        "store": a4.fit(store.name, CARD_MM[0] - 2 * MARGIN_MM, 4.8, bold=True),
        "name": a4.fit(name, text_width, 6.2, bold=True),
        # No address on the card: a lost card must not tell a finder where its holder lives.
        "lost": a4.fit("遗失请及时到社区挂失", text_width, 3.4),
        "number": a4.fit(_card_number(card.number), text_width, 7.5, bold=True),
        "qr": a4.qr_path(matrix), "module": round(module, 5),
        "qr_x": round(left, 4), "qr_y": round((13 + CARD_MM[1] - size) / 2, 4),
    }


def sheet_layout(count):
    """Where the cards of a full sheet go: ([x mm], [y mm]) of the columns and rows, centred on A4."""
    left = (A4_MM[0] - COLUMNS * CARD_MM[0] - (COLUMNS - 1) * GAP_MM[0]) / 2
    top = (A4_MM[1] - ROWS * CARD_MM[1] - (ROWS - 1) * GAP_MM[1]) / 2
    return ([round(left + c * (CARD_MM[0] + GAP_MM[0]), 3) for c in range(COLUMNS)],
            [round(top + r * (CARD_MM[1] + GAP_MM[1]), 3) for r in range(ROWS)])


def _cut_marks(xs, ys, gap=2.0, length=4.0):
    """SVG path data: short lines in the page margins in line with every card edge, for a paper cutter."""
    first_y, last_y = ys[0], ys[-1] + CARD_MM[1]
    first_x, last_x = xs[0], xs[-1] + CARD_MM[0]
    marks = []
    for x in sorted({edge for x in xs for edge in (x, round(x + CARD_MM[0], 3))}):
        marks.append(f"M{x},{first_y - gap - length}v{length}M{x},{last_y + gap}v{length}")
    for y in sorted({edge for y in ys for edge in (y, round(y + CARD_MM[1], 3))}):
        marks.append(f"M{first_x - gap - length},{y}h{length}M{last_x + gap},{y}h{length}")
    return "".join(marks)


def cards_pdf(items, *, mask=True):
    """A PDF of A4 sheets, ten cards a page, for ``items`` ((card, store, payload) triples), every
    card at its physical size (``templates/a4/cards.html``).

    Raises ValueError when there is nothing to print, RuntimeError when the CJK font is missing
    (kiosk.a4.PdfUnavailable when WeasyPrint's libraries are).
    """
    items = list(items)
    if not items:
        raise ValueError("no cards to print")
    xs, ys = sheet_layout(PER_PAGE)
    marks = _cut_marks(xs, ys)
    pages = []
    for start in range(0, len(items), PER_PAGE):
        cards = []
        for i, (card, store, payload) in enumerate(items[start:start + PER_PAGE]):
            cards.append({**_laid_out(card, store, payload, mask), "x": xs[i % COLUMNS], "y": ys[i // COLUMNS]})
        pages.append({"cards": cards, "marks": marks})
    return a4.pdf("a4/cards.html", title="积分卡", pages=pages, card_w=CARD_MM[0], card_h=CARD_MM[1],
                  margin=MARGIN_MM, corner=CORNER_MM)
