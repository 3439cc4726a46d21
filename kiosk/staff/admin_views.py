"""The staff screen (店长 only): the store's people, adding one, PINs, roles, deactivating and
unlocking. Each change posts a form that also works without JavaScript; with htmx the person's
panel (#staff-person) is swapped in place."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from htmx_flask import make_response as htmx_response

from kiosk.errors import KioskError
from kiosk.messages import message
from kiosk.staff import admin
from kiosk.staff.auth import current_staff, current_store, requires_role
from kiosk.staff.models import MANAGER, ROLES
from kiosk.web import is_htmx

bp = Blueprint("staff_admin", __name__, url_prefix="/settings/staff")


@bp.get("/")
@requires_role(MANAGER)
def page():
    people = admin.staff_of(current_store())
    return render_template("staff/admin.html", people=people, is_locked=admin.is_locked)


@bp.route("/new", methods=["GET", "POST"])
@requires_role(MANAGER)
def new():
    values = {"name": "", "role": ""}
    if request.method == "POST":
        values = {"name": request.form.get("name", ""), "role": request.form.get("role", "")}
        try:
            staff = admin.add_staff(current_store(), values["name"], values["role"], request.form.get("pin", ""),
                                    request.form.get("pin_again", ""), by=current_staff())
        except KioskError as exc:
            return render_template("staff/new.html", values=values, roles=ROLES, error=message(exc)), 422
        flash(gettext("%(name)s was added and can sign in now.", name=staff.name), "success")
        return redirect(url_for("staff_admin.page"))
    return render_template("staff/new.html", values=values, roles=ROLES, error=None)


def _person(staff_id):
    try:
        return admin.get_staff(current_store(), staff_id)
    except KioskError:
        return None


def _show(staff, error=None, done=None, status=200):
    """The person's panel (htmx) or page."""
    template = "staff/_person.html" if is_htmx() else "staff/person.html"
    return render_template(template, person=staff, roles=ROLES, error=error, done=done,
                           locked=admin.is_locked(staff)), status


@bp.get("/<int:staff_id>")
@requires_role(MANAGER)
def person(staff_id):
    staff = _person(staff_id)
    if staff is None:
        flash(message(KioskError("unknown_staff_member")), "error")
        return redirect(url_for("staff_admin.page"))
    return _show(staff)


def _change(staff_id, operation, done):
    """Run ``operation(store, staff_id, by=…)`` and answer: the panel (htmx) or a redirect to the
    person's page, with ``done`` or the refusal. A manager who just took away their own access
    goes to the sign-in screen."""
    store, me = current_store(), current_staff()
    staff = _person(staff_id)
    if staff is None:
        flash(message(KioskError("unknown_staff_member")), "error")
        target = url_for("staff_admin.page")
        return htmx_response("", redirect=target) if is_htmx() else redirect(target)
    try:
        changed = operation(store, staff.id, by=me)
    except KioskError as exc:
        if is_htmx():
            return _show(staff, error=message(exc), status=422)
        flash(message(exc), "error")
        return redirect(url_for("staff_admin.person", staff_id=staff.id))
    text = done % {"name": changed.name}
    if changed.id == me.id and (not changed.active or changed.role != MANAGER):
        flash(text, "success")
        target = url_for("staff.home")
        return htmx_response("", redirect=target) if is_htmx() else redirect(target)
    if is_htmx():
        return _show(changed, done=text)
    flash(text, "success")
    return redirect(url_for("staff_admin.person", staff_id=changed.id))


@bp.post("/<int:staff_id>/role")
@requires_role(MANAGER)
def role(staff_id):
    wanted = request.form.get("role", "")
    return _change(staff_id, lambda store, staff_id, by: admin.change_role(store, staff_id, wanted, by=by),
                   gettext("The role of %(name)s was changed."))


@bp.post("/<int:staff_id>/pin")
@requires_role(MANAGER)
def pin(staff_id):
    new_pin, again = request.form.get("pin", ""), request.form.get("pin_again", "")
    return _change(staff_id, lambda store, staff_id, by: admin.set_pin(store, staff_id, new_pin, again, by=by),
                   gettext("%(name)s has a new PIN."))


@bp.post("/<int:staff_id>/deactivate")
@requires_role(MANAGER)
def deactivate(staff_id):
    return _change(staff_id, admin.deactivate,
                   gettext("%(name)s was deactivated: the name is no longer on the sign-in screen."))


@bp.post("/<int:staff_id>/reactivate")
@requires_role(MANAGER)
def reactivate(staff_id):
    return _change(staff_id, admin.reactivate, gettext("%(name)s can sign in again."))


@bp.post("/<int:staff_id>/unlock")
@requires_role(MANAGER)
def unlock(staff_id):
    return _change(staff_id, admin.unlock, gettext("%(name)s was unlocked and can try the PIN again."))
