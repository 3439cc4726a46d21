"""Redemption windows (store.redemption_window, store.redemption_days), per-product limits
per account and period (product_limit), and the index limits count with (an account's
sales in a period)."""
import peewee
from playhouse.migrate import migrate


def apply(migrator):
    from kiosk.redemption.models import ProductLimit

    columns = {c.name for c in migrator.database.get_columns("store")}
    added = [
        migrator.add_column("store", name, field)
        for name, field in (
            ("redemption_window", peewee.CharField(max_length=20, default="always",
                                                   constraints=[peewee.SQL("DEFAULT 'always'")])),
            ("redemption_days", peewee.CharField(max_length=100, default="", constraints=[peewee.SQL("DEFAULT ''")])),
        )
        if name not in columns
    ]
    if "sale_account_id_created_at" not in {i.name for i in migrator.database.get_indexes("sale")}:
        added.append(migrator.add_index("sale", ("account_id", "created_at"), False))
    if added:
        migrate(*added)
    migrator.database.create_tables([ProductLimit])
