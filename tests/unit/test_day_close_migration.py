"""m0019 adds the day_close table to a database that has data, and a day closes on it."""
from datetime import date, datetime

from kiosk import schema
from kiosk.db import database
from tests.helpers import drop_tables


def test_m0019_creates_the_day_close_table_on_a_database_with_data(db, world, monkeypatch):
    from kiosk.dayclose import service
    from kiosk.dayclose.models import DayClose

    drop_tables([DayClose])
    every = schema.available_migrations()
    monkeypatch.setattr(schema, "available_migrations", lambda: [step for step in every if step[0] < 19])
    schema.SchemaVersion.delete().where(schema.SchemaVersion.version >= 19).execute()
    assert schema.upgrade() == []
    assert "day_close" not in database.get_tables()
    monkeypatch.setattr(schema, "available_migrations", lambda: [step for step in every if step[0] <= 19])
    assert schema.upgrade() == ["m0019_day_close"]
    assert "day_close" in database.get_tables()
    record = service.close_day(world.store, date(2026, 11, 10), now=datetime(2026, 11, 11, 1))
    assert service.stored_figures(record)["day"] == "2026-11-10"
    # The unique key refuses a second close of the day, as the model's does.
    assert any(index.unique and index.columns == ["store_id", "day", "kind", "owner", "number"]
               for index in database.get_indexes("day_close"))
