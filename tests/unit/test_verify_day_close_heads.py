"""`kiosk verify` checks that every stored day close still names a head on its store's ledger
chain, as it does for published notices: a ledger rewritten since the close (re-hashed so the
chain itself is consistent again) shows by the close's day; a clean one shows nothing."""
from kiosk.checkout import service as checkout
from kiosk.dayclose import service as dayclose
from kiosk.reports.verify import verify
from kiosk.staff.models import CASHIER
from tests.helpers import rechain, run_sql

def close_a_day_with_a_sale(world):
    """A sale now, then today's close (so far)."""
    items = [(world.products["大米"].id, 1)]
    checkout.checkout(world.store, world.cards["张建华"].id, items, world.staff[CASHIER].id, "d" * 24)
    return dayclose.close_day(world.store, dayclose.local_today(world.store.timezone))


def test_a_day_close_on_an_untouched_ledger_verifies_clean(world):
    close_a_day_with_a_sale(world)
    assert verify() == []
    assert verify(store_id=world.store.id) == []


def test_a_ledger_rewritten_and_rehashed_after_a_close_is_named_by_the_closes_day(world):
    record = close_a_day_with_a_sale(world)
    # Change an entry before the close's head, then re-hash the whole chain (and its head row)
    # so that the chain alone checks out again: only the close's stored head can tell.
    run_sql("UPDATE ledger_entry SET note = ? WHERE id = (SELECT MIN(id) FROM ledger_entry)", ("改过",))
    rechain()
    problems = verify(store_id=world.store.id)
    assert problems == [f"store {world.store.id} day close {record.day}: the ledger no longer leads to the chain head "
                        f"it stored ({record.chain_head[:16]}…)"]


def test_a_close_whose_head_entry_is_gone_is_reported(world):
    record = close_a_day_with_a_sale(world)
    run_sql("UPDATE day_close SET chain_entry_id = ? WHERE id = ?", (10**9, record.id))
    missing = f"store {world.store.id} day close {record.day}: ledger entry {10**9}, the chain head it stored, is missing"
    assert missing in verify()
