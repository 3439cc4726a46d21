"""An account statement (对账单) for a period: the paper passbook, printed on a receipt printer."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date

from . import text
from .layout import AMBIGUOUS, FEED_LINES, Cut, Feed, Item, TextLine, _caption, _centered, _left, _left_right
from .profiles import PaperProfile

__all__ = ["Statement", "StatementEntry", "StatementLabels", "layout_statement", "totals"]


@dataclass(frozen=True)
class StatementEntry:
    """One ledger entry: when, what for, the signed points, the balance it left."""

    day: date
    what: str
    delta: int
    balance: int
    expired: bool = False  # points that expired unused (counted apart from points spent)


@dataclass(frozen=True)
class StatementLabels:
    """Printed captions; Chinese defaults, the app may pass translated ones."""

    title: str = "积分对账单"
    holder: str = "持卡人"
    household: str = "户"
    period: str = "期间"
    opening: str = "期初余额"
    closing: str = "期末余额"
    earned: str = "本期获得"
    spent: str = "本期使用"
    none: str = "本期没有积分流水"
    unit: str = "分"
    expired: str = "本期到期"


@dataclass(frozen=True)
class Statement:
    store_name: str
    holder: str  # already masked by the app
    household: str
    period_from: date
    period_to: date
    opening: int
    entries: tuple[StatementEntry, ...] = ()
    labels: StatementLabels = field(default_factory=StatementLabels)
    # Shown beside the closing balance, e.g. "≈ ￥120.00".
    closing_value: str = ""

    @property
    def closing(self) -> int:
        return self.opening + sum(entry.delta for entry in self.entries)

    @property
    def earned(self) -> int:
        return sum(entry.delta for entry in self.entries if entry.delta > 0)

    @property
    def spent(self) -> int:
        return -sum(entry.delta for entry in self.entries if entry.delta < 0 and not entry.expired)

    @property
    def expired(self) -> int:
        """Points that expired unused in the period."""
        return -sum(entry.delta for entry in self.entries if entry.expired)

    def to_dict(self) -> dict:
        data = dataclasses.asdict(self)
        data["period_from"], data["period_to"] = self.period_from.isoformat(), self.period_to.isoformat()
        data["entries"] = [dict(e, day=e["day"].isoformat()) for e in data["entries"]]
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "Statement":
        entries = tuple(
            StatementEntry(date.fromisoformat(e["day"]), e["what"], e["delta"], e["balance"], e.get("expired", False))
            for e in data["entries"]
        )
        return cls(
            store_name=data["store_name"], holder=data["holder"], household=data["household"],
            period_from=date.fromisoformat(data["period_from"]), period_to=date.fromisoformat(data["period_to"]),
            opening=data["opening"], entries=entries, labels=StatementLabels(**data.get("labels", {})),
            closing_value=data.get("closing_value", ""),
        )


def totals(statement: Statement) -> list[tuple[str, int, str]]:
    """(label, points, value text) of the statement's closing lines; expired points only when
    some expired."""
    labels = statement.labels
    rows = [(labels.earned, statement.earned, ""), (labels.spent, statement.spent, "")]
    if statement.expired:
        rows.append((labels.expired, statement.expired, ""))
    return rows + [(labels.closing, statement.closing, statement.closing_value)]


def layout_statement(statement: Statement, profile: PaperProfile) -> list[Item]:
    """The statement as layout items: header, one row per entry (date, what, ±points), totals."""
    cols = profile.columns
    labels = statement.labels
    rule = TextLine("-" * cols)
    items: list[Item] = []
    if statement.store_name:
        items += _centered(statement.store_name, cols, big=True)
    items += _centered(labels.title, cols)
    period = f"{statement.period_from:%Y-%m-%d} ~ {statement.period_to:%Y-%m-%d}"
    for label, value in ((labels.holder, statement.holder), (labels.household, statement.household), (labels.period, period)):
        if value:
            items += _left(_caption(label, value), cols)
    items.append(rule)
    items += _left_right(labels.opening, f"{statement.opening}{labels.unit}", cols)
    for entry in statement.entries:
        left = f"{entry.day:%m-%d} {entry.what}".rstrip()
        right = f"{entry.delta:+d} {entry.balance:>6}"
        items += [TextLine(line) for line in text.columns_lines(left, right, cols, ambiguous=AMBIGUOUS)]
    if not statement.entries:
        items += _left(labels.none, cols)
    items.append(rule)
    for label, value, extra in totals(statement):
        items += _left_right(label, f"{value}{labels.unit} {extra}".rstrip(), cols)
    items += [Feed(FEED_LINES), Cut()]
    return items
