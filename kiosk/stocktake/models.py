import peewee

from kiosk.db import BaseModel, utcnow
from kiosk.inventory.models import Product
from kiosk.ledger.models import AppendOnlyModel
from kiosk.staff.models import Staff
from kiosk.stores.models import Store

OPEN, FINISHED, CANCELLED = "open", "finished", "cancelled"
STATUSES = (OPEN, FINISHED, CANCELLED)


class StockTake(BaseModel):
    """A count (盘点单) of one category, of one shelf, or of every product when both
    ``category`` and ``shelf`` are empty.

    ``revision`` rises with every count entered: the manager finalizes the revision they saw,
    so a count entered after the variance list was shown is never finalized unseen.
    """

    store = peewee.ForeignKeyField(Store, backref="+", on_delete="RESTRICT")
    serial = peewee.BigIntegerField()  # the count's number in its store (kiosk.stores.numbering)
    category = peewee.CharField(max_length=30, default="")
    shelf = peewee.CharField(max_length=20, default="")
    blind = peewee.BooleanField(default=False)
    status = peewee.CharField(max_length=10, default=OPEN, index=True, choices=[(s, s) for s in STATUSES])
    revision = peewee.IntegerField(default=0)
    started_by = peewee.ForeignKeyField(Staff, backref="+", on_delete="RESTRICT")
    started_at = peewee.DateTimeField(default=utcnow)
    finished_by = peewee.ForeignKeyField(Staff, null=True, backref="+", on_delete="RESTRICT")
    finished_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "stocktake"
        indexes = ((("store", "serial"), True),)

    @property
    def number(self):
        return f"{self.store.code}P{self.serial:05d}"

    def covers(self, product):
        """Whether ``product`` belongs in this count's scope."""
        if self.category and product.category != self.category:
            return False
        return not self.shelf or product.shelf == self.shelf


class StockTakeLine(BaseModel):
    """One product of a count.

    ``expected`` is the book quantity at the moment the product was counted (not when the count
    started), and ``movement_mark`` the id of its last stock movement then: sales before the
    count are in ``expected``, sales after it are movements past the mark, and finalizing posts
    ``counted - expected`` so both end up right.
    """

    stocktake = peewee.ForeignKeyField(StockTake, backref="lines", on_delete="RESTRICT")
    product = peewee.ForeignKeyField(Product, backref="+", on_delete="RESTRICT")
    name = peewee.CharField(max_length=100)
    category = peewee.CharField(max_length=30)
    unit = peewee.CharField(max_length=10)
    sort_order = peewee.IntegerField(default=0)
    start_quantity = peewee.BigIntegerField()
    counted = peewee.BigIntegerField(null=True, constraints=[peewee.Check("counted IS NULL OR counted >= 0")])
    expected = peewee.BigIntegerField(null=True)
    movement_mark = peewee.BigIntegerField(default=0)
    counted_by = peewee.ForeignKeyField(Staff, null=True, backref="+", on_delete="RESTRICT")
    counted_at = peewee.DateTimeField(null=True)
    # How many times it was counted: the page sends the number it showed, so a count made
    # meanwhile by someone else is never overwritten unseen.
    counts = peewee.IntegerField(default=0)
    points = peewee.IntegerField(null=True)  # the price the variance is valued at, set when finalized
    adjustment = peewee.BigIntegerField(null=True)  # the movement posted when finalized (0: none)

    class Meta:
        table_name = "stocktake_line"
        indexes = ((("stocktake", "product"), True),)

    @property
    def variance(self):
        return None if self.counted is None else self.counted - self.expected


class StockTakeCount(AppendOnlyModel):
    """Every count entered for a line, the overwritten ones too: who counted what, when, and the
    book quantity at that moment."""

    line = peewee.ForeignKeyField(StockTakeLine, backref="history", on_delete="RESTRICT")
    quantity = peewee.BigIntegerField()
    expected = peewee.BigIntegerField()
    movement_mark = peewee.BigIntegerField()
    staff = peewee.ForeignKeyField(Staff, backref="+", on_delete="RESTRICT")
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "stocktake_count"
