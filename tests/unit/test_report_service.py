"""The points, participation and goods reports: every total equals a sum computed here from the
rows tests/report_data.py wrote, for November 2024 in Asia/Shanghai, with rows a second before and
at each bound, and another store's rows that must never count."""
from datetime import date

import pytest

from kiosk.ledger.models import ADJUST, DEDUCT, EARN, EXPIRE, REDEEM, REFUND
from kiosk.reports import periods
from kiosk.reports import service as reports
from kiosk.stores.models import Store
from tests import report_data
from tests.helpers import second_store

NOVEMBER = periods.parse("2024-11")


@pytest.fixture
def data(world):
    other = second_store()[0]
    written = report_data.build(world, other_store=other)
    return world, written


def in_nov(at):
    return report_data.START <= at < report_data.END


def test_points_by_kind_are_the_sums_of_the_periods_entries(data):
    world, w = data
    report = reports.points(world.store, NOVEMBER)
    sid = world.store.id
    ledger = lambda kind: w.ledger_sum(sid, kind, report_data.START, report_data.END)  # noqa: E731
    assert report.earned == ledger(EARN) == 20 * 3 + 20 + 20 + 20 + 4
    assert report.deducted == -ledger(DEDUCT) == 10
    assert report.redeemed == -ledger(REDEEM) == 170
    assert report.refunded == ledger(REFUND) == 20
    assert report.expired == -ledger(EXPIRE) == 7
    assert report.corrected == ledger(ADJUST) == 2
    assert (report.corrections_up, report.corrections_down) == (5, 3)
    assert report.net_change == w.ledger_sum(sid, None, report_data.START, report_data.END)


def test_points_outstanding_at_both_ends_come_from_the_ledger_up_to_the_bound(data):
    world, w = data
    report = reports.points(world.store, NOVEMBER)
    sid = world.store.id
    # The world's own opening balances were posted at the test's wall-clock time, years later.
    assert report.outstanding_start == w.ledger_sum(sid, end=report_data.START)
    assert report.outstanding_end == w.ledger_sum(sid, end=report_data.END)
    assert report.outstanding_end - report.outstanding_start == report.net_change
    assert report.value_fen(report.outstanding_end) is None
    Store.update(point_value_fen=50).where(Store.id == world.store.id).execute()
    valued = reports.points(Store.get_by_id(world.store.id), NOVEMBER)
    assert valued.value_fen(valued.outstanding_end) == 50 * report.outstanding_end


def test_points_earned_by_rule_and_category_add_up_with_the_linked_share(data):
    world, w = data
    report = reports.points(world.store, NOVEMBER)
    rows = {row.code: (row.entries, row.points) for row in report.earned_by_rule}
    # The approved earnings posted in November, by rule, from the written rows.
    expected = {}
    for record in w.records:
        if record[6] == "approved" and in_nov(record[7]) and record[5] > 0:
            count, points = expected.get(record[2].code, (0, 0))
            expected[record[2].code] = (count + 1, points + record[5])
    assert rows == expected == {"R001": (3, 60), "R002": (3, 60)}
    assert report.earned_by_category == [("关爱", 60), ("环境", 60)]
    assert report.linked == 4
    assert report.earned_other == 0
    assert sum(points for _c, points in report.earned_by_category) + report.linked == report.earned
    assert [(row.code, row.points) for row in report.deducted_by_rule] == [("D001", 10)]


def test_points_trend_buckets_cover_the_period(data):
    world, w = data
    report = reports.points(world.store, NOVEMBER)
    assert sum(earned for _l, earned, _r in report.trend) == report.earned
    assert sum(redeemed for _l, _e, redeemed in report.trend) == report.redeemed - report.refunded
    assert report.trend[0][0] == "11/1"  # weeks of a month, the first clipped to the 1st
    year = reports.points(world.store, periods.parse("2024"))
    assert [label for label, *_ in year.trend][:2] == ["1月", "2月"] and len(year.trend) == 12
    assert sum(earned for _l, earned, _r in year.trend) == year.earned


def test_participation_counts_people_households_and_coverage(data):
    world, w = data
    report = reports.participation(world.store, NOVEMBER)
    records = [r for r in w.records if r[6] == "approved" and r[5] > 0
               and date(2024, 11, 1) <= r[3] <= date(2024, 11, 30)]
    assert report.person_times == len(records) == 5
    assert report.residents == len({r[0] for r in records}) == 4
    assert report.households == len({r[1] for r in records}) == 4
    assert report.minutes == sum(r[4] or 0 for r in records) == 180
    assert report.hours == 3
    assert report.points == sum(r[5] for r in records)
    assert report.activities == len({(r[3], r[2].id) for r in records}) == 3
    registered = [h for h, (_b, _u, at) in w.households.items() if at < report_data.END]
    assert report.households_registered == len(registered) == 4  # the world's 3 and one of building 5
    assert report.coverage == 1.0
    assert [(row.building, row.unit, row.registered, row.taking_part, row.person_times) for row in report.buildings] \
        == [("3", "2", 3, 3, 4), ("5", "1", 1, 1, 1)]
    assert sum(row.points for row in report.top) == report.points
    assert report.top[0].names == "张*华" and report.top[0].person_times == 2
    assert reports.participation(world.store, NOVEMBER, full_names=True).top[0].names == "张建华"
    assert sum(times for _m, times, _p in report.by_month) == report.person_times
    assert report.by_category == [("关爱", 2, 40), ("环境", 3, 60)]
    # The chart's twelve months up to November: the 31 October service is in October's bar.
    history = reports.participation_by_month(world.store, NOVEMBER)
    assert [label for label, *_ in history][:2] == ["23/12", "24/1"] and len(history) == 12
    assert history[-2] == ("24/10", 2, 30) and history[-1] == ("24/11", 5, 100)


def test_goods_in_out_and_stock_value(data):
    world, w = data
    report = reports.goods(world.store, NOVEMBER, today=date(2024, 11, 30))
    receipts = [r for r in w.receipts if in_nov(r[4])]
    for kind in ("purchase", "donation"):
        mine = [r for r in receipts if r[0] == kind]
        assert report.goods_in[kind] == (len(mine), sum(r[2] for r in mine), sum(r[3] for r in mine))
    # A donor who did not agree to be thanked in public is 爱心人士; names are masked.
    assert report.donors == [("爱****记", 2, 22, 600), ("爱心人士", 1, 3, 150)]
    assert reports.goods(world.store, NOVEMBER, today=date(2024, 11, 30), full_names=True).donors[0][0] == "爱心企业张记"
    offs = [r for r in w.write_offs if in_nov(r[3])]
    assert sum(row[3] for row in report.write_offs) == report.written_off_points == sum(r[2] for r in offs)
    assert {row[0]: row[1] for row in report.write_offs} == {"damaged": 1, "expired": 1}
    sales = [s for s in w.sales if in_nov(s[3])]
    assert report.sold == {"sales": 2, "units": sum(s[1] for s in sales), "points": sum(s[1] * s[2] for s in sales)}
    assert report.returned == {"refunds": 1, "units": 1, "points": 50}
    prices = {p.id: p.points for p in world.products.values()}
    value = lambda end: sum(d * prices[pid] for pid, d, _k, at, _p in w.movements if at < end)  # noqa: E731
    assert report.stock_value_start == value(report_data.START)
    assert report.stock_value_end == value(report_data.END)
    assert report.stock_trend[-1][1] == report.stock_value_end
    # Seen on 15 November, the trend stops at the week holding that day.
    mid_month = reports.goods(world.store, NOVEMBER, today=date(2024, 11, 15))
    assert [label for label, _v in mid_month.stock_trend] == ["11/1", "11/4", "11/11"]
    assert mid_month.stock_value_end == report.stock_value_end
    assert report.best_sellers[0][:3] == ("食盐", "调味", 7)
    assert report.by_category == [("粮油", 3, 200), ("调味", 7, 140)]
    assert report.movements["stocktake"] == (3, 2)
    assert report.stocktakes[0][4:] == (3, 150, 2, 200)
    # Near expiry: the batch of 20 salt (on hand: the shelf holds 50) at 20 points each.
    assert [(b.product.name, b.on_hand) for b in report.near_expiry] == [("食盐", 20)]
    assert report.near_expiry_points == 400
    assert reports.goods(world.store, NOVEMBER, today=date(2024, 11, 1)).near_expiry == []


def test_another_store_sees_only_its_own_rows(data):
    world, w = data
    other = Store.get(Store.code == "AB")
    report = reports.points(other, NOVEMBER)
    assert report.earned == 999 and report.redeemed == 77
    assert reports.participation(other, NOVEMBER).person_times == 1
    assert reports.goods(other, NOVEMBER, today=date(2024, 11, 30)).stock_value_end == 100 * 40
