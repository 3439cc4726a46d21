"""A voucher's slip (devices.VoucherSlip), as checkout hands it to the print queue.

Plain values: the screens pass the captions in the store's language (:func:`labels`, the only
function here that needs Flask) and the installation's card-signing key, which signs the QR
payload (kiosk.vouchers.codes).
"""
from devices import VoucherLabels, VoucherSlip
from kiosk.ledger.models import Account
from kiosk.printing.service import local_time
from kiosk.privacy import mask_name
from kiosk.registry.models import Household
from kiosk.vouchers.codes import serial_text, voucher_payload
from kiosk.vouchers.models import Partner


def household_text(account):
    """The household as a slip shows it: the holder's masked name and the address (as on the
    receipt), e.g. 张*华 3栋2单元301."""
    if account is None:
        return ""
    household = Household.get_or_none(Household.id == account.household_id) if account.household_id else None
    return " ".join(part for part in (mask_name(account.holder_name), household.label if household else "") if part)


def valid_until_text(voucher, tz_name):
    """The last valid day, local (valid_until is the midnight after it)."""
    from datetime import timedelta

    return (local_time(voucher.valid_until, tz_name) - timedelta(seconds=1)).date().isoformat()


def slip_for(voucher, store, *, key, tz_name=None, labels=None):
    """The VoucherSlip of one issued voucher."""
    return maker(store, key=key, tz_name=tz_name, labels=labels)(voucher)


def maker(store, *, key, tz_name=None, labels=None):
    """``slip(voucher)`` for :func:`kiosk.vouchers.service.queue_slips`: one store's slips, the
    account and partner read once per sale rather than per voucher. (No receipt number on a
    slip: the receipt number on paper is the receipt's.)"""
    cache = {}

    def slip(voucher):
        account_id = voucher.account_id
        if ("account", account_id) not in cache:
            account = Account.get_or_none(Account.id == account_id) if account_id else None
            cache[("account", account_id)] = household_text(account)
        if ("partner", voucher.partner_id) not in cache:
            cache[("partner", voucher.partner_id)] = Partner.get_by_id(voucher.partner_id).name
        return VoucherSlip(
            store_name=store.name, serial=serial_text(voucher.serial), name=voucher.name, face=voucher.face,
            partner=cache[("partner", voucher.partner_id)],
            valid_until=valid_until_text(voucher, tz_name or store.timezone),
            payload=voucher_payload(store.code, voucher.serial, key), household=cache[("account", account_id)],
            labels=labels or VoucherLabels(),
        )

    return slip


def labels():
    """Slip captions in the store's language (KIOSK_LOCALE), as for receipts."""
    from flask import current_app
    from flask_babel import force_locale, gettext

    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return VoucherLabels(
            title=gettext("Service voucher"), reprint=gettext("REPRINT"), serial=gettext("Voucher no."),
            face=gettext("Worth"), partner=gettext("Honoured by"), valid_until=gettext("Valid until"),
            household=gettext("Household"), bearer=gettext("Bearer voucher: whoever holds it may use it"),
            note=gettext("Show this slip where it is honoured. Each voucher is used once."),
        )
