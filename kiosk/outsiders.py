"""Sessions of people who are not the store's staff: the street office (街道, /district/) and the
store's partners (合作商家, /partner/). Each signs in on its own screens with a PIN and a session
of its own, apart from the staff's.

Such a session holds the person's id and session version under keys of its own, never
``staff_id``: they are never ``kiosk.staff.auth.current_staff()``, so no staff screen lets them
in, and the gate sends them back to their own screen from every other one (a POST there is
refused the same way, so nothing changes) and signs them out after the staff idle time. Signing
in starts from a cleared session (the language kept), so it ends a staff session in the same
browser, and the other way round. A raised session version (signing out, a new PIN,
deactivation) makes every older cookie stop working.
"""
import time

from flask import current_app, g, redirect, request, session, url_for
from htmx_flask import make_response

from kiosk.web import is_htmx

# What a signed-in outsider may reach besides their own screens (the language switch, the assets).
OPEN = ("static", "healthz", "staff.language")


class OutsiderSession:
    """The session of one kind of outsider.

    ``id_key``/``version_key`` name the session's keys; ``blueprint`` is the name of their
    screens' blueprint (its ``page`` endpoint is their home); ``load(id, version)`` gives the
    active person with that session version, or None; ``end_sessions(id)`` raises their
    session version (imported late by the caller, as it lives in a service)."""

    def __init__(self, id_key, version_key, blueprint, *, load, end_sessions):
        self.id_key, self.version_key, self.blueprint = id_key, version_key, blueprint
        self.load, self.end_sessions = load, end_sessions
        self.g_key = f"outsider_{id_key}"

    def current(self):
        """The person signed in with this session, or None."""
        if self.g_key not in g:
            person_id = session.get(self.id_key)
            person = self.load(person_id, session.get(self.version_key, -1)) if person_id else None
            setattr(g, self.g_key, person)
        return getattr(g, self.g_key)

    def sign_in(self, person, version):
        self._clear()
        session[self.id_key] = person.id
        session[self.version_key] = version
        session["seen"] = time.time()
        setattr(g, self.g_key, person)

    def sign_out(self):
        """End the session and every copy of its cookie."""
        person = self.current()
        if person is not None:
            self.end_sessions(person.id)
        self._clear()
        setattr(g, self.g_key, None)

    def to_home(self, **args):
        """Back to their own screen (an htmx request is told to go there)."""
        target = url_for(f"{self.blueprint}.page", **args)
        return make_response("", redirect=target) if is_htmx() else redirect(target)

    def _clear(self):
        lang = session.get("lang")
        session.clear()
        if lang:
            session["lang"] = lang

    def init_app(self, app):
        @app.before_request
        def _outsider_gate():
            if self.id_key not in session:
                return None
            endpoint = request.endpoint
            if endpoint in OPEN:
                return None
            if time.time() - session.get("seen", 0) > current_app.config["IDLE_SIGNOUT_SECONDS"]:
                self.sign_out()
                return self.to_home(idle=1)
            if endpoint is None or not endpoint.startswith(self.blueprint + "."):
                return self.to_home()
            session["seen"] = time.time()
            return None
