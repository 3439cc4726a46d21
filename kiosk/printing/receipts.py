"""Receipts and statements as the print queue gets them, in the kiosk's language and time zone."""
import dataclasses

from flask import current_app
from flask_babel import force_locale, gettext

from devices import ReceiptLabels, StatementLabels
from kiosk.expiry.display import receipt_extras
from kiosk.printing import service


def labels():
    """Receipt labels in the store's language (KIOSK_LOCALE, Chinese by default), whatever
    language the cashier chose for the screen: the receipt is the resident's."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return _labels()


def _labels():
    return ReceiptLabels(
        title_sale=gettext("Redemption receipt"), title_refund=gettext("Return receipt"),
        reprint=gettext("REPRINT"), receipt_no=gettext("Receipt no."), time=gettext("Time"),
        cashier=gettext("Cashier"), holder=gettext("Card holder"), household=gettext("Household"),
        item=gettext("Item"), quantity=gettext("Qty"), points=gettext("Points"),
        total_sale=gettext("Points spent"), total_refund=gettext("Points returned"),
        balance_before=gettext("Balance before"), balance_after=gettext("Balance now"),
        unit=gettext("pts"), original_receipt=gettext("Original receipt"),
        footer=gettext("Thank you for your service to the community"),
    )


def sale_receipt(sale):
    """The receipt of a sale, in the store's language and time zone; checkout calls it inside
    the sale's transaction, so the receipt is queued with the sale (kiosk.checkout.service)."""
    receipt = service.receipt_for_sale(sale, tz_name=current_app.config["BABEL_DEFAULT_TIMEZONE"], labels=labels())
    return dataclasses.replace(receipt, **receipt_extras(sale.store, sale.account_id, sale.balance_after))


def refund_receipt(refund):
    """The receipt of a return, like :func:`sale_receipt`."""
    receipt = service.receipt_for_refund(refund, tz_name=current_app.config["BABEL_DEFAULT_TIMEZONE"], labels=labels())
    return dataclasses.replace(receipt, **receipt_extras(refund.store, refund.sale.account_id, refund.balance_after))


def statement_labels():
    """Statement captions in the store's language."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return StatementLabels(
            title=gettext("Points statement"), holder=gettext("Card holder"), household=gettext("Household"),
            period=gettext("Period"), opening=gettext("Opening balance"), closing=gettext("Closing balance"),
            earned=gettext("Earned in the period"), spent=gettext("Spent in the period"),
            none=gettext("No entries in this period."), unit=gettext("pts"), expired=gettext("Expired in the period"),
        )
