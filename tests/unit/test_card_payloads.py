"""Card QR payloads: signed, ASCII upper case, refused when guessed, altered or foreign."""
import re

import pytest

from kiosk.cards.service import card_payload, find_card, parse_card_payload
from kiosk.errors import KioskError

KEY = bytes(range(32))


def test_a_payload_is_upper_case_ascii_for_qr_alphanumeric_mode():
    payload = card_payload("XY", "10000001", KEY)
    assert re.fullmatch(r"[0-9A-Z:]+", payload)
    assert parse_card_payload(payload, "XY", KEY) == "10000001"


def test_a_payload_read_with_caps_lock_or_padding_still_verifies():
    payload = card_payload("XY", "10000001", KEY)
    assert parse_card_payload(" " + payload.lower() + "\r\n", "XY", KEY) == "10000001"


@pytest.mark.parametrize("mutate, code", [
    (lambda p: p[:-1] + ("A" if p[-1] != "A" else "B"), "forged_card"),
    (lambda p: p.replace("10000001", "10000002"), "forged_card"),
    (lambda p: p.replace(":XY:", ":ZZ:"), "foreign_card"),
    (lambda p: p + ":EXTRA", "invalid_scan"),
    (lambda p: "QR:" + p, "invalid_scan"),
])
def test_an_altered_payload_is_refused(mutate, code):
    with pytest.raises(KioskError) as refused:
        parse_card_payload(mutate(card_payload("XY", "10000001", KEY)), "XY", KEY)
    assert refused.value.code == code


def test_another_installations_key_does_not_verify():
    payload = card_payload("XY", "10000001", bytes(32))
    with pytest.raises(KioskError, match="forged_card"):
        parse_card_payload(payload, "XY", KEY)


@pytest.mark.parametrize("scan", ["", "   ", "\x00\x1b[A", "你好", "A" * 5000, "12345", "JF:XY", "%%%"])
def test_garbage_from_the_scanner_is_an_invalid_scan(world, scan):
    with pytest.raises(KioskError, match="invalid_scan"):
        find_card(world.store, scan, world.card_key)


def test_find_card_by_payload_and_by_printed_number(world):
    card = world.cards["张建华"]
    assert find_card(world.store, world.payload("张建华"), world.card_key).id == card.id
    assert find_card(world.store, card.number, world.card_key).id == card.id
    with pytest.raises(KioskError, match="invalid_scan"):
        find_card(world.store, card.number, world.card_key, allow_number=False)
    with pytest.raises(KioskError, match="unknown_card"):
        find_card(world.store, "19999999", world.card_key)
