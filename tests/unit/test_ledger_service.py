"""The ledger is append-only and the balance always equals the sum of its entries."""
import pytest

from kiosk.db import database
from kiosk.errors import KioskError
from kiosk.inventory import service as inventory
from kiosk.inventory.models import StockMovement
from kiosk.ledger import service as ledger
from kiosk.ledger.models import Account, AppendOnlyError, LedgerEntry
from kiosk.reports.verify import verify
from tests.helpers import run_sql


def test_posting_outside_a_transaction_is_a_programming_error(world):
    with pytest.raises(RuntimeError):
        ledger.post(world.accounts["张建华"].id, 10, "adjust")


def test_a_debit_never_takes_the_balance_below_zero(world):
    account = world.accounts["李秀兰"]
    with pytest.raises(KioskError) as refused:
        with database.atomic():
            ledger.post(account.id, -31, "redeem")
    assert refused.value.params == {"balance": 30, "needed": 31}
    with database.atomic():
        entry = ledger.post(account.id, -30, "redeem")
    assert entry.balance_after == 0
    assert Account.get_by_id(account.id).balance == 0


@pytest.mark.parametrize("delta", [0, 1.5, "10", True])
def test_a_delta_is_a_non_zero_whole_number(world, delta):
    with pytest.raises(ValueError):
        with database.atomic():
            ledger.post(world.accounts["张建华"].id, delta, "adjust")


def test_ledger_entries_cannot_be_edited_or_deleted(world):
    entry = LedgerEntry.select().first()
    entry.delta = 1_000_000
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete_instance()
    with pytest.raises(AppendOnlyError):
        LedgerEntry.update(delta=0)
    with pytest.raises(AppendOnlyError):
        LedgerEntry.delete()
    movement = StockMovement.select().first()
    with pytest.raises(AppendOnlyError):
        movement.delete_instance()


def test_stock_never_goes_below_zero(world):
    product = world.products["酱油"]
    with pytest.raises(KioskError, match="out_of_stock"):
        with database.atomic():
            inventory.move(product.id, -2, "write_off")
    assert verify() == []


def test_history_lists_newest_first(world):
    account = world.accounts["张建华"]
    with database.atomic():
        ledger.post(account.id, 5, "adjust", note="first")
        ledger.post(account.id, -3, "adjust", note="second")
    notes = [entry.note for entry in ledger.history(account.id)]
    assert notes[:2] == ["second", "first"]


def test_the_database_itself_refuses_negative_stock_and_free_goods(world):
    # Defence in depth: even SQL that bypasses the services cannot break these.
    import peewee

    from kiosk.inventory.models import Product

    with pytest.raises(peewee.IntegrityError):
        with database.atomic():
            run_sql("UPDATE product SET quantity = -1 WHERE id = ?", (world.products["食盐"].id,))
    with pytest.raises(peewee.IntegrityError):
        with database.atomic():
            Product.create(store=world.store, name="赠品", category="其他", points=0)
