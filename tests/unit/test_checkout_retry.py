"""A checkout that PostgreSQL aborts to break a deadlock is run again, whole, and sells once.

The deadlock is the one a district server met: a transaction posting to two accounts (the
expiry run, a volunteer import, an approval with a linked bonus) locks account 1, then the
store's chain, then account 2, while a checkout on account 2 locks that account, then the chain.
"""
import threading
import time

import peewee
import pytest

from kiosk import db as kiosk_db
from kiosk.cards.models import Account
from kiosk.checkout import service as checkout
from kiosk.checkout.models import Sale
from kiosk.db import database
from kiosk.reports.verify import verify
from kiosk.staff.models import CASHIER

pytestmark = pytest.mark.postgres_only("SQLite's write transactions lock the whole database at BEGIN: no deadlock")


def lock_waiters():
    return database.execute_sql("SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                "AND datname = current_database()").fetchone()[0]


def deadlock_a_checkout(world, run_checkout):
    """Hold account 1 and the chain in another transaction, start ``run_checkout`` on account 2
    (it locks account 2, then waits for the chain), then reach for account 2: a cycle. The other
    transaction waits long before checking for deadlocks, so PostgreSQL aborts the checkout."""
    first, second = world.accounts["李秀兰"].id, world.accounts["张建华"].id
    holding, outcome = threading.Event(), {}

    def other():
        database.connect(reuse_if_open=True)
        try:
            with database.atomic():
                database.execute_sql("SET LOCAL deadlock_timeout = '20s'")
                database.execute_sql("UPDATE account SET balance = balance WHERE id = %s", (first,))
                database.execute_sql("UPDATE ledger_chain SET head = head WHERE store_id = %s", (world.store.id,))
                holding.set()
                deadline = time.monotonic() + 20
                while lock_waiters() == 0 and time.monotonic() < deadline:
                    time.sleep(0.02)
                database.execute_sql("UPDATE account SET balance = balance WHERE id = %s", (second,))
            outcome["other"] = "committed"
        except peewee.DatabaseError as exc:
            outcome["other"] = exc
        finally:
            database.close()

    thread = threading.Thread(target=other)
    thread.start()
    assert holding.wait(10)
    try:
        outcome["checkout"] = run_checkout()
    except peewee.DatabaseError as exc:
        outcome["checkout"] = exc
    thread.join(30)
    return outcome


def test_a_checkout_aborted_by_a_deadlock_is_retried_and_sells_once(world):
    oil = world.products["食用油"]

    def run():
        return checkout.checkout(world.store, world.cards["张建华"].id, [(oil.id, 1)],
                                 world.staff[CASHIER].id, "deadlock-retry-key-0001")

    outcome = deadlock_a_checkout(world, run)
    assert outcome["other"] == "committed"
    assert isinstance(outcome["checkout"], checkout.CheckoutResult) and outcome["checkout"].created
    assert Sale.select().count() == 1
    assert Account.get_by_id(world.accounts["张建华"].id).balance == 500 - 100
    assert verify() == []


def test_without_the_retry_the_same_deadlock_fails_the_checkout(world, monkeypatch):
    """The scenario above really deadlocks: one attempt alone is aborted."""
    oil = world.products["食用油"]
    monkeypatch.setattr(kiosk_db, "RETRY_ATTEMPTS", 1)

    def run():
        return checkout.checkout(world.store, world.cards["张建华"].id, [(oil.id, 1)],
                                 world.staff[CASHIER].id, "deadlock-retry-key-0002")

    outcome = deadlock_a_checkout(world, run)
    assert isinstance(outcome["checkout"], peewee.DatabaseError) and kiosk_db.is_retryable(outcome["checkout"])
    assert Sale.select().count() == 0
