"""The captions of receipts and statements in the store's language; the features that print
(checkout, statements) put them on the documents they hand the print queue."""
from flask import current_app
from flask_babel import force_locale, gettext

from devices import ReceiptLabels, StatementLabels


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


def statement_labels():
    """Statement captions in the store's language."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return StatementLabels(
            title=gettext("Points statement"), holder=gettext("Card holder"), household=gettext("Household"),
            period=gettext("Period"), opening=gettext("Opening balance"), closing=gettext("Closing balance"),
            earned=gettext("Earned in the period"), spent=gettext("Spent in the period"),
            none=gettext("No entries in this period."), unit=gettext("pts"), expired=gettext("Expired in the period"),
        )
