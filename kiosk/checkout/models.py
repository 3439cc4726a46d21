import peewee

from kiosk.cards.models import Card
from kiosk.db import BaseModel, utcnow
from kiosk.inventory.models import Product
from kiosk.ledger.models import Account
from kiosk.staff.models import Staff
from kiosk.stores.models import Store

SALE_PREFIX, REFUND_PREFIX = "S", "T"


def receipt_number(store_code, prefix, number):
    """A receipt number as printed and scanned: store code, S (sale) or T (return), and the
    document's number in its store (kiosk.stores.numbering)."""
    return f"{store_code}{prefix}{number:07d}"


class Sale(BaseModel):
    """A redemption (兑换): goods paid in points. Never edited after its transaction."""

    store = peewee.ForeignKeyField(Store, backref="sales", on_delete="RESTRICT")
    # One key per cart: a double tap, a retry or a stale page resubmitted finds this sale.
    idempotency_key = peewee.CharField(max_length=64, unique=True)
    # The sale's number in its store (1, 2, 3…; kiosk.stores.numbering), what its receipt number shows.
    serial = peewee.BigIntegerField()
    account = peewee.ForeignKeyField(Account, backref="sales", on_delete="RESTRICT")
    card = peewee.ForeignKeyField(Card, backref="sales", on_delete="RESTRICT")
    staff = peewee.ForeignKeyField(Staff, on_delete="RESTRICT")
    total = peewee.BigIntegerField()
    balance_before = peewee.BigIntegerField()
    balance_after = peewee.BigIntegerField()
    # Who took the goods when not the card holder (a relative picking up for an older resident).
    picked_up_by = peewee.CharField(max_length=50, default="")
    created_at = peewee.DateTimeField(default=utcnow, index=True)

    class Meta:
        # An account's sales in a period: what a purchase limit counts (kiosk.redemption).
        indexes = ((("account", "created_at"), False), (("store", "serial"), True))

    @property
    def receipt_no(self):
        return receipt_number(self.store.code, SALE_PREFIX, self.serial)


class SaleLine(BaseModel):
    """A line of a sale, keeping the name and price it was sold at."""

    sale = peewee.ForeignKeyField(Sale, backref="lines", on_delete="RESTRICT")
    product = peewee.ForeignKeyField(Product, on_delete="RESTRICT")
    name = peewee.CharField(max_length=100)
    points = peewee.IntegerField()
    quantity = peewee.IntegerField(constraints=[peewee.Check("quantity > 0")])
    # Caches the sum of this line's refund lines; raised only by a guarded UPDATE.
    refunded_quantity = peewee.IntegerField(
        default=0, constraints=[peewee.Check("refunded_quantity >= 0 AND refunded_quantity <= quantity")]
    )

    @property
    def total(self):
        return self.points * self.quantity


class Refund(BaseModel):
    """A return (退货) of some or all of a sale: a compensating credit, never an edit."""

    store = peewee.ForeignKeyField(Store, on_delete="RESTRICT")
    sale = peewee.ForeignKeyField(Sale, backref="refunds", on_delete="RESTRICT")
    idempotency_key = peewee.CharField(max_length=64, unique=True)
    serial = peewee.BigIntegerField()  # the return's number in its store
    staff = peewee.ForeignKeyField(Staff, on_delete="RESTRICT")
    approved_by = peewee.ForeignKeyField(Staff, on_delete="RESTRICT")
    total = peewee.BigIntegerField()
    balance_before = peewee.BigIntegerField()
    balance_after = peewee.BigIntegerField()
    created_at = peewee.DateTimeField(default=utcnow, index=True)

    class Meta:
        indexes = ((("store", "serial"), True),)

    @property
    def receipt_no(self):
        return receipt_number(self.store.code, REFUND_PREFIX, self.serial)


class RefundLine(BaseModel):
    refund = peewee.ForeignKeyField(Refund, backref="lines", on_delete="RESTRICT")
    sale_line = peewee.ForeignKeyField(SaleLine, backref="refund_lines", on_delete="RESTRICT")
    quantity = peewee.IntegerField(constraints=[peewee.Check("quantity > 0")])
    points = peewee.IntegerField()
