"""Security hardening: wrong-PIN counters for manager-PIN approvals and devices (pin_throttle)."""
import peewee


def apply(migrator):
    class PinThrottle(peewee.Model):
        key = peewee.CharField(max_length=120, unique=True)
        failed_attempts = peewee.IntegerField(default=0)
        locked_until = peewee.DateTimeField(null=True)

        class Meta:
            database = migrator.database
            table_name = "pin_throttle"

    migrator.database.create_tables([PinThrottle])
