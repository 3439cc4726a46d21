"""The street office (街道) view: district_user (street-office users, who belong to no store) and
verify_run (each `kiosk verify` outcome per store), described here as they are at this migration."""
import peewee

from kiosk.db import utcnow


def apply(migrator):
    from kiosk.stores.models import Store

    class DistrictUser(peewee.Model):
        name = peewee.CharField(max_length=50, unique=True)
        pin_hash = peewee.CharField(max_length=255)
        active = peewee.BooleanField(default=True)
        created_at = peewee.DateTimeField(default=utcnow)
        session_version = peewee.IntegerField(default=0)

        class Meta:
            database = migrator.database
            table_name = "district_user"

    class VerifyRun(peewee.Model):
        store = peewee.ForeignKeyField(Store, backref="+", on_delete="RESTRICT")
        scope = peewee.CharField(max_length=10)
        checked_at = peewee.DateTimeField(default=utcnow)
        problems = peewee.IntegerField()
        chain_head = peewee.CharField(max_length=64)
        chain_length = peewee.BigIntegerField(default=0)

        class Meta:
            database = migrator.database
            table_name = "verify_run"
            indexes = ((("store", "checked_at"), False),)

    migrator.database.create_tables([DistrictUser, VerifyRun])
