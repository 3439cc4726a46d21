"""Receipt layout as a list of items shared by the ESC/POS renderer and the preview."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from . import text
from .profiles import PaperProfile
from .receipt import Receipt, ReceiptLine

__all__ = [
    "TextLine", "QrCode", "Barcode", "Feed", "Cut", "Item", "item_widths", "layout_receipt", "preview_text",
]

QTY_WIDTH = 6
FEED_LINES = 3
# A GB18030 printer in Chinese mode prints every double-byte character full
# width, including East Asian "ambiguous" ones such as × · — “ é.
AMBIGUOUS = 2


def _width(s: str) -> int:
    return text.display_width(s, ambiguous=AMBIGUOUS)


def _wrap(s: str, width: int) -> list[str]:
    return text.wrap(s, width, ambiguous=AMBIGUOUS)


def _pad_left(s: str, width: int) -> str:
    return text.pad_left(s, width, ambiguous=AMBIGUOUS)


def _pad_right(s: str, width: int) -> str:
    return text.pad_right(s, width, ambiguous=AMBIGUOUS)


def _center(s: str, width: int) -> str:
    return text.center(s, width, ambiguous=AMBIGUOUS)


@dataclass(frozen=True)
class TextLine:
    """One printed line; `text` already fits the paper (half of it when big)."""

    text: str
    align: str = "left"  # "left" or "center"
    bold: bool = False
    big: bool = False  # double width and height


@dataclass(frozen=True)
class QrCode:
    """A centered QR code printed by the printer itself."""

    data: str
    size: int


@dataclass(frozen=True)
class Barcode:
    """A centered linear barcode (EAN-13 or Code 128, see devices.barcodes) with its digits
    printed under the bars; `height` in dots."""

    data: str
    height: int = 80


@dataclass(frozen=True)
class Feed:
    """Blank paper before the cut."""

    lines: int


@dataclass(frozen=True)
class Cut:
    """Cut the paper."""


Item = Union[TextLine, QrCode, Barcode, Feed, Cut]


def item_widths(cols: int) -> tuple[int, int, int]:
    """Columns for (name, quantity, points) of an item row on `cols`-wide paper."""
    points = 12 if cols >= 40 else 10
    return cols - QTY_WIDTH - points, QTY_WIDTH, points


def _caption(label: str, value: str) -> str:
    """`label：value`, with an ASCII colon for an ASCII (translated) label."""
    sep = ": " if label.isascii() else "："
    return f"{label}{sep}{value}"


def _left(content: str, cols: int) -> list[TextLine]:
    return [TextLine(part) for part in _wrap(content, cols)]


def _centered(content: str, cols: int, *, bold: bool = False, big: bool = False) -> list[TextLine]:
    width = cols // 2 if big else cols
    return [TextLine(part, "center", bold, big) for part in _wrap(content, width)]


def _item_row(name: str, qty: str, points: str, cols: int) -> list[TextLine]:
    """Name left, qty and points right-aligned in fixed columns on the first line."""
    name_w, qty_w, points_w = item_widths(cols)
    if _width(qty) >= qty_w or _width(points) >= points_w:
        # Numbers too long for their columns: fall back to a free layout.
        return _left_right(name, f"{qty} {points}", cols)
    numbers = _pad_left(qty, qty_w) + _pad_left(points, points_w)
    parts = _wrap(name, name_w)
    first = TextLine(_pad_right(parts[0], name_w) + numbers)
    return [first] + [TextLine(part) for part in parts[1:]]


def _left_right(left: str, right: str, cols: int) -> list[TextLine]:
    return [TextLine(line) for line in text.columns_lines(left, right, cols, ambiguous=AMBIGUOUS)]


def _line_row(line: ReceiptLine, cols: int) -> list[TextLine]:
    return _item_row(line.name, str(line.quantity), str(line.total), cols)


def layout_receipt(receipt: Receipt, profile: PaperProfile) -> list[Item]:
    """The receipt as layout items for `profile`'s paper width."""
    cols = profile.columns
    labels = receipt.labels
    rule = TextLine("-" * cols)
    items: list[Item] = []

    if receipt.store_name:
        items += _centered(receipt.store_name, cols, big=True)
    title = labels.title_refund if receipt.is_refund else labels.title_sale
    if receipt.reprint:
        title = f"{title} 【{labels.reprint}】"
    items += _centered(title, cols)

    header = [
        (labels.receipt_no, receipt.receipt_no),
        (labels.time, receipt.issued_at.strftime("%Y-%m-%d %H:%M")),
        (labels.cashier, receipt.cashier),
        (labels.holder, receipt.holder),
        (labels.household, receipt.household),
    ]
    if receipt.is_refund:
        header.append((labels.original_receipt, receipt.original_receipt_no))
    for label, value in header:
        items += _left(_caption(label, value), cols)

    items.append(rule)
    items += _item_row(labels.item, labels.quantity, labels.points, cols)
    for line in receipt.lines:
        items += _line_row(line, cols)
    items.append(rule)

    total_label = labels.total_refund if receipt.is_refund else labels.total_sale
    for label, value, extra in (
        (total_label, receipt.total, ""),
        (labels.balance_before, receipt.balance_before, ""),
        (labels.balance_after, receipt.balance_after, receipt.balance_value),
    ):
        items += _left_right(label, f"{value}{labels.unit} {extra}".rstrip(), cols)
    if receipt.notes:
        items.append(rule)
        for note in receipt.notes:
            items += _left(note, cols)

    if receipt.reprint:
        items += _centered(f"** {labels.reprint} **", cols, bold=True)
    if receipt.receipt_no:
        items.append(QrCode(receipt.receipt_no, profile.qr_size))
    if labels.footer:
        items += _centered(labels.footer, cols)
    items += [Feed(FEED_LINES), Cut()]
    return items


def preview_text(item: Item, cols: int) -> str | None:
    """How `item` reads on paper, or None for items that print nothing."""
    if isinstance(item, TextLine):
        if item.align == "center":
            return _center(item.text, cols).rstrip()
        return item.text
    if isinstance(item, QrCode):
        return _center(f"[QR: {item.data}]", cols).rstrip()
    if isinstance(item, Barcode):
        return _center(f"[|||| {item.data} ||||]", cols).rstrip()
    return None
