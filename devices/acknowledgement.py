"""A donation acknowledgement (捐赠回执 / 感谢信) for the receipt printer.

The community thanks its donors in public; the slip handed to the donor names them, lists what
they gave and its value in points, and carries the store's thanks.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date

from .layout import FEED_LINES, Cut, Feed, Item, TextLine, _caption, _centered, _left, _left_right
from .profiles import PaperProfile

__all__ = ["Acknowledgement", "AcknowledgementLine", "AcknowledgementLabels", "layout_acknowledgement"]


@dataclass(frozen=True)
class AcknowledgementLine:
    name: str
    quantity: int
    unit: str = ""


@dataclass(frozen=True)
class AcknowledgementLabels:
    """Printed captions; Chinese defaults, the app passes translated ones."""

    title: str = "捐赠回执"
    number: str = "单号"
    donor: str = "捐赠人"
    day: str = "日期"
    goods: str = "捐赠物品"
    value: str = "折合积分"
    unit: str = "分"
    staff: str = "经办人"
    thanks: str = "衷心感谢您对社区积分超市的爱心捐赠！您的善意将化作居民手中的日用品，我们将在社区公示栏公开致谢。"


@dataclass(frozen=True)
class Acknowledgement:
    store_name: str
    number: str
    donor: str
    issued_on: date
    lines: tuple[AcknowledgementLine, ...] = ()
    total_points: int = 0
    staff: str = ""
    labels: AcknowledgementLabels = field(default_factory=AcknowledgementLabels)

    def to_dict(self) -> dict:
        data = dataclasses.asdict(self)
        data["issued_on"] = self.issued_on.isoformat()
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "Acknowledgement":
        return cls(
            store_name=data["store_name"], number=data["number"], donor=data["donor"],
            issued_on=date.fromisoformat(data["issued_on"]),
            lines=tuple(AcknowledgementLine(**line) for line in data["lines"]),
            total_points=data["total_points"], staff=data.get("staff", ""),
            labels=AcknowledgementLabels(**data.get("labels", {})),
        )


def layout_acknowledgement(doc: Acknowledgement, profile: PaperProfile) -> list[Item]:
    """Store name, title, the donor, each gift with its quantity, the value, the thanks."""
    cols = profile.columns
    labels = doc.labels
    rule = TextLine("-" * cols)
    items: list[Item] = []
    if doc.store_name:
        items += _centered(doc.store_name, cols, big=True)
    items += _centered(labels.title, cols, bold=True)
    items.append(rule)
    items += _left(_caption(labels.donor, doc.donor), cols)
    items += _left(_caption(labels.number, doc.number), cols)
    items += _left(_caption(labels.day, f"{doc.issued_on:%Y-%m-%d}"), cols)
    items.append(rule)
    items += _left(labels.goods, cols)
    for line in doc.lines:
        items += _left_right(line.name, f"{line.quantity}{line.unit}", cols)
    items.append(rule)
    items += _left_right(labels.value, f"{doc.total_points}{labels.unit}", cols)
    items.append(TextLine(""))
    items += _left(labels.thanks, cols)
    items.append(TextLine(""))
    if doc.staff:
        items += _left(_caption(labels.staff, doc.staff), cols)
    items += [Feed(FEED_LINES), Cut()]
    return items
