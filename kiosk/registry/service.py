"""The registry (办卡): households and residents, found by name, initials, phone, address or card.

Plain functions owning their transactions; they never import Flask.
"""
import re

from peewee import JOIN
from pypinyin import Style, lazy_pinyin

from kiosk import audit
from kiosk.cards.models import Card
from kiosk.db import database, utcnow
from kiosk.errors import KioskError
from kiosk.ledger.models import Account
from kiosk.registry.models import Household, Pairing, Resident

PHONE = re.compile(r"1[0-9]{10}|0[0-9]{9,11}")
ID_NUMBER = re.compile(r"[0-9]{17}[0-9X]|[0-9]{15}")


def initials(name):
    """Pinyin initials in upper case: 张建华 → ZJH; letters and digits pass through."""
    letters = lazy_pinyin(name or "", style=Style.FIRST_LETTER, errors=lambda chars: list(chars))
    return "".join(ch for ch in "".join(letters).upper() if ch.isascii() and ch.isalnum())


def clean_phone(phone):
    """A phone number as digits, or "" for none; raises KioskError("bad_phone")."""
    digits = re.sub(r"[\s\-]", "", phone or "")
    if digits and not PHONE.fullmatch(digits):
        raise KioskError("bad_phone")
    return digits


def id_tail(id_number):
    """The last four characters of a Chinese ID number; the rest is never stored.

    Raises KioskError("bad_id_number").
    """
    text = (id_number or "").strip().upper()
    if not text:
        return ""
    if not ID_NUMBER.fullmatch(text):
        raise KioskError("bad_id_number")
    return text[-4:]


def _text(value, field, max_length):
    text = (value or "").strip()
    if not text:
        raise KioskError("missing_field", field=field)
    if len(text) > max_length:
        raise KioskError("too_long", field=field, max=max_length)
    return text


def register_household(store, *, building, room, unit="", community="", members=1, phone="", staff=None):
    """A new household with its points account (in household mode).

    Raises KioskError: "missing_field", "too_long", "bad_members", "bad_phone", "duplicate_household".
    """
    fields = _household_fields(building=building, room=room, unit=unit, community=community, members=members, phone=phone)
    with database.atomic():
        if Household.select().where(
            Household.store == store, Household.community == fields["community"], Household.building == fields["building"],
            Household.unit == fields["unit"], Household.room == fields["room"],
        ).exists():
            raise KioskError("duplicate_household")
        household = Household.create(store=store, **fields)
        if store.account_mode == "household":
            Account.create(store=store, household=household)
        audit.record("register_household", store=store, staff=staff, household=household.id)
    return household


def _household_fields(*, building, room, unit, community, members, phone):
    try:
        members = int(str(members).strip() or 1)
    except ValueError:
        raise KioskError("bad_members") from None
    if not 1 <= members <= 50:
        raise KioskError("bad_members")
    return {
        "building": _text(building, "building", 20), "room": _text(room, "room", 20),
        "unit": (unit or "").strip()[:20], "community": (community or "").strip()[:50],
        "members": members, "phone": clean_phone(phone),
    }


def update_household(household, *, staff=None, **changes):
    """Change a household's address, size or phone; raises as register_household does."""
    fields = _household_fields(**changes)
    with database.atomic():
        clash = Household.select().where(
            Household.store == household.store, Household.community == fields["community"],
            Household.building == fields["building"], Household.unit == fields["unit"],
            Household.room == fields["room"], Household.id != household.id,
        ).exists()
        if clash:
            raise KioskError("duplicate_household")
        Household.update(**fields).where(Household.id == household.id).execute()
        audit.record("update_household", store=household.store_id, staff=staff, household=household.id)
    return Household.get_by_id(household.id)


def register_resident(store, household, *, name, phone="", id_number="", staff=None):
    """A new resident of ``household`` (and a personal account in person mode).

    Raises KioskError: "missing_field", "too_long", "bad_phone", "bad_id_number", "duplicate_phone".
    """
    fields = _resident_fields(name=name, phone=phone, id_number=id_number)
    with database.atomic():
        if fields["phone"] and Resident.select().where(Resident.store == store, Resident.phone == fields["phone"]).exists():
            raise KioskError("duplicate_phone", phone=fields["phone"][-4:])
        resident = Resident.create(store=store, household=household, **fields)
        if store.account_mode == "person":
            Account.create(store=store, household=household, resident=resident, holder_name=resident.name)
        else:
            Account.update(holder_name=resident.name).where(
                Account.household == household, Account.resident.is_null(), Account.holder_name == ""
            ).execute()
        audit.record("register_resident", store=store, staff=staff, resident=resident.id)
    return resident


def _resident_fields(*, name, phone, id_number):
    name = _text(name, "name", 50)
    phone = clean_phone(phone)
    return {"name": name, "initials": initials(name), "phone": phone or None, "id_tail": id_tail(id_number)}


def update_resident(resident, *, name, phone="", id_number=None, staff=None):
    """Change a resident's name or phone (and ID tail when ``id_number`` is given)."""
    fields = _resident_fields(name=name, phone=phone, id_number=id_number or "")
    if id_number is None:
        fields.pop("id_tail")
    with database.atomic():
        if fields["phone"] and Resident.select().where(
            Resident.store == resident.store, Resident.phone == fields["phone"], Resident.id != resident.id
        ).exists():
            raise KioskError("duplicate_phone", phone=fields["phone"][-4:])
        Resident.update(**fields).where(Resident.id == resident.id).execute()
        Card.update(holder_name=fields["name"]).where(Card.resident == resident).execute()
        audit.record("update_resident", store=resident.store_id, staff=staff, resident=resident.id)
    return Resident.get_by_id(resident.id)


def account_of(resident):
    """The account a resident's cards draw on: their own in person mode, else the household's.

    Raises KioskError("unknown_account").
    """
    own = Account.get_or_none(Account.resident == resident)
    if own is not None:
        return own
    shared = (
        Account.select()
        .where(Account.household == resident.household_id, Account.resident.is_null())
        .order_by(Account.id)
        .first()
    )
    if shared is None:
        raise KioskError("unknown_account")
    return shared


def search(store, text, limit=30):
    """Residents matching ``text``: part of a name, pinyin initials (ZJH), a phone's last
    digits, an address (3-2-301, 3栋2单元301) or a card number. Never raises."""
    text = (text or "").strip()[:50]
    if not text:
        return []
    query = (
        Resident.select(Resident, Household)
        .join(Household)
        .where(Resident.store == store)
        .order_by(Household.building, Household.unit, Household.room, Resident.id)
        .limit(limit)
    )
    upper = text.upper()
    digits = re.sub(r"[^0-9]", "", text)
    conditions = Resident.name.contains(text)
    if upper.isascii() and upper.isalpha():
        conditions |= Resident.initials.startswith(upper)
    if digits and len(digits) >= 3 and digits == text:
        conditions |= Resident.phone.endswith(digits)
        card_holders = Card.select(Card.resident).where(Card.store == store, Card.number == digits)
        conditions |= Resident.id.in_(card_holders)
    address = re.findall(r"[0-9A-Za-z]+", text)
    if len(address) >= 2 and not text.isdigit():
        building, room = address[0], address[-1]
        condition = (Household.building == building) & (Household.room == room)
        if len(address) >= 3:
            condition &= Household.unit == address[1]
        conditions |= condition
    return list(query.where(conditions))


def household_summary(household):
    """(residents, accounts with balances, cards) of a household, for its registry page."""
    residents = list(Resident.select().where(Resident.household == household).order_by(Resident.id))
    accounts = list(Account.select().where(Account.household == household).order_by(Account.id))
    cards = list(
        Card.select(Card, Resident)
        .join(Resident, JOIN.LEFT_OUTER)
        .where(Card.account.in_([a.id for a in accounts] or [0]))
        .order_by(Card.id)
    )
    return residents, accounts, cards


def pair(store, household, member_id, *, staff=None):
    """Pair a party member with ``household`` (党员联系户), ending its current pairing if any;
    returns the Pairing. Raises KioskError("unknown_resident", "pair_own_household")."""
    with database.atomic():
        member = Resident.get_or_none(Resident.id == member_id, Resident.store == store,
                                      Resident.active == True)  # noqa: E712
        if member is None:
            raise KioskError("unknown_resident")
        if member.household_id == household.id:
            raise KioskError("pair_own_household")
        current = current_pairing(household)
        if current is not None and current.member_id == member.id:
            return current
        _end_pairing(household)
        pairing = Pairing.create(store=store, member=member, household=household)
        audit.record("household_paired", store=store, staff=staff, household=household.id, member=member.id)
    return pairing


def unpair(store, household, *, staff=None):
    """End the household's current pairing; returns whether there was one."""
    with database.atomic():
        ended = _end_pairing(household)
        if ended:
            audit.record("household_unpaired", store=store, staff=staff, household=household.id)
    return bool(ended)


def _end_pairing(household):
    return (Pairing.update(ended_at=utcnow())
            .where(Pairing.household == household.id, Pairing.ended_at.is_null())
            .execute())


def current_pairing(household):
    """The household's current pairing with a party member, or None."""
    return Pairing.select().where(Pairing.household == household.id, Pairing.ended_at.is_null()).first()


def paired_households(member):
    """The households a party member is currently paired with."""
    return [p.household for p in Pairing.select().where(Pairing.member == member.id, Pairing.ended_at.is_null())]
