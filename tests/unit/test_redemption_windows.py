"""When redemption is open: days of the month, the last days, weeks of the quarter, time zones."""
from datetime import date, datetime

import pytest

from kiosk.errors import KioskError
from kiosk.redemption import windows
from kiosk.redemption.windows import Window, build


def opened(window, start, end):
    """The days from ``start`` to ``end`` (inclusive) when ``window`` is open."""
    days, day = [], start
    while day <= end:
        if window.is_open(day):
            days.append(day)
        day = date.fromordinal(day.toordinal() + 1)
    return days


def test_always_is_open_every_day_and_has_no_openings():
    window = build("always")
    assert window.always and window.is_open(date(2026, 2, 28))
    assert window.openings(date(2026, 2, 28)) == []
    assert window.open_until(date(2026, 2, 28)) is None


def test_days_26_to_31_run_to_each_months_end():
    window = build("month_days", days=["26-31"])
    assert window.spec == "26-31"
    assert opened(window, date(2026, 2, 1), date(2026, 2, 28)) == [date(2026, 2, d) for d in (26, 27, 28)]
    assert opened(window, date(2026, 4, 1), date(2026, 4, 30)) == [date(2026, 4, d) for d in range(26, 31)]
    assert window.open_until(date(2026, 1, 27)) == date(2026, 1, 31)
    assert window.next_opening(date(2026, 2, 1)) == date(2026, 2, 26)


def test_a_day_a_month_lacks_is_skipped_that_month():
    window = build("month_days", days=["30", "31"])
    # February has neither: the next opening after January is March 30th.
    assert window.next_opening(date(2026, 2, 1)) == date(2026, 3, 30)
    assert window.openings(date(2026, 1, 31), count=3) == [
        (date(2026, 1, 31), date(2026, 1, 31)), (date(2026, 3, 30), date(2026, 3, 31)), (date(2026, 4, 30), date(2026, 4, 30))]


def test_checkboxes_and_ranges_are_merged_and_stored_compactly():
    window = build("month_days", days=["1", "2", "3", "15", "26-28", "28"])
    assert window.days == frozenset({1, 2, 3, 15, 26, 27, 28})
    assert window.spec == "1-3,15,26-28"
    assert Window.parse("month_days", window.spec) == window


@pytest.mark.parametrize("today, expected", [
    (date(2026, 1, 26), False), (date(2026, 1, 27), True), (date(2026, 1, 31), True),
    (date(2026, 2, 23), False), (date(2026, 2, 24), True), (date(2026, 2, 28), True),
    # A leap year's February opens a day later, as the month is a day longer.
    (date(2028, 2, 24), False), (date(2028, 2, 25), True), (date(2028, 2, 29), True),
    (date(2026, 4, 25), False), (date(2026, 4, 26), True), (date(2026, 12, 31), True),
])
def test_the_last_five_days_of_each_month(today, expected):
    assert build("month_last", last_days="5").is_open(today) is expected


def test_the_last_days_open_again_next_month():
    window = build("month_last", last_days="3")
    assert window.next_opening(date(2026, 12, 1)) == date(2026, 12, 29)
    assert window.openings(date(2026, 12, 30), count=2) == [
        (date(2026, 12, 30), date(2026, 12, 31)), (date(2027, 1, 29), date(2027, 1, 31))]


def test_quarter_weeks_count_from_the_quarters_first_day():
    window = build("quarter_weeks", weeks=["1"])
    assert opened(window, date(2026, 4, 1), date(2026, 6, 30)) == [date(2026, 4, d) for d in range(1, 8)]
    assert window.next_opening(date(2026, 4, 8)) == date(2026, 7, 1)
    assert windows.quarter_week(date(2026, 10, 8)) == 2


@pytest.mark.parametrize("first, last", [
    (date(2026, 3, 26), date(2026, 3, 31)),  # Q1 of a common year has 90 days: week 13 is 6 days
    (date(2028, 3, 25), date(2028, 3, 31)),  # a leap year's Q1 has 91: 7 days
    (date(2026, 6, 24), date(2026, 6, 30)),  # Q2, 91 days
    (date(2026, 9, 23), date(2026, 9, 30)),  # Q3, 92 days: week 13 takes the 92nd day too
    (date(2026, 12, 24), date(2026, 12, 31)),  # Q4, 92 days
])
def test_week_13_runs_to_the_end_of_the_quarter(first, last):
    window = build("quarter_weeks", weeks=["13"])
    assert not window.is_open(date.fromordinal(first.toordinal() - 1))
    assert window.open_until(first) == last
    assert window.next_opening(date(first.year, first.month - 2, 1)) == first


def test_the_last_week_is_the_quarters_last_seven_days():
    window = build("quarter_weeks", weeks=["last"])
    assert window.spec == "last"
    assert opened(window, date(2026, 1, 1), date(2026, 3, 31)) == [date(2026, 3, d) for d in range(25, 32)]
    assert opened(window, date(2026, 7, 1), date(2026, 9, 30)) == [date(2026, 9, d) for d in range(24, 31)]


def test_weeks_1_and_13_open_twice_a_quarter():
    window = build("quarter_weeks", weeks=["13", "1"])
    assert window.spec == "1,13"
    assert window.openings(date(2026, 3, 1), count=3) == [
        (date(2026, 3, 26), date(2026, 4, 7)),  # week 13 of Q1 runs straight into week 1 of Q2
        (date(2026, 6, 24), date(2026, 7, 7)),
        (date(2026, 9, 23), date(2026, 10, 7)),
    ]


def test_every_day_chosen_is_open_without_an_end():
    window = build("month_days", days=["1-31"])
    assert window.open_until(date(2026, 5, 5)) is None
    assert window.openings(date(2026, 5, 5)) == [(date(2026, 5, 5), None)]


@pytest.mark.parametrize("mode, values, code", [
    ("", {}, "bad_window_mode"),
    ("weekly", {}, "bad_window_mode"),
    ("month_days", {"days": []}, "window_no_days"),
    ("month_days", {"days": ["0"]}, "bad_window_day"),
    ("month_days", {"days": ["32"]}, "bad_window_day"),
    ("month_days", {"days": ["31-26"]}, "bad_window_day"),
    ("month_days", {"days": ["abc"]}, "bad_window_day"),
    ("month_days", {"days": ["１"]}, "bad_window_day"),
    ("month_days", {"days": [str(10**12)]}, "bad_window_day"),
    ("month_last", {"last_days": ""}, "bad_last_days"),
    ("month_last", {"last_days": "0"}, "bad_last_days"),
    ("month_last", {"last_days": "29"}, "bad_last_days"),
    ("month_last", {"last_days": "-3"}, "bad_last_days"),
    ("month_last", {"last_days": "2.5"}, "bad_last_days"),
    ("month_last", {"last_days": str(10**12)}, "bad_last_days"),
    ("quarter_weeks", {"weeks": []}, "window_no_weeks"),
    ("quarter_weeks", {"weeks": ["14"]}, "bad_window_week"),
    ("quarter_weeks", {"weeks": ["first"]}, "bad_window_week"),
])
def test_bad_windows_are_refused(mode, values, code):
    with pytest.raises(KioskError) as refused:
        build(mode, **values)
    assert refused.value.code == code


def test_an_unreadable_stored_window_counts_as_always_open():
    assert Window.parse("month_days", "garbage").always
    assert Window.parse("nonsense", "").always


def test_the_local_date_follows_the_store_time_zone():
    # 16:00 UTC on the 25th is midnight of the 26th in Shanghai (UTC+8).
    assert windows.local_date(datetime(2026, 3, 25, 15, 59, 59), "Asia/Shanghai") == date(2026, 3, 25)
    assert windows.local_date(datetime(2026, 3, 25, 16, 0, 0), "Asia/Shanghai") == date(2026, 3, 26)
    assert windows.local_date(datetime(2026, 3, 25, 16, 0, 0), "UTC") == date(2026, 3, 25)


@pytest.mark.parametrize("period, now, start, end", [
    ("month", datetime(2026, 3, 31, 16, 0), datetime(2026, 3, 31, 16, 0), datetime(2026, 4, 30, 16, 0)),  # April 1st, 00:00
    ("month", datetime(2026, 3, 31, 15, 59), datetime(2026, 2, 28, 16, 0), datetime(2026, 3, 31, 16, 0)),
    ("month", datetime(2028, 2, 10), datetime(2028, 1, 31, 16, 0), datetime(2028, 2, 29, 16, 0)),
    ("quarter", datetime(2026, 5, 20), datetime(2026, 3, 31, 16, 0), datetime(2026, 6, 30, 16, 0)),
    ("quarter", datetime(2026, 12, 31, 16, 30), datetime(2026, 12, 31, 16, 0), datetime(2027, 3, 31, 16, 0)),
    ("year", datetime(2026, 12, 31, 15, 0), datetime(2025, 12, 31, 16, 0), datetime(2026, 12, 31, 16, 0)),
])
def test_periods_are_local_calendar_periods_in_utc(period, now, start, end):
    assert windows.utc_bounds(period, now, "Asia/Shanghai") == (start, end)


def test_periods_across_a_daylight_saving_change():
    # Berlin: the March period starts at 23:00 UTC (winter time), April's at 22:00 (summer time).
    assert windows.utc_bounds("month", datetime(2026, 3, 15), "Europe/Berlin") == (
        datetime(2026, 2, 28, 23, 0), datetime(2026, 3, 31, 22, 0))
