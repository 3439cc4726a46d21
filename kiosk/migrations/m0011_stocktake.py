"""Stock-taking (盘点): the stocktake, stocktake_line and stocktake_count tables, described here
as they are at this migration."""
import peewee

from kiosk.db import utcnow


def apply(migrator):
    from kiosk.inventory.models import Product
    from kiosk.staff.models import Staff
    from kiosk.stores.models import Store

    class Base(peewee.Model):
        class Meta:
            database = migrator.database

    class StockTake(Base):
        store = peewee.ForeignKeyField(Store, backref="+", on_delete="RESTRICT")
        category = peewee.CharField(max_length=30, default="")
        blind = peewee.BooleanField(default=False)
        status = peewee.CharField(max_length=10, default="open", index=True)
        revision = peewee.IntegerField(default=0)
        started_by = peewee.ForeignKeyField(Staff, backref="+", on_delete="RESTRICT")
        started_at = peewee.DateTimeField(default=utcnow)
        finished_by = peewee.ForeignKeyField(Staff, null=True, backref="+", on_delete="RESTRICT")
        finished_at = peewee.DateTimeField(null=True)

        class Meta:
            table_name = "stocktake"

    class StockTakeLine(Base):
        stocktake = peewee.ForeignKeyField(StockTake, backref="+", on_delete="RESTRICT")
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
        counts = peewee.IntegerField(default=0)
        points = peewee.IntegerField(null=True)
        adjustment = peewee.BigIntegerField(null=True)

        class Meta:
            table_name = "stocktake_line"
            indexes = ((("stocktake", "product"), True),)

    class StockTakeCount(Base):
        line = peewee.ForeignKeyField(StockTakeLine, backref="+", on_delete="RESTRICT")
        quantity = peewee.BigIntegerField()
        expected = peewee.BigIntegerField()
        movement_mark = peewee.BigIntegerField()
        staff = peewee.ForeignKeyField(Staff, backref="+", on_delete="RESTRICT")
        created_at = peewee.DateTimeField(default=utcnow)

        class Meta:
            table_name = "stocktake_count"

    migrator.database.create_tables([StockTake, StockTakeLine, StockTakeCount])
