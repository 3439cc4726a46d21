"""The day close (交班 / 日结): the day_close table (kiosk.dayclose), described here as it is at
this migration."""
import peewee

from kiosk.db import utcnow


def apply(migrator):
    from kiosk.staff.models import Staff
    from kiosk.stores.models import Store

    class DayClose(peewee.Model):
        store = peewee.ForeignKeyField(Store, backref="+", on_delete="RESTRICT")
        day = peewee.DateField()
        kind = peewee.CharField(max_length=10)
        cashier = peewee.ForeignKeyField(Staff, null=True, backref="+", on_delete="RESTRICT")
        owner = peewee.IntegerField(default=0)
        number = peewee.IntegerField(default=1)
        covered_from = peewee.DateTimeField()
        covered_until = peewee.DateTimeField()
        closed_by = peewee.ForeignKeyField(Staff, null=True, backref="+", on_delete="RESTRICT")
        closed_at = peewee.DateTimeField(default=utcnow)
        figures = peewee.TextField()
        chain_head = peewee.CharField(max_length=64)
        chain_entry_id = peewee.BigIntegerField(null=True)
        chain_length = peewee.BigIntegerField(default=0)
        sale_mark = peewee.BigIntegerField(null=True)
        refund_mark = peewee.BigIntegerField(null=True)

        class Meta:
            database = migrator.database
            table_name = "day_close"
            indexes = ((("store", "day", "kind", "owner", "number"), True),)

    migrator.database.create_tables([DayClose])
