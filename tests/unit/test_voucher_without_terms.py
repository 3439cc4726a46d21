"""A voucher product without terms (nobody said who honours it) cannot be redeemed."""
import pytest

from kiosk.checkout import service as checkout
from kiosk.checkout.models import Sale
from kiosk.errors import KioskError
from kiosk.ledger.models import Account
from kiosk.messages import message
from kiosk.vouchers.models import Voucher
from tests.voucher_world import give_terms, sell


def test_checkout_refuses_a_voucher_without_terms_and_changes_nothing(world):
    with pytest.raises(KioskError) as refused:
        sell(world, [("食盐", 1), ("水果券", 1)])
    assert refused.value.code == "voucher_without_terms"
    assert refused.value.params == {"name": "水果券"}
    assert (Sale.select().count(), Voucher.select().count()) == (0, 0)
    assert Account.get_by_id(world.accounts["张建华"].id).balance == 500


def test_the_cart_says_why_it_cannot_be_checked_out(world):
    account = Account.get_by_id(world.accounts["张建华"].id)
    cart = checkout.price_cart(world.store, account, [(world.products["水果券"].id, 1)])
    assert [p.code for p in cart.problems] == ["voucher_without_terms"]
    assert not cart.can_checkout


def test_a_partner_who_stopped_taking_vouchers_stops_the_sale(world):
    terms = give_terms(world)
    terms.fruit_stall.active = False
    terms.fruit_stall.save()
    with pytest.raises(KioskError, match="voucher_partner_inactive"):
        sell(world, [("水果券", 1)])
    sell(world, [("物业费抵扣券", 1)])
    assert Voucher.select().count() == 1


def test_the_refusal_says_the_manager_must_set_who_honours_it(app):
    with app.test_request_context():
        text = message(KioskError("voucher_without_terms", name="水果券"))
    assert "水果券" in text and "店长" in text
