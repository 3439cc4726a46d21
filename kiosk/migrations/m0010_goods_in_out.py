"""Goods in and out: the goods-in documents with their batch lines, the goods-out documents,
the store's write-off approval threshold and expiry warning, and a product's low-stock line
(described as they are at this migration). Columns and tables already there are left alone, so
the migration also applies to a database a later copy of the models created."""
import peewee
from playhouse.migrate import migrate

from kiosk.db import utcnow


def apply(migrator):
    from kiosk.inventory.models import Product
    from kiosk.staff.models import Staff
    from kiosk.stores.models import Store

    database = migrator.database
    wanted = [
        ("store", "writeoff_approval_units", peewee.IntegerField(
            default=10, constraints=[peewee.Check("writeoff_approval_units BETWEEN 0 AND 99999")])),
        ("store", "writeoff_approval_points", peewee.IntegerField(
            default=500, constraints=[peewee.Check("writeoff_approval_points BETWEEN 0 AND 9999999")])),
        ("store", "expiry_warning_days", peewee.IntegerField(
            default=30, constraints=[peewee.Check("expiry_warning_days BETWEEN 1 AND 365")])),
        # The product screen's migration (m0009) may have added this one already.
        ("product", "low_stock", peewee.IntegerField(default=0, constraints=[peewee.Check("low_stock >= 0")])),
    ]
    changes = [
        migrator.add_column(table, name, field) for table, name, field in wanted
        if name not in [column.name for column in database.get_columns(table)]
    ]
    if changes:
        migrate(*changes)

    class Base(peewee.Model):
        class Meta:
            database = migrator.database

    class StockReceipt(Base):
        store = peewee.ForeignKeyField(Store, backref="+", on_delete="RESTRICT")
        kind = peewee.CharField(max_length=10)
        idempotency_key = peewee.CharField(max_length=64, unique=True)
        donor_name = peewee.CharField(max_length=50, default="")
        donor_contact = peewee.CharField(max_length=50, default="")
        thank_publicly = peewee.BooleanField(default=True)
        note = peewee.CharField(max_length=200, default="")
        total_units = peewee.BigIntegerField()
        total_points = peewee.BigIntegerField()
        staff = peewee.ForeignKeyField(Staff, backref="+", on_delete="RESTRICT")
        created_at = peewee.DateTimeField(default=utcnow, index=True)

        class Meta:
            table_name = "stock_receipt"

    class StockReceiptLine(Base):
        receipt = peewee.ForeignKeyField(StockReceipt, backref="+", on_delete="RESTRICT")
        product = peewee.ForeignKeyField(Product, backref="+", on_delete="RESTRICT")
        quantity = peewee.BigIntegerField(constraints=[peewee.Check("quantity > 0")])
        points = peewee.IntegerField()
        batch_no = peewee.CharField(max_length=40, default="")
        expiry = peewee.DateField(null=True, index=True)

        class Meta:
            table_name = "stock_receipt_line"

    class WriteOff(Base):
        store = peewee.ForeignKeyField(Store, backref="+", on_delete="RESTRICT")
        reason = peewee.CharField(max_length=10)
        note = peewee.CharField(max_length=200, default="")
        idempotency_key = peewee.CharField(max_length=64, unique=True)
        total_units = peewee.BigIntegerField()
        total_points = peewee.BigIntegerField()
        staff = peewee.ForeignKeyField(Staff, backref="+", on_delete="RESTRICT")
        approved_by = peewee.ForeignKeyField(Staff, null=True, backref="+", on_delete="RESTRICT")
        created_at = peewee.DateTimeField(default=utcnow, index=True)

        class Meta:
            table_name = "write_off"

    class WriteOffLine(Base):
        write_off = peewee.ForeignKeyField(WriteOff, backref="+", on_delete="RESTRICT")
        product = peewee.ForeignKeyField(Product, backref="+", on_delete="RESTRICT")
        quantity = peewee.BigIntegerField(constraints=[peewee.Check("quantity > 0")])
        points = peewee.IntegerField()

        class Meta:
            table_name = "write_off_line"

    database.create_tables([StockReceipt, StockReceiptLine, WriteOff, WriteOffLine])
