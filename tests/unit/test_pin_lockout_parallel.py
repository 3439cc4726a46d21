"""Wrong PINs sent at the same moment are each counted: the lock-out holds under a burst."""
import threading

import pytest

from kiosk.audit import AuditEvent
from kiosk.db import database
from kiosk.errors import KioskError
from kiosk.staff import service
from kiosk.staff.models import CASHIER, MANAGER, Staff

GUESSES = 32


def burst(monkeypatch, attempt):
    """Run ``attempt(i)`` in GUESSES threads released together; returns (codes, PINs hashed)."""
    checked = []
    real_check = service.check_password_hash

    def counting_check(pin_hash, pin):
        checked.append(pin)
        return real_check(pin_hash, pin)

    monkeypatch.setattr(service, "check_password_hash", counting_check)
    gate = threading.Barrier(GUESSES)
    codes = []

    def guess(i):
        database.connect(reuse_if_open=True)
        try:
            gate.wait()
            attempt(i)
        except KioskError as exc:
            codes.append(exc.code)
        finally:
            database.close()

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(GUESSES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return codes, checked


def test_32_parallel_wrong_pins_check_at_most_5_and_lock_out_the_right_one(world, monkeypatch):
    cashier = world.staff[CASHIER]
    codes, checked = burst(monkeypatch, lambda i: service.authenticate(cashier.id, f"{9000 + i}", max_attempts=5))
    assert len(codes) == GUESSES
    assert len(checked) <= 5
    assert AuditEvent.select().where(AuditEvent.action == "wrong_pin").count() == len(checked)
    assert Staff.get_by_id(cashier.id).locked_until is not None
    with pytest.raises(KioskError, match="staff_locked"):
        service.authenticate(cashier.id, "3333", max_attempts=5)


def test_32_parallel_wrong_manager_pins_check_at_most_5_and_lock_out_the_right_one(world, monkeypatch):
    codes, checked = burst(monkeypatch, lambda i: service.manager_for_pin(world.store, f"{9000 + i}", max_attempts=5))
    assert len(codes) == GUESSES
    # One hash per manager for each PIN that was looked at; the world has one manager.
    assert Staff.select().where(Staff.store == world.store, Staff.role == MANAGER).count() == 1
    assert len(checked) <= 5
    with pytest.raises(KioskError, match="staff_locked"):
        service.manager_for_pin(world.store, "1111", max_attempts=5)
