"""When redemption is open, and the calendar periods limits count in: pure date arithmetic.

Everything here works on the store's local dates (the ``KIOSK_TIMEZONE`` setting, the one
Flask-Babel shows times in); :func:`local_date` and :func:`utc_bounds` convert from and to the
naive UTC the database stores. An opening is made of whole local days.

A window is one of:

* ``always`` — redemption is always open;
* ``month_days`` — on the chosen days of each month (e.g. 26–31); a day a month does not have
  (the 30th in February) simply does not occur that month;
* ``month_last`` — on the last N days of each month (N = 1–28), so February closes with the
  others;
* ``quarter_weeks`` — in the chosen weeks of each quarter. Week n is days 7n−6 … 7n of the
  quarter (week 1 = the 1st to the 7th of January, April, July, October); week 13 runs on to
  the quarter's last day (85th to 90th, 91st or 92nd day). ``last`` is the quarter's last
  seven days.
"""
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from kiosk.errors import KioskError

DEFAULT_TIMEZONE = "Asia/Shanghai"
ALWAYS, MONTH_DAYS, MONTH_LAST, QUARTER_WEEKS = "always", "month_days", "month_last", "quarter_weeks"
MODES = (ALWAYS, MONTH_DAYS, MONTH_LAST, QUARTER_WEEKS)
WEEKS_PER_QUARTER = 13
MAX_LAST_DAYS = 28
LAST_WEEK = "last"
MONTH, QUARTER, YEAR = "month", "quarter", "year"
PERIODS = (MONTH, QUARTER, YEAR)
# Any valid window opens within a year; the search for the next opening stops there.
HORIZON_DAYS = 400


def local_date(now_utc, tz_name):
    """The store's local date at ``now_utc`` (naive UTC)."""
    return now_utc.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(tz_name)).date()


def utc_start(day, tz_name):
    """The naive UTC moment the local ``day`` begins (local midnight)."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(tz_name)).astimezone(timezone.utc).replace(tzinfo=None)


def month_end(day):
    """The last day of ``day``'s month."""
    following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return following - timedelta(days=1)


def quarter_start(day):
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarter_end(day):
    start = quarter_start(day)
    return month_end(date(start.year, start.month + 2, 1))


def quarter_week(day):
    """The week of its quarter ``day`` falls in: 1–13 (week 13 runs to the quarter's end)."""
    return min(WEEKS_PER_QUARTER, (day - quarter_start(day)).days // 7 + 1)


def period_bounds(period, day):
    """(first day, first day after) of the calendar month, quarter or year holding ``day``."""
    if period == MONTH:
        start, end = day.replace(day=1), month_end(day)
    elif period == QUARTER:
        start, end = quarter_start(day), quarter_end(day)
    elif period == YEAR:
        start, end = date(day.year, 1, 1), date(day.year, 12, 31)
    else:
        raise ValueError(f"unknown period {period!r}")
    return start, end + timedelta(days=1)


def utc_bounds(period, now_utc, tz_name):
    """(start, end) as naive UTC of the local calendar period holding ``now_utc``."""
    start, end = period_bounds(period, local_date(now_utc, tz_name))
    return utc_start(start, tz_name), utc_start(end, tz_name)


@dataclass(frozen=True)
class Window:
    """When redemption is open; built from the store's two settings by :meth:`of`."""

    mode: str = ALWAYS
    days: frozenset = frozenset()  # month_days: 1–31
    last_days: int = 0  # month_last: N
    weeks: frozenset = frozenset()  # quarter_weeks: 1–13
    last_week: bool = False  # quarter_weeks: the quarter's last seven days

    @classmethod
    def of(cls, store):
        return cls.parse(store.redemption_window, store.redemption_days)

    @classmethod
    def parse(cls, mode, spec):
        """The window a store keeps as (mode, spec); an unreadable one is treated as always
        open rather than locking the store out (the settings screen never stores one)."""
        try:
            return build(mode, spec)
        except KioskError:
            return cls()

    @property
    def always(self):
        return self.mode == ALWAYS

    @property
    def spec(self):
        """The setting as stored: "26-31", "5", "1,13,last" or ""."""
        if self.mode == MONTH_DAYS:
            return _ranges(self.days)
        if self.mode == MONTH_LAST:
            return str(self.last_days)
        if self.mode == QUARTER_WEEKS:
            return ",".join([str(w) for w in sorted(self.weeks)] + ([LAST_WEEK] if self.last_week else []))
        return ""

    def is_open(self, day):
        """Whether redemption is open on the local date ``day``."""
        if self.mode == MONTH_DAYS:
            return day.day in self.days
        if self.mode == MONTH_LAST:
            return (month_end(day) - day).days < self.last_days
        if self.mode == QUARTER_WEEKS:
            return quarter_week(day) in self.weeks or (self.last_week and (quarter_end(day) - day).days < 7)
        return True

    def next_opening(self, day):
        """The first local date from ``day`` on when redemption is open (``day`` itself when
        open), or None when it never opens within a year."""
        for offset in range(HORIZON_DAYS):
            candidate = day + timedelta(days=offset)
            if self.is_open(candidate):
                return candidate
        return None

    def open_until(self, day):
        """The last day of the opening that holds ``day``; None when closed that day, or when it
        stays open for more than a year (always open, or every day of the month chosen)."""
        if self.always or not self.is_open(day):
            return None
        for _ in range(HORIZON_DAYS):
            if not self.is_open(day + timedelta(days=1)):
                return day
            day += timedelta(days=1)
        return None

    def openings(self, day, count=3):
        """The next ``count`` openings from ``day`` as (first day, last day), the current one first."""
        found = []
        start = None if self.always else self.next_opening(day)
        while start is not None and len(found) < count:
            end = self.open_until(start)
            found.append((start, end))
            if end is None:
                break
            start = self.next_opening(end + timedelta(days=1))
        return found


def _ranges(numbers):
    """{1, 2, 3, 26, 27} → "1-3,26-27"."""
    parts, ordered = [], sorted(numbers)
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        parts.append(str(ordered[i]) if i == j else f"{ordered[i]}-{ordered[j]}")
        i = j + 1
    return ",".join(parts)


def _whole(text, low, high, code):
    text = str(text).strip()
    if not re.fullmatch(r"[0-9]{1,3}", text) or not low <= int(text) <= high:
        raise KioskError(code)
    return int(text)


def _numbers(values, high, code):
    """Whole numbers 1..high from a list of "5", "26-31" or "1,2" texts; raises KioskError(code)."""
    found = set()
    for value in values:
        for part in str(value).split(","):
            part = part.strip()
            if not part:
                continue
            if "-" in part:
                low_text, _, high_text = part.partition("-")
                low, top = _whole(low_text, 1, high, code), _whole(high_text, 1, high, code)
                if top < low:
                    raise KioskError(code)
                found.update(range(low, top + 1))
            else:
                found.add(_whole(part, 1, high, code))
    return found


def build(mode, spec="", *, days=(), last_days=None, weeks=()):
    """A valid Window from a mode and its values, as a form or the store sends them.

    ``spec`` is the stored text ("26-31", "5", "1,13,last"); ``days``, ``last_days`` and
    ``weeks`` are the form's fields (used when given). Raises KioskError: "bad_window_mode",
    "window_no_days", "bad_window_day", "bad_last_days", "window_no_weeks", "bad_window_week".
    """
    if mode not in MODES:
        raise KioskError("bad_window_mode")
    if mode == ALWAYS:
        return Window()
    if mode == MONTH_DAYS:
        chosen = _numbers(list(days) or [spec], 31, "bad_window_day")
        if not chosen:
            raise KioskError("window_no_days")
        return Window(MONTH_DAYS, days=frozenset(chosen))
    if mode == MONTH_LAST:
        value = last_days if last_days is not None else spec
        if str(value).strip() == "":
            raise KioskError("bad_last_days", max=MAX_LAST_DAYS)
        try:
            return Window(MONTH_LAST, last_days=_whole(value, 1, MAX_LAST_DAYS, "bad_last_days"))
        except KioskError:
            raise KioskError("bad_last_days", max=MAX_LAST_DAYS) from None
    values = list(weeks) or [spec]
    tokens = [part.strip() for value in values for part in str(value).split(",") if part.strip()]
    last_week = LAST_WEEK in tokens
    numbered = _numbers([t for t in tokens if t != LAST_WEEK], WEEKS_PER_QUARTER, "bad_window_week")
    if not numbered and not last_week:
        raise KioskError("window_no_weeks")
    return Window(QUARTER_WEEKS, weeks=frozenset(numbered), last_week=last_week)
