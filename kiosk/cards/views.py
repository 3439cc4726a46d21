"""The resident's own passbook (爱心储蓄本) on the idle kiosk: scan your card, see your points.

No staff sign-in: a card's signed QR code is the key, nothing can be changed here, names are
masked, and the screen goes back to idle by itself. A typed card number is not accepted here
(it is not a secret); only a cashier may look a card up by number.
"""
from flask import Blueprint, current_app, request

from kiosk.cards.service import find_card
from kiosk.errors import KioskError
from kiosk.ledger import service as ledger
from kiosk.messages import message
from kiosk.privacy import mask_name
from kiosk.staff.auth import current_store
from kiosk.web import render

bp = Blueprint("passbook", __name__, url_prefix="/passbook")
ENTRIES_SHOWN = 8


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
    entries = [(entry, ledger.describe(entry, store.code)) for entry in ledger.history(account.id, limit=ENTRIES_SHOWN)]
    return render(
        "passbook/page.html", "passbook/_passbook.html", card=card, holder=mask_name(card.holder_name),
        account=account, entries=entries, text=None, level=None,
        idle_seconds=current_app.config["PASSBOOK_SECONDS"],
    )
