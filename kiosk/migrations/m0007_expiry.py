"""Points expiry and a point's value in yuan, per store (kiosk.expiry)."""
import peewee
from playhouse.migrate import migrate

COLUMNS = {
    "expiry_mode": peewee.CharField(max_length=10, default="none"),
    "expiry_month_day": peewee.CharField(max_length=5, default="12-31"),
    "expiry_months": peewee.IntegerField(default=12),
    "expiry_notice_days": peewee.IntegerField(default=30),
    "expiry_start": peewee.DateField(null=True),
    "point_value_fen": peewee.IntegerField(null=True),
}


def apply(migrator):
    # Only the missing columns, so that re-applying earlier migrations in tests stays harmless.
    present = {column.name for column in migrator.database.get_columns("store")}
    migrate(*(migrator.add_column("store", name, field) for name, field in COLUMNS.items() if name not in present))
