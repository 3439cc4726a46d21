"""A plain text slip for the receipt printer: a title and rows of words, each row a label with
its figure set to the right, a heading, or a rule. Any report short enough for a roll of paper
(the day close, 日结单) is laid out as one; the app passes every word, already translated.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from .layout import FEED_LINES, Cut, Feed, Item, TextLine, _centered, _left, _left_right
from .profiles import PaperProfile

__all__ = ["Slip", "SlipRow", "layout_slip"]

TEXT, HEADING, RULE = "text", "heading", "rule"


@dataclass(frozen=True)
class SlipRow:
    """``left`` with ``right`` set flush right (wrapped when long); a ``heading`` is centered
    and bold; a ``rule`` is a line of dashes."""

    left: str = ""
    right: str = ""
    kind: str = TEXT


@dataclass(frozen=True)
class Slip:
    store_name: str
    title: str
    rows: tuple[SlipRow, ...] = ()

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Slip":
        return cls(store_name=data["store_name"], title=data["title"],
                   rows=tuple(SlipRow(**row) for row in data["rows"]))


def layout_slip(slip: Slip, profile: PaperProfile) -> list[Item]:
    """Store name (big), title (bold), a rule, then each row; fed and cut."""
    cols = profile.columns
    rule = TextLine("-" * cols)
    items: list[Item] = []
    if slip.store_name:
        items += _centered(slip.store_name, cols, big=True)
    items += _centered(slip.title, cols, bold=True)
    items.append(rule)
    for row in slip.rows:
        if row.kind == RULE:
            items.append(rule)
        elif row.kind == HEADING:
            items += _centered(row.left, cols, bold=True)
        elif row.right:
            items += _left_right(row.left, row.right, cols)
        else:
            items += _left(row.left, cols)
    items += [Feed(FEED_LINES), Cut()]
    return items
