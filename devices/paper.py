"""What a receipt looks like on paper: a PNG drawn from the ESC/POS bytes we send.

`render_png` interprets the subset of ESC/POS the renderer emits (ESC @, ESC a,
ESC E, ESC !, GS !, FS !, FS &, FS ., LF, ESC d, GS ( k QR codes, GS v 0 raster
images, GS k barcodes, GS V cuts) the way a 203 dpi Chinese receipt printer does: 12×24-dot
ASCII and 24×24-dot double-byte characters, enlarged by dot doubling, lines of
30 dots. Other commands are skipped by their documented length, and any byte
string, even garbage, gives a picture rather than an exception.
"""

from __future__ import annotations

import functools
import io
import logging

from PIL import Image, ImageDraw

from . import fonts
from .escpos_render import check_encoding, render_escpos
from .profiles import FONT_A_WIDTH, FONT_HEIGHT, LINE_SPACING, PAPER_80, PaperProfile

__all__ = ["render_png", "render_paper", "render_document_png", "MARGIN"]

log = logging.getLogger(__name__)

MARGIN = 16  # white paper around the printable area, in dots
MAX_HEIGHT = 20000  # dots (2.5 m of paper): longer input is cut off
GLYPH_SIZE = 22  # font pixels for a 24-dot cell, leaving a dot of spacing around
TEAR_HEIGHT = 24  # paper between the last line and the cut, and after it
ESC, GS, FS, DLE, LF, HT = 0x1B, 0x1D, 0x1C, 0x10, 0x0A, 0x09
QR_EC = {48: "L", 49: "M", 50: "Q", 51: "H"}
ALIGNMENTS = {0: "left", 48: "left", 1: "center", 49: "center", 2: "right", 50: "right"}

# Parameter bytes after "ESC x", "GS x", "FS x" for fixed-length commands.
ESC_PARAMS = {
    b" ": 1, b"!": 1, b"$": 2, b"%": 1, b"-": 1, b"2": 0, b"3": 1, b"=": 1, b"?": 1,
    b"@": 0, b"B": 2, b"E": 1, b"G": 1, b"J": 1, b"L": 0, b"M": 1, b"R": 1, b"S": 0,
    b"T": 1, b"U": 1, b"V": 1, b"W": 8, b"\\": 2, b"a": 1, b"c": 2, b"d": 1, b"e": 1,
    b"i": 0, b"m": 0, b"p": 3, b"r": 1, b"t": 1, b"{": 1,
}
GS_PARAMS = {
    b"!": 1, b"$": 2, b"/": 1, b":": 0, b"B": 1, b"E": 1, b"H": 1, b"I": 1, b"L": 2,
    b"P": 2, b"T": 1, b"W": 2, b"\\": 2, b"^": 3, b"a": 1, b"b": 1, b"f": 1, b"h": 1,
    b"r": 1, b"w": 1,
}
FS_PARAMS = {
    b"!": 1, b"&": 0, b"-": 1, b".": 0, b"2": 74, b"?": 2, b"C": 1, b"S": 2, b"W": 1,
    b"p": 2, b"r": 1,
}


@functools.lru_cache(maxsize=8192)
def _glyph(ch: str, cols: int, bold: bool) -> Image.Image:
    """`ch` in a 1-bit cell of `cols` × 12 by 24 dots, as the printer's font would print it."""
    cell = Image.new("1", (cols * FONT_A_WIDTH, FONT_HEIGHT), 1)
    if ch.isspace():
        return cell
    try:
        font = fonts.cjk_font(GLYPH_SIZE)
    except fonts.FontNotFoundError:
        font = None  # Pillow's built-in bitmap font: Latin only, but still a preview
    if font is None:
        draw = ImageDraw.Draw(cell)
        draw.text((cell.width / 2, FONT_HEIGHT / 2), ch, fill=0, anchor="mm")
        return cell
    # Drawn on a wide canvas first: the CJK font's Latin letters are proportional, and a wide
    # one ("m" is 20 pixels at 22) centered in a 12-dot cell lost both sides ("500ml" read
    # "500rl"). A glyph wider than its cell is narrowed to fit, as the printer's own 12×24
    # font has a narrow "m".
    canvas = Image.new("L", (FONT_HEIGHT * 3, FONT_HEIGHT), 255)
    draw = ImageDraw.Draw(canvas)
    center = (canvas.width / 2, FONT_HEIGHT / 2)
    draw.text(center, ch, font=font, fill=0, anchor="mm")
    if bold:
        draw.text((center[0] + 1, center[1]), ch, font=font, fill=0, anchor="mm")
    box = Image.eval(canvas, lambda value: 255 - value).getbbox()
    if box is None:
        return cell
    ink = canvas.crop((box[0], 0, box[2], FONT_HEIGHT))
    room = cell.width - 1
    if ink.width > room:
        ink = ink.resize((room, FONT_HEIGHT), Image.Resampling.LANCZOS)
    cell.paste(ink.point(lambda value: 0 if value < 128 else 255).convert("1"), ((cell.width - ink.width) // 2, 0))
    return cell


def _multibyte_length(data: bytes, i: int, encoding: str) -> int:
    """Bytes in the double-byte (or GB18030 four-byte) character at `i`, 0 if none is there."""
    lead = data[i]
    if not 0x81 <= lead <= 0xFE or i + 1 >= len(data):
        return 0
    trail = data[i + 1]
    if encoding == "big5":
        return 2 if 0x40 <= trail <= 0x7E or 0xA1 <= trail <= 0xFE else 0
    if 0x40 <= trail <= 0xFE and trail != 0x7F:
        return 2
    if (
        encoding == "gb18030" and 0x30 <= trail <= 0x39 and i + 3 < len(data)
        and 0x81 <= data[i + 2] <= 0xFE and 0x30 <= data[i + 3] <= 0x39
    ):
        return 4
    return 0


class _Paper:
    """The printer's state and the strips of paper printed so far."""

    def __init__(self, profile: PaperProfile, encoding: str) -> None:
        self.dots = profile.dots
        self.encoding = encoding
        self.strips: list[Image.Image] = []  # each `dots` wide
        self.cuts: list[int] = []  # y of each cut, in strip coordinates
        self.height = 0
        self.reset()

    def reset(self) -> None:
        """ESC @: the power-on state (Chinese printers start in Chinese mode)."""
        self.line: list[Image.Image] = []
        self.line_width = 0
        self.line_align: str | None = None
        self.align = "left"
        self.bold = False
        self.ank_size = (1, 1)  # width, height multipliers for ASCII
        self.cjk_size = (1, 1)  # and for double-byte characters
        self.chinese = True
        self.spacing = LINE_SPACING
        self.qr_module, self.qr_ec, self.qr_data = 3, "L", b""
        self.bar_width, self.bar_height, self.hri = 3, 162, 0  # GS w, GS h, GS H

    # -- paper -------------------------------------------------------------

    @property
    def full(self) -> bool:
        return self.height >= MAX_HEIGHT

    def add_strip(self, strip: Image.Image) -> None:
        if self.full or strip.height <= 0:
            return
        if self.height + strip.height > MAX_HEIGHT:
            strip = strip.crop((0, 0, strip.width, MAX_HEIGHT - self.height))
        self.strips.append(strip)
        self.height += strip.height

    def feed(self, dots: int) -> None:
        self.add_strip(Image.new("1", (self.dots, min(dots, MAX_HEIGHT)), 1))

    def place(self, image: Image.Image, align: str) -> None:
        """A strip with `image` (cropped to the paper) aligned on it."""
        image = image.crop((0, 0, min(image.width, self.dots), image.height))
        strip = Image.new("1", (self.dots, image.height), 1)
        x = {"left": 0, "center": (self.dots - image.width) // 2, "right": self.dots - image.width}[align]
        strip.paste(image, (x, 0))
        self.add_strip(strip)

    # -- text --------------------------------------------------------------

    def char(self, ch: str, cols: int) -> None:
        sx, sy = self.cjk_size if cols == 2 else self.ank_size
        glyph = _glyph(ch, cols, self.bold)
        if (sx, sy) != (1, 1):
            glyph = glyph.resize((glyph.width * sx, glyph.height * sy), Image.Resampling.NEAREST)
        if self.line and self.line_width + glyph.width > self.dots:
            self.print_line()  # the printer wraps a full line
        if not self.line:
            self.line_align = self.align  # ESC a counts at the start of a line
        self.line.append(glyph)
        self.line_width += glyph.width

    def print_line(self) -> None:
        """LF: print the buffered line, or feed one empty line."""
        if not self.line:
            self.feed(self.spacing)
            return
        tallest = max(glyph.height for glyph in self.line)
        strip = Image.new("1", (self.line_width, max(self.spacing, tallest)), 1)
        x = 0
        for glyph in self.line:
            strip.paste(glyph, (x, tallest - glyph.height))  # on a common baseline
            x += glyph.width
        self.place(strip, self.line_align or self.align)
        self.line, self.line_width, self.line_align = [], 0, None

    def flush(self) -> None:
        """Print a partly filled line before a command that prints on its own."""
        if self.line:
            self.print_line()

    # -- images ------------------------------------------------------------

    def raster(self, data: bytes, i: int) -> int:
        """GS v 0 m xL xH yL yH d…: returns the index after it."""
        if i + 8 > len(data):
            return len(data)
        mode = data[i + 3]
        width_bytes = int.from_bytes(data[i + 4 : i + 6], "little")
        rows = int.from_bytes(data[i + 6 : i + 8], "little")
        end = i + 8 + width_bytes * rows
        self.flush()
        if width_bytes and rows and not self.full:
            available = (len(data) - i - 8) // width_bytes
            rows = min(rows, available, MAX_HEIGHT - self.height)
            if rows > 0:
                body = data[i + 8 : i + 8 + width_bytes * rows]
                # A set bit is a black dot: the opposite of PIL's mode "1", hence "1;I".
                image = Image.frombytes("1", (width_bytes * 8, rows), body, "raw", "1;I")
                sx, sy = 1 + (mode & 1), 1 + ((mode >> 1) & 1)
                if (sx, sy) != (1, 1):
                    image = image.resize(
                        (min(image.width * sx, self.dots), min(image.height * sy, MAX_HEIGHT)),
                        Image.Resampling.NEAREST,
                    )
                self.place(image, self.align)
        return min(end, len(data))

    def qr(self, function: int, params: bytes) -> None:
        """GS ( k with cn = 49 (QR code): remember the settings, print on fn = 81."""
        if function == 67 and params:  # module size in dots
            self.qr_module = params[0] if 1 <= params[0] <= 16 else self.qr_module
        elif function == 69 and params:  # error correction level
            self.qr_ec = QR_EC.get(params[0], self.qr_ec)
        elif function == 80 and params:  # store data (after m = 48)
            self.qr_data = params[1:]
        elif function == 81:
            self.flush()
            self.print_qr()

    def print_qr(self) -> None:
        import qrcode
        from qrcode.exceptions import DataOverflowError

        if not self.qr_data:
            return
        levels = {
            "L": qrcode.constants.ERROR_CORRECT_L, "M": qrcode.constants.ERROR_CORRECT_M,
            "Q": qrcode.constants.ERROR_CORRECT_Q, "H": qrcode.constants.ERROR_CORRECT_H,
        }
        code = qrcode.QRCode(error_correction=levels[self.qr_ec], box_size=1, border=0)
        try:
            code.add_data(self.qr_data)
            code.make(fit=True)
        except (DataOverflowError, ValueError) as exc:
            log.debug("QR code not drawn: %s", exc)
            return
        matrix = code.get_matrix()
        side = len(matrix)
        image = Image.new("1", (side, side), 1)
        image.putdata([0 if cell else 255 for row in matrix for cell in row])
        module = max(1, min(self.qr_module, self.dots // side))
        self.place(image.resize((side * module, side * module), Image.Resampling.NEAREST), self.align)

    def print_barcode(self, kind: int, payload: bytes) -> None:
        """GS k function B: EAN-13 (m = 67) and Code 128 (m = 73, with {A/{B/{C code sets) are
        drawn; other symbologies print nothing here."""
        from .barcodes import barcode_image

        if kind == 67:
            code = payload[:13].decode("ascii", errors="replace")
            if len(code) == 12:
                from .barcodes import is_ean13
                code = next(code + d for d in "0123456789" if is_ean13(code + d))
        elif kind == 73 and payload[:1] == b"{":
            code, i, charset = "", 0, "B"
            while i < len(payload):
                if payload[i : i + 1] == b"{" and payload[i + 1 : i + 2] in (b"A", b"B", b"C"):
                    charset, i = payload[i + 1 : i + 2].decode(), i + 2
                    continue
                if payload[i : i + 2] == b"{{":
                    code, i = code + "{", i + 2
                    continue
                code += f"{payload[i]:02d}" if charset == "C" else chr(payload[i])
                i += 1
        else:
            return
        self.flush()
        try:
            image = barcode_image(code, module=self.bar_width, height=self.bar_height)
        except ValueError:
            return
        if self.hri & 1:
            self.place(self._hri_line(code), self.align)
        self.place(image, self.align)
        if self.hri & 2:
            self.place(self._hri_line(code), self.align)

    def _hri_line(self, code: str) -> Image.Image:
        """The digits a printer prints with a barcode, in font A."""
        strip = Image.new("1", (len(code) * FONT_A_WIDTH, FONT_HEIGHT), 1)
        for k, ch in enumerate(code):
            strip.paste(_glyph(ch, 1, False), (k * FONT_A_WIDTH, 0))
        return strip

    def cut(self) -> None:
        self.flush()
        self.feed(TEAR_HEIGHT)
        self.cuts.append(self.height)
        self.feed(TEAR_HEIGHT)

    # -- the byte stream ---------------------------------------------------

    def run(self, data: bytes) -> None:
        i = 0
        while i < len(data) and not self.full:
            try:
                i = max(self.step(data, i), i + 1)
            except Exception:  # noqa: BLE001 - a preview must survive any input
                log.debug("skipping byte %d of ESC/POS data", i, exc_info=True)
                i += 1
        self.flush()

    def step(self, data: bytes, i: int) -> int:
        """Interpret what starts at `i`; returns the index after it."""
        b = data[i]
        if b == LF:
            self.print_line()
            return i + 1
        if b == ESC:
            return self.esc(data, i)
        if b == GS:
            return self.gs(data, i)
        if b == FS:
            return self.fs(data, i)
        if b == DLE:
            return self.dle(data, i)
        if b == HT:
            step = 8 * FONT_A_WIDTH
            for _ in range((step - self.line_width % step) // FONT_A_WIDTH):
                self.char(" ", 1)
            return i + 1
        if b < 0x20 or b == 0x7F:
            return i + 1  # CR and other controls print nothing
        if b < 0x80:
            self.char(chr(b), 1)
            return i + 1
        if self.chinese:
            length = _multibyte_length(data, i, self.encoding)
            if length:
                text = data[i : i + length].decode(self.encoding, errors="replace")
                self.char(text[:1], 2)
                return i + length
            return i + 1  # a lone lead byte prints nothing
        self.char(bytes([b]).decode("cp437"), 1)  # the single-byte code page
        return i + 1

    def esc(self, data: bytes, i: int) -> int:
        op = data[i + 1 : i + 2]
        n = data[i + 2] if i + 2 < len(data) else 0
        if op == b"@":
            self.flush()
            self.reset()
        elif op == b"a":
            self.align = ALIGNMENTS.get(n, self.align)
        elif op in (b"E", b"G"):
            self.bold = bool(n & 1)
        elif op == b"!":  # print mode: ASCII only
            self.bold = bool(n & 0x08)
            self.ank_size = (1 + ((n >> 5) & 1), 1 + ((n >> 4) & 1))
        elif op == b"d":
            self.flush()
            self.feed(n * self.spacing)
        elif op == b"J":
            self.flush()
            self.feed(n)
        elif op == b"3":
            self.spacing = max(n, 1)
        elif op == b"2":
            self.spacing = LINE_SPACING
        elif op == b"*":  # bit image: m nL nH d…, 1 or 3 bytes per column
            if i + 5 > len(data):
                return len(data)
            columns = data[i + 3] + 256 * data[i + 4]
            return i + 5 + columns * (3 if n in (32, 33) else 1)
        elif op == b"D":  # tab stops, up to NUL
            end = data.find(b"\x00", i + 2)
            return len(data) if end < 0 else end + 1
        elif op == b"&":  # user-defined characters: y c1 c2 then per character x, y × x bytes
            if i + 5 > len(data):
                return len(data)
            height, first, last = data[i + 2], data[i + 3], data[i + 4]
            j = i + 5
            for _ in range(max(0, last - first + 1)):
                if j >= len(data):
                    break
                j += 1 + height * data[j]
            return j
        elif op == b"(":  # ESC ( X pL pH …
            return self._skip_counted(data, i + 3, 2)
        return i + 2 + ESC_PARAMS.get(op, 0)

    def gs(self, data: bytes, i: int) -> int:
        op = data[i + 1 : i + 2]
        n = data[i + 2] if i + 2 < len(data) else 0
        if op == b"!":
            self.ank_size = self.cjk_size = (1 + ((n >> 4) & 7), 1 + (n & 7))
        elif op == b"v":
            if data[i + 2 : i + 3] == b"0":
                return self.raster(data, i)
            return i + 3
        elif op == b"(":  # GS ( X pL pH …
            end = self._skip_counted(data, i + 3, 2)
            if data[i + 2 : i + 3] == b"k" and end >= i + 7 and data[i + 5] == 49:
                self.qr(data[i + 6], data[i + 7 : end])
            return end
        elif op == b"V":  # cut: m, or m n for "feed and cut"
            self.cut()
            return i + 3 + (1 if n in (65, 66, 97, 98, 103, 104) else 0)
        elif op == b"k":  # barcode: m d… NUL, or m n d1…dn
            if n <= 6:
                end = data.find(b"\x00", i + 3)
                return len(data) if end < 0 else end + 1
            end = i + 4 + (data[i + 3] if i + 3 < len(data) else 0)
            self.print_barcode(n, data[i + 4 : end])
            return end
        elif op == b"w":
            self.bar_width = n if 1 <= n <= 6 else self.bar_width
        elif op == b"h":
            self.bar_height = max(n, 1)
        elif op == b"H":
            self.hri = n & 3
        elif op == b"8" and data[i + 2 : i + 3] == b"L":  # GS 8 L p1 p2 p3 p4 …
            return self._skip_counted(data, i + 3, 4)
        elif op == b"*":  # downloaded bit image: x y d…
            if i + 4 > len(data):
                return len(data)
            return i + 4 + data[i + 2] * data[i + 3] * 8
        return i + 2 + GS_PARAMS.get(op, 0)

    def fs(self, data: bytes, i: int) -> int:
        op = data[i + 1 : i + 2]
        n = data[i + 2] if i + 2 < len(data) else 0
        if op == b"&":
            self.chinese = True
        elif op == b".":
            self.chinese = False
        elif op == b"!":  # print mode for Chinese characters
            self.cjk_size = (1 + ((n >> 2) & 1), 1 + ((n >> 3) & 1))
        elif op == b"W":
            self.cjk_size = (2, 2) if n & 1 else (1, 1)
        elif op == b"(":
            return self._skip_counted(data, i + 3, 2)
        elif op == b"q":  # NV bit images: n × (xL xH yL yH d…)
            j = i + 3
            for _ in range(n):
                if j + 4 > len(data):
                    return len(data)
                x, y = data[j] + 256 * data[j + 1], data[j + 2] + 256 * data[j + 3]
                j += 4 + x * y * 8
            return j
        return i + 2 + FS_PARAMS.get(op, 0)

    def dle(self, data: bytes, i: int) -> int:
        op = data[i + 1 : i + 2]
        if op in (b"\x04", b"\x05"):  # DLE EOT n, DLE ENQ n: status requests
            return i + 3
        if op == b"\x14":  # DLE DC4 fn m t
            return i + 5
        return i + 1

    @staticmethod
    def _skip_counted(data: bytes, at: int, size: int) -> int:
        """Index after a block whose length is the `size`-byte little-endian number at `at`."""
        if at + size > len(data):
            return len(data)
        return min(at + size + int.from_bytes(data[at : at + size], "little"), len(data))

    # -- the picture -------------------------------------------------------

    def image(self) -> Image.Image:
        page = Image.new("1", (self.dots + 2 * MARGIN, self.height + 2 * MARGIN), 1)
        y = MARGIN
        for strip in self.strips:
            page.paste(strip, (MARGIN, y))
            y += strip.height
        draw = ImageDraw.Draw(page)
        for cut in self.cuts:
            for x in range(0, page.width, 12):  # a dashed tear line, edge to edge
                draw.line((x, MARGIN + cut, x + 6, MARGIN + cut), fill=0)
        return page


def render_paper(data: bytes, profile: PaperProfile = PAPER_80, *, encoding: str = "gb18030") -> Image.Image:
    """The paper (a 1-bit PIL image) that `data` would print on `profile`.

    The image is `profile.dots + 2 * MARGIN` wide. Never raises for odd bytes;
    raises ValueError for an unsupported encoding.
    """
    paper = _Paper(profile, check_encoding(encoding))
    paper.run(bytes(data))
    return paper.image()


def render_png(data: bytes, profile: PaperProfile = PAPER_80, *, encoding: str = "gb18030") -> bytes:
    """`render_paper` as PNG bytes, for the staff screen and the README."""
    buffer = io.BytesIO()
    render_paper(data, profile, encoding=encoding).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def render_document_png(document, profile: PaperProfile = PAPER_80, **options) -> bytes:
    """PNG of a Receipt or Statement as printed: `render_png(render_escpos(document, …))`.

    `options` are those of `render_escpos` (encoding, chinese_mode, qr, logo).
    Raises ValueError as `render_escpos` does.
    """
    data = render_escpos(document, profile, **options)
    return render_png(data, profile, encoding=options.get("encoding", "gb18030"))
