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


def undo_m0004():
    """Take a database back to before m0004 (the ledger chain and public notices)."""
    from kiosk.ledger.models import LedgerChain
    from kiosk.notice.models import Notice, NoticeLine

    database.drop_tables([NoticeLine, Notice, LedgerChain])
    # ALTER TABLE … DROP COLUMN (SQLite >= 3.35) keeps the rows that other tables refer to.
    for table, column in (("ledger_entry", "hash"), ("store", "notice_cutoff_day"), ("store", "star_candidates")):
        database.execute_sql(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')


def test_m0002_adds_the_print_queue_retry_time_and_the_store_printer(db):
    """A database made before the print queue retried gets the two columns, and its old
    jobs are due at once."""
    from playhouse.migrate import SqliteMigrator, migrate

    from kiosk.printing.models import PrintJob
    from kiosk.stores.models import Store

    migrator = SqliteMigrator(database.obj)
    migrate(migrator.drop_index("print_job", "print_job_next_attempt_at"),
            migrator.drop_column("print_job", "next_attempt_at"), migrator.drop_column("store", "printer_url"))
    undo_m0004()
    schema.SchemaVersion.delete().where(schema.SchemaVersion.version >= 2).execute()
    assert schema.upgrade() == ["m0002_print_queue", "m0003_earning", "m0004_notice"]
    assert "next_attempt_at" in [c.name for c in database.get_columns("print_job")]
    assert Store.select(Store.printer_url).count() == Store.select().count()
    assert PrintJob.select().count() == 0
    assert "print_job_next_attempt_at" in [i.name for i in database.get_indexes("print_job")]


def test_m0003_creates_the_rules_catalog_and_service_records(db):
    from kiosk.earning.models import Rule, ServiceRecord

    undo_m0004()
    database.drop_tables([ServiceRecord, Rule])
    schema.SchemaVersion.delete().where(schema.SchemaVersion.version >= 3).execute()
    assert schema.upgrade() == ["m0003_earning", "m0004_notice"]
    assert database.table_exists("rule") and database.table_exists("service_record")


def test_m0004_chains_the_existing_ledger_in_order_and_verifies_clean(world):
    """A database written before the hash chain gets every entry's hash, store by store, and
    the chain heads; the books then verify clean, and new entries extend the same chain."""
    from kiosk.ledger import chain
    from kiosk.ledger import service as ledger
    from kiosk.ledger.models import ADJUST, LedgerEntry
    from kiosk.reports.verify import verify

    with database.atomic():
        ledger.post(world.accounts["李秀兰"].id, 5, ADJUST, note="更正")
    hashes = dict(LedgerEntry.select(LedgerEntry.id, LedgerEntry.hash).tuples())
    undo_m0004()
    schema.SchemaVersion.delete().where(schema.SchemaVersion.version >= 4).execute()
    assert schema.upgrade() == ["m0004_notice"]
    assert dict(LedgerEntry.select(LedgerEntry.id, LedgerEntry.hash).tuples()) == hashes
    assert chain.head(world.store.id)[1:] == (max(hashes), len(hashes))
    with database.atomic():
        ledger.post(world.accounts["李秀兰"].id, 5, ADJUST, note="更正")
    assert verify() == []
