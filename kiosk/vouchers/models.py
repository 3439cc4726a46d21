"""Partners, voucher terms, vouchers, their events and settlement statements.

A voucher's ``status`` caches its last event and changes only in the transaction that appends
that event (VoucherEvent, append-only, at most one event of each kind per voucher: a voucher is
issued once, used once, cancelled once, expired once). Using it is a conditional update of an
ISSUED, unexpired row, so two partners scanning one slip at the same moment get one 核销.
"""
import peewee

from kiosk.checkout.models import Refund, Sale, SaleLine
from kiosk.db import BaseModel, utcnow
from kiosk.inventory.models import Product
from kiosk.ledger.models import Account, AppendOnlyModel
from kiosk.staff.models import Staff
from kiosk.stores.models import Store

# Who a voucher belongs to: the household it was redeemed for (its masked name is printed on the
# slip, and the partner sees it), or whoever holds the slip.
HOUSEHOLD, BEARER = "household", "bearer"
HOLDERS = (HOUSEHOLD, BEARER)
# A voucher's life (Voucher.status and VoucherEvent.kind).
ISSUED, USED, CANCELLED, EXPIRED = "issued", "used", "cancelled", "expired"
EVENT_KINDS = (ISSUED, USED, CANCELLED, EXPIRED)
# A settlement statement is OPEN while the store checks it and SETTLED (closed for good) once paid.
OPEN, SETTLED = "open", "settled"


class Partner(BaseModel):
    """Someone outside the store who honours its vouchers (合作商家): signs in on the partner
    screen with a PIN kept only as a salted hash (as staff PINs are; "" until the manager gives
    one). Wrong PINs are counted in pin_throttle under ``partner:<id>``."""

    store = peewee.ForeignKeyField(Store, backref="+", on_delete="RESTRICT")
    name = peewee.CharField(max_length=50)
    contact = peewee.CharField(max_length=100, default="")
    honours = peewee.CharField(max_length=200, default="")  # what they honour, in words
    pin_hash = peewee.CharField(max_length=255, default="")
    active = peewee.BooleanField(default=True)
    created_at = peewee.DateTimeField(default=utcnow)
    # Raised by signing out, a new PIN and deactivation: an older session cookie stops working.
    session_version = peewee.IntegerField(default=0)

    class Meta:
        indexes = ((("store", "name"), True),)


class VoucherTerms(BaseModel):
    """What a voucher product is worth and to whom: one row per product of kind "voucher"."""

    product = peewee.ForeignKeyField(Product, backref="+", unique=True, on_delete="RESTRICT")
    partner = peewee.ForeignKeyField(Partner, backref="+", on_delete="RESTRICT")
    face = peewee.CharField(max_length=60)  # in words: "物业费抵扣 20 元", "时令水果 1 份"
    # What the partner is owed per voucher used, in fen (分); 0 for a service not settled in money.
    face_value_fen = peewee.BigIntegerField(default=0, constraints=[peewee.Check("face_value_fen >= 0")])
    valid_days = peewee.IntegerField(default=30, constraints=[peewee.Check("valid_days BETWEEN 1 AND 3660")])
    holder = peewee.CharField(max_length=10, default=HOUSEHOLD)

    class Meta:
        table_name = "voucher_terms"


class Settlement(BaseModel):
    """A partner's statement for a period (结算单): the vouchers it used in [start, end] (local
    days), their number and total face value. Settling it closes it: its vouchers and totals
    never change again (`kiosk verify` re-adds them)."""

    store = peewee.ForeignKeyField(Store, backref="+", on_delete="RESTRICT")
    partner = peewee.ForeignKeyField(Partner, backref="settlements", on_delete="RESTRICT")
    serial = peewee.BigIntegerField()  # its number in its store
    start = peewee.DateField()
    end = peewee.DateField()
    status = peewee.CharField(max_length=10, default=OPEN)
    count = peewee.IntegerField(default=0)
    total_fen = peewee.BigIntegerField(default=0)
    created_at = peewee.DateTimeField(default=utcnow)
    created_by = peewee.ForeignKeyField(Staff, backref="+", on_delete="RESTRICT")
    settled_at = peewee.DateTimeField(null=True)
    settled_by = peewee.ForeignKeyField(Staff, backref="+", null=True, on_delete="RESTRICT")

    class Meta:
        indexes = ((("store", "serial"), True),)


class Voucher(BaseModel):
    """One voucher: one unit of a voucher product redeemed at the till (a sale line of quantity
    3 makes three). Its terms are copied from the product at the sale."""

    store = peewee.ForeignKeyField(Store, backref="+", on_delete="RESTRICT")
    serial = peewee.BigIntegerField()  # its number in its store, printed and in its QR payload
    product = peewee.ForeignKeyField(Product, backref="+", on_delete="RESTRICT")
    partner = peewee.ForeignKeyField(Partner, backref="vouchers", on_delete="RESTRICT")
    sale = peewee.ForeignKeyField(Sale, backref="vouchers", on_delete="RESTRICT")
    sale_line = peewee.ForeignKeyField(SaleLine, backref="vouchers", on_delete="RESTRICT")
    # The household it belongs to (holder HOUSEHOLD), or None for a bearer voucher.
    account = peewee.ForeignKeyField(Account, backref="+", null=True, on_delete="RESTRICT")
    name = peewee.CharField(max_length=100)
    face = peewee.CharField(max_length=60)
    face_value_fen = peewee.BigIntegerField(default=0)
    holder = peewee.CharField(max_length=10)
    issued_at = peewee.DateTimeField(default=utcnow)
    valid_until = peewee.DateTimeField()  # UTC: the end of its last valid day in the store's zone
    status = peewee.CharField(max_length=10, default=ISSUED)
    used_at = peewee.DateTimeField(null=True)
    used_by = peewee.ForeignKeyField(Partner, backref="+", null=True, on_delete="RESTRICT")
    cancelled_by = peewee.ForeignKeyField(Refund, backref="+", null=True, on_delete="RESTRICT")
    settlement = peewee.ForeignKeyField(Settlement, backref="vouchers", null=True, on_delete="RESTRICT")

    class Meta:
        indexes = (
            (("store", "serial"), True),
            (("partner", "used_at"), False),
        )


class VoucherEvent(AppendOnlyModel):
    """Issued, used, cancelled or expired: each at most once per voucher."""

    voucher = peewee.ForeignKeyField(Voucher, backref="events", on_delete="RESTRICT")
    kind = peewee.CharField(max_length=10)
    partner = peewee.ForeignKeyField(Partner, backref="+", null=True, on_delete="RESTRICT")
    staff = peewee.ForeignKeyField(Staff, backref="+", null=True, on_delete="RESTRICT")
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "voucher_event"
        indexes = ((("voucher", "kind"), True),)


MODELS = [Partner, VoucherTerms, Settlement, Voucher, VoucherEvent]
