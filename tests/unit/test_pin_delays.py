"""Wrong PINs make the next try wait longer and longer, per name and per device, instead of a
hard lock a stranger can renew; manager-PIN approvals are counted per person asking."""
from datetime import timedelta

import pytest

from kiosk.db import utcnow
from kiosk.errors import KioskError
from kiosk.staff import admin, service
from kiosk.staff.models import CASHIER, MANAGER, OPERATIONS, SERVICE, Staff

KIOSK = "a" * 32  # the kiosk's device cookie
STRANGER = "10.0.0.66"


class Clock:
    def __init__(self, monkeypatch):
        self.now = utcnow()
        monkeypatch.setattr(service, "utcnow", lambda: self.now)

    def wait(self, seconds):
        self.now += timedelta(seconds=seconds)


def wrong(staff, **where):
    with pytest.raises(KioskError) as refused:
        service.authenticate(staff.id, "0000", **where)
    return refused.value


def test_the_wait_doubles_from_30_seconds_to_an_hour():
    waits = [service.delay_after(n, 5, 30, 3600) for n in range(1, 15)]
    assert waits == [0, 0, 0, 0, 30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]


def test_each_wrong_pin_after_the_fifth_makes_the_next_try_wait_longer(world, monkeypatch):
    clock, cashier = Clock(monkeypatch), world.staff[CASHIER]
    for _ in range(4):
        assert wrong(cashier).code == "wrong_pin"
    for wait in (30, 60, 120, 240):
        assert wrong(cashier).code == "staff_locked"
        clock.wait(wait - 1)
        assert wrong(cashier).code == "staff_locked"  # still waiting: not even counted
        clock.wait(1)
    assert Staff.get_by_id(cashier.id).failed_attempts == 8
    assert service.authenticate(cashier.id, "3333").id == cashier.id
    assert Staff.get_by_id(cashier.id).failed_attempts == 0


def test_a_stranger_cannot_lock_the_manager_out_of_the_kiosk_they_sign_in_on(world, monkeypatch):
    clock, manager = Clock(monkeypatch), world.staff[MANAGER]
    assert service.authenticate(manager.id, "1111", device=KIOSK, address="10.0.0.2").id == manager.id
    for _ in range(12):  # from a phone on the store's wifi, waiting out every delay
        wrong(manager, address=STRANGER)
        clock.wait(3600)
    assert wrong(manager, address=STRANGER).code == "staff_locked"
    assert service.authenticate(manager.id, "1111", device=KIOSK, address="10.0.0.2").id == manager.id


def test_one_address_trying_many_names_waits_after_ten_wrong_pins(world, monkeypatch):
    Clock(monkeypatch)
    names = [world.staff[role] for role in (CASHIER, OPERATIONS, SERVICE)]
    codes = [wrong(names[i % 3], address=STRANGER).code for i in range(10)]
    assert codes == ["wrong_pin"] * 9 + ["staff_locked"]
    assert wrong(world.staff[MANAGER], address=STRANGER).code == "staff_locked"
    # Another address is not held up by the first one.
    assert wrong(world.staff[MANAGER], address="10.0.0.67").code == "wrong_pin"


def test_the_known_device_still_waits_after_its_own_wrong_pins(world, monkeypatch):
    Clock(monkeypatch)
    cashier = world.staff[CASHIER]
    service.authenticate(cashier.id, "3333", device=KIOSK)
    codes = [wrong(cashier, device=KIOSK).code for _ in range(6)]
    assert codes == ["wrong_pin"] * 4 + ["staff_locked"] * 2
    admin.unlock(world.store, cashier.id)
    assert service.authenticate(cashier.id, "3333", device=KIOSK).id == cashier.id


def test_one_cashiers_wrong_manager_pins_do_not_hold_up_anyone_elses_approvals(world, monkeypatch):
    Clock(monkeypatch)
    cashier, other = world.staff[CASHIER], world.staff[OPERATIONS]
    for _ in range(5):
        with pytest.raises(KioskError, match="manager_pin_wrong"):
            service.manager_for_pin(world.store, "9999", by=cashier)
    with pytest.raises(KioskError, match="staff_locked"):
        service.manager_for_pin(world.store, "1111", by=cashier)
    assert service.manager_for_pin(world.store, "1111", by=other).role == MANAGER
