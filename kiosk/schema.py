"""Creating and evolving the schema.

A new database is created from the current models and stamped with the newest migration
number. An existing database gets each pending numbered migration in ``kiosk/migrations/``
(``m0002_*.py`` and on, each with ``apply(migrator)`` written with ``playhouse.migrate``),
in order, each in its own transaction. ``m0001_initial`` is the schema the models describe.
"""
import contextlib
import importlib
import pkgutil

import peewee
from playhouse.migrate import PostgresqlMigrator, SqliteMigrator

from kiosk import migrations
from kiosk.audit import AuditEvent
from kiosk.cards.models import Card
from kiosk.checkout.models import Refund, RefundLine, Sale, SaleLine
from kiosk.dayclose.models import DayClose
from kiosk.district.models import DistrictUser, VerifyRun
from kiosk.db import BaseModel, database, is_sqlite
from kiosk.earning.models import Correction, Objection, Rule, ServiceRecord
from kiosk.goods.models import StockReceipt, StockReceiptLine, WriteOff, WriteOffLine
from kiosk.inventory.models import PriceChange, Product, ProductCategory, StockMovement
from kiosk.ledger.models import Account, LedgerChain, LedgerEntry
from kiosk.notice.models import Notice, NoticeLine
from kiosk.printing.models import PrintJob
from kiosk.redemption.models import ProductLimit
from kiosk.registry.models import Household, Pairing, Resident
from kiosk.staff.models import PinThrottle, Staff
from kiosk.stocktake.models import StockTake, StockTakeCount, StockTakeLine
from kiosk.stores.models import DocumentCounter, Store
from kiosk.volunteer.models import VolunteerImport, VolunteerImportRecord
from kiosk.vouchers.models import MODELS as VOUCHER_MODELS

MODELS = [
    Store, Staff, Household, Resident, Account, Card, LedgerEntry, Product, StockMovement,
    Sale, SaleLine, Refund, RefundLine, PrintJob, AuditEvent, Rule, ServiceRecord,
    Objection, Correction, Pairing,
    VolunteerImport, VolunteerImportRecord,
    LedgerChain, Notice, NoticeLine,
    ProductLimit,
    PriceChange,
    StockReceipt, StockReceiptLine, WriteOff, WriteOffLine,
    StockTake, StockTakeLine, StockTakeCount,
    ProductCategory,
    PinThrottle,
    DayClose,
    DocumentCounter,
    DistrictUser, VerifyRun,
    *VOUCHER_MODELS,
]


class SchemaVersion(BaseModel):
    version = peewee.IntegerField(primary_key=True)
    name = peewee.CharField(max_length=100)


def available_migrations():
    """[(number, name, module)] in order, from the kiosk.migrations package."""
    found = []
    for info in pkgutil.iter_modules(migrations.__path__):
        if info.name.startswith("m") and info.name[1:5].isdigit():
            found.append((int(info.name[1:5]), info.name, importlib.import_module(f"kiosk.migrations.{info.name}")))
    return sorted(found, key=lambda m: m[0])


def current_version():
    if not database.table_exists(SchemaVersion._meta.table_name):
        return None
    return SchemaVersion.select(peewee.fn.MAX(SchemaVersion.version)).scalar()


def upgrade():
    """Create or upgrade the schema; returns the list of migration names applied."""
    version = current_version()
    steps = available_migrations()
    if version is None:
        with database.atomic():
            database.create_tables([SchemaVersion, *MODELS])
            for number, name, _ in steps:
                SchemaVersion.create(version=number, name=name)
        return ["created " + steps[-1][1]]
    applied = []
    migrator = SqliteMigrator(database.obj) if is_sqlite() else PostgresqlMigrator(database.obj)
    with _foreign_keys_deferred():
        for number, name, module in steps:
            if number <= version:
                continue
            with database.atomic():
                module.apply(migrator)
                _check_foreign_keys()
                SchemaVersion.create(version=number, name=name)
            applied.append(name)
    return applied


@contextlib.contextmanager
def _foreign_keys_deferred():
    """SQLite rebuilds a table to add a NOT NULL column (copy, drop, rename). Dropping a table
    that other rows refer to fails while foreign keys are enforced, and enforcement can only be
    switched outside a transaction: off for the migrations, checked by each before it commits
    (SQLite's documented procedure for schema changes), then on again."""
    if not is_sqlite():
        yield
        return
    database.pragma("foreign_keys", 0)
    try:
        yield
    finally:
        database.pragma("foreign_keys", 1)


def _check_foreign_keys():
    if is_sqlite():
        broken = database.execute_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"migration left broken foreign keys: {broken[:5]}")
