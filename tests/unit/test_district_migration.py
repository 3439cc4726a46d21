"""m0021 adds district_user and verify_run to a database that has data, and both work on it."""
from kiosk import schema
from kiosk.db import database
from tests.helpers import drop_tables


def test_m0021_creates_the_district_tables_on_a_database_with_data(db, world, monkeypatch):
    from kiosk.district import service
    from kiosk.district.models import STORE, DistrictUser, VerifyRun

    drop_tables([VerifyRun, DistrictUser])
    every = schema.available_migrations()
    monkeypatch.setattr(schema, "available_migrations", lambda: [step for step in every if step[0] < 21])
    schema.SchemaVersion.delete().where(schema.SchemaVersion.version >= 21).execute()
    assert schema.upgrade() == []
    assert "district_user" not in database.get_tables()
    monkeypatch.setattr(schema, "available_migrations", lambda: [step for step in every if step[0] <= 21])
    assert schema.upgrade() == ["m0021_district"]
    assert {"district_user", "verify_run"} <= set(database.get_tables())
    user = service.add_user("街道刘", "4826")
    assert service.authenticate(user.id, "4826").id == user.id
    service.record_verify([world.store], 0, STORE)
    assert service.last_verify(world.store).problems == 0
    assert any(index.unique and index.columns == ["name"] for index in database.get_indexes("district_user"))
