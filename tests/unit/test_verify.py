"""`verify` finds every kind of broken invariant (corruption made with raw SQL on purpose)."""
from kiosk.checkout import service as checkout
from kiosk.db import database
from kiosk.reports.verify import verify
from kiosk.staff.models import CASHIER
from tests.helpers import rechain, run_sql


def make_sale(world):
    items = [(world.products["大米"].id, 1)]
    return checkout.checkout(world.store, world.cards["张建华"].id, items, world.staff[CASHIER].id, "v" * 24).sale


def test_a_consistent_database_verifies_clean(world):
    make_sale(world)
    assert verify() == []


def test_a_balance_that_differs_from_its_ledger_is_reported(world):
    run_sql("UPDATE account SET balance = balance + 7 WHERE id = ?", (world.accounts["张建华"].id,))
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
    run_sql("UPDATE product SET quantity = 99 WHERE id = ?", (world.products["食盐"].id,))
    assert any("食盐: quantity 99 but its movements sum to 50" in p for p in verify())


def test_a_sale_whose_lines_do_not_add_up_is_reported(world):
    sale = make_sale(world)
    run_sql("UPDATE sale_line SET quantity = 2 WHERE sale_id = ?", (sale.id,))
    assert any(f"sale {sale.receipt_no}: total 50 but its lines sum to 100" in p for p in verify())


def test_a_deleted_stock_movement_of_a_sale_is_reported(world):
    sale = make_sale(world)
    run_sql("DELETE FROM stock_movement WHERE reference = ?", (f"sale:{sale.id}",))
    problems = verify()
    assert any("stock movements do not match" in p for p in problems)


def _sale_on(world, key, when):
    """A sale of one bag of rice, dated ``when`` (UTC) with its ledger entry."""
    sale = checkout.checkout(world.store, world.cards["张建华"].id, [(world.products["大米"].id, 1)],
                             world.staff[CASHIER].id, key).sale
    run_sql("UPDATE sale SET created_at = ? WHERE id = ?", (when, sale.id))
    run_sql("UPDATE ledger_entry SET created_at = ? WHERE reference = ?", (when, f"sale:{sale.id}"))
    rechain()  # backdated on purpose: the hash chain is made to match again
    return sale


def test_points_redeemed_match_the_goods_issued_every_day(world):
    from datetime import datetime

    _sale_on(world, "d" * 24, datetime(2026, 11, 1, 15, 59))  # 23:59 in Shanghai, 1 November
    _sale_on(world, "e" * 24, datetime(2026, 11, 1, 16, 1))  # 00:01 on 2 November
    assert verify() == []
    # Days are the store's: in UTC both sales fall on 1 November, and that is consistent too.
    assert verify("UTC") == []


def test_a_tampered_sale_line_price_is_reported_with_its_day(world):
    from datetime import datetime

    sale = _sale_on(world, "f" * 24, datetime(2026, 11, 1, 16, 1))
    run_sql("UPDATE sale_line SET points = 5 WHERE sale_id = ?", (sale.id,))
    run_sql("UPDATE sale SET total = 5 WHERE id = ?", (sale.id,))  # hides it from the per-sale total check
    problems = verify()
    assert "2026-11-02: 50 points redeemed (less refunds) but the goods issued (less returns) are worth 5 points" in problems


def test_a_moved_ledger_redemption_is_reported_on_both_days(world):
    from datetime import datetime

    sale = _sale_on(world, "g" * 24, datetime(2026, 11, 1, 4, 0))
    run_sql("UPDATE ledger_entry SET created_at = ? WHERE reference = ?",
                         (datetime(2026, 11, 2, 4, 0), f"sale:{sale.id}"))
    problems = verify()
    assert any(p.startswith("2026-11-01: 0 points redeemed") and p.endswith("worth 50 points") for p in problems)
    assert any(p.startswith("2026-11-02: 50 points redeemed") and p.endswith("worth 0 points") for p in problems)


def test_refunds_count_against_the_day_they_were_made(world):
    from kiosk.checkout.models import SaleLine

    sale = make_sale(world)
    line = SaleLine.get(SaleLine.sale == sale)
    checkout.refund(world.store, sale.id, {line.id: 1}, world.staff[CASHIER].id, world.staff["manager"].id, "r" * 24)
    assert verify() == []
    database.execute_sql("UPDATE refund_line SET points = 1")
    database.execute_sql("UPDATE refund SET total = 1")
    assert any("are worth 49 points" in p for p in verify())
