"""The audit log screen (店长 only): who did what and when in this store, filtered, paged and
exported to Excel. Events of other stores are never read."""
from flask import Blueprint, Response, render_template, request
from flask_babel import get_timezone, gettext
from flask_babel import lazy_gettext as _l

from kiosk.errors import KioskError
from kiosk.messages import message
from kiosk.staff import admin, audit_log
from kiosk.staff.auth import current_store, requires_role
from kiosk.staff.models import MANAGER
from kiosk.web import ROLE_NAMES, local_today, render

bp = Blueprint("audit", __name__, url_prefix="/settings/audit")

# What each kind of event means, in words (grep `audit.record(` for the kinds). A kind not
# listed here is shown by its code.
ACTION_NAMES = {
    # Staff and signing in
    "sign_in": _l("Signed in"),
    "wrong_pin": _l("Wrong PIN"),
    "manager_pin_ok": _l("Manager PIN approval"),
    "manager_pin_wrong": _l("Wrong manager PIN"),
    "staff_added": _l("Staff member added"),
    "staff_pin_set": _l("PIN set"),
    "staff_role_changed": _l("Role changed"),
    "staff_deactivated": _l("Staff member deactivated"),
    "staff_reactivated": _l("Staff member reactivated"),
    "staff_unlocked": _l("Staff member unlocked"),
    # The store and its settings
    "store_created": _l("Store opened"),
    "store_opened": _l("First run: store and manager set up"),
    "backup_downloaded": _l("Backup downloaded"),
    "store_settings": _l("Settings changed"),
    "printer_test_page": _l("Printer test page"),
    "expiry_settings": _l("Points expiry settings"),
    "notice_settings": _l("Public notice settings"),
    "redemption_window": _l("Redemption window changed"),
    # Cards and the registry
    "issue_card": _l("Card issued"),
    "card_number_typed": _l("Card number typed instead of scanned"),
    "report_lost": _l("Card reported lost"),
    "register_household": _l("Household registered"),
    "update_household": _l("Household changed"),
    "register_resident": _l("Resident registered"),
    "update_resident": _l("Resident changed"),
    "household_paired": _l("Household paired with a party member"),
    "household_unpaired": _l("Pairing ended"),
    "import_registry": _l("Residents imported"),
    "export_registry": _l("Residents exported"),
    # Sales
    "refund": _l("Return"),
    "reprint": _l("Receipt reprinted"),
    "close_shift": _l("Shift closed"),
    "close_day": _l("Day closed"),
    # Earning and deductions
    "rule_added": _l("Rule added"),
    "rule_changed": _l("Rule changed"),
    "service_recorded": _l("Service recorded"),
    "service_approved": _l("Service approved"),
    "service_rejected": _l("Service rejected"),
    "service_warning": _l("Warning recorded"),
    "service_corrected": _l("Record corrected"),
    "deduction_approved": _l("Deduction approved"),
    "deduction_effective": _l("Deduction took effect"),
    "objection_raised": _l("Objection raised"),
    "objection_decided": _l("Objection decided"),
    "points_expired": _l("Points expired"),
    "notice_published": _l("Public notice published"),
    "volunteer_import_uploaded": _l("Volunteer file uploaded"),
    "volunteer_import_submitted": _l("Volunteer import submitted"),
    "volunteer_import_confirmed": _l("Volunteer import confirmed"),
    "volunteer_import_discarded": _l("Volunteer import discarded"),
    # Goods
    "product_create": _l("Product added"),
    "product_edit": _l("Product changed"),
    "product_price": _l("Price changed"),
    "product_limit": _l("Redemption limit set"),
    "product_limit_removed": _l("Redemption limit removed"),
    "labels_pdf": _l("Shelf labels printed"),
    "stock_in": _l("Goods in"),
    "write_off": _l("Goods out / write-off"),
    "report_full_names": _l("Report exported with full names"),
    "stocktake_started": _l("Stock-take started"),
    "stocktake_finished": _l("Stock-take finished"),
    "stocktake_cancelled": _l("Stock-take cancelled"),
    "document_numbers_raised": _l("Receipt numbers raised after a restore"),
}


def action_name(code):
    return str(ACTION_NAMES.get(code, code))


def role_name(code):
    return str(ROLE_NAMES.get(code, code))


# Detail values that are codes with words of their own.
ROLE_KEYS = {"role", "old_role"}


def detail_words(key, value):
    if key in ROLE_KEYS and value in ROLE_NAMES:
        return role_name(value)
    return None


def detail_items(detail):
    return audit_log.detail_items(detail, detail_words)


def person_name(event):
    """Who did it: the staff member, or the command line on the kiosk computer."""
    if event.staff_id:
        return event.staff.name
    if ("via", "cli") in audit_log.detail_items(event.detail):
        return gettext("Command line")
    return ""


def _tz_name():
    """The zone the screens show times in (the store's)."""
    return str(get_timezone())


def _filter(store):
    args = request.args
    values = {key: args.get(key, "")[:40] for key in ("staff", "action", "from", "to")}
    flt = audit_log.parse_filter(store, staff=values["staff"], action=values["action"],
                                 day_from=values["from"], day_to=values["to"])
    return flt, values


@bp.get("/")
@requires_role(MANAGER)
def page():
    store = current_store()
    error, result = None, None
    try:
        flt, values = _filter(store)
    except KioskError as exc:
        error, values = message(exc), {key: request.args.get(key, "")[:40] for key in ("staff", "action", "from", "to")}
    else:
        result = audit_log.page(store, flt, _tz_name(), request.args.get("page", 1, type=int) or 1)
    # The kinds this store's log holds, by their words; codes without words last.
    present = set(audit_log.actions_of(store)) | ({values["action"]} if values["action"] else set())
    actions = sorted(present, key=lambda code: (code not in ACTION_NAMES, action_name(code)))
    filters = {key: value for key, value in values.items() if value}
    return render("audit/page.html", "audit/_list.html", result=result, error=error, values=values, filters=filters,
                  people=admin.staff_of(store), actions=actions, action_name=action_name, person_name=person_name,
                  detail_items=detail_items, today=local_today().isoformat()), (422 if error else 200)


@bp.get("/export.xlsx")
@requires_role(MANAGER)
def export():
    """The filtered list as an Excel workbook."""
    store = current_store()
    try:
        flt, _ = _filter(store)
    except KioskError as exc:
        return render_template("error.html", message=message(exc)), 422
    tz_name = _tz_name()
    data = audit_log.workbook(
        audit_log.events(store, flt, tz_name).iterator(), tz_name,
        headings=[gettext("Time"), gettext("Person"), gettext("Role"), gettext("Action"), gettext("Action code"),
                  gettext("Details")],
        title=gettext("Audit log"), person=person_name, role_name=role_name, action_name=action_name,
        words=detail_words,
    )
    name = f"audit-{store.code}-{local_today().isoformat()}.xlsx"
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
