"""What the two notice-board sheets list (积分细则 and 兑换细则), gathered for one store on one
of its local days. Plain data, no words and no Flask: ``kiosk.rulesheets.words`` puts it into
the reader's language and ``kiosk.rulesheets.pdf`` lays it out.

- The earning sheet lists the current version of every rule active on the day, grouped by
  category: the categories that earn first, those holding deductions (扣分) after them.
- The redemption sheet lists the goods and vouchers on sale with their points and limits (限购),
  grouped by category in the order of the cashier's grid, and when redemption is open.
"""
from dataclasses import dataclass

from kiosk.db import utcnow
from kiosk.earning.models import PER_HALF_HOUR
from kiosk.earning.service import current_rules
from kiosk.inventory.models import VOUCHER, Product
from kiosk.redemption import windows
from kiosk.redemption.service import store_limits

OPENINGS_LISTED = 3


def local_today(store, now=None):
    """The store's own day (its ``timezone``) at ``now`` (naive UTC, default: now)."""
    return windows.local_date(now or utcnow(), store.timezone)


@dataclass(frozen=True)
class Group:
    """One category and its lines, in the order they are printed."""

    name: str
    lines: tuple


# ----------------------------------------------------------------------------- earning

@dataclass(frozen=True)
class RuleLine:
    code: str
    name: str
    points: int  # per occurrence or per half hour; negative for a deduction
    per_half_hour: bool
    cap_month: int | None
    cap_year: int | None
    # Occurrences in ``occurrence_period`` that count before the rule applies: for a
    # deduction, recorded warnings (劝导) with nothing deducted.
    warnings: int
    occurrence_period: str
    linked_share: int  # percent the paired party member earns (结对帮扶), 0 for none

    @property
    def deduction(self):
        return self.points < 0


@dataclass(frozen=True)
class EarningSheet:
    store_name: str
    day: object  # the store's local date the sheet is valid on
    groups: tuple  # of Group of RuleLine
    objection_days: int  # how long a resident may object to a deduction (异议期)

    @property
    def has_deductions(self):
        return any(line.deduction for group in self.groups for line in group.lines)


def earning_sheet(store, day):
    """The rules of ``store`` in force on its local ``day``."""
    by_category = {}
    for rule in current_rules(store, on=day):
        by_category.setdefault(rule.category, []).append(RuleLine(
            code=rule.code, name=rule.name, points=rule.points, per_half_hour=rule.unit == PER_HALF_HOUR,
            cap_month=rule.cap_month, cap_year=rule.cap_year, warnings=rule.from_occurrence - 1,
            occurrence_period=rule.occurrence_period, linked_share=rule.linked_share,
        ))
    groups = []
    for category, lines in by_category.items():
        # Earnings before deductions within a category, then as the catalog orders them.
        lines.sort(key=lambda line: (line.deduction, line.code))
        groups.append(Group(category, tuple(lines)))
    # Categories that earn first; a category of deductions only (扣分项) at the end.
    groups.sort(key=lambda group: (all(line.deduction for line in group.lines), group.name))
    return EarningSheet(store.name, day, tuple(groups), store.objection_days)


# ----------------------------------------------------------------------------- redemption

@dataclass(frozen=True)
class ProductLine:
    product_id: int
    name: str
    unit: str
    points: int
    voucher: bool
    limit: object  # its ProductLimit (with .product loaded), or None


@dataclass(frozen=True)
class RedemptionSheet:
    store_name: str
    day: object
    groups: tuple  # of Group of ProductLine
    window: windows.Window
    openings: tuple  # the next openings from ``day`` as (first day, last day or None)
    account_mode: str  # "household" or "person": whom a limit counts for

    @property
    def has_limits(self):
        return any(line.limit is not None for group in self.groups for line in group.lines)


def redemption_sheet(store, day):
    """The goods and vouchers ``store`` has on sale, its limits and its window, on its local ``day``."""
    products = list(Product.on_sale(store))
    limits = store_limits(store, [p.id for p in products])
    by_category = {}
    for product in products:
        by_category.setdefault(product.category, []).append(ProductLine(
            product_id=product.id, name=product.name, unit=product.unit, points=product.points,
            voucher=product.kind == VOUCHER, limit=limits.get(product.id),
        ))
    # Categories in the order of the cashier's grid (their first product), goods before vouchers.
    groups = tuple(Group(category, tuple(lines)) for category, lines in by_category.items())
    groups = tuple(sorted(groups, key=lambda group: all(line.voucher for line in group.lines)))
    window = windows.Window.of(store)
    return RedemptionSheet(store.name, day, groups, window, tuple(window.openings(day, OPENINGS_LISTED)),
                           store.account_mode)
