import peewee

from kiosk.db import BaseModel, utcnow
from kiosk.registry.models import Household, Resident
from kiosk.staff.models import Staff
from kiosk.stores.models import Store

# Kinds of ledger entry. A correction, refund or void is a new entry of its own kind.
OPENING, EARN, REDEEM, REFUND, ADJUST = "opening", "earn", "redeem", "refund", "adjust"
DEDUCT = "deduct"  # a deduction (扣分) that took effect after its objection period
# Points that were not spent in time (kiosk.expiry); reference "expire:<YYYY-MM-DD>".
EXPIRE = "expire"
KINDS = (OPENING, EARN, REDEEM, REFUND, ADJUST, DEDUCT, EXPIRE)


class Account(BaseModel):
    """A points account, held by a household (the default) or by one resident.

    ``balance`` caches the sum of the account's ledger entries; it changes only in the
    transaction that appends the entry (kiosk.ledger.service.post).
    """

    store = peewee.ForeignKeyField(Store, backref="accounts", on_delete="RESTRICT")
    household = peewee.ForeignKeyField(Household, null=True, backref="accounts", on_delete="RESTRICT")
    resident = peewee.ForeignKeyField(Resident, null=True, backref="accounts", on_delete="RESTRICT")
    holder_name = peewee.CharField(max_length=50, default="")
    balance = peewee.BigIntegerField(default=0)
    created_at = peewee.DateTimeField(default=utcnow)


class AppendOnlyError(RuntimeError):
    """Raised on any attempt to edit or delete a ledger entry or stock movement."""


class AppendOnlyModel(BaseModel):
    """Rows are inserted once and never updated or deleted (compensate with a new row)."""

    def save(self, *args, **kwargs):
        if self._pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError(f"{type(self).__name__} rows are append-only")
        return super().save(*args, **kwargs)

    def delete_instance(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} rows are append-only")

    @classmethod
    def update(cls, *args, **kwargs):
        raise AppendOnlyError(f"{cls.__name__} rows are append-only")

    @classmethod
    def delete(cls):
        raise AppendOnlyError(f"{cls.__name__} rows are append-only")


class LedgerEntry(AppendOnlyModel):
    """One signed change to an account (积分流水), with the balance it left."""

    # Indexed by (account, id) below, which also serves lookups by account alone.
    account = peewee.ForeignKeyField(Account, backref="entries", on_delete="RESTRICT", index=False)
    delta = peewee.BigIntegerField()
    kind = peewee.CharField(max_length=10, choices=[(k, k) for k in KINDS])
    reference = peewee.CharField(max_length=40, default="", index=True)
    staff = peewee.ForeignKeyField(Staff, null=True, on_delete="RESTRICT")
    note = peewee.CharField(max_length=200, default="")
    balance_after = peewee.BigIntegerField()
    created_at = peewee.DateTimeField(default=utcnow)
    # SHA-256 (hex) over this entry's fields and the previous entry's hash in its store's
    # chain (kiosk.ledger.chain); "" only for rows written around the ledger service.
    hash = peewee.CharField(max_length=64, default="")
    # The account's store, copied onto the entry when it is written (m0020), so that one
    # store's entries are read through the (store, id) index without a join to account: the
    # chain walk of `kiosk verify --store` on a district server. `kiosk verify` checks that it
    # is the account's store. It is NOT part of the hash (kiosk.ledger.chain.FIELDS): chains
    # written before m0020 stay valid, and a wrong store_id shows as an entry in the wrong
    # store's chain and as that check's sentence.
    store = peewee.ForeignKeyField(Store, on_delete="RESTRICT", index=False)

    class Meta:
        # (store, created_at): a store's entries of a period, for the reports (m0022).
        indexes = ((("account", "id"), False), (("store", "id"), False), (("store", "created_at"), False))


class LedgerChain(BaseModel):
    """The head of one store's hash chain of ledger entries (see kiosk.ledger.chain).

    One row per store. Appending an entry updates this row first, so writers of one store
    queue on it (on PostgreSQL as on SQLite) and each entry's hash covers the one before it.
    """

    store = peewee.ForeignKeyField(Store, primary_key=True, on_delete="RESTRICT")
    head = peewee.CharField(max_length=64)
    # The id of the store's newest entry (a plain number, not a foreign key: verify must be
    # able to say that it has gone missing) and how many entries the chain holds.
    last_entry_id = peewee.BigIntegerField(null=True)
    length = peewee.BigIntegerField(default=0)
