"""Two blueprints:

- ``partner`` at /partner/: the partner screen (kiosk or phone). A partner signs in with their
  name and PIN (kiosk.vouchers.partner_auth keeps the session apart from staff's), scans or types
  a voucher, sees whether it is valid, and uses it (核销); they also read their own statements.
  Staff sessions get the sign-in screen here: a manager looks at statements from /partners/.
- ``partner_admin`` at /partners/ (店长 only): the store's partners, their PINs, and the
  settlement statements (结算单) with their A4 and XLSX copies.
"""
from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from kiosk.errors import KioskError
from kiosk.messages import message
from kiosk.reports import periods, picker
from kiosk.staff.auth import current_staff, current_store, pin_limits, requires_role
from kiosk.staff.models import MANAGER
from kiosk.vouchers import partner_auth, partners, redeem, settlement
from kiosk.vouchers.lookup import find_voucher
from kiosk.vouchers.models import OPEN, SETTLED
from kiosk.web import form_int, local_today, render

bp = Blueprint("partner", __name__, url_prefix="/partner")
admin_bp = Blueprint("partner_admin", __name__, url_prefix="/partners")

STATUS_NAMES = {OPEN: _l("Not settled yet"), SETTLED: _l("Settled"), settlement.VOID: _l("Void")}


def _tz():
    return current_store().timezone or current_app.config["BABEL_DEFAULT_TIMEZONE"]


def _words():
    """The printed words of a statement (A4 and XLSX), in the reader's language."""
    return {
        "title": gettext("Settlement statement"), "partner": gettext("Partner"), "contact": gettext("Contact"),
        "number": gettext("Statement number"), "period": gettext("Period"), "status": gettext("Status"),
        "serial": gettext("Voucher number"), "product": gettext("Product"), "face": gettext("Face"),
        "issued": gettext("Issued on"), "used": gettext("Used at"), "face_value": gettext("Face value (yuan)"),
        "total": gettext("Total"), "vouchers": gettext("vouchers"), "count": gettext("Vouchers"),
        "settled_at": gettext("Settled at"), "nothing": gettext("No vouchers."),
        "signature_store": gettext("For the store"), "signature_partner": gettext("For the partner"),
        "status_open": gettext("Not settled yet"), "status_settled": gettext("Settled"), "status_void": gettext("Void"),
        "page": gettext("Page {page} of {pages}"),
    }


def _status_name(status):
    return str(STATUS_NAMES.get(status, status))


# ---------------------------------------------------------------------------------------------
# The partner screen


def _signin_page(error=None, status=200, name=""):
    return render_template("partners/signin.html", people=partners.can_sign_in(current_store()), error=error,
                           idle=request.args.get("idle"), name=name), status


def _screen(result=None, error=None, done=None, status=200):
    partner = partner_auth.current_partner()
    return render("partners/screen.html", "partners/_voucher.html", partner=partner, result=result, error=error,
                  done=done), status


@bp.get("/")
def page():
    """Signed in as a partner: the scan field. Anyone else: the partner sign-in."""
    if partner_auth.current_partner() is None:
        return _signin_page()
    return _screen()


@bp.get("/signin")
def signin_by_name():
    """A partner who typed their name (on a phone): on to their PIN."""
    name = request.args.get("name", "")[:60]
    try:
        partner = partners.find_partner(current_store(), name)
        if not partner.pin_hash:
            raise KioskError("unknown_partner")
    except KioskError as exc:
        return _signin_page(message(exc), 422, name=name)
    return redirect(url_for("partner.signin", partner_id=partner.id))


@bp.route("/signin/<int:partner_id>", methods=["GET", "POST"])
def signin(partner_id):
    try:
        partner = partners.get_partner(current_store(), partner_id)
    except KioskError:
        return redirect(url_for("partner.page"))
    if not partner.active or not partner.pin_hash:
        return redirect(url_for("partner.page"))
    error = None
    if request.method == "POST":
        try:
            signed_in = partners.authenticate(current_store(), partner.id, request.form.get("pin", ""),
                                              address=request.remote_addr, **pin_limits())
        except KioskError as exc:
            error = message(exc)
        else:
            partner_auth.sign_in(signed_in)
            return redirect(url_for("partner.page"))
    return render_template("partners/pin.html", partner=partner, error=error), 400 if error else 200


@bp.post("/signout")
def signout():
    partner_auth.sign_out()
    return redirect(url_for("partner.page"))


def _own_view(voucher_id):
    """The partner's view of voucher ``voucher_id``, or None when it is not theirs."""
    from kiosk.vouchers.models import Voucher

    voucher = Voucher.get_or_none(Voucher.id == voucher_id) if voucher_id is not None else None
    if voucher is None:
        return None
    try:
        return redeem.view(voucher, partner_auth.current_partner(), _tz())
    except KioskError:
        return None


@bp.post("/check")
def check():
    """A scanned or typed voucher: valid (with 核销) or why not."""
    partner = partner_auth.current_partner()
    if partner is None:
        return partner_auth.to_partner_screen()
    try:
        voucher = find_voucher(current_store(), request.form.get("code", "")[:200],
                               current_app.config["CARD_SIGNING_KEY"])
        result = redeem.view(voucher, partner, _tz())
    except KioskError as exc:
        return _screen(error=message(exc), status=422)
    return _screen(result=result)


@bp.post("/use")
def use():
    """核销: the voucher of the hidden field, once. A second tap or a stale page says why not."""
    partner = partner_auth.current_partner()
    if partner is None:
        return partner_auth.to_partner_screen()
    voucher_id = form_int("voucher_id")
    try:
        voucher = redeem.use_voucher(voucher_id, partner, tz_name=_tz())
    except KioskError as exc:
        return _screen(result=_own_view(voucher_id), error=message(exc), status=422)
    return _screen(result=redeem.view(voucher, partner, _tz()),
                   done=gettext("Used: %(face)s, voucher %(serial)s.", face=voucher.face,
                                serial=redeem.serial_text(voucher.serial)))


@bp.get("/statements")
def my_statements():
    partner = partner_auth.current_partner()
    if partner is None:
        return partner_auth.to_partner_screen()
    return render_template("partners/my_statements.html", partner=partner,
                           statements=settlement.statements_of(current_store(), partner.id),
                           status_name=_status_name, yuan=settlement.yuan)


def _my_statement(settlement_id):
    partner = partner_auth.current_partner()
    if partner is None:
        return None
    try:
        return settlement.get_statement(current_store(), settlement_id, partner.id)
    except KioskError:
        return None


@bp.get("/statements/<int:settlement_id>")
def my_statement(settlement_id):
    statement = _my_statement(settlement_id)
    if statement is None:
        return partner_auth.to_partner_screen()
    return render_template("partners/statement.html", statement=statement, **_statement_context(statement),
                           partner_view=True)


@bp.get("/statements/<int:settlement_id>.pdf")
def my_statement_pdf(settlement_id):
    statement = _my_statement(settlement_id)
    if statement is None:
        return partner_auth.to_partner_screen()
    return _pdf(statement)


# ---------------------------------------------------------------------------------------------
# The manager's partners


@admin_bp.get("/")
@requires_role(MANAGER)
def page():
    return render_template("partners/admin.html", people=partners.partners_of(current_store()),
                           is_locked=partners.is_locked)


@admin_bp.route("/new", methods=["GET", "POST"])
@requires_role(MANAGER)
def new():
    values = {"name": "", "contact": "", "honours": ""}
    if request.method == "POST":
        values = {key: request.form.get(key, "")[:300] for key in values}
        try:
            partner = partners.add_partner(current_store(), values["name"], values["contact"], values["honours"],
                                           by=current_staff())
        except KioskError as exc:
            return render_template("partners/new.html", values=values, error=message(exc)), 422
        flash(gettext("%(name)s was added. Give them a PIN so that they can sign in at /partner/.",
                      name=partner.name), "success")
        return redirect(url_for("partner_admin.person", partner_id=partner.id))
    return render_template("partners/new.html", values=values, error=None)


def _person_page(partner, error=None, values=None, status=200):
    values = values or {"name": partner.name, "contact": partner.contact, "honours": partner.honours}
    return render_template("partners/person.html", partner=partner, values=values, error=error,
                           locked=partners.is_locked(partner),
                           statements=settlement.statements_of(current_store(), partner.id),
                           status_name=_status_name, yuan=settlement.yuan), status


def _or_list(find, found_id):
    """(the row ``find(store, found_id)`` gives, None), or (None, back to the partner list with
    the reason) when this store has no such row."""
    try:
        return find(current_store(), found_id), None
    except KioskError as exc:
        flash(message(exc), "error")
        return None, redirect(url_for("partner_admin.page"))


def _partner_or_list(partner_id):
    return _or_list(partners.get_partner, partner_id)


@admin_bp.get("/<int:partner_id>")
@requires_role(MANAGER)
def person(partner_id):
    partner, away = _partner_or_list(partner_id)
    return away or _person_page(partner)


def _change(partner_id, operation, done, values=None):
    partner, away = _partner_or_list(partner_id)
    if away:
        return away
    try:
        changed = operation(partner)
    except KioskError as exc:
        return _person_page(partner, error=message(exc), values=values, status=422)
    flash(done % {"name": changed.name}, "success")
    return redirect(url_for("partner_admin.person", partner_id=changed.id))


@admin_bp.post("/<int:partner_id>/edit")
@requires_role(MANAGER)
def edit(partner_id):
    values = {key: request.form.get(key, "")[:300] for key in ("name", "contact", "honours")}
    return _change(partner_id, lambda partner: partners.edit_partner(
        current_store(), partner.id, values["name"], values["contact"], values["honours"], by=current_staff()),
        gettext("%(name)s was saved."), values=values)


@admin_bp.post("/<int:partner_id>/pin")
@requires_role(MANAGER)
def pin(partner_id):
    new_pin, again = request.form.get("pin", ""), request.form.get("pin_again", "")
    return _change(partner_id, lambda partner: partners.set_partner_pin(
        current_store(), partner.id, new_pin, again, by=current_staff()),
        gettext("%(name)s has a new PIN and can sign in at /partner/."))


@admin_bp.post("/<int:partner_id>/deactivate")
@requires_role(MANAGER)
def deactivate(partner_id):
    return _change(partner_id, lambda partner: partners.deactivate_partner(
        current_store(), partner.id, by=current_staff()),
        gettext("%(name)s was deactivated: they can no longer sign in."))


@admin_bp.post("/<int:partner_id>/reactivate")
@requires_role(MANAGER)
def reactivate(partner_id):
    return _change(partner_id, lambda partner: partners.reactivate_partner(
        current_store(), partner.id, by=current_staff()),
        gettext("%(name)s is active again."))


@admin_bp.route("/settle", methods=["GET", "POST"])
@requires_role(MANAGER)
def settle():
    """A partner's used vouchers of a period not yet on a statement (GET), made into a new
    statement (POST). ?partner=ID&period=CODE."""
    source = request.form if request.method == "POST" else request.args
    raw = source.get("partner", "")
    partner, away = _partner_or_list(int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 12 else None)
    if away:
        return away
    today = local_today()
    error, status = None, 200
    try:
        period = picker.requested_period(periods.last_month(today))
    except KioskError as exc:
        error, status = message(exc), 422
        period = periods.last_month(today)
    if request.method == "POST" and error is None:
        try:
            statement = settlement.create_statement(current_store(), partner.id, period, by=current_staff())
        except KioskError as exc:
            error, status = message(exc), 422
        else:
            flash(gettext("Statement %(number)s was made. Check it, then settle it once paid.",
                          number=settlement.statement_number(current_store(), statement)), "success")
            return redirect(url_for("partner_admin.statement", settlement_id=statement.id))
    lines = settlement.unsettled(current_store(), partner.id, period)
    quick = picker.quick_choices(today)
    return render("partners/settle.html", "partners/_settle.html", partner=partner, period=period, lines=lines,
                  total=settlement.yuan(sum(line.face_value_fen for line in lines)), quick=quick,
                  today=today.isoformat(), error=error), status


def _statement_context(statement):
    store = current_store()
    return {
        "lines": settlement.lines_of(statement), "number": settlement.statement_number(store, statement),
        "period": settlement.statement_period(statement), "total": settlement.yuan(statement.total_fen),
        "status_name": _status_name, "partner": partners.get_partner(store, statement.partner_id),
    }


def _statement_or_list(settlement_id):
    return _or_list(settlement.get_statement, settlement_id)


@admin_bp.get("/statements/<int:settlement_id>")
@requires_role(MANAGER)
def statement(settlement_id):
    found, away = _statement_or_list(settlement_id)
    return away or render_template("partners/statement.html", statement=found, **_statement_context(found),
                                   partner_view=False)


@admin_bp.route("/statements/<int:settlement_id>/settle", methods=["GET", "POST"])
@requires_role(MANAGER)
def settle_statement(settlement_id):
    """The confirm step (GET), then settling for good (POST)."""
    found, away = _statement_or_list(settlement_id)
    if away:
        return away
    error = None
    if request.method == "POST":
        try:
            settled = settlement.settle_statement(current_store(), found.id, by=current_staff())
        except KioskError as exc:
            error = message(exc)
        else:
            flash(gettext("Statement %(number)s is settled and closed for good.",
                          number=settlement.statement_number(current_store(), settled)), "success")
            return redirect(url_for("partner_admin.statement", settlement_id=settled.id))
    return render_template("partners/confirm_settle.html", statement=found, error=error,
                           **_statement_context(found)), 422 if error else 200


@admin_bp.post("/statements/<int:settlement_id>/void")
@requires_role(MANAGER)
def void_statement(settlement_id):
    found, away = _statement_or_list(settlement_id)
    if away:
        return away
    try:
        settlement.void_statement(current_store(), found.id, by=current_staff())
    except KioskError as exc:
        flash(message(exc), "error")
    else:
        flash(gettext("Statement %(number)s was voided: its vouchers can go on a new statement.",
                      number=settlement.statement_number(current_store(), found)), "success")
    return redirect(url_for("partner_admin.statement", settlement_id=found.id))


def _pdf(found):
    data = settlement.pdf(found, _words())
    name = settlement.file_name(current_store(), found, "pdf")
    return Response(data, mimetype="application/pdf", headers={"Content-Disposition": f'inline; filename="{name}"'})


@admin_bp.get("/statements/<int:settlement_id>.pdf")
@requires_role(MANAGER)
def statement_pdf(settlement_id):
    found, away = _statement_or_list(settlement_id)
    return away or _pdf(found)


@admin_bp.get("/statements/<int:settlement_id>.xlsx")
@requires_role(MANAGER)
def statement_xlsx(settlement_id):
    found, away = _statement_or_list(settlement_id)
    if away:
        return away
    name = settlement.file_name(current_store(), found, "xlsx")
    return Response(settlement.xlsx(found, _words()),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
