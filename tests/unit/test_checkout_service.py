"""Checkout as one transaction: sale, lines, ledger debit and stock movements, or nothing."""
import pytest

from kiosk.checkout import service as checkout
from kiosk.checkout.models import Sale, SaleLine
from kiosk.errors import KioskError
from kiosk.inventory.models import Product, StockMovement
from kiosk.ledger.models import Account, LedgerEntry
from kiosk.reports.verify import verify
from kiosk.staff.models import CASHIER
from tests.voucher_world import give_terms

KEY = "k" * 24


def snapshot(world):
    return (
        {name: Account.get_by_id(a.id).balance for name, a in world.accounts.items()},
        {name: Product.get_by_id(p.id).quantity for name, p in world.products.items()},
        Sale.select().count(), LedgerEntry.select().count(), StockMovement.select().count(),
    )


def run(world, items, card="张建华", key=KEY, **kwargs):
    product_items = [(world.products[name].id, qty) for name, qty in items]
    return checkout.checkout(world.store, world.cards[card].id, product_items, world.staff[CASHIER].id, key, **kwargs)


def test_checkout_debits_the_account_moves_stock_and_records_the_prices(world):
    result = run(world, [("食用油", 2), ("食盐", 3)])
    sale = result.sale
    assert result.created
    assert sale.total == 2 * 100 + 3 * 20
    assert (sale.balance_before, sale.balance_after) == (500, 240)
    assert Account.get_by_id(world.accounts["张建华"].id).balance == 240
    assert Product.get_by_id(world.products["食用油"].id).quantity == 8
    assert Product.get_by_id(world.products["食盐"].id).quantity == 47
    lines = {line.name: (line.points, line.quantity) for line in SaleLine.select().where(SaleLine.sale == sale)}
    assert lines == {"食用油": (100, 2), "食盐": (20, 3)}
    assert sale.receipt_no == f"XYS{sale.id:07d}"
    debit = LedgerEntry.get(LedgerEntry.reference == f"sale:{sale.id}")
    assert (debit.delta, debit.kind, debit.balance_after) == (-260, "redeem", 240)
    assert verify() == []


def test_a_line_keeps_the_price_it_was_sold_at_when_the_price_changes_later(world):
    sale = run(world, [("大米", 1)]).sale
    Product.update(points=80).where(Product.id == world.products["大米"].id).execute()
    assert SaleLine.get(SaleLine.sale == sale).points == 50
    assert verify() == []


def test_the_same_key_twice_is_one_sale(world):
    first = run(world, [("大米", 1)])
    second = run(world, [("大米", 1)])
    assert first.created and not second.created
    assert first.sale.id == second.sale.id
    assert Sale.select().count() == 1
    assert Account.get_by_id(world.accounts["张建华"].id).balance == 450


def test_a_new_key_is_a_new_sale(world):
    run(world, [("大米", 1)], key="a" * 20)
    run(world, [("大米", 1)], key="b" * 20)
    assert Sale.select().count() == 2


@pytest.mark.parametrize("items, card, code", [
    ([("食用油", 1)], "李秀兰", "insufficient_points"),      # 100 > 30
    ([("食用油", 1)], "王德明", "insufficient_points"),      # zero balance
    ([("酱油", 2)], "张建华", "out_of_stock"),               # 1 in stock
    ([("洗洁精", 1)], "张建华", "out_of_stock"),             # sold out
    ([], "张建华", "empty_cart"),
])
def test_a_refused_checkout_changes_nothing(world, items, card, code):
    before = snapshot(world)
    with pytest.raises(KioskError) as refused:
        run(world, items, card=card)
    assert refused.value.code == code
    assert snapshot(world) == before


def test_out_of_stock_on_the_last_line_rolls_back_the_debit_and_earlier_lines(world):
    before = snapshot(world)
    with pytest.raises(KioskError, match="out_of_stock"):
        run(world, [("大米", 1), ("食盐", 1), ("酱油", 5)])
    assert snapshot(world) == before
    assert verify() == []


@pytest.mark.parametrize("quantity", [0, -1, 10**12, "abc", "", None, 1.5, "1e3"])
def test_bad_quantities_are_refused(world, quantity):
    before = snapshot(world)
    with pytest.raises(KioskError, match="bad_quantity"):
        run(world, [("食盐", quantity)])
    assert snapshot(world) == before


def test_an_inactive_product_cannot_be_sold(world):
    Product.update(active=False).where(Product.id == world.products["大米"].id).execute()
    with pytest.raises(KioskError, match="product_unavailable"):
        run(world, [("大米", 1)])


@pytest.mark.parametrize("status, code", [("lost", "card_lost"), ("revoked", "card_revoked")])
def test_a_lost_or_revoked_card_cannot_check_out(world, status, code):
    card = world.cards["张建华"]
    card.status = status
    card.save()
    before = snapshot(world)
    with pytest.raises(KioskError, match=code):
        run(world, [("大米", 1)])
    assert snapshot(world) == before


def test_a_changed_price_refuses_the_total_the_cashier_saw(world):
    with pytest.raises(KioskError, match="price_changed"):
        run(world, [("大米", 1)], expected_total=40)
    assert run(world, [("大米", 1)], expected_total=50).created


@pytest.mark.parametrize("key", ["", "short", "x" * 65, "bad key with spaces!", None])
def test_a_missing_or_malformed_key_is_a_stale_page(world, key):
    with pytest.raises(KioskError, match="stale_page"):
        run(world, [("大米", 1)], key=key)


def test_duplicate_lines_are_merged(world):
    sale = run(world, [("食盐", 1), ("食盐", 2)]).sale
    assert [(line.name, line.quantity) for line in sale.lines] == [("食盐", 3)]


def test_a_voucher_with_terms_is_redeemed_like_goods_and_issues_its_voucher(world):
    give_terms(world)  # a voucher product is sold once it says who honours it
    sale = run(world, [("水果券", 1)]).sale
    assert sale.total == 50
    assert Product.get_by_id(world.products["水果券"].id).quantity == 4
    assert [v.serial for v in sale.vouchers] == [1]


def test_pricing_a_cart_reports_every_reason_checkout_is_not_possible(world):
    account = Account.get_by_id(world.accounts["李秀兰"].id)
    cart = checkout.price_cart(world.store, account, [(world.products["食用油"].id, 1), (world.products["酱油"].id, 3)])
    codes = [problem.code for problem in cart.problems]
    assert codes == ["out_of_stock", "insufficient_points"]
    assert not cart.can_checkout
    assert cart.total == 160 and cart.balance_after == -130
    empty = checkout.price_cart(world.store, None, [])
    assert [p.code for p in empty.problems] == ["no_card", "empty_cart"]
