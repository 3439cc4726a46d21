"""The print queue retries with back-off (PrintJob.next_attempt_at); a store may name its own
receipt printer (Store.printer_url)."""
import peewee
from playhouse.migrate import migrate

from kiosk.db import utcnow


def apply(migrator):
    migrate(
        migrator.add_column("print_job", "next_attempt_at", peewee.DateTimeField(default=utcnow, index=True)),
        migrator.add_column("store", "printer_url", peewee.CharField(max_length=300, default="")),
    )
