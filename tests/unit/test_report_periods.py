"""Report periods: parsed from what people type, turned into UTC bounds in the store's zone."""
from datetime import date, datetime

import pytest

from kiosk.errors import KioskError
from kiosk.messages import message
from kiosk.reports import periods


@pytest.mark.parametrize("text, first, last, kind, label", [
    ("2026-11", date(2026, 11, 1), date(2026, 11, 30), periods.MONTH, "2026年11月"),
    ("2026-02", date(2026, 2, 1), date(2026, 2, 28), periods.MONTH, "2026年2月"),
    ("2028-02", date(2028, 2, 1), date(2028, 2, 29), periods.MONTH, "2028年2月"),
    ("2026-12", date(2026, 12, 1), date(2026, 12, 31), periods.MONTH, "2026年12月"),
    ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31), periods.QUARTER, "2026年第4季度"),
    ("2026-q1", date(2026, 1, 1), date(2026, 3, 31), periods.QUARTER, "2026年第1季度"),
    ("2026", date(2026, 1, 1), date(2026, 12, 31), periods.YEAR, "2026年"),
    ("2026-11-05", date(2026, 11, 5), date(2026, 11, 5), periods.DAY, "2026年11月5日"),
    (" 2026-11-01..2026-11-15 ", date(2026, 11, 1), date(2026, 11, 15), periods.RANGE, "2026-11-01 至 2026-11-15"),
    ("2026-11-15..2026-11-01", date(2026, 11, 1), date(2026, 11, 15), periods.RANGE, "2026-11-01 至 2026-11-15"),
])
def test_a_period_is_parsed_from_what_people_type(text, first, last, kind, label):
    period = periods.parse(text)
    assert (period.first, period.last, period.kind, period.label) == (first, last, kind, label)
    assert periods.parse(period.code) == period


@pytest.mark.parametrize("text", ["", "2026-13", "2026-Q5", "2026-Q0", "26-11", "2026-02-30", "2026/11",
                                  "2026-11-01..", "2026-11-01..2026-13-01", "0000", "2020-01-01..2026-01-01",
                                  "2026-11; drop table", "２０２６"])
def test_anything_else_is_refused_with_a_sentence(text):
    with pytest.raises(KioskError) as caught:
        periods.parse(text)
    assert caught.value.code == "bad_report_period"
    assert "2026-Q4" in message(caught.value)


def test_bounds_in_shanghai_are_local_midnights_eight_hours_earlier_in_utc():
    start, end = periods.parse("2026-11").bounds("Asia/Shanghai")
    assert start == datetime(2026, 10, 31, 16, 0)
    assert end == datetime(2026, 11, 30, 16, 0)
    assert (end - start).total_seconds() == 30 * 24 * 3600


def test_bounds_follow_summer_time_in_a_zone_that_has_it():
    # Berlin leaves summer time on 2026-10-25: October has one hour more, and its start is
    # two hours before UTC midnight, its end one hour before.
    start, end = periods.parse("2026-10").bounds("Europe/Berlin")
    assert start == datetime(2026, 9, 30, 22, 0)
    assert end == datetime(2026, 10, 31, 23, 0)
    assert (end - start).total_seconds() == (31 * 24 + 1) * 3600
    # The spring-forward day is 23 hours long.
    start, end = periods.parse("2026-03-29").bounds("Europe/Berlin")
    assert (end - start).total_seconds() == 23 * 3600


def test_the_next_period_starts_where_the_last_one_ends():
    november = periods.parse("2026-11").bounds("Europe/Berlin")
    december = periods.parse("2026-12").bounds("Europe/Berlin")
    assert november[1] == december[0]


def test_previous_periods_and_quick_choices():
    assert periods.parse("2026-01").previous() == periods.parse("2025-12")
    assert periods.parse("2026-Q1").previous() == periods.parse("2025-Q4")
    assert periods.parse("2026-Q3").previous() == periods.parse("2026-Q2")
    assert periods.parse("2026").previous() == periods.parse("2025")
    assert periods.parse("2026-11-01..2026-11-10").previous() == periods.parse("2026-10-22..2026-10-31")
    today = date(2026, 1, 15)
    assert periods.last_month(today) == periods.parse("2025-12")
    assert periods.this_quarter(today) == periods.parse("2026-Q1")
    assert periods.this_year(today) == periods.parse("2026")
    assert periods.this_month(today) == periods.parse("2026-01")
    assert periods.parse("2026-Q4").months() == [date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)]
