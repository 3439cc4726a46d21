"""Products get a shelf (货架), and a stock-take can count one shelf."""
import peewee
from playhouse.migrate import migrate


def apply(migrator):
    migrate(
        migrator.add_column("product", "shelf", peewee.CharField(max_length=20, default="")),
        migrator.add_column("stocktake", "shelf", peewee.CharField(max_length=20, default="")),
    )
