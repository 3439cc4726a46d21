"""Turn a receipt into ESC/POS bytes, or into the text lines it prints."""

from __future__ import annotations

from ._escpos import Dummy
from .layout import Cut, Feed, Item, QrCode, TextLine, layout_receipt, preview_text
from .profiles import PAPER_80, PaperProfile
from .receipt import Receipt
from .statement import Statement, layout_statement

__all__ = ["render_escpos", "preview_lines"]

ESC_INIT = b"\x1b\x40"
ALIGN = {"left": b"\x1b\x61\x00", "center": b"\x1b\x61\x01"}
BOLD = {False: b"\x1b\x45\x00", True: b"\x1b\x45\x01"}
SIZE = {False: b"\x1d\x21\x00", True: b"\x1d\x21\x11"}  # GS ! n: normal / double w+h
CHINESE_ON = b"\x1c\x26"  # FS &
CHINESE_OFF = b"\x1c\x2e"  # FS .


def encode_line(text: str, encoding: str, chinese_mode: bool) -> bytes:
    """One text line with its newline; non-ASCII lines wrapped in FS & … FS . in Chinese mode.

    Characters the encoding lacks print as "?". Raises LookupError for an
    unknown encoding.
    """
    data = text.encode(encoding, errors="replace")
    if chinese_mode and not text.isascii():
        data = CHINESE_ON + data + CHINESE_OFF
    return data + b"\n"


class _Renderer:
    """Feeds layout items into a Dummy printer, sending mode changes only when needed."""

    def __init__(self, encoding: str, chinese_mode: bool) -> None:
        self.printer = Dummy()
        self.encoding = encoding
        self.chinese_mode = chinese_mode
        self.align, self.bold, self.big = "left", False, False  # state after ESC @

    def mode(self, align: str, bold: bool = False, big: bool = False) -> None:
        if align != self.align:
            self.printer._raw(ALIGN[align])
            self.align = align
        if big != self.big:
            self.printer._raw(SIZE[big])
            self.big = big
        if bold != self.bold:
            self.printer._raw(BOLD[bold])
            self.bold = bold

    def item(self, item: Item) -> None:
        if isinstance(item, TextLine):
            self.mode(item.align, item.bold, item.big)
            self.printer._raw(encode_line(item.text, self.encoding, self.chinese_mode))
        elif isinstance(item, QrCode):
            # escpos 3.1 refuses center=True with native=True, so align ourselves.
            self.mode("center")
            self.printer.qr(item.data, native=True, size=item.size)
        elif isinstance(item, Feed):
            self.printer.print_and_feed(item.lines)
        elif isinstance(item, Cut):
            # feed=False sends GS V 66 0: the printer feeds to its cutter and cuts.
            # (cut() with feed=True would add another six blank lines.)
            self.printer.cut(feed=False)


def _layout(document, profile: PaperProfile) -> list[Item]:
    """Layout items of a Receipt or a Statement."""
    if isinstance(document, Statement):
        return layout_statement(document, profile)
    return layout_receipt(document, profile)


def render_escpos(
    receipt: Receipt | Statement,
    profile: PaperProfile = PAPER_80,
    *,
    encoding: str = "gb18030",
    chinese_mode: bool = True,
) -> bytes:
    """ESC/POS bytes that print `receipt` (or a Statement) on `profile`'s paper and cut it.

    Raises LookupError for an unknown encoding.
    """
    renderer = _Renderer(encoding, chinese_mode)
    renderer.printer._raw(ESC_INIT)
    for item in _layout(receipt, profile):
        renderer.item(item)
    return renderer.printer.output


def preview_lines(receipt: Receipt | Statement, profile: PaperProfile = PAPER_80) -> list[str]:
    """The text lines `render_escpos` prints, centered with spaces, QR as "[QR: …]"."""
    lines = (preview_text(item, profile.columns) for item in _layout(receipt, profile))
    return [line for line in lines if line is not None]
