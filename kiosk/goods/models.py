"""Goods-in documents (入库单) and goods-out documents (出库单 / 报损单).

Both are written once, in the transaction that appends their stock movements, and never edited:
a mistake is put right by a new document (or a stock-take), as with sales.
"""
import peewee

from kiosk.db import BaseModel, utcnow
from kiosk.inventory.models import Product
from kiosk.staff.models import Staff
from kiosk.stores.models import Store

PURCHASE, DONATION = "purchase", "donation"
RECEIPT_KINDS = (PURCHASE, DONATION)
DAMAGED, EXPIRED, INTERNAL, OTHER = "damaged", "expired", "internal", "other"
WRITE_OFF_REASONS = (DAMAGED, EXPIRED, INTERNAL, OTHER)
RECEIPT_PREFIX, WRITE_OFF_PREFIX = "RK", "CK"


class StockReceipt(BaseModel):
    """A goods-in document: a purchase or a donation, with its lines."""

    store = peewee.ForeignKeyField(Store, backref="+", on_delete="RESTRICT")
    kind = peewee.CharField(max_length=10, choices=[(k, k) for k in RECEIPT_KINDS])
    # One key per draft: a double tap or a stale page submitted again finds this document.
    idempotency_key = peewee.CharField(max_length=64, unique=True)
    serial = peewee.BigIntegerField()  # the document's number in its store (kiosk.stores.numbering)
    donor_name = peewee.CharField(max_length=50, default="")
    donor_contact = peewee.CharField(max_length=50, default="")
    # The donor agrees to be named on the public thank-you list (else 爱心人士).
    thank_publicly = peewee.BooleanField(default=True)
    note = peewee.CharField(max_length=200, default="")
    total_units = peewee.BigIntegerField()
    total_points = peewee.BigIntegerField()  # the goods' value in points when they came in
    staff = peewee.ForeignKeyField(Staff, backref="+", on_delete="RESTRICT")
    created_at = peewee.DateTimeField(default=utcnow, index=True)

    class Meta:
        indexes = ((("store", "serial"), True),)

    @property
    def number(self):
        return f"{self.store.code}{RECEIPT_PREFIX}{self.serial:07d}"


class StockReceiptLine(BaseModel):
    """One product of a goods-in document; with an expiry date it is a batch (批次)."""

    receipt = peewee.ForeignKeyField(StockReceipt, backref="lines", on_delete="RESTRICT")
    product = peewee.ForeignKeyField(Product, backref="+", on_delete="RESTRICT")
    quantity = peewee.BigIntegerField(constraints=[peewee.Check("quantity > 0")])
    points = peewee.IntegerField()  # the product's price then
    batch_no = peewee.CharField(max_length=40, default="")
    expiry = peewee.DateField(null=True, index=True)


class WriteOff(BaseModel):
    """A goods-out document (报损 / 出库): damaged, expired, internal use or other."""

    store = peewee.ForeignKeyField(Store, backref="+", on_delete="RESTRICT")
    reason = peewee.CharField(max_length=10, choices=[(r, r) for r in WRITE_OFF_REASONS])
    note = peewee.CharField(max_length=200, default="")
    idempotency_key = peewee.CharField(max_length=64, unique=True)
    serial = peewee.BigIntegerField()  # the document's number in its store (kiosk.stores.numbering)
    total_units = peewee.BigIntegerField()
    total_points = peewee.BigIntegerField()
    staff = peewee.ForeignKeyField(Staff, backref="+", on_delete="RESTRICT")
    # The manager who approved it with their PIN, when it was above the store's threshold
    # (a manager's own write-off names the manager).
    approved_by = peewee.ForeignKeyField(Staff, null=True, backref="+", on_delete="RESTRICT")
    created_at = peewee.DateTimeField(default=utcnow, index=True)

    class Meta:
        indexes = ((("store", "serial"), True),)

    @property
    def number(self):
        return f"{self.store.code}{WRITE_OFF_PREFIX}{self.serial:07d}"


class WriteOffLine(BaseModel):
    write_off = peewee.ForeignKeyField(WriteOff, backref="lines", on_delete="RESTRICT")
    product = peewee.ForeignKeyField(Product, backref="+", on_delete="RESTRICT")
    quantity = peewee.BigIntegerField(constraints=[peewee.Check("quantity > 0")])
    points = peewee.IntegerField()
