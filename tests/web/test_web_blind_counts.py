"""A blind count is blind: while an open blind count covers a product, the counting people
(cashiers, operations) see no book quantity for it on the cashier grid or the goods-in/out
screens; the manager still does, and products outside the count keep theirs."""
import re

from kiosk.stocktake import service as stocktake
from kiosk.staff.models import MANAGER
from tests.helpers import body


def tile(html, name):
    """The text of the cashier tile or goods picker tile of ``name``."""
    match = re.search(r'data-(?:product|pick)="' + re.escape(name) + r'".*?class="tile-stock">([^<]*)<', html, re.S)
    return match.group(1).strip()


def test_the_cashier_grid_hides_book_stock_of_the_products_counted_blind(cashier, world):
    stocktake.start(world.store, world.staff[MANAGER], category="粮油", blind=True)
    html = body(cashier.get("/cashier/"))
    assert tile(html, "食用油") == "盘点中" and tile(html, "大米") == "盘点中"
    assert tile(html, "食盐") == "库存 50"  # not in the count


def test_the_goods_screens_hide_it_too(cashier, world):
    stocktake.start(world.store, world.staff[MANAGER], category="粮油", blind=True)
    for url in ("/stock/in/", "/stock/out/"):
        html = body(cashier.get(url))
        assert tile(html, "大米") == "盘点中", url
        assert "20" not in tile(html, "大米")


def test_an_open_count_that_is_not_blind_hides_nothing(cashier, world):
    stocktake.start(world.store, world.staff[MANAGER], category="粮油", blind=False)
    assert tile(body(cashier.get("/cashier/")), "大米") == "库存 20"


def test_the_manager_still_sees_book_stock(manager, world):
    stocktake.start(world.store, world.staff[MANAGER], category="粮油", blind=True)
    assert tile(body(manager.get("/cashier/")), "大米") == "库存 20"
