"""Recording service (积分登记) and reviewing it (审核)."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext, ngettext

from kiosk.cards.service import find_card
from kiosk.earning import service
from kiosk.errors import KioskError
from kiosk.messages import message
from kiosk.registry import service as registry
from kiosk.registry.models import Resident
from kiosk.staff.auth import current_staff, current_store, requires_role
from kiosk.staff.models import MANAGER, OPERATIONS, SERVICE
from kiosk.web import form_int, is_htmx, render

bp = Blueprint("earning", __name__, url_prefix="/earning")
recorders = requires_role(OPERATIONS, MANAGER)
reviewers = requires_role(SERVICE, MANAGER)
PEOPLE = "earning_people"


def _today():
    return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def _people():
    ids = [i for i in session.get(PEOPLE, []) if isinstance(i, int)]
    found = {r.id: r for r in Resident.select().where(Resident.store == current_store(), Resident.id.in_(ids))}
    return [found[i] for i in ids if i in found]


def _page(status=200, values=None, error=None, notice=None):
    store = current_store()
    query = request.args.get("q") or request.form.get("q", "")
    context = {
        "rules": service.current_rules(store, on=_today()), "people": _people(), "query": query,
        "matches": registry.search(store, query, limit=12) if query else [], "values": values or {},
        "error": error, "today": _today().isoformat(), "notice": notice,
    }
    return render("earning/record.html", "earning/_people.html", **context), status


@bp.get("/")
@recorders
def page():
    return _page()


def _add(resident_id):
    ids = [i for i in session.get(PEOPLE, []) if isinstance(i, int)]
    if resident_id in ids:
        return gettext("Already on the list.")
    if len(ids) >= service.MAX_GROUP:
        return message(KioskError("too_many_participants", max=service.MAX_GROUP))
    session[PEOPLE] = ids + [resident_id]
    return None


@bp.post("/people/add")
@recorders
def add_person():
    resident_id = form_int("resident_id")
    resident = Resident.get_or_none(Resident.id == resident_id, Resident.store == current_store()) if resident_id else None
    problem = message(KioskError("unknown_resident")) if resident is None else _add(resident.id)
    return _back(("error", problem) if problem else None)


@bp.post("/people/remove")
@recorders
def remove_person():
    resident_id = form_int("resident_id")
    session[PEOPLE] = [i for i in session.get(PEOPLE, []) if i != resident_id]
    return _back()


@bp.post("/scan")
@recorders
def scan():
    """A scanned card adds its holder to the participants."""
    try:
        card = find_card(current_store(), request.form.get("code", ""), current_app.config["CARD_SIGNING_KEY"])
    except KioskError as exc:
        return _back(("error", message(exc)))
    if card.resident_id is None:
        return _back(("error", message(KioskError("unknown_resident"))))
    problem = _add(card.resident_id)
    return _back(("error", problem) if problem else ("success", gettext("Added: %(name)s", name=card.resident.name)))


def _back(notice=None):
    """The participants panel for htmx (with ``notice`` in it), else the page again."""
    if is_htmx():
        return _page(notice=notice)
    if notice:
        flash(notice[1], notice[0])
    return redirect(url_for("earning.page", q=request.form.get("q") or None))


def _date(raw):
    try:
        return date.fromisoformat(raw)
    except (TypeError, ValueError):
        return None


@bp.post("/record")
@recorders
def record():
    form = request.form
    minutes = form_int("minutes", max_digits=5) if form.get("minutes", "").strip() else None
    try:
        if form.get("minutes", "").strip() and minutes is None:
            raise KioskError("missing_duration")
        records = service.record_service(
            current_store(), resident_ids=[r.id for r in _people()], rule_id=form_int("rule_id"),
            content=form.get("content", ""), service_date=_date(form.get("service_date")), minutes=minutes,
            staff=current_staff(), today=_today(),
        )
    except KioskError as exc:
        return _page(422, values=form, error=message(exc))
    session[PEOPLE] = []
    flash(ngettext("%(num)s service recorded; it waits for review.", "%(num)s services recorded; they wait for review.",
                   len(records)), "success")
    return redirect(url_for("earning.page"))


@bp.get("/review")
@reviewers
def review():
    records = list(service.pending(current_store()).limit(200))
    return render("earning/review.html", "earning/review.html", records=records, me=current_staff())


@bp.post("/review/<int:record_id>/approve")
@reviewers
def approve(record_id):
    try:
        record = service.approve(record_id, current_store(), current_staff())
    except KioskError as exc:
        flash(message(exc), "error")
    else:
        flash(gettext("Approved: %(points)s points to %(name)s.", points=record.points, name=record.resident.name), "success")
    return redirect(url_for("earning.review"))


@bp.post("/review/<int:record_id>/reject")
@reviewers
def reject(record_id):
    try:
        record = service.reject(record_id, current_store(), current_staff(), request.form.get("reason", ""))
    except KioskError as exc:
        flash(message(exc), "error")
    else:
        flash(gettext("Rejected: %(name)s, %(content)s.", name=record.resident.name, content=record.content), "success")
    return redirect(url_for("earning.review"))
