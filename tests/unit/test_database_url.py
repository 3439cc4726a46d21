"""KIOSK_DATABASE_URL picks the engine; PostgreSQL connections come from a pool sized by
KIOSK_DATABASE_POOL_SIZE (no server is needed: peewee connects on first use)."""
import peewee
import pytest
from playhouse.pool import PooledPostgresqlDatabase

from kiosk import config
from kiosk import db as kiosk_db


@pytest.fixture(autouse=True)
def restore_proxy():
    before = kiosk_db.database.obj
    yield
    kiosk_db.database.initialize(before)


@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_a_postgresql_url_connects_through_a_pool_of_the_configured_size(scheme):
    made = kiosk_db.connect(f"{scheme}://kiosk:secret@db.example:5433/district", pool_size=7)
    assert isinstance(made, PooledPostgresqlDatabase)
    assert kiosk_db.database.obj is made and kiosk_db.is_postgres() and not kiosk_db.is_sqlite()
    assert made._max_connections == 7
    assert made.database == "district"
    assert made.connect_params == {"user": "kiosk", "password": "secret", "host": "db.example", "port": 5433}


def test_pool_size_zero_opens_a_plain_connection_each_time():
    made = kiosk_db.connect("postgresql://kiosk@db.example/district", pool_size=0)
    assert type(made) is peewee.PostgresqlDatabase


def test_a_url_without_a_database_name_is_refused():
    with pytest.raises(ValueError, match="no database name"):
        kiosk_db.connect("postgresql://db.example", pool_size=3)


def test_an_unknown_scheme_is_refused():
    with pytest.raises(ValueError, match="unsupported database URL"):
        kiosk_db.connect("oracle://db.example/district")


def test_the_pool_size_setting_defaults_to_ten_and_rejects_nonsense(monkeypatch):
    monkeypatch.delenv("KIOSK_DATABASE_POOL_SIZE", raising=False)
    assert config.from_environment()["DATABASE_POOL_SIZE"] == 10
    monkeypatch.setenv("KIOSK_DATABASE_POOL_SIZE", "25")
    assert config.from_environment()["DATABASE_POOL_SIZE"] == 25
    monkeypatch.setenv("KIOSK_DATABASE_POOL_SIZE", "many")
    with pytest.raises(config.SettingError, match="KIOSK_DATABASE_POOL_SIZE"):
        config.from_environment()


def test_the_app_sizes_its_pool_from_the_setting(instance, monkeypatch):
    from kiosk import create_app

    monkeypatch.setenv("KIOSK_DATABASE_POOL_SIZE", "4")
    create_app({"INSTANCE_PATH": str(instance), "DATABASE_URL": "postgresql://kiosk@db.example/district"})
    assert kiosk_db.database.obj._max_connections == 4
