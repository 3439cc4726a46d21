"""`verify` finds every kind of broken invariant (corruption made with raw SQL on purpose)."""
from kiosk.checkout import service as checkout
from kiosk.db import database
from kiosk.reports.verify import verify
from kiosk.staff.models import CASHIER


def make_sale(world):
    items = [(world.products["大米"].id, 1)]
    return checkout.checkout(world.store, world.cards["张建华"].id, items, world.staff[CASHIER].id, "v" * 24).sale


def test_a_consistent_database_verifies_clean(world):
    make_sale(world)
    assert verify() == []


def test_a_balance_that_differs_from_its_ledger_is_reported(world):
    database.execute_sql("UPDATE account SET balance = balance + 7 WHERE id = ?", (world.accounts["张建华"].id,))
    problems = verify()
    assert any("balance 507 but its ledger sums to 500" in p for p in problems)


def test_an_edited_ledger_entry_is_reported(world):
    make_sale(world)
    database.execute_sql("UPDATE ledger_entry SET delta = delta + 1 WHERE kind = 'redeem'")
    problems = verify()
    assert any("ledger sums to" in p for p in problems)
    assert any("running sum" in p for p in problems)
    assert any("ledger debit" in p for p in problems)


def test_a_quantity_that_differs_from_its_movements_is_reported(world):
    database.execute_sql("UPDATE product SET quantity = 99 WHERE id = ?", (world.products["食盐"].id,))
    assert any("食盐: quantity 99 but its movements sum to 50" in p for p in verify())


def test_a_sale_whose_lines_do_not_add_up_is_reported(world):
    sale = make_sale(world)
    database.execute_sql("UPDATE sale_line SET quantity = 2 WHERE sale_id = ?", (sale.id,))
    assert any(f"sale {sale.receipt_no}: total 50 but its lines sum to 100" in p for p in verify())


def test_a_deleted_stock_movement_of_a_sale_is_reported(world):
    sale = make_sale(world)
    database.execute_sql("DELETE FROM stock_movement WHERE reference = ?", (f"sale:{sale.id}",))
    problems = verify()
    assert any("stock movements do not match" in p for p in problems)
