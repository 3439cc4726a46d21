"""Service vouchers and partners (kiosk.vouchers): partner, voucher_terms, settlement, voucher and
voucher_event, described here as they are at this migration. Existing voucher products get no
terms: the manager gives each one its partner before it is sold again."""
import peewee

from kiosk.db import utcnow

HOUSEHOLD, ISSUED, OPEN = "household", "issued", "open"


def apply(migrator):
    from kiosk.checkout.models import Refund, Sale, SaleLine
    from kiosk.inventory.models import Product
    from kiosk.ledger.models import Account
    from kiosk.staff.models import Staff
    from kiosk.stores.models import Store

    db = migrator.database

    class Partner(peewee.Model):
        store = peewee.ForeignKeyField(Store, backref="+", on_delete="RESTRICT")
        name = peewee.CharField(max_length=50)
        contact = peewee.CharField(max_length=100, default="")
        honours = peewee.CharField(max_length=200, default="")  # what they honour, in words
        pin_hash = peewee.CharField(max_length=255, default="")
        active = peewee.BooleanField(default=True)
        created_at = peewee.DateTimeField(default=utcnow)
        session_version = peewee.IntegerField(default=0)

        class Meta:
            database = db
            legacy_table_names = False
            indexes = ((("store", "name"), True),)

    class VoucherTerms(peewee.Model):
        product = peewee.ForeignKeyField(Product, backref="+", unique=True, on_delete="RESTRICT")
        partner = peewee.ForeignKeyField(Partner, backref="+", on_delete="RESTRICT")
        face = peewee.CharField(max_length=60)  # in words: "物业费抵扣 20 元", "时令水果 1 份"
        face_value_fen = peewee.BigIntegerField(default=0, constraints=[peewee.Check("face_value_fen >= 0")])
        valid_days = peewee.IntegerField(default=30, constraints=[peewee.Check("valid_days BETWEEN 1 AND 3660")])
        holder = peewee.CharField(max_length=10, default=HOUSEHOLD)

        class Meta:
            database = db
            legacy_table_names = False
            table_name = "voucher_terms"

    class Settlement(peewee.Model):
        store = peewee.ForeignKeyField(Store, backref="+", on_delete="RESTRICT")
        partner = peewee.ForeignKeyField(Partner, backref="+", on_delete="RESTRICT")
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
            database = db
            legacy_table_names = False
            indexes = ((("store", "serial"), True),)

    class Voucher(peewee.Model):
        store = peewee.ForeignKeyField(Store, backref="+", on_delete="RESTRICT")
        serial = peewee.BigIntegerField()  # its number in its store, printed and in its QR payload
        product = peewee.ForeignKeyField(Product, backref="+", on_delete="RESTRICT")
        partner = peewee.ForeignKeyField(Partner, backref="+", on_delete="RESTRICT")
        sale = peewee.ForeignKeyField(Sale, backref="+", on_delete="RESTRICT")
        sale_line = peewee.ForeignKeyField(SaleLine, backref="+", on_delete="RESTRICT")
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
        settlement = peewee.ForeignKeyField(Settlement, backref="+", null=True, on_delete="RESTRICT")

        class Meta:
            database = db
            legacy_table_names = False
            indexes = (
                (("store", "serial"), True),
                (("partner", "used_at"), False),
            )

    class VoucherEvent(peewee.Model):
        voucher = peewee.ForeignKeyField(Voucher, backref="+", on_delete="RESTRICT")
        kind = peewee.CharField(max_length=10)
        partner = peewee.ForeignKeyField(Partner, backref="+", null=True, on_delete="RESTRICT")
        staff = peewee.ForeignKeyField(Staff, backref="+", null=True, on_delete="RESTRICT")
        created_at = peewee.DateTimeField(default=utcnow)

        class Meta:
            database = db
            legacy_table_names = False
            table_name = "voucher_event"
            indexes = ((("voucher", "kind"), True),)

    db.create_tables([Partner, VoucherTerms, Settlement, Voucher, VoucherEvent])
