"""Redemption windows and limits in words, for the screens (Flask-Babel; no requests here)."""
from dataclasses import dataclass

from babel.dates import format_skeleton
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l

from kiosk.redemption import windows

# What a limit allows, before a card is scanned.
LIMIT = {
    (windows.MONTH, False): _l("Limit %(count)s %(unit)s a month"),
    (windows.QUARTER, False): _l("Limit %(count)s %(unit)s a quarter"),
    (windows.YEAR, False): _l("Limit %(count)s %(unit)s a year"),
    (windows.MONTH, True): _l("Limit %(count)s %(unit)s a month per member"),
    (windows.QUARTER, True): _l("Limit %(count)s %(unit)s a quarter per member"),
    (windows.YEAR, True): _l("Limit %(count)s %(unit)s a year per member"),
}
# What the scanned account may still add, on top of the cart.
LEFT = {
    windows.MONTH: _l("%(count)s %(unit)s more this month"),
    windows.QUARTER: _l("%(count)s %(unit)s more this quarter"),
    windows.YEAR: _l("%(count)s %(unit)s more this year"),
}
REACHED = {
    windows.MONTH: _l("Monthly limit reached"),
    windows.QUARTER: _l("Quarterly limit reached"),
    windows.YEAR: _l("Yearly limit reached"),
}
OVER = {
    windows.MONTH: _l("Over the monthly limit"),
    windows.QUARTER: _l("Over the quarterly limit"),
    windows.YEAR: _l("Over the yearly limit"),
}


def short_date(day):
    """3月26日周四 / Thu, Mar 26."""
    return format_skeleton("MMMEd", day, locale=get_locale())


@dataclass(frozen=True)
class LimitNote:
    """A limited product's note on the cashier screen: its tile and its cart line."""

    product_id: int
    text: str
    state: str  # "limit" (no card), "left", "reached" or "over"


def limit_note(limit, allowance=None, in_cart=0):
    """The note for a ProductLimit: what it allows, or with the account's ``allowance`` what
    may still be added on top of the ``in_cart`` quantity."""
    unit = limit.product.unit
    if allowance is None:
        text = str(LIMIT[(limit.period, limit.per_member)]) % {"count": limit.quantity, "unit": unit}
        return LimitNote(limit.product_id, text, "limit")
    more = allowance.left - in_cart
    if more > 0:
        return LimitNote(limit.product_id, str(LEFT[limit.period]) % {"count": more, "unit": unit}, "left")
    if more == 0:
        return LimitNote(limit.product_id, str(REACHED[limit.period]), "reached")
    return LimitNote(limit.product_id, str(OVER[limit.period]), "over")


def describe_limit(limit):
    """A limit as the limits screen lists it: "每户每月限 1 桶" / "每人每月限 1 桶"."""
    return str(LIMIT[(limit.period, limit.per_member)]) % {"count": limit.quantity, "unit": limit.product.unit}


def describe_window(window):
    """When the store redeems, in words: "每月26–31日", "每季度第1、13周"…"""
    if window.mode == windows.MONTH_DAYS:
        return gettext("Days %(days)s of each month", days=window.spec.replace("-", "–").replace(",", gettext(", ")))
    if window.mode == windows.MONTH_LAST:
        return gettext("The last %(count)s days of each month", count=window.last_days)
    if window.mode == windows.QUARTER_WEEKS:
        weeks = gettext(", ").join(str(w) for w in sorted(window.weeks))
        if weeks and window.last_week:
            return gettext("Weeks %(weeks)s and the last week of each quarter", weeks=weeks)
        if weeks:
            return gettext("Weeks %(weeks)s of each quarter", weeks=weeks)
        return gettext("The last week of each quarter")
    return gettext("Always open")


def describe_opening(start, end):
    """One opening: "3月26日周四 – 3月31日周二"."""
    if end is None:
        return gettext("from %(start)s", start=short_date(start))
    if end == start:
        return short_date(start)
    return gettext("%(start)s – %(end)s", start=short_date(start), end=short_date(end))
