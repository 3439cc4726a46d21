"""Returns: compensating credit and stock return, never an edit; never more than was sold."""
import pytest

from kiosk.checkout import service as checkout
from kiosk.checkout.models import Sale, SaleLine
from kiosk.errors import KioskError
from kiosk.inventory.models import Product
from kiosk.ledger.models import Account, LedgerEntry
from kiosk.reports.verify import verify
from kiosk.staff.models import CASHIER, MANAGER


@pytest.fixture
def sale(world):
    items = [(world.products["大米"].id, 2), (world.products["食盐"].id, 3)]
    return checkout.checkout(world.store, world.cards["张建华"].id, items, world.staff[CASHIER].id, "s" * 24).sale


def lines_by_name(sale):
    return {line.name: line for line in SaleLine.select().where(SaleLine.sale == sale)}


def refund(world, sale, quantities, key="r" * 24, approver=MANAGER):
    lines = lines_by_name(sale)
    wanted = {lines[name].id: qty for name, qty in quantities.items()}
    return checkout.refund(world.store, sale.id, wanted, world.staff[CASHIER].id, world.staff[approver].id, key)


def balance(world):
    return Account.get_by_id(world.accounts["张建华"].id).balance


def test_a_partial_return_credits_points_and_returns_stock(world, sale):
    assert balance(world) == 500 - 160
    record = refund(world, sale, {"大米": 1})
    assert record.total == 50
    assert (record.balance_before, record.balance_after) == (340, 390)
    assert balance(world) == 390
    assert Product.get_by_id(world.products["大米"].id).quantity == 19
    credit = LedgerEntry.get(LedgerEntry.reference == f"refund:{record.id}")
    assert (credit.kind, credit.delta) == ("refund", 50)
    assert record.receipt_no == f"XYT{record.id:07d}"
    # The sale itself is untouched: the return is a new record beside it.
    assert Sale.get_by_id(sale.id).total == 160
    assert verify() == []


def test_returning_the_rest_later_is_allowed_but_not_one_more(world, sale):
    refund(world, sale, {"大米": 1}, key="a" * 20)
    refund(world, sale, {"大米": 1, "食盐": 3}, key="b" * 20)
    assert balance(world) == 500
    with pytest.raises(KioskError, match="over_refund"):
        refund(world, sale, {"大米": 1}, key="c" * 20)
    assert balance(world) == 500
    assert verify() == []


def test_returning_more_than_was_sold_changes_nothing(world, sale):
    before = (balance(world), Product.get_by_id(world.products["大米"].id).quantity, LedgerEntry.select().count())
    with pytest.raises(KioskError, match="over_refund"):
        refund(world, sale, {"大米": 1, "食盐": 4})
    after = (balance(world), Product.get_by_id(world.products["大米"].id).quantity, LedgerEntry.select().count())
    assert after == before
    assert lines_by_name(sale)["大米"].refunded_quantity == 0


def test_the_same_return_submitted_twice_is_one_return(world, sale):
    first = refund(world, sale, {"食盐": 1})
    second = refund(world, sale, {"食盐": 1})
    assert first.id == second.id
    assert balance(world) == 340 + 20


@pytest.mark.parametrize("quantities, code", [
    ({"大米": 0}, "nothing_to_refund"),
    ({"大米": -1}, "bad_quantity"),
    ({"大米": 10**12}, "bad_quantity"),
    ({"大米": "x"}, "bad_quantity"),
])
def test_bad_return_quantities_are_refused(world, sale, quantities, code):
    with pytest.raises(KioskError, match=code):
        refund(world, sale, quantities)


def test_only_a_manager_approves_a_return(world, sale):
    with pytest.raises(KioskError, match="not_a_manager"):
        refund(world, sale, {"大米": 1}, approver=CASHIER)
    assert balance(world) == 340


def test_a_line_of_another_sale_is_refused(world, sale):
    other = checkout.checkout(world.store, world.cards["张建华"].id, [(world.products["食用油"].id, 1)],
                              world.staff[CASHIER].id, "o" * 24).sale
    foreign_line = SaleLine.get(SaleLine.sale == other)
    with pytest.raises(KioskError, match="unknown_receipt"):
        checkout.refund(world.store, sale.id, {foreign_line.id: 1}, world.staff[CASHIER].id,
                        world.staff[MANAGER].id, "r" * 24)


def test_find_sale_by_receipt_number_ignores_case_and_spaces(world, sale):
    assert checkout.find_sale(world.store, f"  {sale.receipt_no.lower()}\n").id == sale.id
    for bad in ["", "XYS9999999", "\x00\x01", "A" * 5000]:
        with pytest.raises(KioskError, match="unknown_receipt"):
            checkout.find_sale(world.store, bad)
