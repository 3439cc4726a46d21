"""Turn a receipt into ESC/POS bytes, or into the text lines it prints.

Chinese text goes out in the printer's own double-byte encoding (GB18030, GBK
or Big5), never through python-escpos's "magic" code-page switching. A line
holding a character the printer's font lacks is drawn with a CJK font and sent
as a raster image (GS v 0) instead of printing "?"; every other line stays text.
"""

from __future__ import annotations

import codecs
import logging
import os
import unicodedata
from collections.abc import Iterable

from PIL import Image

from . import barcodes, raster
from ._escpos import Dummy
from .acknowledgement import Acknowledgement, layout_acknowledgement
from .fonts import FontNotFoundError
from .labels import ShelfLabels, layout_labels
from .layout import Barcode, Cut, Feed, Item, QrCode, TextLine, layout_receipt, preview_text
from .profiles import PAPER_80, PaperProfile
from .receipt import Receipt
from .slip import Slip, layout_slip
from .statement import Statement, layout_statement
from .voucher import VoucherSlip, layout_voucher

__all__ = ["render_escpos", "render_items", "preview_lines", "ENCODINGS", "QR_MODES", "check_encoding"]

log = logging.getLogger(__name__)

ESC_INIT = b"\x1b\x40"
ALIGN = {"left": b"\x1b\x61\x00", "center": b"\x1b\x61\x01"}
BOLD = {False: b"\x1b\x45\x00", True: b"\x1b\x45\x01"}
# Character size. GS ! n is documented as "effective for all characters
# (alphanumeric and Chinese)" by Chinese printer makers (HPRT TP80K, iDPRT
# TP-80, Matrix T5 manuals) and by Epson ("alphanumeric and Kanji"). Some
# Chinese firmwares still enlarge only ASCII with it (python-escpos #328,
# node-escpos #7/#237, ESC-POS-.NET #115 report Chinese staying small), so in
# Chinese mode we also send FS ! n, "set print mode for Chinese characters"
# (Zijiang ZJ-58, Microcom 814M, HCC POS80: bit 2 double width, bit 3 double
# height, so 0x0C). Both manuals say the last received of GS ! / FS ! wins,
# and both ask for the same size here, so the order does not matter.
# ESC ! n is not used: it only sizes ASCII (the font-A/B print mode).
SIZE = {False: b"\x1d\x21\x00", True: b"\x1d\x21\x11"}  # GS ! n: normal / double w+h
CHINESE_SIZE = {False: b"\x1c\x21\x00", True: b"\x1c\x21\x0c"}  # FS ! n: same for Chinese
CHINESE_ON = b"\x1c\x26"  # FS &
CHINESE_OFF = b"\x1c\x2e"  # FS .

# Encodings a Chinese receipt printer speaks, and the character set its
# built-in font covers. A "GB18030" printer in practice has a GBK-sized font
# (GB18030's two-byte part); four-byte codes such as 𠮷 or 䶮 print as blanks
# or garbage, so anything outside GBK is drawn as an image.
ENCODINGS = {"gb18030": "gbk", "gbk": "gbk", "big5": "big5"}
QR_MODES = ("native", "image")

# Drop control characters from text (a name holding ESC must not become a command).
_CONTROL = {"Cc"}


def check_encoding(encoding: str) -> str:
    """The canonical name of a supported printer encoding ("gb18030", "gbk" or "big5").

    Aliases such as "GB18030" or "cp936" are accepted. Raises ValueError otherwise.
    """
    try:
        name = codecs.lookup(encoding).name
    except (LookupError, TypeError):
        name = None
    if name not in ENCODINGS:
        raise ValueError(
            f"unsupported printer encoding {encoding!r}: use one of {', '.join(ENCODINGS)}"
        )
    return name


def _in_font(ch: str, charset: str) -> bool:
    """Whether the printer's built-in font prints `ch`: ASCII, or a two-byte code of `charset`.

    Single bytes ≥ 0x80 (Python's GBK maps € to 0x80) and private-use codes are
    refused: the printer would misread them or has no glyph.
    """
    if ch.isascii():
        return True
    if unicodedata.category(ch) == "Co":
        return False
    try:
        return len(ch.encode(charset)) == 2
    except UnicodeEncodeError:
        return False


def encode_line(text: str, encoding: str, chinese_mode: bool) -> bytes:
    """One text line with its newline; non-ASCII lines wrapped in FS & … FS . in Chinese mode.

    The Chinese-mode wrap is per line, not per run of Chinese characters:
    ASCII bytes inside FS & still print as single-byte characters on these
    printers, so one FS & … FS . per line costs four bytes instead of four per
    run, and closing it before every LF keeps each line self-contained. A run
    boundary is exactly where a stray byte ≥ 0x80 outside Chinese mode would
    print as a wrong single-byte character (and, in Chinese mode, swallow the
    next character as its second byte); per line there are no such boundaries
    inside the text. Characters the encoding lacks print as "?" (the renderer
    sends such lines as images instead).
    """
    data = text.encode(encoding, errors="replace")
    if chinese_mode and not text.isascii():
        data = CHINESE_ON + data + CHINESE_OFF
    return data + b"\n"


class _Renderer:
    """Feeds layout items into a Dummy printer, sending mode changes only when needed."""

    def __init__(self, profile: PaperProfile, encoding: str, chinese_mode: bool, qr: str) -> None:
        self.printer = Dummy()
        self.profile = profile
        self.encoding = check_encoding(encoding)
        self.charset = ENCODINGS[self.encoding]
        self.chinese_mode = chinese_mode
        if qr not in QR_MODES:
            raise ValueError(f"unknown QR mode {qr!r}: use 'native' or 'image'")
        self.qr = qr
        self.align, self.bold, self.big = "left", False, False  # state after ESC @

    def raw(self, data: bytes) -> None:
        self.printer._raw(data)

    def mode(self, align: str, bold: bool = False, big: bool = False) -> None:
        if align != self.align:
            self.raw(ALIGN[align])
            self.align = align
        if big != self.big:
            self.raw(SIZE[big])
            if self.chinese_mode:
                self.raw(CHINESE_SIZE[big])
            self.big = big
        if bold != self.bold:
            self.raw(BOLD[bold])
            self.bold = bold

    def text(self, line: TextLine) -> None:
        text = "".join(ch for ch in line.text if unicodedata.category(ch) not in _CONTROL)
        if all(_in_font(ch, self.charset) for ch in text):
            self.mode(line.align, line.bold, line.big)
            self.raw(encode_line(text, self.encoding, self.chinese_mode))
            return
        try:
            image = raster.text_image(
                text, self.profile.dots, align=line.align, bold=line.bold, big=line.big
            )
        except FontNotFoundError as exc:
            # Better a line with "?" than no receipt at all.
            log.warning("printing %r with '?' for missing characters: %s", text, exc)
            text = "".join(ch if _in_font(ch, self.charset) else "?" for ch in text)
            self.mode(line.align, line.bold, line.big)
            self.raw(encode_line(text, self.encoding, self.chinese_mode))
            return
        # The image is paper-wide with the alignment drawn in, so ESC a,
        # GS ! and ESC E (which do not apply to raster images) stay as they are.
        self.raw(raster.gs_v0(image))

    def barcode(self, item: Barcode) -> None:
        """The printer's own barcode (GS k, function B) with the digits under it; as a raster
        image when the bars would not fit the paper at the printer's narrowest module (2 dots)."""
        try:
            kind = barcodes.symbology(item.data)
        except ValueError:
            self.text(TextLine(item.data, "center"))
            return
        if kind == barcodes.EAN13:
            payload, count = item.data, 95
        elif item.data.isdigit() and len(item.data) % 2 == 0:
            # Code set C: two digits a symbol, sent as one byte each.
            payload = "{C" + "".join(chr(int(item.data[i:i + 2])) for i in range(0, len(item.data), 2))
            count = 11 * (len(item.data) // 2 + 2) + 13
        else:
            payload = "{B" + item.data.replace("{", "{{")
            count = 11 * (len(item.data) + 2) + 13
        width = min(3, self.profile.dots // (count + 2 * barcodes.QUIET_MODULES))
        self.mode("center")
        if width >= 2:
            # _hw_barcode, not barcode(): the latter prints to stdout which renderer it chose.
            self.printer._hw_barcode(payload, kind, height=item.height, width=width, pos="BELOW", font="A",
                                     align_ct=False, function_type="B", check=True)
            return
        bars = barcodes.modules(item.data)
        module = max(1, self.profile.dots // (len(bars) + 2 * barcodes.QUIET_MODULES))
        self.raw(raster.gs_v0(barcodes.barcode_image(item.data, module=module, height=item.height)))
        self.text(TextLine(item.data, "center"))

    def item(self, item: Item) -> None:
        if isinstance(item, TextLine):
            self.text(item)
        elif isinstance(item, QrCode):
            if self.qr == "image":
                self.raw(raster.gs_v0(raster.qr_image(item.data, self.profile.dots, item.size)))
            else:
                # escpos 3.1 refuses center=True with native=True, so align ourselves.
                self.mode("center")
                self.printer.qr(item.data, native=True, size=item.size)
        elif isinstance(item, Barcode):
            self.barcode(item)
        elif isinstance(item, Feed):
            self.printer.print_and_feed(item.lines)
        elif isinstance(item, Cut):
            # feed=False sends GS V 66 0: the printer feeds to its cutter and cuts.
            # (cut() with feed=True would add another six blank lines.)
            self.printer.cut(feed=False)


def render_items(
    items: Iterable[Item],
    profile: PaperProfile = PAPER_80,
    *,
    encoding: str = "gb18030",
    chinese_mode: bool = True,
    qr: str = "native",
    logo: str | os.PathLike | Image.Image | None = None,
) -> bytes:
    """ESC/POS bytes for layout `items`: ESC @, the logo if any, then the items as given.

    `encoding` is "gb18030", "gbk" or "big5"; `chinese_mode` wraps Chinese
    lines in FS & … FS . (False sends the encoded bytes bare, for printers that
    stay in Chinese mode); `qr` is "native" (GS ( k) or "image" (GS v 0);
    `logo` is an image file or a PIL image printed centered at the top.
    Raises ValueError for an unsupported encoding or QR mode, or an unreadable logo.
    """
    renderer = _Renderer(profile, encoding, chinese_mode, qr)
    renderer.raw(ESC_INIT)
    if logo is not None:
        renderer.raw(raster.gs_v0(raster.logo_image(logo, profile.dots)))
    for item in items:
        renderer.item(item)
    return renderer.printer.output


def _layout(document, profile: PaperProfile) -> list[Item]:
    """Layout items of a Receipt, a Statement or ShelfLabels."""
    if isinstance(document, Statement):
        return layout_statement(document, profile)
    if isinstance(document, ShelfLabels):
        return layout_labels(document, profile)
    if isinstance(document, Acknowledgement):
        return layout_acknowledgement(document, profile)
    if isinstance(document, Slip):
        return layout_slip(document, profile)
    if isinstance(document, VoucherSlip):
        return layout_voucher(document, profile)
    return layout_receipt(document, profile)


def render_escpos(
    receipt: Receipt | Statement,
    profile: PaperProfile = PAPER_80,
    *,
    encoding: str = "gb18030",
    chinese_mode: bool = True,
    qr: str = "native",
    logo: str | os.PathLike | Image.Image | None = None,
) -> bytes:
    """ESC/POS bytes that print `receipt` (or a Statement) on `profile`'s paper and cut it.

    Options as for `render_items`. Raises ValueError for an unsupported
    encoding or QR mode, or an unreadable logo.
    """
    return render_items(
        _layout(receipt, profile), profile,
        encoding=encoding, chinese_mode=chinese_mode, qr=qr, logo=logo,
    )


def preview_lines(receipt: Receipt | Statement, profile: PaperProfile = PAPER_80) -> list[str]:
    """The text lines `render_escpos` prints, centered with spaces, QR as "[QR: …]"."""
    lines = (preview_text(item, profile.columns) for item in _layout(receipt, profile))
    return [line for line in lines if line is not None]
