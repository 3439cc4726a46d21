"""Security hardening: wrong-PIN counters for manager-PIN approvals and devices (pin_throttle);
staff.session_version, which signing out raises so that a copied session cookie stops working;
store.typed_card_numbers (off: staff screens take scanned cards only)."""
import peewee
from playhouse.migrate import migrate


def apply(migrator):
    class PinThrottle(peewee.Model):
        key = peewee.CharField(max_length=120, unique=True)
        failed_attempts = peewee.IntegerField(default=0)
        locked_until = peewee.DateTimeField(null=True)

        class Meta:
            database = migrator.database
            table_name = "pin_throttle"

    migrator.database.create_tables([PinThrottle])
    migrate(migrator.add_column("staff", "session_version", peewee.IntegerField(
        default=0, constraints=[peewee.SQL("DEFAULT 0")])))
    migrate(migrator.add_column("store", "typed_card_numbers", peewee.BooleanField(
        default=False, constraints=[peewee.SQL("DEFAULT FALSE")])))
