"""The resident's own passbook (爱心储蓄本) on the idle kiosk: scan your card, see your points.

No staff sign-in: a card's signed QR code is the key, nothing can be changed here, names are
masked, and the screen goes back to idle by itself. A typed card number is not accepted here
(it is not a secret); only a cashier may look a card up by number.
"""
from flask import Blueprint, current_app, request
from flask_babel import gettext
from itsdangerous import BadSignature, URLSafeTimedSerializer

from kiosk.cards.service import find_card
from kiosk.checkout.service import document_names
from kiosk.earning import service as earning
from kiosk.errors import KioskError
from kiosk.ledger import service as ledger
from kiosk.ledger.models import Account
from kiosk.messages import message
from kiosk.privacy import mask_name
from kiosk.staff.auth import current_store
from kiosk.web import local_today, render

bp = Blueprint("passbook", __name__, url_prefix="/passbook")
ENTRIES_SHOWN = 8
OBJECTION_SALT = "passbook-objection"


def _signer():
    return URLSafeTimedSerializer(current_app.secret_key, salt=OBJECTION_SALT)


def _idle(level=None, text=None, status=200):
    return render("passbook/page.html", "passbook/_passbook.html", card=None, text=text, level=level), status


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
        return _idle("error", message(exc), 422)
    earning.settle_due(store, local_today(), account_id=card.account_id)
    account = Account.get_by_id(card.account_id)  # after any deduction that just took effect
    history = list(ledger.history(account.id, limit=ENTRIES_SHOWN))
    names = document_names(history)
    entries = [(entry, ledger.describe(entry, names=names)) for entry in history]
    # Deductions not in effect yet, each with a short-lived signed ticket to object with: the
    # screen has no sign-in, so the ticket is what proves the card was scanned here just now.
    deductions = [(record, _signer().dumps([record.id, account.id])) for record in earning.deductions_for(account.id)]
    return render(
        "passbook/page.html", "passbook/_passbook.html", card=card, holder=mask_name(card.holder_name),
        account=account, entries=entries, deductions=deductions, text=None, level=None,
        idle_seconds=current_app.config["PASSBOOK_SECONDS"],
    )


@bp.post("/objection")
def objection():
    """The resident objects to a deduction from their passbook screen."""
    try:
        record_id, account_id = _signer().loads(request.form.get("ticket", "")[:500],
                                                max_age=current_app.config["PASSBOOK_SECONDS"] * 4)
        record = earning.raise_objection(int(record_id), current_store(), today=local_today(), account_id=int(account_id))
    except (BadSignature, TypeError, ValueError):
        return _idle("error", gettext("Please scan your card again."), 422)
    except KioskError as exc:
        return _idle("error", message(exc), 422)
    return _idle("success", gettext("Your objection to “%(rule)s” is recorded. The deduction waits until customer "
                                    "service has looked into it.", rule=record.rule.name))
