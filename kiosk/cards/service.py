"""Card payloads and finding the card behind a scan.

A card's QR payload is ``JF:<store code>:<card number>:<signature>``, ASCII upper case, so it
encodes in QR alphanumeric mode and survives a scanner typing with Caps Lock. The signature
is an HMAC of the store code and number with the installation's card-signing key: a guessed,
altered or foreign card is refused.
"""
import base64
import hashlib
import hmac
import re
import secrets

import peewee

from kiosk import audit
from kiosk.cards.models import ACTIVE, LOST, REVOKED, Card
from kiosk.db import database, utcnow
from kiosk.errors import KioskError

PREFIX = "JF"
MAX_SCAN_LENGTH = 128
SCAN_CHARS = re.compile(r"[0-9A-Z:\-]+")
CARD_NUMBER = re.compile(r"[0-9]{8}")
# A service voucher's QR payload starts so (kiosk.vouchers.codes.PREFIX): a slip scanned where a
# card is expected is named for what it is.
VOUCHER_PREFIX = "JQ"


def _signature(key, store_code, number):
    digest = hmac.new(key, f"{store_code}:{number}".encode("ascii"), hashlib.sha256).digest()
    return base64.b32encode(digest).decode("ascii")[:16]


def card_payload(store_code, number, key):
    """The text a card's QR code holds."""
    return f"{PREFIX}:{store_code}:{number}:{_signature(key, store_code, number)}"


def normalize_scan(text):
    """What a scanner typed, without surrounding space or control characters, upper case."""
    text = "".join(ch for ch in (text or "") if ch.isprintable()).strip()
    return text.upper()


def parse_card_payload(text, store_code, key):
    """The card number a payload names; raises KioskError for anything but a valid card of ours.

    Codes: "invalid_scan" (not a card at all), "forged_card" (bad signature),
    "foreign_card" (signed for another store).
    """
    return signed_number(normalize_scan(text), PREFIX, CARD_NUMBER, store_code,
                         lambda number: _signature(key, store_code, number),
                         refusals=("invalid_scan", "foreign_card", "forged_card"))


def signed_number(scan, prefix, number_pattern, store_code, signature, *, refusals):
    """The number in a signed payload ``<prefix>:<store code>:<number>:<signature>`` (a card's or
    a voucher's); ``signature(number)`` is the right signature. Raises KioskError with
    ``refusals`` = (malformed, another store's, bad signature) codes."""
    malformed, foreign, forged = refusals
    parts = scan.split(":")
    if len(parts) != 4 or parts[0] != prefix or not number_pattern.fullmatch(parts[2]):
        raise KioskError(malformed)
    _, code, number, given = parts
    if code != store_code.upper():
        raise KioskError(foreign)
    if not hmac.compare_digest(given, signature(number)):
        raise KioskError(forged)
    return number


def is_card_payload(text):
    return normalize_scan(text).startswith(PREFIX + ":")


def find_card(store, text, key, *, allow_number=True):
    """The active card a scan (or a typed card number) names.

    Raises KioskError: "invalid_scan", "forged_card", "foreign_card", "unknown_card",
    "card_lost", "card_revoked", "voucher_not_card" (a service voucher's slip).
    """
    scan = normalize_scan(text)
    if not scan or len(scan) > MAX_SCAN_LENGTH or not SCAN_CHARS.fullmatch(scan):
        raise KioskError("invalid_scan")
    if scan.startswith(VOUCHER_PREFIX + ":"):
        raise KioskError("voucher_not_card")
    if is_card_payload(scan):
        number = parse_card_payload(scan, store.code, key)
    elif allow_number and CARD_NUMBER.fullmatch(scan):
        number = scan
    else:
        raise KioskError("invalid_scan")
    card = Card.get_or_none(Card.store == store, Card.number == number)
    if card is None:
        raise KioskError("unknown_card", number=number)
    check_active(card)
    return card


def find_card_at_desk(store, text, key, *, staff):
    """``find_card`` for the staff screens (cashier, recording services). Card numbers are
    printed on the card (and older ones run in sequence), so a typed number is taken only when
    the store allows
    it (Store.typed_card_numbers, off by default), and each use is an audit event
    ("card_number_typed"). Raises KioskError as find_card does, and ("typed_card_numbers_off")."""
    scan = normalize_scan(text)
    typed = bool(CARD_NUMBER.fullmatch(scan))
    if typed and not store.typed_card_numbers:
        raise KioskError("typed_card_numbers_off")
    card = find_card(store, scan, key, allow_number=store.typed_card_numbers)
    if typed:
        with database.atomic():
            audit.record("card_number_typed", store=store, staff=staff, card=card.number, account=card.account_id)
    return card


def check_active(card):
    """Raises KioskError("card_lost" or "card_revoked") unless the card may be used."""
    if card.status == LOST:
        raise KioskError("card_lost", number=card.number)
    if card.status != ACTIVE:
        raise KioskError("card_revoked", number=card.number)


def _next_number(store):
    """A random unused-looking 8-digit number: a neighbour's card number tells nothing about
    another's (the caller retries when it is taken)."""
    return str(secrets.randbelow(90_000_000) + 10_000_000)


def issue_card(store, resident, account, *, staff=None, replaces=None):
    """A new active card for ``resident`` drawing on ``account``; returns it.

    Numbers are random 8-digit numbers; one already taken (by another desk at the same moment,
    or long ago) is drawn again.
    """
    for _ in range(5):
        try:
            with database.atomic():
                card = Card.create(
                    store=store, number=_next_number(store), account=account, holder_name=resident.name,
                    resident=resident, replaces=replaces,
                )
                audit.record("issue_card", store=store, staff=staff, card=card.number,
                             replaces=replaces.number if replaces else None)
                return card
        except peewee.IntegrityError:
            if replaces is not None and Card.select().where(Card.replaces == replaces).exists():
                raise KioskError("card_already_reissued", number=replaces.number) from None
            continue  # another desk took that number: take the next one
    raise RuntimeError("could not allocate a card number")


def report_lost(card, *, staff=None):
    """Report a card lost (挂失): it stays on record and every scan of it is refused.

    Raises KioskError("card_lost") when it already is, ("card_revoked") for a revoked card.
    """
    with database.atomic():
        changed = (
            Card.update(status=LOST, revoked_at=utcnow())
            .where(Card.id == card.id, Card.status == ACTIVE)
            .execute()
        )
        if not changed:
            check_active(Card.get_by_id(card.id))
        audit.record("report_lost", store=card.store_id, staff=staff, card=card.number)
    return Card.get_by_id(card.id)


def reissue(card, *, staff=None):
    """Issue a new card (补卡) in place of a lost one, on the same account: the balance is intact.

    Raises KioskError: "card_still_active" (report it lost first), "card_revoked",
    "card_already_reissued" (it has a replacement already).
    """
    card = Card.get_by_id(card.id)
    if card.status == ACTIVE:
        raise KioskError("card_still_active", number=card.number)
    if card.status == REVOKED:
        raise KioskError("card_revoked", number=card.number)
    if Card.select().where(Card.replaces == card).exists():
        raise KioskError("card_already_reissued", number=card.number)
    if card.resident is None:
        raise KioskError("unknown_card", number=card.number)
    return issue_card(card.store, card.resident, card.account, staff=staff, replaces=card)
