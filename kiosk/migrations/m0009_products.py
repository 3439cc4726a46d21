"""Products get a photo and a low-stock threshold; price changes get their own append-only
table (described as it is at this migration)."""
import peewee
from playhouse.migrate import migrate

from kiosk.db import utcnow


def apply(migrator):
    from kiosk.staff.models import Staff

    migrate(
        migrator.add_column("product", "photo", peewee.CharField(max_length=80, default="")),
        migrator.add_column("product", "low_stock",
                            peewee.IntegerField(default=0, constraints=[peewee.Check("low_stock >= 0")])),
    )

    class Base(peewee.Model):
        class Meta:
            database = migrator.database

    class Product(Base):
        class Meta:
            table_name = "product"

    class PriceChange(Base):
        product = peewee.ForeignKeyField(Product, backref="+", on_delete="RESTRICT")
        old_points = peewee.IntegerField()
        new_points = peewee.IntegerField()
        staff = peewee.ForeignKeyField(Staff, null=True, backref="+", on_delete="RESTRICT")
        created_at = peewee.DateTimeField(default=utcnow)

        class Meta:
            table_name = "price_change"

    migrator.database.create_tables([PriceChange])
