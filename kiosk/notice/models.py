"""Public notices (公示): monthly and yearly snapshots of every household's points, frozen
when published (rows are never updated or deleted)."""
import peewee

from kiosk.db import utcnow
from kiosk.ledger.models import AppendOnlyModel
from kiosk.staff.models import Staff
from kiosk.stores.models import Store

MONTH, YEAR = "month", "year"


class Notice(AppendOnlyModel):
    """One published notice: its period, totals, and the ledger chain head at its cut-off."""

    store = peewee.ForeignKeyField(Store, backref="notices", on_delete="RESTRICT")
    kind = peewee.CharField(max_length=5, choices=[(MONTH, MONTH), (YEAR, YEAR)])
    # "2026-11" for a month, "2026" for a year.
    period = peewee.CharField(max_length=7)
    # Local dates, both inclusive; ``cutoff_at`` is the end as naive UTC (exclusive).
    day_from = peewee.DateField()
    day_to = peewee.DateField()
    cutoff_at = peewee.DateTimeField()
    account_mode = peewee.CharField(max_length=10)
    households = peewee.IntegerField()
    earned = peewee.BigIntegerField()
    spent = peewee.BigIntegerField()
    balance = peewee.BigIntegerField()
    # The store's ledger chain at the cut-off: the hash of its last entry before it (64 zeros
    # when there was none), that entry's id and how many entries the chain held.
    chain_head = peewee.CharField(max_length=64)
    chain_entry_id = peewee.BigIntegerField(null=True)
    chain_length = peewee.BigIntegerField()
    # Yearly notices: how many star-household candidates were asked for.
    star_candidates = peewee.IntegerField(default=0)
    published_by = peewee.ForeignKeyField(Staff, null=True, on_delete="RESTRICT")
    published_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("store", "kind", "period"), True),)


class NoticeLine(AppendOnlyModel):
    """One household on a notice, as published: only the masked name is kept."""

    notice = peewee.ForeignKeyField(Notice, backref="lines", on_delete="RESTRICT")
    position = peewee.IntegerField()
    household_id = peewee.IntegerField(null=True)
    household_number = peewee.CharField(max_length=100)
    holder = peewee.CharField(max_length=50)
    earned = peewee.BigIntegerField()
    spent = peewee.BigIntegerField()
    balance = peewee.BigIntegerField()
    rank = peewee.IntegerField()
    # Yearly notices: the household had a deduction (扣分) approved in the year.
    deducted = peewee.BooleanField(default=False)

    class Meta:
        indexes = ((("notice", "position"), True),)
