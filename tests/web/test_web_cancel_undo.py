"""取消 on the cashier screen sits with the cart, away from the resident's name, and 撤销
brings back exactly the card and cart it cleared — once, and only while nothing else happened."""
import re

import pytest

from tests.helpers import body


@pytest.fixture
def cart(cashier, world):
    """张建华 on screen with 2 大米 and 1 食盐, picked up by the holder."""
    assert cashier.post("/cashier/scan", {"code": world.payload("张建华")}).status_code == 200
    for name, times in (("大米", 2), ("食盐", 1)):
        for _ in range(times):
            cashier.post("/cashier/cart/add", {"product_id": str(world.products[name].id)})
    return cashier.register()


def undo_token(html):
    match = re.search(r'name="token" value="([^"]+)"', html)
    return match.group(1) if match else None


def test_cancel_sits_with_the_cart_not_beside_the_name(cashier, cart):
    html = body(cashier.get("/cashier/", htmx=True))
    holder = html.index('data-testid="holder"')
    card_panel_end = html.index("</div>", html.index('class="card-panel"'))
    cancel = html.index('class="cancel-form"')
    assert cancel > html.index('class="cart"') > holder
    assert cancel > card_panel_end
    assert cancel < html.index('class="checkout-form"')


def test_cancel_offers_undo_and_undo_restores_the_same_card_and_cart(cashier, cart):
    response = cashier.post("/cashier/cancel")
    html = body(response)
    assert response.status_code == 200
    assert cashier.register()["card_id"] is None and cashier.register()["items"] == []
    assert 'data-testid="undo-notice"' in html and "已取消" in html and "撤销" in html
    assert 'data-hide-after="8"' in html
    response = cashier.post("/cashier/undo", {"token": undo_token(html)})
    assert response.status_code == 200
    assert cashier.register() == cart  # the same card, goods, order and idempotency key
    html = body(response)
    assert 'data-line="大米"' in html and 'data-line="食盐"' in html and "张*华" in html
    assert 'data-testid="undo-notice"' not in html


def test_a_second_undo_is_refused_and_changes_nothing(cashier, cart):
    token = undo_token(body(cashier.post("/cashier/cancel")))
    cashier.post("/cashier/undo", {"token": token})
    cashier.post("/cashier/cart/remove", {"product_id": str(cart["items"][1][0])})
    before = cashier.register()
    response = cashier.post("/cashier/undo", {"token": token})
    assert response.status_code == 422
    assert "没有可撤销的操作" in body(response)
    assert cashier.register() == before


def test_a_stale_undo_after_a_later_cancel_is_refused(cashier, world, cart):
    first = undo_token(body(cashier.post("/cashier/cancel")))
    cashier.post("/cashier/scan", {"code": world.payload("张建华")})
    cashier.post("/cashier/cart/add", {"product_id": str(world.products["食用油"].id)})
    second_cart = cashier.register()
    second = undo_token(body(cashier.post("/cashier/cancel")))
    assert second and second != first
    response = cashier.post("/cashier/undo", {"token": first})
    assert response.status_code == 422 and "没有可撤销的操作" in body(response)
    assert cashier.register()["card_id"] is None and cashier.register()["items"] == []
    # The latest one still works, and brings back the latest cart.
    cashier.post("/cashier/undo", {"token": second})
    assert cashier.register() == second_cart


def test_undo_after_a_new_card_was_scanned_is_refused(cashier, world, cart):
    token = undo_token(body(cashier.post("/cashier/cancel")))
    cashier.post("/cashier/scan", {"code": world.payload("张建华")})
    before = cashier.register()
    response = cashier.post("/cashier/undo", {"token": token})
    assert response.status_code == 422 and "没有可撤销的操作" in body(response)
    assert cashier.register() == before


def test_undo_works_without_javascript(cashier, cart):
    response = cashier.post("/cashier/cancel", htmx=False)
    assert response.status_code == 302
    html = body(cashier.get("/cashier/", htmx=False))
    assert 'data-testid="undo-notice"' in html
    response = cashier.post("/cashier/undo", {"token": undo_token(html)}, htmx=False)
    assert response.status_code == 302
    assert cashier.register() == cart


def test_cancel_with_nothing_on_screen_offers_no_undo(cashier):
    html = body(cashier.post("/cashier/cancel"))
    assert 'data-testid="undo-notice"' not in html
