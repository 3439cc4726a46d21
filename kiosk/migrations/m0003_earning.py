"""The rules catalog (rule) and service records with their review (service_record).

The tables are described here as they were at this migration, not by the current models, so
that later migrations can add to them.
"""
import peewee

from kiosk.db import utcnow


def apply(migrator):
    from kiosk.ledger.models import Account, LedgerEntry
    from kiosk.registry.models import Resident
    from kiosk.staff.models import Staff
    from kiosk.stores.models import Store

    class Base(peewee.Model):
        class Meta:
            database = migrator.database

    class Rule(Base):
        store = peewee.ForeignKeyField(Store, backref="+", on_delete="RESTRICT")
        code = peewee.CharField(max_length=20)
        version = peewee.IntegerField(default=1)
        current = peewee.BooleanField(default=True)
        name = peewee.CharField(max_length=100)
        category = peewee.CharField(max_length=30)
        points = peewee.IntegerField(constraints=[peewee.Check("points <> 0")])
        unit = peewee.CharField(max_length=10, default="occurrence")
        cap_month = peewee.IntegerField(null=True, constraints=[peewee.Check("cap_month IS NULL OR cap_month > 0")])
        cap_year = peewee.IntegerField(null=True, constraints=[peewee.Check("cap_year IS NULL OR cap_year > 0")])
        active_from = peewee.DateField(null=True)
        active_to = peewee.DateField(null=True)
        created_by = peewee.ForeignKeyField(Staff, null=True, backref="+", on_delete="RESTRICT")
        created_at = peewee.DateTimeField(default=utcnow)

        class Meta:
            table_name = "rule"
            indexes = ((("store", "code", "version"), True),)

    class ServiceRecord(Base):
        store = peewee.ForeignKeyField(Store, backref="+", on_delete="RESTRICT")
        resident = peewee.ForeignKeyField(Resident, backref="+", on_delete="RESTRICT")
        account = peewee.ForeignKeyField(Account, backref="+", on_delete="RESTRICT")
        rule = peewee.ForeignKeyField(Rule, backref="+", on_delete="RESTRICT")
        content = peewee.CharField(max_length=200)
        service_date = peewee.DateField(index=True)
        minutes = peewee.IntegerField(null=True)
        units = peewee.IntegerField(constraints=[peewee.Check("units > 0")])
        points = peewee.IntegerField(constraints=[peewee.Check("points <> 0")])
        status = peewee.CharField(max_length=10, default="pending", index=True)
        group_key = peewee.CharField(max_length=32, default="", index=True)
        recorded_by = peewee.ForeignKeyField(Staff, backref="+", on_delete="RESTRICT")
        reviewed_by = peewee.ForeignKeyField(Staff, null=True, backref="+", on_delete="RESTRICT")
        reviewed_at = peewee.DateTimeField(null=True)
        reason = peewee.CharField(max_length=200, default="")
        ledger_entry = peewee.ForeignKeyField(LedgerEntry, null=True, backref="+", on_delete="RESTRICT")
        created_at = peewee.DateTimeField(default=utcnow)

        class Meta:
            table_name = "service_record"

    migrator.database.create_tables([Rule, ServiceRecord])
