"""PINs are stored hashed; wrong PINs count down to a lock-out."""
import pytest

from kiosk.audit import AuditEvent
from kiosk.errors import KioskError
from kiosk.staff import service
from kiosk.staff.models import CASHIER, MANAGER, Staff


def test_a_pin_is_stored_only_as_a_hash(world):
    staff = service.create_staff(world.store, "新收银", CASHIER, "5678")
    # A salted hash ("method$salt$digest"), not the PIN: the same PIN hashes differently twice.
    # (A bare `"5678" not in pin_hash` would fail about once in a thousand runs: the digest is hex.)
    method, salt, digest = staff.pin_hash.split("$")
    assert method and len(salt) >= 8 and len(digest) >= 32 and "5678" not in (method + salt)
    assert service.create_staff(world.store, "另一位", CASHIER, "5678").pin_hash != staff.pin_hash
    assert service.authenticate(staff.id, "5678").id == staff.id


@pytest.mark.parametrize("pin", ["123", "123456789", "12a4", "", None])
def test_a_pin_must_be_4_to_8_digits(world, pin):
    with pytest.raises(KioskError, match="bad_pin_format"):
        service.hash_pin(pin)


def test_wrong_pins_count_down_then_lock_out(world):
    staff = world.staff[CASHIER]
    for remaining in (4, 3, 2, 1):
        with pytest.raises(KioskError) as refused:
            service.authenticate(staff.id, "0000", max_attempts=5)
        assert refused.value.code == "wrong_pin" and refused.value.params["remaining"] == remaining
    with pytest.raises(KioskError, match="staff_locked"):
        service.authenticate(staff.id, "0000", max_attempts=5)
    with pytest.raises(KioskError, match="staff_locked"):
        service.authenticate(staff.id, "3333", max_attempts=5)  # even the right PIN, for now
    assert AuditEvent.select().where(AuditEvent.action == "wrong_pin").count() == 5


def test_a_right_pin_resets_the_count(world):
    staff = world.staff[CASHIER]
    with pytest.raises(KioskError):
        service.authenticate(staff.id, "0000")
    service.authenticate(staff.id, "3333")
    assert Staff.get_by_id(staff.id).failed_attempts == 0


def test_an_inactive_staff_member_cannot_sign_in(world):
    Staff.update(active=False).where(Staff.id == world.staff[CASHIER].id).execute()
    with pytest.raises(KioskError, match="unknown_staff"):
        service.authenticate(world.staff[CASHIER].id, "3333")


def test_manager_for_pin_finds_only_a_manager(world):
    assert service.manager_for_pin(world.store, "1111").id == world.staff[MANAGER].id
    for pin in ["3333", "9999", "", "abc"]:
        with pytest.raises(KioskError, match="manager_pin_wrong"):
            service.manager_for_pin(world.store, pin)


def test_wrong_manager_pins_lock_approvals_for_a_while(world):
    for _ in range(3):
        with pytest.raises(KioskError, match="manager_pin_wrong"):
            service.manager_for_pin(world.store, "9999", max_attempts=3)
    # Even the right PIN is refused now: a cashier cannot try every PIN.
    with pytest.raises(KioskError, match="staff_locked"):
        service.manager_for_pin(world.store, "1111", max_attempts=3)


def test_a_right_manager_pin_resets_the_count(world):
    for _ in range(2):
        with pytest.raises(KioskError):
            service.manager_for_pin(world.store, "9999", max_attempts=3)
    service.manager_for_pin(world.store, "1111", max_attempts=3)
    with pytest.raises(KioskError, match="manager_pin_wrong"):
        service.manager_for_pin(world.store, "9999", max_attempts=3)
