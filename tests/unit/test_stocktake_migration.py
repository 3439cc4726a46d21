"""m0011 adds the stock-take tables to a database that has data, and counting works on it."""
from kiosk import schema
from kiosk.db import database
from tests.helpers import drop_tables, schema_migrator, upgrade_to_m0017


def test_m0011_creates_the_stocktake_tables_on_a_database_with_data(db, world, monkeypatch):
    from playhouse.migrate import migrate

    from kiosk.staff.models import MANAGER
    from kiosk.stocktake import service
    from kiosk.stocktake.models import StockTake, StockTakeCount, StockTakeLine

    drop_tables([StockTakeCount, StockTakeLine, StockTake])
    migrate(schema_migrator().drop_column("product", "shelf"))  # as it was before m0012
    every = schema.available_migrations()
    monkeypatch.setattr(schema, "available_migrations", lambda: [step for step in every if step[0] < 11])
    schema.SchemaVersion.delete().where(schema.SchemaVersion.version >= 11).execute()
    assert schema.upgrade() == []
    # Later migrations found the schema as m0012 left it; they are not this test's.
    monkeypatch.setattr(schema, "available_migrations", lambda: [step for step in every if step[0] <= 12])
    assert schema.upgrade() == ["m0011_stocktake", "m0012_shelves"]
    assert {"stocktake", "stocktake_line", "stocktake_count"} <= set(database.get_tables())
    # Counts are numbered per store since m0017, which finds the table as m0011 made it.
    assert upgrade_to_m0017(monkeypatch, every) == ["m0017_document_numbers"]
    stocktake = service.start(world.store, world.staff[MANAGER], category="粮油")
    line = service.lines(stocktake)[0]
    assert service.record_count(stocktake, line.id, 3, world.staff[MANAGER], seen=0).expected == line.start_quantity


def test_m0012_gives_products_and_counts_a_shelf_on_a_database_with_data(db, world, monkeypatch):
    """Goods and counts from before shelves keep everything and stand on no shelf; a count of
    one shelf works once a product is given one."""
    from playhouse.migrate import migrate

    from kiosk.inventory import products
    from kiosk.inventory.models import Product
    from kiosk.staff.models import MANAGER
    from kiosk.stocktake import service
    from kiosk.stocktake.models import StockTake

    earlier = service.start(world.store, world.staff[MANAGER], category="调味")
    before = {p.id: (p.name, p.category, p.points, p.quantity, p.barcode) for p in Product.select()}
    migrator = schema_migrator()
    migrate(migrator.drop_column("product", "shelf"), migrator.drop_column("stocktake", "shelf"))
    every = schema.available_migrations()
    monkeypatch.setattr(schema, "available_migrations", lambda: [step for step in every if step[0] <= 12])
    schema.SchemaVersion.delete().where(schema.SchemaVersion.version >= 12).execute()
    assert schema.upgrade() == ["m0012_shelves"]
    assert {p.id: (p.name, p.category, p.points, p.quantity, p.barcode) for p in Product.select()} == before
    assert {p.shelf for p in Product.select()} == {""}
    assert StockTake.get_by_id(earlier.id).shelf == "" and service.lines(earlier)
    rice = world.products["大米"]
    form = products.parse({"name": "大米", "category": "粮油", "points": "50", "barcode": rice.barcode, "active": "1",
                           "shelf": " a1 "})
    products.save(world.store, form, staff=world.staff[MANAGER], product_id=rice.id, photo_dir="/nonexistent")
    assert Product.get_by_id(rice.id).shelf == "A1"
    assert [line.name for line in service.lines(service.start(world.store, world.staff[MANAGER], shelf="A1"))] == ["大米"]
