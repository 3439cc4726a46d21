"""Two stores in one database (a district server): this kiosk serves XY, and nothing of the
other store AB reaches it: its cards, its receipts, its staff."""
import pytest

from kiosk.cards.service import card_payload
from kiosk.ledger.models import Account
from kiosk.staff.models import CASHIER
from tests.helpers import balance, body, second_store


@pytest.fixture
def other(world):
    """Store AB with a cashier, a household's card holding 300 points, soap, and one sale."""
    store, cashier, _, card, soap, sale = second_store()
    return store, cashier, card, soap, sale


def test_the_sign_in_screen_lists_only_this_stores_staff(client, world, other):
    html = body(client.get("/signin"))
    assert world.staff[CASHIER].name in html
    assert "钱收银" not in html
    _, cashier, _, _, _ = other
    assert "/signin" in client.get(f"/signin/{cashier.id}").headers["Location"]


def test_another_stores_card_does_not_scan_here(cashier, world, other):
    store, _, card, _, _ = other
    payload = card_payload(store.code, card.number, world.card_key)
    for code in (payload, card.number):
        response = cashier.post("/cashier/scan", {"code": code})
        assert "周" not in body(response)
        assert cashier.register().get("card_id") != card.id
    assert Account.get_by_id(card.account_id).balance == 300 - 40
    assert balance(world, "张建华") == 500


def test_another_stores_goods_cannot_be_put_in_the_cart(cashier, world, other):
    _, _, _, soap, _ = other
    cashier.post("/cashier/scan", {"code": world.payload("张建华")})
    cashier.post("/cashier/cart/add", {"product_id": str(world.products["食盐"].id)})
    cashier.post("/cashier/cart/add", {"product_id": str(soap.id)})
    assert [product_id for product_id, _ in cashier.register()["items"]] == [world.products["食盐"].id]
    assert "肥皂" not in body(cashier.get("/cashier/"))


def test_another_stores_receipt_is_not_found_on_the_returns_screen(manager, other):
    _, _, _, _, sale = other
    page = manager.get(f"/returns/?receipt={sale.receipt_no}")
    assert f"/returns/{sale.id}" not in body(page)
