"""The period a report covers: local days of the store, and the UTC bounds its rows are read by.

A period is written the way people say it and the CLI takes it (``--period``):

- ``2026-11-05``             one day
- ``2026-11``                a month
- ``2026-Q4``                a quarter
- ``2026``                   a year
- ``2026-11-01..2026-11-15`` two days, both included

``Period.bounds(tz_name)`` turns it into [start, end) as naive UTC times, as the database keeps
them: local midnight of the first day up to local midnight after the last, in the store's own zone
(Store.timezone), so a month of a store in a zone with summer time has the right 743 or 745 hours.

No Flask here; parse() raises KioskError("bad_report_period") for anything else.
"""
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from kiosk.errors import KioskError

DAY, MONTH, QUARTER, YEAR, RANGE = "day", "month", "quarter", "year", "range"
# The longest a chosen pair of days may span: a report of several years is a year report each.
MAX_DAYS = 3 * 366
_FORMS = (
    (re.compile(r"(\d{4})-(\d{2})-(\d{2})\.\.(\d{4})-(\d{2})-(\d{2})", re.ASCII), RANGE),
    (re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII), DAY),
    (re.compile(r"(\d{4})-[Qq]([1-4])", re.ASCII), QUARTER),
    (re.compile(r"(\d{4})-(\d{2})", re.ASCII), MONTH),
    (re.compile(r"(\d{4})", re.ASCII), YEAR),
)


@dataclass(frozen=True)
class Period:
    """From ``first`` to ``last`` (local dates, both included); ``kind`` says how it was named."""

    first: date
    last: date
    kind: str = RANGE

    @property
    def code(self):
        """The period as parse() reads it back: 2026-11, 2026-Q4, 2026, 2026-11-05, a..b."""
        if self.kind == DAY:
            return self.first.isoformat()
        if self.kind == MONTH:
            return f"{self.first:%Y-%m}"
        if self.kind == QUARTER:
            return f"{self.first.year}-Q{(self.first.month - 1) // 3 + 1}"
        if self.kind == YEAR:
            return str(self.first.year)
        return f"{self.first.isoformat()}..{self.last.isoformat()}"

    @property
    def label(self):
        """The period in Chinese as a report's title names it: 2026年11月, 2026年第4季度…"""
        if self.kind == DAY:
            return f"{self.first.year}年{self.first.month}月{self.first.day}日"
        if self.kind == MONTH:
            return f"{self.first.year}年{self.first.month}月"
        if self.kind == QUARTER:
            return f"{self.first.year}年第{(self.first.month - 1) // 3 + 1}季度"
        if self.kind == YEAR:
            return f"{self.first.year}年"
        return f"{self.first.isoformat()} 至 {self.last.isoformat()}"

    @property
    def days(self):
        return (self.last - self.first).days + 1

    def bounds(self, tz_name):
        """(start, end) as naive UTC: local midnight of ``first`` and of the day after ``last``."""
        return utc_midnight(self.first, tz_name), utc_midnight(self.last + timedelta(days=1), tz_name)

    def months(self):
        """The first day of every month the period touches, in order."""
        out, day = [], self.first.replace(day=1)
        while day <= self.last:
            out.append(day)
            day = _next_month(day)
        return out

    def previous(self):
        """The period of the same kind just before this one (a range: as many days before)."""
        if self.kind == MONTH:
            return month(_previous_month(self.first))
        if self.kind == QUARTER:
            return quarter(self.first.year - (self.first.month == 1), (self.first.month - 4) % 12 // 3 + 1)
        if self.kind == YEAR:
            return year(self.first.year - 1)
        if self.kind == DAY:
            return day(self.first - timedelta(days=1))
        return Period(self.first - timedelta(days=self.days), self.first - timedelta(days=1), RANGE)


def utc_midnight(day_, tz_name):
    """Local midnight starting ``day_`` in ``tz_name``, as a naive UTC time like the stored ones."""
    return datetime.combine(day_, time.min, ZoneInfo(tz_name)).astimezone(timezone.utc).replace(tzinfo=None)


def local_time(moment, tz_name):
    """A stored (naive UTC) time in the store's zone, naive."""
    return moment.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(tz_name)).replace(tzinfo=None)


def _next_month(first):
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def _previous_month(first):
    return date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)


def day(value):
    return Period(value, value, DAY)


def month(first):
    first = first.replace(day=1)
    return Period(first, _next_month(first) - timedelta(days=1), MONTH)


def quarter(year_, number):
    first = date(year_, 3 * (number - 1) + 1, 1)
    return Period(first, _next_month(_next_month(_next_month(first))) - timedelta(days=1), QUARTER)


def year(year_):
    return Period(date(year_, 1, 1), date(year_, 12, 31), YEAR)


def between(first, last):
    """Two chosen days (in either order). Raises KioskError("bad_report_period") for a span over MAX_DAYS."""
    first, last = min(first, last), max(first, last)
    if (last - first).days + 1 > MAX_DAYS:
        raise KioskError("bad_report_period", period=f"{first}..{last}")
    return day(first) if first == last else Period(first, last, RANGE)


def parse(text):
    """The period ``text`` names (see the module's docstring). Raises KioskError("bad_report_period")."""
    raw = (text or "").strip()
    shown = raw[:40]
    for pattern, kind in _FORMS:
        match = pattern.fullmatch(raw)
        if match is None:
            continue
        numbers = [int(group) for group in match.groups()]
        try:
            if kind == RANGE:
                return between(date(*numbers[:3]), date(*numbers[3:]))
            if kind == DAY:
                return day(date(*numbers))
            if kind == QUARTER:
                return quarter(numbers[0], numbers[1])
            if kind == MONTH:
                return month(date(numbers[0], numbers[1], 1))
            if numbers[0] < 1:
                break
            return year(numbers[0])
        except ValueError:
            break
    raise KioskError("bad_report_period", period=shown)


def this_month(today):
    return month(today)


def last_month(today):
    return month(_previous_month(today.replace(day=1)))


def this_quarter(today):
    return quarter(today.year, (today.month - 1) // 3 + 1)


def this_year(today):
    return year(today.year)


# The quick choices of the period picker, in the order the screen shows them.
QUICK = (("this_month", this_month), ("last_month", last_month), ("this_quarter", this_quarter),
         ("this_year", this_year))
