"""Recording service (积分登记) and reviewing it (审核)."""
from datetime import date, time

from flask import Blueprint, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext, ngettext

from kiosk.cards.service import find_card_at_desk
from kiosk.earning import service
from kiosk.errors import KioskError
from kiosk.messages import message
from kiosk.registry import service as registry
from kiosk.registry.models import Resident
from kiosk.staff.auth import current_staff, current_store, requires_role
from kiosk.stores.views import tab_url
from kiosk.staff.models import MANAGER, OPERATIONS, SERVICE
from kiosk.web import form_int, is_htmx, local_today, render

bp = Blueprint("earning", __name__, url_prefix="/earning")
recorders = requires_role(OPERATIONS, MANAGER)
reviewers = requires_role(SERVICE, MANAGER)
PEOPLE = "earning_people"


def _people():
    ids = [i for i in session.get(PEOPLE, []) if isinstance(i, int)]
    found = {r.id: r for r in Resident.select().where(Resident.store == current_store(), Resident.id.in_(ids))}
    return [found[i] for i in ids if i in found]


def _page(status=200, values=None, error=None, notice=None):
    store = current_store()
    query = request.args.get("q") or request.form.get("q", "")
    context = {
        "rules": service.current_rules(store, on=local_today()), "people": _people(), "query": query,
        "matches": registry.search(store, query, limit=12) if query else [], "values": values or {},
        "error": error, "today": local_today().isoformat(), "notice": notice,
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
        card = find_card_at_desk(current_store(), request.form.get("code", ""), current_app.config["CARD_SIGNING_KEY"],
                                 staff=current_staff())
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


def _time(raw):
    """A time of day from an HH:MM field, or None."""
    try:
        return time.fromisoformat(raw) if raw and len(raw) <= 8 else None
    except ValueError:
        return None


@bp.post("/record")
@recorders
def record():
    form = request.form
    minutes = form_int("minutes", max_digits=5) if form.get("minutes", "").strip() else None
    start, end = _time(form.get("start")), _time(form.get("end"))
    try:
        if form.get("minutes", "").strip() and minutes is None:
            raise KioskError("missing_duration")
        if (form.get("start") and start is None) or (form.get("end") and end is None):
            raise KioskError("missing_duration")
        records = service.record_service(
            current_store(), resident_ids=[r.id for r in _people()], rule_id=form_int("rule_id"),
            content=form.get("content", ""), service_date=_date(form.get("service_date")), minutes=minutes,
            start=start, end=end, staff=current_staff(), today=local_today(),
        )
    except KioskError as exc:
        return _page(422, values=form, error=message(exc))
    session[PEOPLE] = []
    if records[0].points < 0:
        flash(ngettext("%(num)s deduction recorded; it waits for review.", "%(num)s deductions recorded; they wait for review.",
                       len(records)), "success")
    else:
        flash(ngettext("%(num)s service recorded; it waits for review.", "%(num)s services recorded; they wait for review.",
                       len(records)), "success")
    return redirect(url_for("earning.page"))


def _review_page(status=200):
    store = current_store()
    service.settle_due(store, local_today())
    records = list(service.pending(store).limit(200))
    occurrences = {r.id: service.occurrence(r.rule, r.account_id, r.service_date, r.id) for r in records if r.points < 0}
    return render("earning/review.html", "earning/review.html", records=records, me=current_staff(),
                  occurrences=occurrences, objections=list(service.in_objection_period(store).limit(200)),
                  today=local_today()), status


@bp.get("/review")
@reviewers
def review():
    return _review_page()


@bp.post("/review/<int:record_id>/approve")
@reviewers
def approve(record_id):
    try:
        record = service.approve(record_id, current_store(), current_staff(), today=local_today())
    except KioskError as exc:
        flash(message(exc), "error")
    else:
        flash(_approved_message(record), "success")
    return redirect(url_for("earning.review"))


def _approved_message(record):
    name = record.resident.name
    if record.status == "warning":
        return gettext("Recorded as a warning for %(name)s: no points are deducted this time.", name=name)
    if record.status == "waiting":
        return gettext("Approved: %(points)s points from %(name)s, taking effect on %(day)s unless they object.",
                       points=-record.points, name=name, day=record.effective_on.isoformat())
    if record.points < 0:
        return gettext("Approved: %(points)s points deducted from %(name)s.", points=-record.points, name=name)
    return gettext("Approved: %(points)s points to %(name)s.", points=record.points, name=name)


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


@bp.post("/objections/<int:record_id>/raise")
@reviewers
def raise_objection(record_id):
    """An objection the resident makes at the service desk, entered for them."""
    try:
        record = service.raise_objection(record_id, current_store(), today=local_today(), staff=current_staff(),
                                         statement=request.form.get("statement", ""))
    except KioskError as exc:
        flash(message(exc), "error")
    else:
        flash(gettext("Objection recorded for %(name)s; the deduction waits for a decision.", name=record.resident.name),
              "success")
    return redirect(url_for("earning.review"))


@bp.post("/objections/<int:record_id>/decide")
@reviewers
def decide_objection(record_id):
    upheld = request.form.get("decision")
    try:
        if upheld not in ("uphold", "dismiss"):
            raise KioskError("stale_page")
        record = service.decide_objection(record_id, current_store(), current_staff(), upheld=upheld == "uphold",
                                          reason=request.form.get("reason", ""), today=local_today())
    except KioskError as exc:
        flash(message(exc), "error")
    else:
        if record.status == "cancelled":
            flash(gettext("Objection upheld: the deduction for %(name)s is cancelled.", name=record.resident.name), "success")
        else:
            flash(gettext("Objection dismissed: the deduction for %(name)s stands.", name=record.resident.name), "success")
    return redirect(url_for("earning.review"))


@bp.get("/records")
@reviewers
def records():
    store = current_store()
    shown = list(service.reviewed(store, limit=100))
    return render("earning/records.html", "earning/records.html", records=shown, me=current_staff(),
                  worth={r.id: service.corrected_points(r) for r in shown if r.status == "approved"})


@bp.post("/records/<int:record_id>/correct")
@reviewers
def correct(record_id):
    points = request.form.get("points", "").strip()
    value = int(points) if points.lstrip("-").isdigit() and len(points) <= 7 else None
    try:
        correction = service.correct(record_id, current_store(), current_staff(), points=value,
                                     reason=request.form.get("reason", ""))
    except KioskError as exc:
        flash(message(exc), "error")
    else:
        flash(gettext("Corrected: %(delta)+d points for %(name)s.", delta=correction.delta,
                      name=correction.record.resident.name), "success")
    return redirect(url_for("earning.records"))


@bp.post("/settings")
@requires_role(MANAGER)
def settings():
    """The store manager sets the objection period (a section of the settings screen)."""
    try:
        service.set_objection_days(current_store(), form_int("objection_days", max_digits=3), staff=current_staff())
    except KioskError as exc:
        flash(message(exc), "error")
    else:
        flash(gettext("Deduction settings saved."), "success")
    return redirect(tab_url("points", "earning-settings"))
