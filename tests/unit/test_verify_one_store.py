"""`kiosk verify --store CODE`: on a district server each store's books are checked on their
own; a fault in one store shows in its check and the whole database's, never in another's."""
from kiosk.checkout import service as checkout
from kiosk.inventory.models import Product
from kiosk.reports.verify import verify
from kiosk.staff.models import CASHIER
from tests.helpers import run_sql, second_store


def second_store_with_a_sale(world):
    store, _, account, _, soap, _ = second_store(quantity=2, key="second-store-sale-0001")
    checkout.checkout(world.store, world.cards["张建华"].id, [(world.products["大米"].id, 1)],
                      world.staff[CASHIER].id, "first-store-sale-0001")
    return store, account, soap


def test_each_store_verifies_clean_on_its_own(world):
    other, _, _ = second_store_with_a_sale(world)
    assert verify(store_id=world.store.id) == []
    assert verify(store_id=other.id) == []
    assert verify() == []


def test_a_tampered_balance_shows_only_in_its_own_store(world):
    other, account, _ = second_store_with_a_sale(world)
    run_sql("UPDATE account SET balance = balance + 5 WHERE id = ?", (account.id,))
    expected = f"account {account.id}: balance 225 but its ledger sums to 220"
    assert expected in verify(store_id=other.id)
    assert expected in verify()
    assert verify(store_id=world.store.id) == []


def test_tampered_stock_and_a_deleted_entry_show_only_in_their_store(world):
    other, _, soap = second_store_with_a_sale(world)
    run_sql("UPDATE product SET quantity = 99 WHERE id = ?", (world.products["食盐"].id,))
    last = run_sql("SELECT MAX(e.id) FROM ledger_entry e JOIN account a ON a.id = e.account_id "
                   "WHERE a.store_id = ?", (world.store.id,)).fetchone()[0]
    run_sql("UPDATE ledger_entry SET note = 'changed' WHERE id = ?", (last,))
    mine = verify(store_id=world.store.id)
    assert any(problem.startswith(f"product {world.products['食盐'].id} ") for problem in mine)
    assert any(problem.startswith(f"ledger entry {last}: its hash does not match") for problem in mine)
    assert verify(store_id=other.id) == []
    assert Product.get_by_id(soap.id).quantity == 3
