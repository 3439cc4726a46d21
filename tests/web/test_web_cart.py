"""The cart: tap to add, +/− to change, × to remove, and why the redeem button is disabled."""
import re

import pytest

from kiosk.inventory.models import Product
from tests.helpers import body


@pytest.fixture
def card(cashier, world):
    """张建华 (500 points) on screen with an empty cart."""
    assert cashier.post("/cashier/scan", {"code": world.payload("张建华")}).status_code == 200
    return world.cards["张建华"]


def add(cashier, product):
    return cashier.post("/cashier/cart/add", {"product_id": str(product.id)})


def set_quantity(cashier, product, quantity):
    return cashier.post("/cashier/cart/set", {"product_id": str(product.id), "quantity": quantity})


def items(cashier):
    return cashier.register().get("items", [])


def reason(html):
    match = re.search(r'data-testid="reason">([^<]*)<', html)
    return match.group(1) if match else None


def test_tapping_a_product_adds_one(cashier, world, card, books):
    oil = world.products["食用油"]
    before = books()
    response = add(cashier, oil)
    assert response.status_code == 200
    html = body(response)
    assert 'data-line="食用油"' in html
    assert 'data-testid="total">100<' in html
    assert items(cashier) == [[oil.id, 1]]
    add(cashier, oil)
    assert items(cashier) == [[oil.id, 2]]
    assert books() == before  # nothing is reserved until checkout


def test_plus_and_minus_set_the_quantity(cashier, world, card, checkout_form, forms):
    rice = world.products["大米"]
    add(cashier, rice)
    response = set_quantity(cashier, rice, "3")
    assert response.status_code == 200
    assert items(cashier) == [[rice.id, 3]]
    assert 'data-testid="total">150<' in body(response)
    # The stepper's buttons carry the next quantities.
    stepper = next(f for f in forms(response) if f.action == "/cashier/cart/set")
    assert [b.get("value") for b in stepper.buttons] == ["2", "4"]
    set_quantity(cashier, rice, "2")
    assert items(cashier) == [[rice.id, 2]]


def test_minus_is_disabled_at_one(cashier, world, card, forms):
    response = add(cashier, world.products["大米"])
    stepper = next(f for f in forms(response) if f.action == "/cashier/cart/set")
    minus, plus = stepper.buttons
    assert "disabled" in minus and "disabled" not in plus


@pytest.mark.parametrize("quantity", ["0", "-1", str(10**12), "abc", "", " ", "1.5", "1e3", "1000", "０", None])
def test_bad_quantity_is_refused_and_changes_nothing(cashier, world, card, books, quantity):
    rice = world.products["大米"]
    add(cashier, rice)
    register, before = cashier.register(), books()
    data = {"product_id": str(rice.id)}
    if quantity is not None:
        data["quantity"] = quantity
    response = cashier.post("/cashier/cart/set", data)
    assert response.status_code == 422
    assert "数量须为 1 到 999 之间的整数" in body(response)
    assert cashier.register() == register
    assert books() == before


def test_adding_beyond_stock_is_refused(cashier, world, card, books):
    soy = world.products["酱油"]  # stock 1
    assert add(cashier, soy).status_code == 200
    register, before = cashier.register(), books()
    response = add(cashier, soy)
    assert response.status_code == 422
    assert "库存不足：酱油 仅剩 1" in body(response)
    assert cashier.register() == register
    assert books() == before


def test_setting_a_quantity_beyond_stock_is_refused(cashier, world, card, books):
    oil = world.products["食用油"]  # stock 10
    add(cashier, oil)
    register, before = cashier.register(), books()
    response = set_quantity(cashier, oil, "11")
    assert response.status_code == 422
    assert "库存不足：食用油 仅剩 10" in body(response)
    assert cashier.register() == register
    assert books() == before
    assert set_quantity(cashier, oil, "10").status_code == 200


def test_sold_out_product_is_refused_and_its_tile_is_disabled(cashier, world, card, books, forms):
    soap = world.products["洗洁精"]  # stock 0
    page = cashier.get("/cashier/", htmx=True)
    goods = next(f for f in forms(page) if f.action == "/cashier/cart/add")
    tile = next(b for b in goods.buttons if b.get("data-product") == "洗洁精")
    assert "disabled" in tile
    assert "已售完" in body(page)

    register, before = cashier.register(), books()
    response = add(cashier, soap)  # posted directly, as a stale page would
    assert response.status_code == 422
    assert "库存不足：洗洁精 仅剩 0" in body(response)
    assert cashier.register() == register
    assert books() == before


def test_inactive_product_is_refused_and_no_longer_shown(cashier, world, card, books):
    salt = world.products["食盐"]
    Product.update(active=False).where(Product.id == salt.id).execute()
    register, before = cashier.register(), books()
    response = add(cashier, salt)
    assert response.status_code == 422
    assert "食盐 已下架" in body(response)
    assert 'data-product="食盐"' not in body(response)
    assert cashier.register() == register
    assert books() == before


def test_raising_the_quantity_of_a_product_taken_off_sale_is_refused(cashier, world, card, books):
    # Adding refuses a product taken off sale; the + button on a line already in the cart must too.
    salt = world.products["食盐"]
    add(cashier, salt)
    Product.update(active=False).where(Product.id == salt.id).execute()
    register, before = cashier.register(), books()
    response = set_quantity(cashier, salt, "2")
    assert response.status_code == 422
    assert "食盐 已下架" in body(response)
    assert cashier.register() == register
    assert books() == before


def test_cart_with_a_product_taken_off_sale_cannot_be_redeemed(cashier, world, card, checkout_form):
    salt = world.products["食盐"]
    add(cashier, salt)
    Product.update(active=False).where(Product.id == salt.id).execute()
    page = cashier.get("/cashier/", htmx=True)
    assert "disabled" in checkout_form(page).button()
    assert reason(body(page)) == "食盐 已下架。"


@pytest.mark.parametrize("product_id", ["999999", "0", "-1", "abc", "", "1.0", " 1", "9" * 30, "²"])
def test_unknown_or_malformed_product_id_is_refused(cashier, world, card, books, product_id):
    register, before = cashier.register(), books()
    response = cashier.post("/cashier/cart/add", {"product_id": product_id})
    assert response.status_code == 422
    assert "未找到此商品" in body(response)
    assert cashier.register() == register
    assert books() == before


@pytest.mark.parametrize("url", ["/cashier/cart/set", "/cashier/cart/remove"])
@pytest.mark.parametrize("product_id", ["999999", "abc", "²"])
def test_unknown_product_id_on_set_or_remove_is_refused(cashier, world, card, url, product_id):
    add(cashier, world.products["大米"])
    register = cashier.register()
    response = cashier.post(url, {"product_id": product_id, "quantity": "2"})
    assert response.status_code == 422
    assert "未找到此商品" in body(response)
    assert cashier.register() == register


def test_product_of_another_store_is_not_found(cashier, world, card):
    from kiosk.stores.models import Store
    other = Store.create(name="另一家超市", code="ZZ")
    foreign = Product.create(store=other, name="外店商品", category="粮油", points=1, quantity=0)
    response = add(cashier, foreign)
    assert response.status_code == 422
    assert "未找到此商品" in body(response)


def test_adding_without_a_card_is_refused(cashier, world, books):
    before = books()
    response = add(cashier, world.products["大米"])
    assert response.status_code == 422
    assert "请先扫描积分卡" in body(response)
    assert cashier.register() == {}
    assert books() == before


def test_setting_a_product_not_in_the_cart_is_refused_as_stale(cashier, world, card):
    register = cashier.register()
    response = set_quantity(cashier, world.products["大米"], "2")
    assert response.status_code == 422
    assert "页面已过期" in body(response)
    assert cashier.register() == register


def test_remove_takes_the_line_out(cashier, world, card):
    rice, salt = world.products["大米"], world.products["食盐"]
    add(cashier, rice)
    add(cashier, salt)
    response = cashier.post("/cashier/cart/remove", {"product_id": str(rice.id)})
    assert response.status_code == 200
    assert items(cashier) == [[salt.id, 1]]
    assert 'data-line="大米"' not in body(response)
    assert 'data-testid="total">20<' in body(response)


def test_cancel_clears_the_card_and_the_cart(cashier, world, card):
    add(cashier, world.products["大米"])
    response = cashier.post("/cashier/cancel")
    assert response.status_code == 200
    assert "请扫描积分卡" in body(response)
    assert cashier.register()["card_id"] is None
    assert cashier.register()["items"] == []


def test_redeem_is_disabled_with_a_reason_when_the_cart_is_empty(cashier, world, card, checkout_form):
    page = cashier.get("/cashier/", htmx=True)
    assert "disabled" in checkout_form(page).button()
    assert reason(body(page)) == "购物车是空的。"


def test_redeem_is_disabled_with_a_reason_when_no_card_is_scanned(cashier, checkout_form):
    page = cashier.get("/cashier/", htmx=True)
    assert "disabled" in checkout_form(page).button()
    assert reason(body(page)) == "请先扫描积分卡。"


def test_redeem_is_disabled_with_a_reason_when_the_total_exceeds_the_balance(cashier, world, checkout_form):
    cashier.post("/cashier/scan", {"code": world.payload("李秀兰")})  # 30 points
    response = add(cashier, world.products["大米"])  # 50 points
    assert response.status_code == 200
    assert "disabled" in checkout_form(response).button()
    assert reason(body(response)) == "积分不足：余额 30 分，需要 50 分。"


def test_redeem_is_enabled_without_a_reason_when_the_cart_can_be_redeemed(cashier, world, checkout_form):
    cashier.post("/cashier/scan", {"code": world.payload("李秀兰")})
    response = add(cashier, world.products["食盐"])  # 20 of 30 points
    assert "disabled" not in checkout_form(response).button()
    assert reason(body(response)) is None
