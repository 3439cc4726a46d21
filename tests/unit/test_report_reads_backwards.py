"""A recent period's reports read backwards from today's balances and stock (less what happened
since) instead of forwards from the store's first row: both ways give the same figures, which
equal the sums of the rows tests/report_data.py wrote."""
from datetime import date, datetime

import pytest

from kiosk.db import database
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
    # report_data writes rows as they were, not the cached totals; make those what the app keeps
    # them at (what `kiosk verify` checks): each balance its ledger's sum, each stock its
    # movements' sum. Reading backwards starts from them.
    database.execute_sql("UPDATE account SET balance = (SELECT COALESCE(SUM(delta), 0) FROM ledger_entry"
                         " WHERE ledger_entry.account_id = account.id)")
    database.execute_sql("UPDATE product SET quantity = (SELECT COALESCE(SUM(delta), 0) FROM stock_movement"
                         " WHERE stock_movement.product_id = product.id)")
    return world, written


def _both_ways(monkeypatch, function):
    """(forwards, backwards) results of ``function()``."""
    monkeypatch.setattr(reports, "_from_today", lambda store, start, end: False)
    forwards = function()
    monkeypatch.setattr(reports, "_from_today", lambda store, start, end: True)
    return forwards, function()


def test_a_store_opened_long_before_a_recent_period_reads_it_backwards(db, world):
    store = world.store
    store.created_at = datetime(2020, 1, 1)
    start, end = NOVEMBER.bounds(store.timezone)
    assert reports._from_today(store, start, end)
    store.created_at = datetime(2024, 10, 1)
    assert not reports._from_today(store, start, end)


def test_points_read_backwards_equal_the_ledger_sums(data, monkeypatch):
    world, w = data
    sid = world.store.id
    forwards, backwards = _both_ways(monkeypatch, lambda: reports.points(world.store, NOVEMBER))
    assert backwards.outstanding_start == forwards.outstanding_start == w.ledger_sum(sid, end=report_data.START)
    assert backwards.outstanding_end == forwards.outstanding_end == w.ledger_sum(sid, end=report_data.END)
    assert backwards.by_kind == forwards.by_kind and backwards.counts == forwards.counts
    assert backwards.trend == forwards.trend
    assert (backwards.linked, backwards.corrections_up, backwards.corrections_down) == \
        (forwards.linked, forwards.corrections_up, forwards.corrections_down)
    other = Store.get(Store.code == "AB")
    assert reports.points(other, NOVEMBER).outstanding_end == w.ledger_sum(other.id, end=report_data.END)


def test_stock_value_read_backwards_equals_the_movements_sums(data, monkeypatch):
    world, w = data
    today = date(2024, 11, 30)
    forwards, backwards = _both_ways(monkeypatch, lambda: reports.goods(world.store, NOVEMBER, today=today))
    prices = {p.id: p.points for p in world.products.values()}
    value = lambda end: sum(d * prices[pid] for pid, d, _k, at, _p in w.movements if at < end)  # noqa: E731
    assert backwards.stock_value_start == forwards.stock_value_start == value(report_data.START)
    assert backwards.stock_value_end == forwards.stock_value_end == value(report_data.END)
    assert backwards.stock_trend == forwards.stock_trend
    other = Store.get(Store.code == "AB")
    assert reports.goods(other, NOVEMBER, today=today).stock_value_end == 100 * 40
