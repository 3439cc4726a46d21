"""The store's goods categories: added, renamed with their goods (past counts keep the old
name), reordered, and never retired while goods are in them."""
import pytest

from kiosk.audit import AuditEvent
from kiosk.errors import KioskError
from kiosk.inventory import categories, products
from kiosk.inventory.models import Product, ProductCategory
from kiosk.staff.models import MANAGER
from kiosk.stocktake import service as stocktake
from kiosk.stocktake.models import StockTakeLine
from kiosk.stores.models import Store


@pytest.fixture
def listed(world):
    """The world's categories on the list, in the order of its goods."""
    return {name: categories.add(world.store, name) for name in categories.products_order(world.store)}


def names(store):
    return [c.name for c in ProductCategory.select().where(ProductCategory.store == store)
            .order_by(ProductCategory.position)]


def test_categories_are_added_at_the_end_once(world, listed):
    assert names(world.store) == ["粮油", "调味", "清洁", "服务券"]
    categories.add(world.store, "  日用  品 ", staff=world.staff[MANAGER])
    assert names(world.store)[-1] == "日用 品"
    for name, code in (("粮油", "duplicate_category"), ("", "missing_field"), ("长" * 31, "too_long")):
        with pytest.raises(KioskError) as error:
            categories.add(world.store, name)
        assert error.value.code == code


def test_renaming_a_category_renames_its_goods_and_past_counts_keep_the_old_name(world, listed):
    count = stocktake.start(world.store, world.staff[MANAGER], category="调味")
    with pytest.raises(KioskError) as error:
        categories.rename(world.store, listed["调味"].id, "调味品")
    assert error.value.code == "category_in_stocktake"
    stocktake.cancel(count, world.staff[MANAGER])
    categories.rename(world.store, listed["调味"].id, "调味品", staff=world.staff[MANAGER])
    assert names(world.store) == ["粮油", "调味品", "清洁", "服务券"]
    assert {p.name for p in Product.select().where(Product.category == "调味品")} == {"食盐", "酱油"}
    assert not Product.select().where(Product.category == "调味").exists()
    assert {line.category for line in StockTakeLine.select().where(StockTakeLine.stocktake == count.id)} == {"调味"}
    assert AuditEvent.select().where(AuditEvent.action == "category_renamed").count() == 1
    for new, code in (("粮油", "duplicate_category"), ("调味品", "category_unchanged")):
        with pytest.raises(KioskError) as error:
            categories.rename(world.store, listed["调味"].id, new)
        assert error.value.code == code


def test_renaming_touches_only_this_stores_goods(world, listed):
    other = Store.create(name="别的超市", code="QT")
    Product.create(store=other, name="菜籽油", category="粮油", points=90)
    categories.rename(world.store, listed["粮油"].id, "米面粮油")
    assert Product.get(Product.store == other).category == "粮油"
    with pytest.raises(KioskError) as error:
        categories.rename(other, listed["清洁"].id, "别人的")
    assert error.value.code == "unknown_goods_category"


def test_moving_up_and_down_swaps_neighbours_and_the_ends_stay(world, listed):
    categories.move(world.store, listed["清洁"].id, "up")
    assert names(world.store) == ["粮油", "清洁", "调味", "服务券"]
    categories.move(world.store, listed["粮油"].id, "up")
    categories.move(world.store, listed["服务券"].id, "down")
    assert names(world.store) == ["粮油", "清洁", "调味", "服务券"]
    categories.move(world.store, listed["粮油"].id, "down")
    assert names(world.store) == ["清洁", "粮油", "调味", "服务券"]
    with pytest.raises(KioskError):
        categories.move(world.store, listed["粮油"].id, "sideways")


def test_a_category_with_goods_on_sale_or_not_cannot_be_retired(world, listed):
    Product.update(active=False).where(Product.category == "清洁").execute()
    with pytest.raises(KioskError) as error:
        categories.retire(world.store, listed["清洁"].id)
    assert (error.value.code, error.value.params) == ("category_has_goods", {"name": "清洁", "count": 1})
    with pytest.raises(KioskError) as error:
        categories.retire(world.store, listed["粮油"].id)
    assert error.value.params["count"] == 2
    empty = categories.add(world.store, "季节商品")
    categories.retire(world.store, empty.id)
    assert "季节商品" not in categories.active_names(world.store)
    with pytest.raises(KioskError) as error:
        categories.retire(world.store, empty.id)
    assert error.value.code == "category_retired"
    # Adding it again brings it back, at the end.
    categories.add(world.store, "季节商品")
    assert categories.active_names(world.store)[-1] == "季节商品"


def test_a_product_saved_with_a_new_category_puts_it_on_the_list(world, listed):
    form = products.parse({"name": "牙膏", "category": "日用品", "points": "15", "active": "1"})
    products.save(world.store, form, staff=world.staff[MANAGER], photo_dir="/nonexistent")
    assert categories.active_names(world.store) == ["粮油", "调味", "清洁", "服务券", "日用品"]
    form = products.parse({"name": "牙刷", "category": "日用品", "points": "10", "active": "1"})
    products.save(world.store, form, staff=world.staff[MANAGER], photo_dir="/nonexistent")
    assert categories.active_names(world.store).count("日用品") == 1


def test_goods_follow_the_category_order(world, listed):
    categories.move(world.store, listed["服务券"].id, "up")
    categories.move(world.store, listed["服务券"].id, "up")
    categories.move(world.store, listed["服务券"].id, "up")
    assert products.categories(world.store) == ["服务券", "粮油", "调味", "清洁"]
    grouped = {"粮油": [1], "新类": [2], "服务券": [3]}
    assert list(categories.sort_grouped(world.store, grouped)) == ["服务券", "粮油", "新类"]


def test_the_list_shows_categories_goods_use_that_are_not_on_it(world):
    categories.add(world.store, "调味")
    entries = categories.entries(world.store)
    assert [(e.name, e.category is not None, e.goods) for e in entries] == [
        ("调味", True, 2), ("粮油", False, 2), ("清洁", False, 1), ("服务券", False, 1)]
