"""A new database is stamped with the newest migration; an old one gets the pending ones."""
import types

from kiosk import schema
from kiosk.db import database


def test_a_new_database_is_stamped_with_the_newest_migration(db):
    newest = schema.available_migrations()[-1][0]
    assert schema.current_version() == newest
    assert schema.upgrade() == []


def test_pending_migrations_are_applied_in_order_once(db, monkeypatch):
    import peewee
    from playhouse.migrate import migrate

    def apply(migrator):
        migrate(migrator.add_column("store", "phone", peewee.CharField(default="")))

    steps = schema.available_migrations() + [(9999, "m9999_store_phone", types.SimpleNamespace(apply=apply))]
    monkeypatch.setattr(schema, "available_migrations", lambda: steps)
    assert schema.upgrade() == ["m9999_store_phone"]
    assert "phone" in [column.name for column in database.get_columns("store")]
    assert schema.upgrade() == []
    assert schema.current_version() == 9999


def test_sqlite_runs_in_wal_mode_with_full_synchronous_writes(db):
    assert database.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert database.execute_sql("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert database.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1


def test_m0002_adds_the_print_queue_retry_time_and_the_store_printer(db):
    """A database made before the print queue retried gets the two columns, and its old
    jobs are due at once."""
    from playhouse.migrate import SqliteMigrator, migrate

    from kiosk.printing.models import PrintJob
    from kiosk.stores.models import Store

    migrator = SqliteMigrator(database.obj)
    migrate(migrator.drop_index("print_job", "print_job_next_attempt_at"),
            migrator.drop_column("print_job", "next_attempt_at"), migrator.drop_column("store", "printer_url"))
    schema.SchemaVersion.delete().where(schema.SchemaVersion.version >= 2).execute()
    # Later migrations run again too; each must cope with a schema that already has its change.
    assert schema.upgrade()[:2] == ["m0002_print_queue", "m0003_earning"]
    assert "next_attempt_at" in [c.name for c in database.get_columns("print_job")]
    assert Store.select(Store.printer_url).count() == Store.select().count()
    assert PrintJob.select().count() == 0
    assert "print_job_next_attempt_at" in [i.name for i in database.get_indexes("print_job")]


def test_m0003_creates_the_rules_catalog_and_service_records(db):
    from kiosk.earning.models import Rule, ServiceRecord

    database.drop_tables([ServiceRecord, Rule])
    schema.SchemaVersion.delete().where(schema.SchemaVersion.version >= 3).execute()
    assert schema.upgrade()[0] == "m0003_earning"
    assert database.table_exists("rule") and database.table_exists("service_record")


def test_m0005_adds_redemption_windows_and_product_limits(db):
    """A store made before redemption windows is always open and has no limits."""
    from playhouse.migrate import SqliteMigrator, migrate

    from kiosk.redemption.models import ProductLimit
    from kiosk.stores.models import Store

    Store.create(name="老店", code="LD")
    database.drop_tables([ProductLimit])
    migrator = SqliteMigrator(database.obj)
    migrate(migrator.drop_column("store", "redemption_window"), migrator.drop_column("store", "redemption_days"),
            migrator.drop_index("sale", "sale_account_id_created_at"))
    schema.SchemaVersion.delete().where(schema.SchemaVersion.version >= 5).execute()
    assert schema.upgrade() == ["m0005_redemption_windows"]
    assert "sale_account_id_created_at" in [i.name for i in database.get_indexes("sale")]
    store = Store.get(Store.code == "LD")
    assert (store.redemption_window, store.redemption_days) == ("always", "")
    assert database.table_exists("product_limit") and ProductLimit.select().count() == 0
    assert schema.upgrade() == []
    # A store written by plain SQL that knows nothing of windows (bench/, older tools) is always open.
    database.execute_sql("INSERT INTO store (name, code, account_mode, card_full_name, printer_url, created_at)"
                         " VALUES ('直写', 'ZX', 'household', 0, '', '2026-01-01 00:00:00')")
    assert Store.get(Store.code == "ZX").redemption_window == "always"


def test_a_new_database_gives_stores_written_by_plain_sql_an_open_window(db):
    from kiosk.stores.models import Store

    database.execute_sql("INSERT INTO store (name, code, account_mode, card_full_name, printer_url, created_at)"
                         " VALUES ('直写', 'ZX', 'household', 0, '', '2026-01-01 00:00:00')")
    store = Store.get(Store.code == "ZX")
    assert (store.redemption_window, store.redemption_days) == ("always", "")
