"""Finding the voucher a scan names, in the served store."""
from kiosk.errors import KioskError
from kiosk.vouchers.codes import parse_voucher_payload
from kiosk.vouchers.models import Voucher


def find_voucher(store, scan_text, key):
    """The Voucher of ``store`` that ``scan_text`` names: its QR payload, or the ten digits
    typed from the slip. Raises KioskError: invalid_voucher_scan, card_not_voucher,
    foreign_voucher, forged_voucher (from kiosk.vouchers.codes.parse_voucher_payload) and
    unknown_voucher (a well-formed number this store never issued)."""
    serial = parse_voucher_payload(scan_text, store.code, key)
    voucher = Voucher.get_or_none(Voucher.store == store.id, Voucher.serial == serial)
    if voucher is None:
        raise KioskError("unknown_voucher")
    return voucher
