"""Document numbers counted per store: sales, returns, goods-in and goods-out documents and
stock-takes get a ``serial`` (their number in their store, unique with the store) and each store
a counter per kind (``document_counter``, kiosk.stores.numbering).

Existing rows keep the number they were printed with: their serial is their id, which is what
their receipt or document number showed until now (a receipt scanned for a return, a goods-in
document quoted on a thank-you letter, still finds its row). Renumbering them 1, 2, 3… per
store would close the old gaps of a database shared by several stores, but would give printed
numbers to other rows. So each store's counter starts after the highest number it has issued:
its highest id of that kind, or, for sales and returns, the floor a restore from an older copy
had set (m0015), whichever is higher. From here on each store counts on without gaps. The
floors are folded into the counters and their columns dropped: a restore now raises the
counters (kiosk.backup).
"""
import peewee
from playhouse.migrate import migrate

TABLES = ("sale", "refund", "stock_receipt", "write_off", "stocktake")


def apply(migrator):
    db = migrator.database

    class Store(peewee.Model):
        class Meta:
            database = db
            table_name = "store"

    class DocumentCounter(peewee.Model):
        store = peewee.ForeignKeyField(Store, backref="+", on_delete="RESTRICT")
        kind = peewee.CharField(max_length=20)
        last = peewee.BigIntegerField(default=0)

        class Meta:
            database = db
            table_name = "document_counter"
            legacy_table_names = False  # index names as the app's models make them
            indexes = ((("store", "kind"), True),)

    db.create_tables([DocumentCounter])
    floors = {}
    for store_id, sale_floor, refund_floor in db.execute_sql(
            'SELECT "id", "sale_number_floor", "refund_number_floor" FROM "store"').fetchall():
        floors[store_id] = {"sale": sale_floor or 0, "refund": refund_floor or 0}
    for table in TABLES:
        migrate(migrator.add_column(table, "serial", peewee.BigIntegerField(null=True)))
        db.execute_sql(f'UPDATE "{table}" SET "serial" = "id"')
        migrate(migrator.add_not_null(table, "serial"),
                migrator.add_index(table, ("store_id", "serial"), unique=True))
        highest = dict(db.execute_sql(f'SELECT "store_id", MAX("id") FROM "{table}" GROUP BY "store_id"').fetchall())
        for store_id, store_floors in floors.items():
            last = max(highest.get(store_id) or 0, store_floors.get(table, 0))
            if last:
                DocumentCounter.insert(store=store_id, kind=table, last=last).execute()
    migrate(migrator.drop_column("store", "sale_number_floor"), migrator.drop_column("store", "refund_number_floor"))
