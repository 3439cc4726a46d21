import peewee

from kiosk.db import utcnow
from kiosk.ledger.models import AppendOnlyModel
from kiosk.staff.models import Staff
from kiosk.stores.models import Store

DAY, SHIFT = "day", "shift"


class DayClose(AppendOnlyModel):
    """A closed shift (交班) or day (日结): written once, never edited or deleted.

    ``day`` is the store's local date. A day close covers what was recorded from the end of the
    previous day close (``covered_from``) to the end of the day or the moment of the close,
    whichever came first (``covered_until``); a shift close covers one cashier's records from
    their previous shift close of the day (or the start of the day) to the close. ``figures``
    holds the figures as they were shown (JSON, kiosk.dayclose.service.figures), so a close
    reads the same for ever. ``owner`` (the cashier's id, 0 for a day) and ``number`` make the
    unique key that refuses a second close of the same day, even from two tills at once.
    """

    store = peewee.ForeignKeyField(Store, on_delete="RESTRICT")
    day = peewee.DateField()
    kind = peewee.CharField(max_length=10)
    cashier = peewee.ForeignKeyField(Staff, null=True, on_delete="RESTRICT")
    owner = peewee.IntegerField(default=0)
    number = peewee.IntegerField(default=1)
    covered_from = peewee.DateTimeField()
    covered_until = peewee.DateTimeField()
    # Who confirmed it; NULL when the nightly run closed a day nobody closed.
    closed_by = peewee.ForeignKeyField(Staff, null=True, on_delete="RESTRICT", backref="+")
    closed_at = peewee.DateTimeField(default=utcnow)
    figures = peewee.TextField()
    chain_head = peewee.CharField(max_length=64)
    chain_entry_id = peewee.BigIntegerField(null=True)
    chain_length = peewee.BigIntegerField(default=0)
    # The highest sale and return ids of the store when the close was taken (with the store's
    # books locked): a sale recorded before covered_until but committed after the close (a
    # checkout in flight at that moment) has a higher id, so the next close still counts it.
    sale_mark = peewee.BigIntegerField(null=True)
    refund_mark = peewee.BigIntegerField(null=True)

    class Meta:
        table_name = "day_close"
        indexes = ((("store", "day", "kind", "owner", "number"), True),)
