"""Two kiosks spending one account at once: threads on one database file, as in a store."""

from kiosk.checkout import service as checkout
from kiosk.checkout.models import Sale
from kiosk.inventory.models import Product
from kiosk.ledger.models import Account
from kiosk.reports.verify import verify
from kiosk.staff.models import CASHIER
from tests.helpers import race


def test_concurrent_checkouts_never_overdraw_an_account(world):
    rice = world.products["大米"]  # 50 points, 20 in stock; the account holds 500

    def attempt(i):
        return checkout.checkout(world.store, world.cards["张建华"].id, [(rice.id, 1)],
                                 world.staff[CASHIER].id, f"concurrent-key-{i:04d}").sale.id

    outcomes = race(16, attempt)
    sales = [o for o in outcomes if isinstance(o, int)]
    assert len(sales) == 10
    assert outcomes.count("insufficient_points") == 6
    assert Account.get_by_id(world.accounts["张建华"].id).balance == 0
    assert Product.get_by_id(rice.id).quantity == 10
    assert verify() == []


def test_the_same_cart_submitted_from_many_threads_is_one_sale(world):
    salt = world.products["食盐"]

    def attempt(i):
        return checkout.checkout(world.store, world.cards["张建华"].id, [(salt.id, 2)],
                                 world.staff[CASHIER].id, "one-cart-key-0001").sale.id

    outcomes = race(8, attempt)
    assert len(set(outcomes)) == 1 and isinstance(outcomes[0], int)
    assert Sale.select().count() == 1
    assert Account.get_by_id(world.accounts["张建华"].id).balance == 460
    assert verify() == []


def test_concurrent_checkouts_never_sell_stock_that_is_not_there(world):
    soy = world.products["酱油"]  # one bottle left, six kiosks want it

    def attempt(i):
        card = world.cards["张建华"]
        return checkout.checkout(world.store, card.id, [(soy.id, 1)], world.staff[CASHIER].id, f"soy-key-{i:08d}").sale.id

    outcomes = race(6, attempt)
    assert len([o for o in outcomes if isinstance(o, int)]) == 1
    assert outcomes.count("out_of_stock") == 5
    assert Product.get_by_id(soy.id).quantity == 0
    assert verify() == []
