"""m0011 adds the stock-take tables to a database that has data, and counting works on it."""
from kiosk import schema
from kiosk.db import database


def test_m0011_creates_the_stocktake_tables_on_a_database_with_data(db, world, monkeypatch):
    from kiosk.staff.models import MANAGER
    from kiosk.stocktake import service
    from kiosk.stocktake.models import StockTake, StockTakeCount, StockTakeLine

    database.drop_tables([StockTakeCount, StockTakeLine, StockTake])
    steps = [step for step in schema.available_migrations() if step[0] < 11]
    monkeypatch.setattr(schema, "available_migrations", lambda: steps)
    schema.SchemaVersion.delete().where(schema.SchemaVersion.version >= 11).execute()
    assert schema.upgrade() == []
    monkeypatch.undo()
    assert "m0011_stocktake" in schema.upgrade()
    assert {"stocktake", "stocktake_line", "stocktake_count"} <= set(database.get_tables())
    stocktake = service.start(world.store, world.staff[MANAGER], category="粮油")
    line = service.lines(stocktake)[0]
    assert service.record_count(stocktake, line.id, 3, world.staff[MANAGER], seen=0).expected == line.start_quantity
