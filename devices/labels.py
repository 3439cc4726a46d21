"""Shelf labels (价签) printed on the receipt printer: name, points and barcode, one label per
cut, so each can go straight onto the shelf edge."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from .layout import Barcode, Cut, Feed, Item, _centered
from .profiles import PaperProfile

__all__ = ["ShelfLabel", "ShelfLabels", "ShelfLabelCaptions", "layout_labels"]


@dataclass(frozen=True)
class ShelfLabel:
    name: str
    points: int
    barcode: str = ""  # "" prints no barcode
    unit: str = ""  # 件, 瓶, 袋… printed as "/瓶" after the points


@dataclass(frozen=True)
class ShelfLabelCaptions:
    """Printed words; Chinese defaults, the app passes translated ones."""

    points: str = "分"


@dataclass(frozen=True)
class ShelfLabels:
    """A print job of shelf labels for one store."""

    store_name: str
    labels: tuple[ShelfLabel, ...] = ()
    captions: ShelfLabelCaptions = field(default_factory=ShelfLabelCaptions)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "ShelfLabels":
        return cls(
            store_name=data["store_name"], labels=tuple(ShelfLabel(**label) for label in data["labels"]),
            captions=ShelfLabelCaptions(**data.get("captions", {})),
        )


def layout_labels(document: ShelfLabels, profile: PaperProfile) -> list[Item]:
    """Each label: the store small, the name big, the points big and bold, the barcode; a cut."""
    cols = profile.columns
    items: list[Item] = []
    for label in document.labels:
        if document.store_name:
            items += _centered(document.store_name, cols)
        items += _centered(label.name, cols, big=True)
        price = f"{label.points}{document.captions.points}" + (f"/{label.unit}" if label.unit else "")
        items += _centered(price, cols, bold=True, big=True)
        if label.barcode:
            items += [Feed(1), Barcode(label.barcode)]
        items += [Feed(2), Cut()]
    return items
