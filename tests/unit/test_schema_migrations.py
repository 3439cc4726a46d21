"""A new database is stamped with the newest migration; an old one gets the pending ones."""
import types

import pytest

from kiosk import schema
from kiosk.db import database
from tests.helpers import drop_tables, schema_migrator, upgrade_to_m0017


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


@pytest.mark.sqlite_only("PRAGMA settings of the kiosk's SQLite file")
def test_sqlite_runs_in_wal_mode_with_full_synchronous_writes(db):
    assert database.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert database.execute_sql("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert database.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1


def undo_m0004():
    """Take a database back to before m0004 (the ledger chain and public notices)."""
    from kiosk.ledger.models import LedgerChain
    from kiosk.notice.models import Notice, NoticeLine

    drop_tables([NoticeLine, Notice, LedgerChain])
    # ALTER TABLE … DROP COLUMN (SQLite >= 3.35) keeps the rows that other tables refer to.
    for table, column in (("ledger_entry", "hash"), ("store", "notice_cutoff_day"), ("store", "star_candidates")):
        database.execute_sql(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')


def _migrations_through(monkeypatch, number):
    """Make the migrations after ``number`` invisible, to test one against the schema it found."""
    steps = [step for step in schema.available_migrations() if step[0] <= number]
    monkeypatch.setattr(schema, "available_migrations", lambda: steps)
    schema.SchemaVersion.delete().where(schema.SchemaVersion.version > number).execute()


def test_m0002_adds_the_print_queue_retry_time_and_the_store_printer(db, monkeypatch):
    """A database made before the print queue retried gets the two columns, and its old
    jobs are due at once."""
    from playhouse.migrate import migrate

    from kiosk.printing.models import PrintJob
    from kiosk.stores.models import Store

    migrator = schema_migrator()
    _migrations_through(monkeypatch, 2)
    migrate(migrator.drop_index("print_job", "print_job_next_attempt_at"),
            migrator.drop_column("print_job", "next_attempt_at"), migrator.drop_column("store", "printer_url"))
    undo_m0004()
    schema.SchemaVersion.delete().where(schema.SchemaVersion.version >= 2).execute()
    assert schema.upgrade() == ["m0002_print_queue"]
    assert "next_attempt_at" in [c.name for c in database.get_columns("print_job")]
    assert Store.select(Store.printer_url).count() == Store.select().count()
    assert PrintJob.select().count() == 0
    assert "print_job_next_attempt_at" in [i.name for i in database.get_indexes("print_job")]


def _before_m0003(monkeypatch):
    from kiosk.earning.models import Correction, Objection, Rule, ServiceRecord

    drop_tables([Correction, Objection, ServiceRecord, Rule])
    _migrations_through(monkeypatch, 3)
    schema.SchemaVersion.delete().where(schema.SchemaVersion.version >= 3).execute()


def test_m0003_creates_the_rules_catalog_and_service_records(db, monkeypatch):
    _before_m0003(monkeypatch)
    assert schema.upgrade() == ["m0003_earning"]
    assert database.table_exists("rule") and database.table_exists("service_record")
    assert "effective_on" not in [c.name for c in database.get_columns("service_record")]


def test_m0008_adds_deductions_linked_bonuses_and_corrections(db, world, monkeypatch):
    """A database from before deductions (no new columns, tables or objection period)
    gets the new columns and tables, and the earning service works on it."""
    from datetime import date

    from kiosk.earning import catalog, service
    from kiosk.earning.models import Correction, Objection
    from kiosk.registry.models import Pairing
    from kiosk.stores.models import Store

    drop_tables([Correction, Objection, Pairing])
    database.execute_sql('DROP INDEX "service_record_effective_on"')
    for table, column in (("rule", "from_occurrence"), ("rule", "occurrence_period"), ("rule", "linked_share"),
                          ("service_record", "start_time"), ("service_record", "end_time"),
                          ("service_record", "effective_on"), ("store", "objection_days")):
        database.execute_sql(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')
    _migrations_through(monkeypatch, 8)
    schema.SchemaVersion.delete().where(schema.SchemaVersion.version >= 8).execute()
    assert schema.upgrade() == ["m0008_deductions"]
    assert Store.get_by_id(world.store.id).objection_days == 7
    catalog.install(world.store)
    rule = next(r for r in service.current_rules(world.store) if r.code == "PARKING")
    assert (rule.from_occurrence, rule.linked_share) == (3, 0)
    (record,) = service.record_service(world.store, resident_ids=[world.cards["张建华"].resident_id], rule_id=rule.id,
                                       content="堵门", service_date=date(2026, 11, 2), staff=world.staff["operations"],
                                       today=date(2026, 11, 23))
    assert service.approve(record.id, world.store, world.staff["service"]).status == "warning"


def test_m0006_creates_the_volunteer_import_batches(db, monkeypatch):
    from kiosk.volunteer.models import VolunteerImport, VolunteerImportRecord

    drop_tables([VolunteerImportRecord, VolunteerImport])
    _migrations_through(monkeypatch, 6)
    schema.SchemaVersion.delete().where(schema.SchemaVersion.version >= 6).execute()
    assert schema.upgrade() == ["m0006_volunteer_import"]
    assert database.table_exists("volunteer_import") and database.table_exists("volunteer_import_record")


def test_m0004_chains_the_existing_ledger_in_order_and_verifies_clean(world, monkeypatch):
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
    _migrations_through(monkeypatch, 4)
    schema.SchemaVersion.delete().where(schema.SchemaVersion.version >= 4).execute()
    assert schema.upgrade() == ["m0004_notice"]
    assert dict(LedgerEntry.select(LedgerEntry.id, LedgerEntry.hash).tuples()) == hashes
    assert chain.head(world.store.id)[1:] == (max(hashes), len(hashes))
    with database.atomic():
        ledger.post(world.accounts["李秀兰"].id, 5, ADJUST, note="更正")
    assert verify() == []


def test_m0005_adds_redemption_windows_and_product_limits(db, monkeypatch):
    """A store made before redemption windows is always open and has no limits."""
    from playhouse.migrate import migrate

    from kiosk.redemption.models import ProductLimit
    from kiosk.stores.models import Store

    Store.create(name="老店", code="LD")
    drop_tables([ProductLimit])
    migrator = schema_migrator()
    migrate(migrator.drop_column("store", "redemption_window"), migrator.drop_column("store", "redemption_days"),
            migrator.drop_index("sale", "sale_account_id_created_at"))
    _migrations_through(monkeypatch, 5)
    schema.SchemaVersion.delete().where(schema.SchemaVersion.version >= 5).execute()
    assert schema.upgrade() == ["m0005_redemption_windows"]
    assert "sale_account_id_created_at" in [i.name for i in database.get_indexes("sale")]
    store = Store.get(Store.code == "LD")
    assert (store.redemption_window, store.redemption_days) == ("always", "")
    assert database.table_exists("product_limit") and ProductLimit.select().count() == 0
    assert schema.upgrade() == []


def test_m0009_adds_product_photos_low_stock_and_the_price_history(db, world, monkeypatch):
    """A store with goods, sales history and stock from before m0009 gets the photo and
    low-stock columns (empty, 0) and the price_change table; its goods are untouched."""
    from playhouse.migrate import migrate

    from kiosk.inventory import products
    from kiosk.inventory.models import PriceChange, Product

    before = {p.id: (p.name, p.points, p.quantity, p.barcode) for p in Product.select()}
    _migrations_through(monkeypatch, 9)
    drop_tables([PriceChange])
    migrate(schema_migrator().drop_column("product", "photo"),
            schema_migrator().drop_column("product", "low_stock"))
    schema.SchemaVersion.delete().where(schema.SchemaVersion.version >= 9).execute()
    assert schema.upgrade() == ["m0009_products"]
    assert {p.id: (p.name, p.points, p.quantity, p.barcode) for p in Product.select()} == before
    assert {(p.photo, p.low_stock) for p in Product.select()} == {("", 0)}
    oil = world.products["食用油"]
    form = products.parse({"name": "食用油", "category": "粮油", "points": "120", "barcode": oil.barcode, "active": "1"})
    products.save(world.store, form, staff=world.staff["manager"], product_id=oil.id, photo_dir="/nonexistent")
    assert [(c.old_points, c.new_points) for c in PriceChange.select()] == [(100, 120)]


def test_m0010_adds_goods_in_and_out_to_a_database_with_data(db, world, monkeypatch):
    """A store from before goods in/out (no documents, no threshold, no low-stock line) gets
    them with their defaults, keeps its stock, and can take goods in and out at once."""
    from datetime import date

    from playhouse.migrate import migrate

    from kiosk.goods import service
    from kiosk.goods.models import StockReceipt, StockReceiptLine, WriteOff, WriteOffLine
    from kiosk.inventory.models import Product
    from kiosk.stores.models import Store

    every = schema.available_migrations()
    drop_tables([WriteOffLine, WriteOff, StockReceiptLine, StockReceipt])
    migrator = schema_migrator()
    migrate(*(migrator.drop_column("store", name)
              for name in ("writeoff_approval_units", "writeoff_approval_points", "expiry_warning_days")),
            migrator.drop_column("product", "low_stock"))
    _migrations_through(monkeypatch, 10)
    schema.SchemaVersion.delete().where(schema.SchemaVersion.version == 10).execute()
    assert schema.upgrade() == ["m0010_goods_in_out"]
    store = Store.get_by_id(world.store.id)
    assert (store.writeoff_approval_units, store.writeoff_approval_points, store.expiry_warning_days) == (10, 500, 30)
    rice = Product.get_by_id(world.products["大米"].id)
    assert (rice.quantity, rice.low_stock) == (20, 0)
    # The documents are numbered per store since m0017, which finds the tables as m0010 made them.
    assert upgrade_to_m0017(monkeypatch, every) == ["m0017_document_numbers"]
    lines = [{"product_id": rice.id, "quantity": "5", "expiry": "2027-01-01"}]
    service.receive(store, kind="purchase", lines=lines, staff=world.staff["operations"], key="m" * 20,
                    today=date(2026, 11, 23))
    service.write_off(store, reason="damaged", note="", lines=[{"product_id": rice.id, "quantity": 2}],
                      staff=world.staff["cashier"], key="w" * 20)
    assert Product.get_by_id(rice.id).quantity == 23
