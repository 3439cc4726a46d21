"""Finding the voucher a scan names, for the screens that take a slip (the partner screen).

The partner screen calls :func:`find_voucher` with what its scanner typed (or the ten digits
typed from the slip) and then looks at the voucher's status and validity itself.
"""
from kiosk.errors import KioskError
from kiosk.vouchers.codes import parse_voucher_payload
from kiosk.vouchers.models import Voucher


def find_voucher(store, scan_text, key, *, allow_number=True):
    """The Voucher of ``store`` that a scan (its QR payload) or typed number names, whatever
    its status (the caller says 已使用, 已过期, 已作废 as it finds it). ``key`` is the
    installation's card-signing key (app.config["CARD_SIGNING_KEY"]).

    Raises KioskError: "invalid_voucher_scan" (not a voucher), "card_not_voucher" (a resident's
    card), "foreign_voucher" (another store's), "forged_voucher" (bad signature),
    "unknown_voucher" (a well-formed number this store never issued).
    """
    serial = parse_voucher_payload(scan_text, store.code, key, allow_number=allow_number)
    voucher = Voucher.get_or_none(Voucher.store == store, Voucher.serial == serial)
    if voucher is None:
        raise KioskError("unknown_voucher")
    return voucher
