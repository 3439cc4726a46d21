"""Each ledger entry names its store (``ledger_entry.store_id``, the store of its account), with
an index on (store_id, id): one store's entries are then read through that index, without a
join to account, so `kiosk verify --store CODE` on a district server reads the store's part of
the ledger instead of the whole table once per batch.

The column is added empty, filled from each entry's account, then made NOT NULL (PostgreSQL
in place; SQLite rebuilds the table with playhouse's copy, drop, rename, while
kiosk.schema.upgrade defers foreign keys and checks them before the commit).

Ledger entries are append-only, and the backfill is the one UPDATE this table ever gets. The
guard is kiosk.ledger.models.AppendOnlyModel, in Python: it refuses peewee's update() and
save() of an existing row. There is no database trigger to drop and recreate (no migration
creates one), so the backfill is plain SQL that goes around the guard, as m0004's hashes did.
It writes only the new column: the hash of an entry covers its id, account, delta, kind,
reference, staff, note, balance and time (kiosk.ledger.chain.FIELDS), not its store, so every
chain and every head published on a notice stays valid.
"""
import peewee
from playhouse.migrate import migrate

from kiosk.stores.models import Store


def apply(migrator):
    database = migrator.database
    migrate(migrator.add_column("ledger_entry", "store_id", peewee.ForeignKeyField(
        Store, field=Store.id, null=True, on_delete="RESTRICT")))
    database.execute_sql(
        "UPDATE ledger_entry SET store_id = (SELECT account.store_id FROM account WHERE account.id = ledger_entry.account_id)")
    # SQLite (before 3.53) rebuilds the table; playhouse re-creates its indexes from their SQL.
    migrate(migrator.add_not_null("ledger_entry", "store_id"))
    migrate(migrator.add_index("ledger_entry", ("store_id", "id"), False))
