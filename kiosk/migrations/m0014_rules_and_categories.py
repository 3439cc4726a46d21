"""Rules can be retired (rule.retired_at), and each store gets its list of goods categories
(product_category), filled from the categories its products use, in the order the cashier's
goods grid shows them now (the order of each category's first product by sort order)."""
import peewee
from playhouse.migrate import migrate

from kiosk.db import utcnow


def apply(migrator):
    from kiosk.stores.models import Store

    class ProductCategory(peewee.Model):
        store = peewee.ForeignKeyField(Store, backref="+", on_delete="RESTRICT")
        name = peewee.CharField(max_length=30)
        position = peewee.IntegerField(default=0)
        active = peewee.BooleanField(default=True)
        created_at = peewee.DateTimeField(default=utcnow)

        class Meta:
            database = migrator.database
            table_name = "product_category"
            indexes = ((("store", "name"), True),)

    migrate(migrator.add_column("rule", "retired_at", peewee.DateTimeField(null=True)))
    migrator.database.create_tables([ProductCategory])
    rows = migrator.database.execute_sql(
        'SELECT "store_id", "category" FROM "product" ORDER BY "store_id", "sort_order", "id"').fetchall()
    seen = {}
    for store_id, name in rows:
        names = seen.setdefault(store_id, [])
        if name not in names:
            names.append(name)
    for store_id, names in seen.items():
        for position, name in enumerate(names, start=1):
            ProductCategory.create(store=store_id, name=name, position=position)
