"""The partner's session on the partner screen (/partner/), apart from the store staff's.

A partner's session holds ``partner_id`` and ``psv`` (their session version), never
``staff_id``: they are never ``kiosk.staff.auth.current_staff()``, so no staff screen lets them
in, and ``init_app``'s gate sends them back to /partner/ from every other screen (a POST there
is refused the same way, so nothing changes) and signs them out after the staff idle time.
Signing in as a partner ends a staff session in the same browser, and the other way round
(both start from a cleared session).
"""
import time

from flask import current_app, g, redirect, request, session, url_for
from htmx_flask import make_response

from kiosk.staff.auth import current_store
from kiosk.vouchers.models import Partner
from kiosk.web import is_htmx

# What a signed-in partner may reach besides /partner/… (the language switch, the assets).
OPEN = ("static", "healthz", "staff.language")


def current_partner():
    """The served store's partner signed in with this session, or None."""
    if "partner" not in g:
        partner_id = session.get("partner_id")
        store = current_store() if partner_id else None
        g.partner = Partner.get_or_none(
            Partner.id == partner_id, Partner.store == store, Partner.active == True,  # noqa: E712
            Partner.session_version == session.get("psv", -1), Partner.pin_hash != "",
        ) if store is not None else None
    return g.partner


def sign_in(partner):
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    session["partner_id"] = partner.id
    session["psv"] = Partner.get_by_id(partner.id).session_version
    session["seen"] = time.time()
    g.partner = partner


def sign_out():
    """End the session and every copy of its cookie."""
    from kiosk.vouchers.partners import end_sessions

    partner = current_partner()
    if partner is not None:
        end_sessions(partner.id)
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    g.partner = None


def to_partner_screen(**args):
    target = url_for("partner.page", **args)
    return make_response("", redirect=target) if is_htmx() else redirect(target)


def init_app(app):
    @app.before_request
    def _partner_gate():
        if "partner_id" not in session:
            return None
        endpoint = request.endpoint
        if endpoint in OPEN:
            return None
        if time.time() - session.get("seen", 0) > current_app.config["IDLE_SIGNOUT_SECONDS"]:
            sign_out()
            return to_partner_screen(idle=1)
        if endpoint is None or not endpoint.startswith("partner."):
            return to_partner_screen()
        session["seen"] = time.time()
        return None
