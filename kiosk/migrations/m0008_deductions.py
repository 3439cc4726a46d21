"""Deductions with an objection period, Nth-occurrence rules, linked bonuses, corrections, and
start/end times of a service: columns on rule, service_record and store, and the objection,
correction and pairing tables (described as they are at this migration)."""
import peewee
from playhouse.migrate import migrate

from kiosk.db import utcnow


def apply(migrator):
    from kiosk.ledger.models import LedgerEntry
    from kiosk.registry.models import Household, Resident
    from kiosk.staff.models import Staff
    from kiosk.stores.models import Store

    migrate(
        migrator.add_column("rule", "from_occurrence", peewee.IntegerField(default=1, constraints=[peewee.Check("from_occurrence >= 1")])),
        migrator.add_column("rule", "occurrence_period", peewee.CharField(max_length=10, default="year")),
        migrator.add_column("rule", "linked_share",
                            peewee.IntegerField(default=0, constraints=[peewee.Check("linked_share BETWEEN 0 AND 100")])),
        migrator.add_column("service_record", "start_time", peewee.TimeField(null=True)),
        migrator.add_column("service_record", "end_time", peewee.TimeField(null=True)),
        migrator.add_column("service_record", "effective_on", peewee.DateField(null=True, index=True)),
        migrator.add_column("store", "objection_days",
                            peewee.IntegerField(default=7, constraints=[peewee.Check("objection_days BETWEEN 0 AND 90")])),
    )

    class Base(peewee.Model):
        class Meta:
            database = migrator.database

    class ServiceRecord(Base):
        class Meta:
            table_name = "service_record"

    class Objection(Base):
        record = peewee.ForeignKeyField(ServiceRecord, backref="+", on_delete="RESTRICT")
        statement = peewee.CharField(max_length=200, default="")
        raised_at = peewee.DateTimeField(default=utcnow)
        raised_by = peewee.ForeignKeyField(Staff, null=True, backref="+", on_delete="RESTRICT")
        upheld = peewee.BooleanField(null=True)
        decided_by = peewee.ForeignKeyField(Staff, null=True, backref="+", on_delete="RESTRICT")
        decided_at = peewee.DateTimeField(null=True)
        reason = peewee.CharField(max_length=200, default="")

        class Meta:
            table_name = "objection"

    class Correction(Base):
        record = peewee.ForeignKeyField(ServiceRecord, backref="+", on_delete="RESTRICT")
        delta = peewee.IntegerField(constraints=[peewee.Check("delta <> 0")])
        reason = peewee.CharField(max_length=200)
        staff = peewee.ForeignKeyField(Staff, backref="+", on_delete="RESTRICT")
        ledger_entry = peewee.ForeignKeyField(LedgerEntry, backref="+", on_delete="RESTRICT")
        created_at = peewee.DateTimeField(default=utcnow)

        class Meta:
            table_name = "correction"

    class Pairing(Base):
        store = peewee.ForeignKeyField(Store, backref="+", on_delete="RESTRICT")
        member = peewee.ForeignKeyField(Resident, backref="+", on_delete="RESTRICT")
        household = peewee.ForeignKeyField(Household, backref="+", on_delete="RESTRICT")
        created_at = peewee.DateTimeField(default=utcnow)
        ended_at = peewee.DateTimeField(null=True)

        class Meta:
            table_name = "pairing"

    migrator.database.create_tables([Objection, Correction, Pairing])
