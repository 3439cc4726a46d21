"""Glue between a committed sale and the print queue, in the kiosk's language and time zone."""
import dataclasses

from flask import current_app
from flask_babel import force_locale, gettext

from devices import ReceiptLabels, StatementLabels
from kiosk.expiry.display import receipt_extras
from kiosk.printing import service
from kiosk.printing.models import PrintJob
from kiosk.printing.setup import kick
from kiosk.staff.auth import current_staff


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


def _queue_and_send(receipt, **where):
    store = where.pop("store")
    job = service.enqueue(receipt, store=store, staff=current_staff(), **where)
    kick(store)
    return PrintJob.get_by_id(job.id)


def print_sale(sale):
    """Queue the receipt of a committed sale and have it sent; returns the job (pending until
    the worker has sent it)."""
    receipt = service.receipt_for_sale(sale, tz_name=current_app.config["BABEL_DEFAULT_TIMEZONE"], labels=labels())
    receipt = dataclasses.replace(receipt, **receipt_extras(sale.store, sale.account_id, sale.balance_after))
    return _queue_and_send(receipt, store=sale.store_id, sale=sale)


def print_refund(refund):
    receipt = service.receipt_for_refund(refund, tz_name=current_app.config["BABEL_DEFAULT_TIMEZONE"], labels=labels())
    receipt = dataclasses.replace(receipt, **receipt_extras(refund.store, refund.sale.account_id, refund.balance_after))
    return _queue_and_send(receipt, store=refund.store_id, sale=refund.sale_id, refund=refund)


def statement_labels():
    """Statement captions in the store's language."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return StatementLabels(
            title=gettext("Points statement"), holder=gettext("Card holder"), household=gettext("Household"),
            period=gettext("Period"), opening=gettext("Opening balance"), closing=gettext("Closing balance"),
            earned=gettext("Earned in the period"), spent=gettext("Spent in the period"),
            none=gettext("No entries in this period."), unit=gettext("pts"), expired=gettext("Expired in the period"),
        )
