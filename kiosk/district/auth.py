"""The street-office session: separate from store staff's (see kiosk.district.service).

A street user's session holds ``district_user`` and ``dsv`` (their session version), never
``staff_id``, so ``kiosk.staff.auth.current_staff()`` is always None for them; ``init_app``'s gate
sends them back to /district/ from every other screen (a POST there is refused the same way, so
nothing changes) and signs them out after the staff idle time.
"""
import time

from flask import current_app, g, redirect, request, session, url_for
from htmx_flask import make_response

from kiosk.district.models import DistrictUser
from kiosk.web import is_htmx

# What a signed-in street user may reach besides /district/… (the language switch, the assets).
OPEN = ("static", "healthz", "staff.language")


def current_district_user():
    """The street-office user signed in with this session, or None."""
    if "district_user" not in g:
        user_id = session.get("district_user")
        g.district_user = DistrictUser.get_or_none(
            DistrictUser.id == user_id, DistrictUser.active == True,  # noqa: E712
            DistrictUser.session_version == session.get("dsv", -1),
        ) if user_id else None
    return g.district_user


def sign_in(user):
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    session["district_user"] = user.id
    session["dsv"] = DistrictUser.get_by_id(user.id).session_version
    session["seen"] = time.time()
    g.district_user = user


def sign_out():
    """End the session and every copy of its cookie."""
    from kiosk.district.service import end_sessions

    user = current_district_user()
    if user is not None:
        end_sessions(user.id)
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    g.district_user = None


def _to_district(**args):
    target = url_for("district.page", **args)
    return make_response("", redirect=target) if is_htmx() else redirect(target)


def init_app(app):
    @app.before_request
    def _district_gate():
        if "district_user" not in session:
            return None
        endpoint = request.endpoint
        if endpoint in OPEN:
            return None
        if time.time() - session.get("seen", 0) > current_app.config["IDLE_SIGNOUT_SECONDS"]:
            sign_out()
            return _to_district(idle=1)
        if endpoint is None or not endpoint.startswith("district."):
            return _to_district()
        session["seen"] = time.time()
        return None
