"""m0014 on a database made before it: rules get their retirement column, and each store's
category list is filled from its goods in the order the goods grid shows them."""
from playhouse.migrate import migrate

from kiosk import schema
from kiosk.db import database
from tests.helpers import drop_tables, schema_migrator


def test_m0014_lists_each_stores_categories_in_goods_order_and_rules_can_be_retired(db, world, monkeypatch):
    from kiosk.earning import catalog, service
    from kiosk.inventory import categories
    from kiosk.inventory.models import Product, ProductCategory
    from kiosk.stores.models import Store

    other = Store.create(name="别的超市", code="QT")
    Product.create(store=other, name="肥皂", category="清洁", points=10, sort_order=5)
    Product.create(store=other, name="挂面", category="粮油", points=10, sort_order=9)
    Product.create(store=other, name="香皂", category="清洁", points=10, sort_order=1, active=False)
    catalog.install(world.store)
    goods = {p.id: (p.name, p.category) for p in Product.select()}
    drop_tables([ProductCategory])
    migrate(schema_migrator().drop_column("rule", "retired_at"))
    # Later migrations found the schema as m0014 left it; they are not this test's.
    every = schema.available_migrations()
    monkeypatch.setattr(schema, "available_migrations", lambda: [step for step in every if step[0] <= 14])
    schema.SchemaVersion.delete().where(schema.SchemaVersion.version >= 14).execute()
    assert "retired_at" not in [c.name for c in database.get_columns("rule")]

    assert schema.upgrade() == ["m0014_rules_and_categories"]
    assert categories.active_names(world.store) == ["粮油", "调味", "清洁", "服务券"]
    assert categories.active_names(other) == ["清洁", "粮油"]
    assert {p.id: (p.name, p.category) for p in Product.select()} == goods
    rules = {rule.code: rule for rule in service.current_rules(world.store)}
    assert len(rules) == len(catalog.SAMPLE_RULES)
    service.retire_rule(rules["LITTER"].id, world.store)
    assert "LITTER" not in [rule.code for rule in service.current_rules(world.store)]
    assert schema.upgrade() == []
