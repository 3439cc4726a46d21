"""Checkouts on a district server (PostgreSQL), where transactions lock rows, not the database.

The deadlock a district met: a transaction posting to two accounts (the expiry run, a volunteer
import, an approval with a linked bonus) locked account 1, then the store's chain, then account
2, while a checkout on account 2 locked that account, then the chain. Every transaction now
takes the chain before any account (kiosk.ledger.service.move_balance); and a checkout that
PostgreSQL still aborts for a deadlock is run again, whole (kiosk.db.retry_on_conflict).
"""
import threading
import time

import peewee
import pytest

from kiosk import db as kiosk_db
from kiosk.checkout import service as checkout
from kiosk.checkout.models import Sale
from kiosk.db import database
from kiosk.ledger import service as ledger
from kiosk.ledger.models import EXPIRE, Account
from kiosk.reports.verify import verify
from kiosk.staff.models import CASHIER

pytestmark = pytest.mark.postgres_only("SQLite's write transactions lock the whole database at BEGIN: no deadlock")


def lock_waiters():
    return database.execute_sql("SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                "AND datname = current_database()").fetchone()[0]


def against_a_checkout(world, first_step, second_step, key):
    """Run ``first_step`` in another transaction, then a checkout of oil on 张建华's account;
    once the checkout waits for a lock, ``second_step`` in the same other transaction. The other
    transaction checks for deadlocks late, so PostgreSQL aborts the checkout when there is one.
    Returns {"other": "committed" or the error, "checkout": the result or the error}."""
    holding, outcome = threading.Event(), {}

    def other():
        database.connect(reuse_if_open=True)
        try:
            with database.atomic():
                database.execute_sql("SET LOCAL deadlock_timeout = '20s'")
                first_step()
                holding.set()
                deadline = time.monotonic() + 20
                while lock_waiters() == 0 and time.monotonic() < deadline:
                    time.sleep(0.02)
                second_step()
            outcome["other"] = "committed"
        except (peewee.DatabaseError, AssertionError) as exc:
            outcome["other"] = exc
        finally:
            holding.set()
            database.close()

    thread = threading.Thread(target=other)
    thread.start()
    assert holding.wait(10)
    try:
        outcome["checkout"] = checkout.checkout(world.store, world.cards["张建华"].id, [(world.products["食用油"].id, 1)],
                                                world.staff[CASHIER].id, key)
    except peewee.DatabaseError as exc:
        outcome["checkout"] = exc
    thread.join(30)
    return outcome


def test_posting_to_two_accounts_beside_a_checkout_does_not_deadlock(world, monkeypatch):
    """As the expiry run does: account 1, then account 2 (the checkout's), in one transaction.
    With one attempt only, so that a deadlock would show."""
    monkeypatch.setattr(kiosk_db, "RETRY_ATTEMPTS", 1)
    first, second = world.accounts["李秀兰"].id, world.accounts["张建华"].id
    outcome = against_a_checkout(world, lambda: ledger.post(first, -10, EXPIRE, reference="expiry:test"),
                                 lambda: ledger.post(second, -10, EXPIRE, reference="expiry:test"),
                                 "lock-order-key-0001")
    assert outcome["other"] == "committed"
    assert isinstance(outcome["checkout"], checkout.CheckoutResult), outcome["checkout"]
    assert Account.get_by_id(second).balance == 500 - 10 - 100
    assert Account.get_by_id(first).balance == 30 - 10
    assert verify() == []


def hold_oil():
    database.execute_sql("UPDATE product SET quantity = quantity WHERE name = %s", ("食用油",))


def take_chain():
    database.execute_sql("UPDATE ledger_chain SET head = head")


def test_a_checkout_aborted_by_a_deadlock_is_retried_and_sells_once(world):
    """Another program's transaction that breaks the lock order (a product, then the chain)."""
    outcome = against_a_checkout(world, hold_oil, take_chain, "deadlock-retry-key-0001")
    assert outcome["other"] == "committed"
    assert isinstance(outcome["checkout"], checkout.CheckoutResult) and outcome["checkout"].created
    assert Sale.select().count() == 1
    assert Account.get_by_id(world.accounts["张建华"].id).balance == 500 - 100
    assert verify() == []


def test_without_the_retry_the_same_deadlock_fails_the_checkout(world, monkeypatch):
    """The scenario above really deadlocks: one attempt alone is aborted."""
    monkeypatch.setattr(kiosk_db, "RETRY_ATTEMPTS", 1)
    outcome = against_a_checkout(world, hold_oil, take_chain, "deadlock-retry-key-0002")
    assert isinstance(outcome["checkout"], peewee.DatabaseError) and kiosk_db.is_retryable(outcome["checkout"])
    assert outcome["other"] == "committed"
    assert Sale.select().count() == 0
