"""m0022 adds the reports' indexes to a database that has data; the reports read through them."""
from datetime import date

from kiosk import schema
from kiosk.db import database, is_sqlite


def _index_columns(table):
    return {tuple(index.columns) for index in database.get_indexes(table)}


def _drop(table, columns):
    name = "_".join([table, *columns])
    database.execute_sql(f"DROP INDEX {name}")


def test_m0022_adds_the_report_indexes_to_a_database_with_data(db, world, monkeypatch):
    from kiosk.reports import service
    from kiosk.reports.periods import parse

    _drop("ledger_entry", ("store_id", "created_at"))
    _drop("stock_movement", ("product_id", "created_at"))
    every = schema.available_migrations()
    monkeypatch.setattr(schema, "available_migrations", lambda: [step for step in every if step[0] <= 21])
    schema.SchemaVersion.delete().where(schema.SchemaVersion.version >= 22).execute()
    assert schema.upgrade() == []
    assert ("store_id", "created_at") not in _index_columns("ledger_entry")
    before = service.points(world.store, parse(f"{date.today():%Y-%m}"))

    monkeypatch.setattr(schema, "available_migrations", lambda: [step for step in every if step[0] <= 22])
    assert schema.upgrade() == ["m0022_report_indexes"]
    assert ("store_id", "created_at") in _index_columns("ledger_entry")
    assert ("product_id", "created_at") in _index_columns("stock_movement")
    after = service.points(world.store, parse(f"{date.today():%Y-%m}"))
    assert (after.by_kind, after.outstanding_end) == (before.by_kind, before.outstanding_end)


def _plan(sql, params):
    if is_sqlite():
        return " ".join(str(row[-1]) for row in database.execute_sql("EXPLAIN QUERY PLAN " + sql, params))
    database.execute_sql("SET enable_seqscan = off")  # a tiny table: ask whether the index CAN serve
    try:
        return " ".join(row[0] for row in database.execute_sql("EXPLAIN " + sql, params))
    finally:
        database.execute_sql("SET enable_seqscan = on")


def test_a_period_of_the_ledger_and_of_the_movements_is_read_through_the_new_indexes(db, world):
    from kiosk.reports import service
    from kiosk.reports.periods import parse

    start, end = parse("2026-11").bounds(world.store.timezone)
    sql, params = (service._ledger(world.store, start, end)
                   .select(service.fn.SUM(service.LedgerEntry.delta)).sql())
    assert "ledger_entry_store_id_created_at" in _plan(sql, params)
    sql, params = (service._movements(world.store, start, end)
                   .select(service.fn.SUM(service.StockMovement.delta)).sql())
    assert "stock_movement_product_id_created_at" in _plan(sql, params)
