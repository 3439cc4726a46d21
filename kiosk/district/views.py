"""The street office (街道) screens at /district/: sign-in (names and a PIN pad, as the staff
sign-in), the stores side by side for a period, and the workbook. Read-only: the only POSTs are
sign-in and sign-out. See kiosk.district.service for the design."""
from flask import Blueprint, Response, redirect, render_template, request, url_for

from kiosk.errors import KioskError
from kiosk.district import auth, exports, service
from kiosk.messages import message
from kiosk.reports import periods, picker
from kiosk.staff.auth import current_staff, pin_limits
from kiosk.staff.models import MANAGER
from kiosk.web import local_today, render

bp = Blueprint("district", __name__, url_prefix="/district")


def _signin_page(status=200):
    return render_template("district/signin.html", users=list(service.users()), store=None,
                           idle=request.args.get("idle")), status


def _own_report():
    """One store and no district users: the store's own report is this view (for its manager)."""
    staff = current_staff()
    return (staff is not None and staff.role == MANAGER and not service.has_users()
            and len(service.stores()) == 1)


@bp.get("/")
def page():
    """Signed in: every store side by side for the chosen period (htmx: #district only)."""
    user = auth.current_district_user()
    if user is None:
        if _own_report():
            return redirect(url_for("reports.page", **request.args))
        return _signin_page()
    error, status = None, 200
    today = local_today()
    try:
        period = picker.requested_period(periods.this_month(today))
    except KioskError as exc:
        error, status = message(exc), 422
        period = periods.this_month(today)
    columns = service.overview(period, today=today)
    quick = picker.quick_choices(today)
    return render("district/page.html", "district/_district.html", user=user, columns=columns, period=period,
                  quick=quick, error=error, today=today.isoformat(), status_rows=exports.status_rows,
                  figure_value=_figure_value, when=_when,
                  store=None), status  # the header names no store: the street office is no store's


def _when(moment, store):
    from kiosk.reports.periods import local_time

    return local_time(moment, store.timezone).strftime("%Y-%m-%d %H:%M")


def _figure_value(figure):
    from kiosk.reports.present import cell_text

    return cell_text(figure.value, figure.format)


@bp.route("/signin/<int:user_id>", methods=["GET", "POST"])
def signin(user_id):
    user = service.DistrictUser.get_or_none(service.DistrictUser.id == user_id,
                                            service.DistrictUser.active == True)  # noqa: E712
    if user is None:
        return redirect(url_for("district.page"))
    error = None
    if request.method == "POST":
        try:
            signed_in = service.authenticate(user.id, request.form.get("pin", ""), address=request.remote_addr,
                                             **pin_limits())
        except KioskError as exc:
            error = message(exc)
        else:
            auth.sign_in(signed_in)
            return redirect(url_for("district.page"))
    return render_template("district/pin.html", user=user, error=error, store=None), 400 if error else 200


@bp.post("/signout")
def signout():
    auth.sign_out()
    return redirect(url_for("district.page"))


@bp.get("/district.xlsx")
def workbook():
    """The workbook of the period: a summary sheet and a sheet per store (audited)."""
    user = auth.current_district_user()
    if user is None:
        return redirect(url_for("district.page"))
    today = local_today()
    try:
        period = picker.requested_period(periods.this_month(today))
    except KioskError as exc:
        return render_template("error.html", message=message(exc)), 422
    columns = service.overview(period, today=today)
    data = exports.workbook(columns, period)
    service.record_export(user, period)
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{exports.file_name(period)}"'})
