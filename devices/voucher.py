"""A service voucher's slip (服务券): printed after the receipt, one slip per voucher, each cut
off so that it can be handed over on its own.

Byte-level contract (``render_escpos(VoucherSlip(...))``): ESC @, the store name (double size,
centered), the title (bold, with 【重印】 when a reprint), the voucher's name, a rule, one line
each for the number, what it is worth, who honours it, the last valid day and the household
(or "bearer"), a rule, the QR code holding ``payload`` (native GS ( k, centered), the number
again under it, ``** 重印 **`` on a reprint, the note, then a feed and one cut (GS V 66 0).
All text is GB18030 (or the printer's encoding) in Chinese mode, as for receipts. The slip
knows nothing of the app: every word comes in already translated.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from .layout import FEED_LINES, Cut, Feed, Item, QrCode, TextLine, _caption, _centered, _left
from .profiles import PaperProfile

__all__ = ["VoucherSlip", "VoucherLabels", "layout_voucher"]


@dataclass(frozen=True)
class VoucherLabels:
    """Printed captions; Chinese defaults, the app passes translated ones."""

    title: str = "服务券"
    reprint: str = "重印"
    serial: str = "券号"
    face: str = "面值"
    partner: str = "兑付商家"
    valid_until: str = "有效期至"
    household: str = "所属住户"
    bearer: str = "不记名，凭券使用"
    note: str = "凭此券到商家使用，每张券只能使用一次。"


@dataclass(frozen=True)
class VoucherSlip:
    """One voucher, ready to lay out."""

    store_name: str
    serial: str  # as printed: ten digits
    name: str  # the voucher product's name, e.g. 时令水果兑换券
    face: str  # what it is worth, in words: 时令水果 1 份
    partner: str  # who honours it: 老王水果摊
    valid_until: str  # the last valid day, local, e.g. 2026-12-31
    payload: str  # what the QR code holds (signed by the app)
    household: str = ""  # masked, e.g. 张*华 3栋2单元301; "" for a bearer voucher
    reprint: bool = False
    labels: VoucherLabels = field(default_factory=VoucherLabels)

    def to_dict(self) -> dict:
        """A JSON-serialisable dict; `from_dict` is its exact inverse."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "VoucherSlip":
        values = dict(data)
        if "labels" in values:
            values["labels"] = VoucherLabels(**values["labels"])
        return cls(**values)

    def as_reprint(self) -> "VoucherSlip":
        """The same voucher (same number, same QR) marked 重印."""
        return dataclasses.replace(self, reprint=True)


def layout_voucher(slip: VoucherSlip, profile: PaperProfile) -> list[Item]:
    """The slip as layout items for `profile`'s paper width, fed and cut."""
    cols = profile.columns
    labels = slip.labels
    rule = TextLine("-" * cols)
    items: list[Item] = []
    if slip.store_name:
        items += _centered(slip.store_name, cols, big=True)
    title = f"{labels.title} 【{labels.reprint}】" if slip.reprint else labels.title
    items += _centered(title, cols, bold=True)
    items += _centered(slip.name, cols, bold=True)
    items.append(rule)
    rows = [
        (labels.serial, slip.serial),
        (labels.face, slip.face),
        (labels.partner, slip.partner),
        (labels.valid_until, slip.valid_until),
        (labels.household, slip.household) if slip.household else None,
    ]
    for row in rows:
        if row is not None:
            items += _left(_caption(*row), cols)
    if not slip.household:
        items += _left(labels.bearer, cols)
    items.append(rule)
    items.append(QrCode(slip.payload, profile.qr_size))
    items += _centered(slip.serial, cols)
    if slip.reprint:
        items += _centered(f"** {labels.reprint} **", cols, bold=True)
    if labels.note:
        items += _centered(labels.note, cols)
    items += [Feed(FEED_LINES), Cut()]
    return items
