"""Voucher QR payloads: signed like cards but never mistaken for one."""
import pytest

from kiosk.cards.service import card_payload, parse_card_payload
from kiosk.errors import KioskError
from kiosk.vouchers.codes import parse_voucher_payload, serial_text, voucher_payload

KEY = b"k" * 32


def code_of(call):
    with pytest.raises(KioskError) as caught:
        call()
    return caught.value.code


def test_a_voucher_payload_names_its_serial():
    payload = voucher_payload("ds01", 123, KEY)
    assert payload.startswith("JQ:DS01:0000000123:")
    assert parse_voucher_payload(payload, "DS01", KEY) == 123
    assert parse_voucher_payload(payload.lower(), "ds01", KEY) == 123  # Caps Lock either way


def test_the_ten_digits_typed_from_the_slip_name_it_too():
    assert parse_voucher_payload(serial_text(42), "DS01", KEY) == 42
    assert code_of(lambda: parse_voucher_payload("0000000042", "DS01", KEY, allow_number=False)) == "invalid_voucher_scan"


def test_altered_foreign_or_garbage_payloads_are_refused():
    payload = voucher_payload("DS01", 7, KEY)
    altered = payload.replace(":0000000007:", ":0000000008:")
    assert code_of(lambda: parse_voucher_payload(altered, "DS01", KEY)) == "forged_voucher"
    assert code_of(lambda: parse_voucher_payload(payload, "DS01", b"x" * 32)) == "forged_voucher"
    assert code_of(lambda: parse_voucher_payload(voucher_payload("DS02", 7, KEY), "DS01", KEY)) == "foreign_voucher"
    for garbage in ("", "   ", "hello", "JQ:DS01:7:ABC", "JQ:DS01:0000000007", "价格" * 3, "x" * 500):
        assert code_of(lambda: parse_voucher_payload(garbage, "DS01", KEY)) == "invalid_voucher_scan"


def test_a_card_is_not_a_voucher_and_a_voucher_is_not_a_card():
    card = card_payload("DS01", "00000007", KEY)
    assert code_of(lambda: parse_voucher_payload(card, "DS01", KEY)) == "card_not_voucher"
    # A card's signature over the same digits does not make a voucher, nor the other way round.
    forged = "JQ:DS01:0000000007:" + card.rsplit(":", 1)[1]
    assert code_of(lambda: parse_voucher_payload(forged, "DS01", KEY)) == "forged_voucher"
    voucher_sig = voucher_payload("DS01", 7, KEY).rsplit(":", 1)[1]
    assert code_of(lambda: parse_card_payload(f"JF:DS01:00000007:{voucher_sig}", "DS01", KEY)) == "forged_card"
