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


def delay_after(failed, free, first_delay, max_delay):
    """Seconds before the next try after ``failed`` wrong PINs in a row: none for the first
    ``free`` ones, then ``first_delay`` doubling with each further wrong PIN up to ``max_delay``.
    A wrong PIN never locks for longer than ``max_delay``, so nobody can lock a name for good,
    yet the count only starts again from a right PIN (or a manager's unlock): a guesser is
    held to one try per ``max_delay`` for as long as they keep going."""
    if failed < free or first_delay <= 0:
        return 0
    return min(first_delay * 2 ** min(failed - free, 30), max_delay)


def _claim_tries(counters, now, first_delay, max_delay):
    """Count one more try against each counter *before* the PIN is checked.

    ``counters`` are ``(model, where, free)``: a row (a Staff row, or a PinThrottle row by its
    key) and its free tries. Each count goes up in one ``UPDATE … SET failed_attempts =
    failed_attempts + 1 … RETURNING``, so parallel guesses cannot overwrite each other's count,
    and a row still waiting out its delay is not updated at all: the PIN is then never hashed
    and no counter moves (the transaction rolls back). Returns the tries counted so far on each
    counter including this one, and the longest delay they now ask for; raises
    KioskError("staff_locked") (``minutes``). The caller forgets the counts when the PIN was right.
    """
    counts, longest = [], 0
    with database.atomic():
        for model, where, free in counters:
            open_now = model.locked_until.is_null() | (model.locked_until <= now)
            counted = list(
                model.update(failed_attempts=model.failed_attempts + 1)
                .where(where, open_now)
                .returning(model.failed_attempts)
                .tuples()
                .execute()
            )
            if not counted:
                row = model.select(model.locked_until).where(where).first()
                raise KioskError("staff_locked", minutes=_minutes_left(row.locked_until, now)
                                 if row and row.locked_until else 1)
            failed = counted[0][0]
            delay = delay_after(failed, free, first_delay, max_delay)
            # This try is still checked; the next one waits.
            model.update(locked_until=now + timedelta(seconds=delay) if delay else None).where(where).execute()
            counts.append((failed, free))
            longest = max(longest, delay)
    return counts, longest


def _forget(counters):
    for model, where, _ in counters:
        model.update(failed_attempts=0, locked_until=None).where(where).execute()


def _throttle(key):
    """The counter of ``key`` (created at zero the first time): (model, where) for _claim_tries."""
    PinThrottle.insert(key=key).on_conflict_ignore().execute()
    return PinThrottle, PinThrottle.key == key


def claim_pin_try(keys, *, lockout_seconds=30, max_delay_seconds=3600, now=None):
    """Count one more try of a PIN, before it is checked, on the pin_throttle counters ``keys``
    ([(key, free tries)], e.g. ``("partner:7", 5)``), exactly as the staff sign-in counts its own
    (``_claim_tries``): for sign-ins outside this package (partners, the street office). Returns
    ([(tries so far, free)], the delay the next try now waits, in seconds); raises
    KioskError("staff_locked") (``minutes``) while any counter still waits."""
    counters = [(*_throttle(key), free) for key, free in keys]
    return _claim_tries(counters, now or utcnow(), lockout_seconds, max_delay_seconds)


def forget_pin_tries(keys):
    """Reset the pin_throttle counters named by ``keys`` (a right PIN, a new PIN, an unlock)."""
    keys = list(keys)
    if keys:
        PinThrottle.update(failed_attempts=0, locked_until=None).where(PinThrottle.key.in_(keys)).execute()


def pin_tries_locked(key, now=None):
    """Whether the pin_throttle counter ``key`` makes the next try wait now."""
    row = PinThrottle.get_or_none(PinThrottle.key == key)
    return bool(row and row.locked_until and row.locked_until > (now or utcnow()))


def throttled_pin_check(key, stored_hash, pin, *, address=None, max_attempts=5, lockout_seconds=30,
                        max_delay_seconds=3600, on_right, on_wrong):
    """Check the PIN of someone outside the staff table (a partner, a street-office user) by the
    staff lock-out's rules: the pin_throttle counter ``key`` and the network address's (shared
    with the staff sign-in), each counted before the PIN is checked, so guesses sent at once are
    held to the same number. In one transaction, a right PIN forgets the counts and calls
    ``on_right()``; a wrong one calls ``on_wrong(locked)``. Raises KioskError: staff_locked
    (``minutes``), wrong_pin (``remaining``)."""
    keys = [(key, max_attempts)] + ([(f"address:{address}", 2 * max_attempts)] if address else [])
    counts, delay = claim_pin_try(keys, lockout_seconds=lockout_seconds, max_delay_seconds=max_delay_seconds)
    ok = isinstance(pin, str) and PIN_FORMAT.fullmatch(pin) and check_password_hash(stored_hash, pin)
    with database.atomic():
        if ok:
            forget_pin_tries(k for k, _ in keys)
            on_right()
            return
        on_wrong(bool(delay))
    if delay:
        raise KioskError("staff_locked", minutes=max(1, (delay + 59) // 60))
    raise KioskError("wrong_pin", remaining=min(free - failed for failed, free in counts))


def known_device_key(staff_id, device):
    return f"known:{staff_id}:{device}"


def forget_wrong_pins(staff_id):
    """Lift every lock-out and forget the wrong PINs of ``staff_id`` (a new PIN, an unlock):
    on their name and on each device they signed in on. The caller holds the transaction."""
    Staff.update(failed_attempts=0, locked_until=None).where(Staff.id == staff_id).execute()
    PinThrottle.update(failed_attempts=0, locked_until=None).where(
        PinThrottle.key.startswith(f"known:{staff_id}:")).execute()


def authenticate(staff_id, pin, *, device=None, address=None, max_attempts=5, lockout_seconds=30,
                 max_delay_seconds=3600):
    """The staff member whose PIN this is.

    Wrong PINs are counted per name and per device, each try before the PIN is checked (see
    ``_claim_tries``), so no more PINs are checked than the delays allow however many arrive at
    once:

    - on a device where this person signed in before (``device``: the browser's device cookie)
      only that device's count for them applies, so nobody elsewhere can delay them there;
    - anywhere else the name's count (shared by every such device) and the count of the network
      address ``address`` (every name, twice the free tries) both apply.

    Each count allows ``max_attempts`` tries, then waits ``lockout_seconds`` doubling up to
    ``max_delay_seconds`` (``delay_after``). Raises KioskError: "unknown_staff",
    "staff_locked" (``minutes``), "wrong_pin" (``remaining`` tries before the first delay).
    """
    staff = Staff.get_or_none(Staff.id == staff_id, Staff.active == True)  # noqa: E712
    if staff is None:
        raise KioskError("unknown_staff")
    now = utcnow()
    known = device and PinThrottle.select().where(PinThrottle.key == known_device_key(staff.id, device)).exists()
    if known:
        counters = [(*_throttle(known_device_key(staff.id, device)), max_attempts)]
    else:
        counters = [(Staff, (Staff.id == staff.id) & (Staff.active == True), max_attempts)]  # noqa: E712
        if address:
            counters.append((*_throttle(f"address:{address}"), 2 * max_attempts))
    counts, delay = _claim_tries(counters, now, lockout_seconds, max_delay_seconds)
    ok = isinstance(pin, str) and PIN_FORMAT.fullmatch(pin) and check_password_hash(staff.pin_hash, pin)
    with database.atomic():
        if ok:
            _forget(counters)
            if device:
                _forget([(*_throttle(known_device_key(staff.id, device)), 0)])
            audit.record("sign_in", store=staff.store_id, staff=staff.id)
            return staff
        audit.record("wrong_pin", store=staff.store_id, staff=staff.id, locked=bool(delay), known_device=bool(known))
    if delay:
        raise KioskError("staff_locked", minutes=max(1, (delay + 59) // 60))
    raise KioskError("wrong_pin", remaining=min(free - failed for failed, free in counts))


def manager_for_pin(store, pin, *, by=None, max_attempts=5, lockout_seconds=30, max_delay_seconds=3600):
    """The active manager of ``store`` with this PIN.

    Wrong manager PINs are counted like sign-in PINs, each try before it is checked, per staff
    member asking (``by``): after ``max_attempts`` wrong ones that person's approvals wait,
    growing as for sign-in (``delay_after``), so nobody can try every PIN, and one cashier's
    wrong tries do not hold up anyone else's approvals. Raises KioskError("manager_pin_wrong")
    or KioskError("staff_locked").
    """
    asking = getattr(by, "id", by)
    counters = [(*_throttle(f"approval:{getattr(store, 'id', store)}:{asking or '-'}"), max_attempts)]
    _, delay = _claim_tries(counters, utcnow(), lockout_seconds, max_delay_seconds)
    if isinstance(pin, str) and PIN_FORMAT.fullmatch(pin):
        for manager in Staff.select().where(
            Staff.store == store, Staff.role == MANAGER, Staff.active == True  # noqa: E712
        ):
            if check_password_hash(manager.pin_hash, pin):
                with database.atomic():
                    _forget(counters)
                    audit.record("manager_pin_ok", store=store, staff=manager.id)
                return manager
    audit.record("manager_pin_wrong", store=store, staff=asking, locked=bool(delay))
    raise KioskError("manager_pin_wrong")
