"""The goods categories screen: the manager adds, renames, reorders and retires categories;
the checkout's goods follow the order; the product form offers them."""
import re

import pytest

from kiosk.inventory import categories
from kiosk.inventory.models import Product, ProductCategory
from tests.helpers import body


@pytest.fixture
def listed(world):
    return {name: categories.add(world.store, name) for name in categories.products_order(world.store)}


def order(world):
    return categories.active_names(world.store)


def test_the_page_lists_the_categories_with_their_goods(manager, listed):
    page = body(manager.get("/categories/"))
    assert "商品类别" in page
    assert re.findall(r'<tr data-category="([^"]+)"', page) == ["粮油", "调味", "清洁", "服务券"]
    row = re.search(r'<tr data-category="粮油".*?</tr>', page, re.S).group(0)
    assert '<td class="num">2' in row


def test_adding_a_category_answers_htmx_with_the_list(manager, world, listed):
    response = manager.post("/categories/add", {"name": "日用品"})
    page = body(response)
    assert response.status_code == 200 and page.startswith('<div id="category-list">')
    assert "已添加类别“日用品”" in page and order(world)[-1] == "日用品"
    response = manager.post("/categories/add", {"name": "日用品"})
    assert response.status_code == 422 and "类别“日用品”已在列表中" in body(response)


def test_renaming_renames_the_goods(manager, world, listed):
    response = manager.post("/categories/rename", {"category_id": str(listed["清洁"].id), "name": "清洁用品",
                                                   "old_name": "清洁"}, htmx=False)
    assert response.status_code == 303
    assert Product.get_by_id(world.products["洗洁精"].id).category == "清洁用品"
    assert "类别“清洁”已改名为“清洁用品”" in body(manager.get("/categories/"))


def test_up_and_down_buttons_reorder_the_checkout_goods(request, manager, world, listed):
    manager.post("/categories/move", {"category_id": str(listed["服务券"].id), "direction": "up"})
    manager.post("/categories/move", {"category_id": str(listed["服务券"].id), "direction": "up"}, htmx=False)
    assert order(world) == ["粮油", "服务券", "调味", "清洁"]
    cashier = request.getfixturevalue("cashier")  # the same browser, signed in as the cashier now
    page = body(cashier.get("/cashier/"))
    assert re.findall(r'data-category-tab="([^"]+)"', page) == ["粮油", "服务券", "调味", "清洁"]


def test_a_category_with_goods_is_not_retired_and_says_how_many(manager, world, listed):
    response = manager.post("/categories/retire", {"category_id": str(listed["粮油"].id)})
    assert response.status_code == 422 and "类别“粮油”下还有 2 种商品" in body(response)
    assert "粮油" in order(world)
    empty = categories.add(world.store, "季节商品")
    assert manager.post("/categories/retire", {"category_id": str(empty.id)}).status_code == 200
    assert "季节商品" not in order(world)


def test_the_product_form_offers_the_categories_and_a_new_one_goes_on_the_list(manager, world, listed):
    page = body(manager.get("/products/new"))
    assert re.findall(r'<datalist id="categories">(.*?)</datalist>', page, re.S)[0].count("<option") == 4
    response = manager.post("/products/new", {"name": "牙膏", "category": "日用品", "points": "15", "unit": "支",
                                              "kind": "goods", "active": "1"}, htmx=False)
    assert response.status_code in (302, 303)
    assert order(world)[-1] == "日用品"
    assert ProductCategory.get(ProductCategory.name == "日用品").store_id == world.store.id


@pytest.mark.parametrize("role", ["cashier", "operations"])
def test_only_the_manager_changes_categories(request, client, world, listed, role):
    session = request.getfixturevalue(role)
    assert client.get("/categories/").status_code == 403
    assert session.post("/categories/add", {"name": "偷加的"}).status_code == 403
    assert session.post("/categories/retire", {"category_id": str(listed["清洁"].id)}).status_code == 403
    assert "偷加的" not in order(world)


def test_a_category_of_another_store_or_nonsense_is_refused(manager, world, listed):
    response = manager.post("/categories/move", {"category_id": "99999", "direction": "up"})
    assert response.status_code == 422 and "类别列表中没有这个类别" in body(response)
    response = manager.post("/categories/rename", {"category_id": "abc", "name": "x"})
    assert response.status_code == 422


def test_the_goods_list_follows_the_category_order(manager, world, listed):
    manager.post("/categories/move", {"category_id": str(listed["清洁"].id), "direction": "up"})
    manager.post("/categories/move", {"category_id": str(listed["清洁"].id), "direction": "up"})
    page = body(manager.get("/products/"))
    assert re.findall(r'<tr data-product="([^"]+)"', page) == ["洗洁精", "食用油", "大米", "食盐", "酱油", "水果券"]
    tabs = re.search(r'<nav class="tabs".*?</nav>', page, re.S).group(0)
    assert re.findall(r'category=[^"]+">([^<]+)</a>', tabs) == ["清洁", "粮油", "调味", "服务券"]
