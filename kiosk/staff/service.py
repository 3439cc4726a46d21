"""Staff PINs: hashing, checking, and locking out after repeated wrong PINs."""
import re
from datetime import timedelta

from werkzeug.security import check_password_hash, generate_password_hash

from kiosk import audit
from kiosk.db import database, utcnow
from kiosk.errors import KioskError
from kiosk.staff.models import MANAGER, ROLES, PinThrottle, Staff

PIN_FORMAT = re.compile(r"[0-9]{4,8}")


def hash_pin(pin):
    """A salted hash of a PIN; raises KioskError("bad_pin_format") unless it is 4–8 digits."""
    if not isinstance(pin, str) or not PIN_FORMAT.fullmatch(pin):
        raise KioskError("bad_pin_format")
    return generate_password_hash(pin)


# PINs anyone would try first, beyond those caught by their shape (all one digit, a run up or
# down, a repeated pair).
COMMON_PINS = {"2580", "0852", "1314", "5201314", "520520", "1004", "6969", "8888", "168168", "123123", "110110"}


def check_new_pin(pin, repeated=None):
    """A PIN a person chose for themselves: 4–8 digits, not one anybody would guess.

    ``repeated`` is the PIN typed a second time, when the form asks for it. Raises
    KioskError("bad_pin_format", "pins_differ", "weak_pin").
    """
    if not isinstance(pin, str) or not PIN_FORMAT.fullmatch(pin):
        raise KioskError("bad_pin_format")
    if repeated is not None and repeated != pin:
        raise KioskError("pins_differ")
    steps = {int(b) - int(a) for a, b in zip(pin, pin[1:])}
    if (
        len(set(pin)) == 1                              # 1111, 000000
        or steps in ({1}, {-1})                          # 1234, 98765
        or (len(pin) % 2 == 0 and pin == pin[:2] * (len(pin) // 2))  # 1212, 696969
        or pin in COMMON_PINS
    ):
        raise KioskError("weak_pin")
    return pin


def create_staff(store, name, role, pin):
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    return Staff.create(store=store, name=name, role=role, pin_hash=hash_pin(pin))


def _minutes_left(locked_until, now):
    return max(1, int((locked_until - now).total_seconds() + 59) // 60)


def _claim_try(model, where, now, max_attempts, lockout_seconds):
    """Count one more try against the row ``where`` *before* its PIN is checked.

    The count goes up in one ``UPDATE … SET failed_attempts = failed_attempts + 1 … RETURNING``,
    so parallel guesses cannot overwrite each other's count, and a row that is locked is not
    updated at all: its PIN is never hashed. Returns the tries counted so far including this
    one, or raises KioskError("staff_locked") (``minutes``). The caller resets the count when
    the PIN was right.
    """
    with database.atomic():
        # A lock-out that has run out starts a fresh count.
        model.update(failed_attempts=0, locked_until=None).where(where, model.locked_until <= now).execute()
        counted = list(
            model.update(failed_attempts=model.failed_attempts + 1)
            .where(where, model.locked_until.is_null())
            .returning(model.failed_attempts)
            .tuples()
            .execute()
        )
        if not counted:
            row = model.select(model.locked_until).where(where).first()
            raise KioskError("staff_locked", minutes=_minutes_left(row.locked_until, now) if row else 1)
        failed = counted[0][0]
        if failed >= max_attempts:
            # This try is still checked; every later one waits for the lock to run out.
            model.update(locked_until=now + timedelta(seconds=lockout_seconds)).where(where).execute()
    return failed


def authenticate(staff_id, pin, *, max_attempts=5, lockout_seconds=300):
    """The staff member whose PIN this is.

    Each try is counted before the PIN is checked (see ``_claim_try``), so at most
    ``max_attempts`` PINs are ever checked per lock-out, however many arrive at once.
    Raises KioskError: "unknown_staff", "staff_locked" (too many wrong PINs; ``minutes``),
    "wrong_pin" (``remaining`` tries before the lock-out).
    """
    staff = Staff.get_or_none(Staff.id == staff_id, Staff.active == True)  # noqa: E712
    if staff is None:
        raise KioskError("unknown_staff")
    now = utcnow()
    mine = (Staff.id == staff.id) & (Staff.active == True)  # noqa: E712
    failed = _claim_try(Staff, mine, now, max_attempts, lockout_seconds)
    ok = isinstance(pin, str) and PIN_FORMAT.fullmatch(pin) and check_password_hash(staff.pin_hash, pin)
    with database.atomic():
        if ok:
            Staff.update(failed_attempts=0, locked_until=None).where(Staff.id == staff.id).execute()
            audit.record("sign_in", store=staff.store_id, staff=staff.id)
            return staff
        audit.record("wrong_pin", store=staff.store_id, staff=staff.id, locked=failed >= max_attempts)
    if failed >= max_attempts:
        raise KioskError("staff_locked", minutes=max(1, lockout_seconds // 60))
    raise KioskError("wrong_pin", remaining=max_attempts - failed)


def manager_for_pin(store, pin, *, max_attempts=5, lockout_seconds=300):
    """The active manager of ``store`` with this PIN.

    Wrong manager PINs are counted like sign-in PINs, each try before it is checked: after
    ``max_attempts`` wrong ones approvals are refused for ``lockout_seconds``, so nobody can
    try every PIN. Raises KioskError("manager_pin_wrong") or KioskError("staff_locked").
    """
    key = f"approval:{getattr(store, 'id', store)}"
    PinThrottle.insert(key=key).on_conflict_ignore().execute()
    now = utcnow()
    _claim_try(PinThrottle, PinThrottle.key == key, now, max_attempts, lockout_seconds)
    if isinstance(pin, str) and PIN_FORMAT.fullmatch(pin):
        for manager in Staff.select().where(
            Staff.store == store, Staff.role == MANAGER, Staff.active == True  # noqa: E712
        ):
            if check_password_hash(manager.pin_hash, pin):
                with database.atomic():
                    PinThrottle.update(failed_attempts=0, locked_until=None).where(PinThrottle.key == key).execute()
                    audit.record("manager_pin_ok", store=store, staff=manager.id)
                return manager
    audit.record("manager_pin_wrong", store=store)
    raise KioskError("manager_pin_wrong")
