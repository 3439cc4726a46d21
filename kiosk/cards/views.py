"""The resident's own passbook (爱心储蓄本) on the idle kiosk: scan your card, see your points.

No staff sign-in: a card's signed QR code is the key, nothing can be changed here, names are
masked, and the screen goes back to idle by itself. A typed card number is not accepted here
(it is not a secret); only a cashier may look a card up by number.
"""
from flask import Blueprint, current_app, request

from kiosk.cards.service import find_card
from kiosk.checkout.models import REFUND_PREFIX, SALE_PREFIX, receipt_number
from kiosk.errors import KioskError
from kiosk.ledger import service as ledger
from kiosk.messages import message
from kiosk.privacy import mask_name
from kiosk.staff.auth import current_store
from kiosk.web import render

bp = Blueprint("passbook", __name__, url_prefix="/passbook")
ENTRIES_SHOWN = 8


def _what(entry, store):
    """What an entry was for, in a resident's words: its note, or the receipt it belongs to."""
    kind, _, number = entry.reference.partition(":")
    if kind in ("sale", "refund") and number.isdigit():
        prefix = SALE_PREFIX if kind == "sale" else REFUND_PREFIX
        return receipt_number(store.code, prefix, int(number))
    return entry.note


@bp.get("/")
def page():
    return render("passbook/page.html", "passbook/_passbook.html", card=None, text=None, level=None)


@bp.post("/scan")
def scan():
    store = current_store()
    try:
        card = find_card(store, request.form.get("code", "")[:200], current_app.config["CARD_SIGNING_KEY"],
                         allow_number=False)
    except KioskError as exc:
        return render("passbook/page.html", "passbook/_passbook.html", card=None, level="error", text=message(exc)), 422
    account = card.account
    entries = [(entry, _what(entry, store)) for entry in ledger.history(account.id, limit=ENTRIES_SHOWN)]
    return render(
        "passbook/page.html", "passbook/_passbook.html", card=card, holder=mask_name(card.holder_name),
        account=account, entries=entries, text=None, level=None,
        idle_seconds=current_app.config["PASSBOOK_SECONDS"],
    )
