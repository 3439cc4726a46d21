"""`kiosk verify --store CODE`: on a district server each store's books are checked on their
own; a fault in one store shows in its check and the whole database's, never in another's."""
from kiosk.cards.models import Account, Card
from kiosk.checkout import service as checkout
from kiosk.db import database
from kiosk.inventory import service as inventory
from kiosk.inventory.models import STOCK_IN, Product
from kiosk.ledger import service as ledger
from kiosk.ledger.models import OPENING
from kiosk.registry.models import Household
from kiosk.reports.verify import verify
from kiosk.staff.models import CASHIER, Staff
from kiosk.stores.models import Store
from tests.helpers import run_sql


def second_store_with_a_sale(world):
    with database.atomic():
        store = Store.create(name="二店积分超市", code="AB")
        cashier = Staff.create(store=store, name="钱收银", role=CASHIER, pin_hash="unused")
        household = Household.create(store=store, building="9", unit="1", room="101")
        account = Account.create(store=store, household=household, holder_name="周桂英")
        ledger.post(account.id, 300, OPENING, reference="test")
        card = Card.create(store=store, number="20000001", account=account, holder_name="周桂英")
        soap = Product.create(store=store, name="肥皂", category="清洁", points=40, sort_order=0)
        inventory.move(soap.id, 5, STOCK_IN, reference="test")
    checkout.checkout(store, card.id, [(soap.id, 2)], cashier.id, "second-store-sale-0001", tz_name=store.timezone)
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
