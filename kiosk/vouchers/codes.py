"""A voucher's QR payload: ``JQ:<store code>:<serial, 10 digits>:<signature>``.

Signed like a card (kiosk.cards.service) with the installation's card-signing key, but over a
message that names it a voucher, so no card's signature is a voucher's and the other way round.
ASCII upper case, for QR alphanumeric mode and a scanner typing with Caps Lock on.
"""
import base64
import hashlib
import hmac
import re

from kiosk.cards.service import MAX_SCAN_LENGTH, SCAN_CHARS, is_card_payload, normalize_scan, signed_number
from kiosk.errors import KioskError

PREFIX = "JQ"
SERIAL = re.compile(r"[0-9]{10}")


def _signature(key, store_code, serial_text):
    message = f"voucher:{store_code.upper()}:{serial_text}".encode("ascii")
    return base64.b32encode(hmac.new(key, message, hashlib.sha256).digest()).decode("ascii")[:16]


def serial_text(serial):
    """A voucher's number as printed: ten digits."""
    return f"{serial:010d}"


def voucher_payload(store_code, serial, key):
    """The text a voucher's QR code holds."""
    text = serial_text(serial)
    return f"{PREFIX}:{store_code.upper()}:{text}:{_signature(key, store_code, text)}"


def is_voucher_payload(text):
    return normalize_scan(text).startswith(PREFIX + ":")


def parse_voucher_payload(text, store_code, key, *, allow_number=True):
    """The serial (an int) a scan names: a voucher QR payload of this store, or (with
    ``allow_number``) the ten digits typed from the slip.

    Raises KioskError: "card_not_voucher" (a resident's card), "invalid_voucher_scan" (not a
    voucher at all), "foreign_voucher" (another store's), "forged_voucher" (bad signature).
    """
    scan = normalize_scan(text)
    if not scan or len(scan) > MAX_SCAN_LENGTH or not SCAN_CHARS.fullmatch(scan):
        raise KioskError("invalid_voucher_scan")
    if is_card_payload(scan):
        raise KioskError("card_not_voucher")
    if allow_number and SERIAL.fullmatch(scan):
        return int(scan)
    return int(signed_number(scan, PREFIX, SERIAL, store_code, lambda number: _signature(key, store_code, number),
                             refusals=("invalid_voucher_scan", "foreign_voucher", "forged_voucher")))
