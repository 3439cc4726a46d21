"""The store's partners (合作商家): who honours its vouchers, kept by the store manager.

A partner signs in on the partner screen (/partner/) with a PIN the manager gives them. The PIN
is hashed and checked as staff PINs are (``kiosk.staff.service.hash_pin``, ``check_new_pin``),
and wrong PINs are counted by the staff lock-out itself (``kiosk.staff.service.claim_pin_try``):
the partner's own counter ``partner:<id>`` and the network address's ``address:<ip>`` that staff
sign-ins share, so guessing at /partner/ and at the staff sign-in adds up. A new PIN, signing
out and deactivation raise the partner's session version: an older session cookie stops working.
Every change is an audit event (staff: the manager; detail: the partner's id and name).

Refusals (KioskError codes): unknown_partner, partner_name_taken, missing_field, too_long,
partner_inactive, partner_no_pin, bad_pin_format, weak_pin, pins_differ, wrong_pin, staff_locked.
"""
from kiosk import audit
from kiosk.db import database
from kiosk.errors import KioskError
from kiosk.staff.service import check_new_pin, forget_pin_tries, hash_pin, pin_tries_locked, throttled_pin_check
from kiosk.vouchers.models import Partner

LENGTHS = {"partner_name": 50, "partner_contact": 100, "partner_honours": 200}


def throttle_key(partner_id):
    """The pin_throttle key counting a partner's wrong PINs."""
    return f"partner:{partner_id}"


def _clean(value, field, required=False):
    value = " ".join((value or "").split())
    if required and not value:
        raise KioskError("missing_field", field=field)
    if len(value) > LENGTHS[field]:
        raise KioskError("too_long", field=field, max=LENGTHS[field])
    return value


def _store_id(store):
    return getattr(store, "id", store)


def partners_of(store, *, active_only=False):
    """The store's partners by name (deactivated ones after the active ones)."""
    query = Partner.select().where(Partner.store == _store_id(store))
    if active_only:
        query = query.where(Partner.active == True)  # noqa: E712
    return list(query.order_by(Partner.active.desc(), Partner.name))


def can_sign_in(store):
    """The partners shown on the partner sign-in screen: active and given a PIN."""
    return [p for p in partners_of(store, active_only=True) if p.pin_hash]


def get_partner(store, partner_id):
    """The store's partner ``partner_id`` (active or not). Raises KioskError("unknown_partner")."""
    partner = Partner.get_or_none(Partner.id == partner_id, Partner.store == _store_id(store)) \
        if isinstance(partner_id, int) else None
    if partner is None:
        raise KioskError("unknown_partner")
    return partner


def find_partner(store, name):
    """The store's active partner called ``name`` (as typed on a phone). Raises unknown_partner."""
    name = " ".join((name or "").split())
    partner = Partner.get_or_none(Partner.store == _store_id(store), Partner.name == name,
                                  Partner.active == True) if name else None  # noqa: E712
    if partner is None:
        raise KioskError("unknown_partner")
    return partner


def _name_free(store, name, partner_id=None):
    query = Partner.select().where(Partner.store == _store_id(store), Partner.name == name)
    if partner_id is not None:
        query = query.where(Partner.id != partner_id)
    if query.exists():
        raise KioskError("partner_name_taken", name=name)


def add_partner(store, name, contact="", honours="", *, by):
    """A new partner (without a PIN yet). Raises missing_field, too_long, partner_name_taken."""
    name = _clean(name, "partner_name", required=True)
    contact = _clean(contact, "partner_contact")
    honours = _clean(honours, "partner_honours")
    with database.atomic():
        _name_free(store, name)
        partner = Partner.create(store=_store_id(store), name=name, contact=contact, honours=honours)
        audit.record("partner_added", store=_store_id(store), staff=getattr(by, "id", by), partner=partner.id,
                     name=name, contact=contact, honours=honours)
    return partner


def edit_partner(store, partner_id, name, contact="", honours="", *, by):
    """Change a partner's name, contact and what they honour. Raises unknown_partner,
    missing_field, too_long, partner_name_taken."""
    name = _clean(name, "partner_name", required=True)
    contact = _clean(contact, "partner_contact")
    honours = _clean(honours, "partner_honours")
    with database.atomic():
        partner = get_partner(store, partner_id)
        _name_free(store, name, partner.id)
        before = {"name": partner.name, "contact": partner.contact, "honours": partner.honours}
        Partner.update(name=name, contact=contact, honours=honours).where(Partner.id == partner.id).execute()
        audit.record("partner_changed", store=_store_id(store), staff=getattr(by, "id", by), partner=partner.id,
                     before=before, name=name, contact=contact, honours=honours)
    return Partner.get_by_id(partner.id)


def set_partner_pin(store, partner_id, pin, repeated=None, *, by):
    """Give (or reset) a partner's PIN: ends their sessions and lifts their lock-out. Raises
    unknown_partner, partner_inactive and the refusals of check_new_pin."""
    partner = get_partner(store, partner_id)
    if not partner.active:
        raise KioskError("partner_inactive", name=partner.name)
    check_new_pin(pin, repeated)
    pin_hash = hash_pin(pin)
    with database.atomic():
        Partner.update(pin_hash=pin_hash, session_version=Partner.session_version + 1).where(
            Partner.id == partner.id).execute()
        forget_pin_tries([throttle_key(partner.id)])
        audit.record("partner_pin_set", store=_store_id(store), staff=getattr(by, "id", by), partner=partner.id,
                     name=partner.name)
    return Partner.get_by_id(partner.id)


def deactivate_partner(store, partner_id, *, by):
    """The partner can no longer sign in; their open sessions end. Their vouchers stay theirs."""
    with database.atomic():
        partner = get_partner(store, partner_id)
        Partner.update(active=False, session_version=Partner.session_version + 1).where(
            Partner.id == partner.id).execute()
        audit.record("partner_deactivated", store=_store_id(store), staff=getattr(by, "id", by), partner=partner.id,
                     name=partner.name)
    return Partner.get_by_id(partner.id)


def reactivate_partner(store, partner_id, *, by):
    with database.atomic():
        partner = get_partner(store, partner_id)
        Partner.update(active=True).where(Partner.id == partner.id).execute()
        audit.record("partner_reactivated", store=_store_id(store), staff=getattr(by, "id", by), partner=partner.id,
                     name=partner.name)
    return Partner.get_by_id(partner.id)


def is_locked(partner):
    """Whether the partner's wrong PINs make their next try wait now."""
    return pin_tries_locked(throttle_key(partner.id))


def end_sessions(partner_id):
    """Every session the partner signed in with stops working (one UPDATE, no read first)."""
    Partner.update(session_version=Partner.session_version + 1).where(Partner.id == partner_id).execute()


def authenticate(store, partner_id, pin, *, address=None, max_attempts=5, lockout_seconds=30,
                 max_delay_seconds=3600):
    """The store's active partner whose PIN this is, counted against the staff lock-out's rules
    (kiosk.staff.service.authenticate): the partner's own counter and the network address's,
    each counted before the PIN is checked, so guesses sent at once are held to the same number.
    Raises KioskError: unknown_partner, staff_locked (``minutes``), wrong_pin (``remaining``)."""
    partner = Partner.get_or_none(Partner.id == partner_id, Partner.store == _store_id(store),
                                  Partner.active == True) if isinstance(partner_id, int) else None  # noqa: E712
    if partner is None or not partner.pin_hash:
        raise KioskError("unknown_partner")
    throttled_pin_check(
        throttle_key(partner.id), partner.pin_hash, pin, address=address, max_attempts=max_attempts,
        lockout_seconds=lockout_seconds, max_delay_seconds=max_delay_seconds,
        on_right=lambda: audit.record("partner_sign_in", store=partner.store_id, partner=partner.id, name=partner.name),
        on_wrong=lambda locked: audit.record("partner_wrong_pin", store=partner.store_id, partner=partner.id,
                                             name=partner.name, locked=locked))
    return partner
