"""What a receipt says, independent of how it is printed."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime

__all__ = ["ReceiptLine", "ReceiptLabels", "Receipt", "KINDS"]

KINDS = ("sale", "refund")


@dataclass(frozen=True)
class ReceiptLine:
    """One product on the receipt."""

    name: str
    quantity: int
    points: int  # unit price in points (whole number)

    @property
    def total(self) -> int:
        """Points for the whole line."""
        return self.quantity * self.points


@dataclass(frozen=True)
class ReceiptLabels:
    """Printed captions; Chinese defaults, the app may pass translated ones."""

    title_sale: str = "兑换小票"
    title_refund: str = "退货小票"
    reprint: str = "重印"
    receipt_no: str = "小票号"
    time: str = "时间"
    cashier: str = "收银员"
    holder: str = "持卡人"
    household: str = "户"
    item: str = "商品"
    quantity: str = "数量"
    points: str = "积分"
    total_sale: str = "合计扣除"
    total_refund: str = "合计退还"
    balance_before: str = "原有积分"
    balance_after: str = "剩余积分"
    unit: str = "分"
    original_receipt: str = "原小票号"
    footer: str = "谢谢惠顾，欢迎再来"


@dataclass(frozen=True)
class Receipt:
    """A sale or refund receipt, ready to lay out."""

    store_name: str
    receipt_no: str
    issued_at: datetime  # naive local time
    cashier: str
    holder: str  # already masked by the app, e.g. 张*华
    household: str  # e.g. 3栋2单元301
    lines: tuple[ReceiptLine, ...]
    total: int  # points deducted (sale) or returned (refund), positive
    balance_before: int
    balance_after: int
    kind: str = "sale"  # "sale" or "refund"
    original_receipt_no: str = ""  # for a refund: the sale's receipt number
    reprint: bool = False
    labels: ReceiptLabels = field(default_factory=ReceiptLabels)
    # Shown beside the balance now, e.g. "≈ ￥120.00" (what the store says a point is worth).
    balance_value: str = ""
    # Printed after the totals, one line each, e.g. "您有 120 积分将于 2026-12-31 到期".
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        """Turns a list of lines into a tuple. Raises ValueError for an unknown kind."""
        if self.kind not in KINDS:
            raise ValueError(f"receipt kind must be one of {KINDS}, got {self.kind!r}")
        if not isinstance(self.lines, tuple):
            object.__setattr__(self, "lines", tuple(self.lines))
        if not isinstance(self.notes, tuple):
            object.__setattr__(self, "notes", tuple(self.notes))

    @property
    def is_refund(self) -> bool:
        """True for a refund receipt."""
        return self.kind == "refund"

    def to_dict(self) -> dict:
        """A JSON-serialisable dict; `from_dict` is its exact inverse."""
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        data["issued_at"] = self.issued_at.isoformat()
        data["lines"] = [dataclasses.asdict(line) for line in self.lines]
        data["labels"] = dataclasses.asdict(self.labels)
        data["notes"] = list(self.notes)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "Receipt":
        """Rebuild a receipt from `to_dict` output.

        Missing optional keys take their defaults. Raises KeyError or
        TypeError for missing or unknown keys, ValueError for a bad date
        or kind.
        """
        values = dict(data)
        values["issued_at"] = datetime.fromisoformat(values["issued_at"])
        values["lines"] = tuple(ReceiptLine(**line) for line in values["lines"])
        if "labels" in values:
            values["labels"] = ReceiptLabels(**values["labels"])
        return cls(**values)

    def as_reprint(self) -> "Receipt":
        """The same receipt marked as a reprint."""
        return dataclasses.replace(self, reprint=True)
