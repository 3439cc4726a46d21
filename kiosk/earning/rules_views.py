"""The rules screen (积分规则) of the store manager: the catalog by category, a rule's form
(new, or a new version of one), retiring a rule, and importing a whole catalog from a file.

Import: upload → preview of every row (what it makes or changes, or why it is refused) →
confirm. The rows ride in the preview's form (a catalog is a few hundred rows at most) and are
checked again in the importing transaction, whose digest must match the preview's.
"""
import io
import json
import re
from importlib import resources

from flask import Blueprint, abort, flash, redirect, request, send_file, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from kiosk.earning import catalog_import, service
from kiosk.earning.models import MONTH, PER_HALF_HOUR, PER_OCCURRENCE, PERIODS, QUARTER, UNITS, YEAR, Rule
from kiosk.errors import KioskError
from kiosk.limits import upload_limit
from kiosk.messages import message
from kiosk.staff.auth import current_staff, current_store, requires_role
from kiosk.staff.models import MANAGER
from kiosk.web import render

bp = Blueprint("rules", __name__, url_prefix="/rules")
manager_only = requires_role(MANAGER)
MAX_MEGABYTES = 5
EARNING, DEDUCTION = "earning", "deduction"
SAMPLE = "sample-catalog.csv"
WHOLE = re.compile(r"[0-9]{1,7}")


PERIOD_NAMES = {MONTH: _l("month"), QUARTER: _l("quarter"), YEAR: _l("year")}
FIELD_NAMES = {
    "name": _l("name"), "category": _l("category"), "points": _l("points"), "unit": _l("counted"),
    "cap_month": _l("monthly cap"), "from_occurrence": _l("warnings"), "occurrence_period": _l("warning period"),
    "linked_share": _l("linked share"),
}
COLUMN_NAMES = {key: label for key, label, _ in catalog_import.COLUMNS}


@bp.app_template_global()
def period_name(period):
    return str(PERIOD_NAMES.get(period, period))


@bp.app_template_global()
def catalog_column_name(column):
    return COLUMN_NAMES.get(column, column)


@bp.app_template_global()
def catalog_changes(line):
    """What an imported row changes on its rule: "points 5 → 8, monthly cap 200 → 100"."""
    def shown(name, value):
        if name == "from_occurrence":
            return str(value - 1)
        if name == "unit":
            return gettext("per 30 minutes") if value == PER_HALF_HOUR else gettext("per occurrence")
        if name == "occurrence_period":
            return period_name(value)
        return "—" if value is None else str(value)
    return gettext(", ").join(f"{FIELD_NAMES[name]} {shown(name, getattr(line.rule, name))} → {shown(name, line.values[name])}"
                              for name in line.changed)


def _sample_bytes():
    return resources.files("kiosk.earning").joinpath(SAMPLE).read_bytes()


def _grouped(rules):
    grouped = {}
    for rule in rules:
        grouped.setdefault(rule.category, []).append(rule)
    return grouped


def _page(status=200, error=None, preview=None, rows_json="", filename=""):
    store = current_store()
    current = list(Rule.select().where(Rule.store == store, Rule.current == True)  # noqa: E712
                   .order_by(Rule.category, Rule.code))
    context = {
        "grouped": _grouped([rule for rule in current if not rule.retired]),
        "retired": [rule for rule in current if rule.retired],
        "error": error, "preview": preview, "rows_json": rows_json, "filename": filename,
        "sample_count": _sample_bytes().count(b"\n") - 1,
    }
    if preview is not None:
        context["problems"] = {line.row: message(line.error) for line in preview.errors}
    return render("rules/page.html", "rules/_import.html", **context), status


@bp.get("/")
@manager_only
def page():
    return _page()


# ---------------------------------------------------------------------------------------------
# One rule


def _number(raw, code, **params):
    """A whole number from a field ("" → None). Raises KioskError(code)."""
    raw = (raw or "").strip()
    if not raw:
        return None
    if not (raw.isascii() and WHOLE.fullmatch(raw)):
        raise KioskError(code, **params)
    return int(raw)


def parse_rule(form):
    """The rule fields of the form, points signed by "kind". Raises KioskError."""
    kind = form.get("kind")
    if kind not in (EARNING, DEDUCTION):
        raise KioskError("stale_page")
    raw = (form.get("points") or "").strip().lstrip("+-")
    if not raw:
        raise KioskError("missing_field", field="rule_points")
    points = _number(raw, "bad_rule_points", max=service.MAX_POINTS_PER_UNIT)
    unit = form.get("unit") or PER_OCCURRENCE
    if unit not in UNITS:
        raise KioskError("bad_rule_unit")
    period = form.get("occurrence_period") or YEAR
    if period not in PERIODS:
        raise KioskError("bad_rule_period")
    warnings = _number(form.get("warnings"), "bad_rule_warnings", max=service.MAX_FROM_OCCURRENCE - 1) or 0
    raw_share = (form.get("linked_share") or "").strip().rstrip("%")
    if raw_share.startswith("-"):
        raise KioskError("bad_rule_share")
    return {
        "name": form.get("name", ""), "category": form.get("category", ""),
        "points": points if kind == EARNING else -points, "unit": unit,
        "cap_month": _number(form.get("cap_month"), "bad_rule_cap"),
        "from_occurrence": warnings + 1, "occurrence_period": period,
        "linked_share": _number(raw_share, "bad_rule_share") or 0,
    }


def _values_of(rule):
    return {
        "code": rule.code, "name": rule.name, "category": rule.category, "kind": EARNING if rule.points > 0 else DEDUCTION,
        "points": abs(rule.points), "unit": rule.unit, "cap_month": rule.cap_month or "",
        "warnings": rule.from_occurrence - 1 or "", "occurrence_period": rule.occurrence_period,
        "linked_share": rule.linked_share or "",
    }


def _form(rule=None, values=None, error=None, status=200):
    if values is None:
        values = _values_of(rule) if rule is not None else {"kind": EARNING, "unit": PER_OCCURRENCE,
                                                             "occurrence_period": YEAR}
    categories = sorted({r.category for r in service.current_rules(current_store())})
    return render("rules/form.html", "rules/form.html", rule=rule, values=values, error=error, categories=categories,
                  units=((PER_OCCURRENCE, gettext("per occurrence")), (PER_HALF_HOUR, gettext("per 30 minutes"))),
                  periods=((MONTH, gettext("a month")), (QUARTER, gettext("a quarter")), (YEAR, gettext("a year")))), status


def _rule(rule_id):
    rule = Rule.get_or_none(Rule.id == rule_id, Rule.store == current_store())
    if rule is None:
        abort(404)
    return rule


@bp.get("/new")
@manager_only
def new():
    return _form()


@bp.post("/new")
@manager_only
def create():
    try:
        rule = service.add_rule(current_store(), code=request.form.get("code", ""), staff=current_staff(),
                                **parse_rule(request.form))
    except KioskError as error:
        return _form(values=request.form, error=message(error), status=422)
    flash(gettext("Rule %(code)s %(name)s added.", code=rule.code, name=rule.name), "success")
    return redirect(url_for("rules.page"), 303)


@bp.get("/<int:rule_id>")
@manager_only
def edit(rule_id):
    rule = _rule(rule_id)
    if not rule.current or rule.retired:
        return redirect(url_for("rules.page"))
    return _form(rule)


@bp.post("/<int:rule_id>")
@manager_only
def update(rule_id):
    rule = _rule(rule_id)
    values = dict(request.form.items(), code=rule.code)
    try:
        if not rule.current:
            raise KioskError("stale_page")  # someone saved a newer version meanwhile
        new_version = service.change_rule(rule.id, current_store(), staff=current_staff(), **parse_rule(request.form))
    except KioskError as error:
        if error.code == "rule_unchanged":
            flash(message(error), "info")
            return redirect(url_for("rules.page"), 303)
        return _form(rule, values=values, error=message(error), status=422)
    flash(gettext("Rule %(code)s saved as version %(version)s; records already made keep the version they were "
                  "scored with.", code=new_version.code, version=new_version.version), "success")
    return redirect(url_for("rules.page"), 303)


@bp.post("/<int:rule_id>/retire")
@manager_only
def retire(rule_id):
    rule = _rule(rule_id)
    try:
        if not rule.current:
            raise KioskError("stale_page")
        service.retire_rule(rule.id, current_store(), staff=current_staff())
    except KioskError as error:
        flash(message(error), "error")
    else:
        flash(gettext("Rule %(code)s %(name)s retired: it is no longer offered for recording or imports.",
                      code=rule.code, name=rule.name), "success")
    return redirect(url_for("rules.page"), 303)


# ---------------------------------------------------------------------------------------------
# The catalog file


@bp.get("/sample-catalog.csv")
@manager_only
def sample():
    data = _sample_bytes()
    # With a BOM, so that Excel opens the UTF-8 file with its Chinese intact.
    return send_file(io.BytesIO(b"\xef\xbb\xbf" + data), mimetype="text/csv", as_attachment=True,
                     download_name="积分规则示例.csv")


@bp.post("/import")
@upload_limit(MAX_MEGABYTES)
@manager_only
def upload():
    sent = request.files.get("file")
    if sent is None or not sent.filename:
        return _page(422, error=message(KioskError("import_no_file")))
    data = sent.read(MAX_MEGABYTES * 1024 * 1024 + 1)
    if len(data) > MAX_MEGABYTES * 1024 * 1024:
        return _page(422, error=message(KioskError("import_too_big", max=MAX_MEGABYTES)))
    try:
        rows = catalog_import.read(data, sent.filename)
    except KioskError as error:
        return _page(422, error=message(error))
    preview = catalog_import.check(current_store(), rows)
    return _page(preview=preview, rows_json=json.dumps(rows, ensure_ascii=False), filename=sent.filename[:100])


def _sent_rows():
    """The rows the preview's form carries back. Raises KioskError("stale_page")."""
    try:
        rows = json.loads(request.form.get("rows", ""))
    except ValueError:
        raise KioskError("stale_page") from None
    if not isinstance(rows, list) or not rows or len(rows) > catalog_import.MAX_ROWS or not all(
            isinstance(row, dict) and isinstance(row.get("row"), int)
            and all(key in catalog_import.KEYS and isinstance(value, str) for key, value in row.items() if key != "row")
            for row in rows):
        raise KioskError("stale_page")
    return rows


@bp.post("/import/confirm")
@manager_only
def confirm():
    filename = request.form.get("filename", "")[:100]
    try:
        rows = _sent_rows()
    except KioskError as error:
        return _page(422, error=message(error))
    try:
        counts = catalog_import.apply(current_store(), rows, current_staff(), expect=request.form.get("digest", ""),
                                      source=filename)
    except KioskError as error:
        preview = catalog_import.check(current_store(), rows)
        return _page(422, error=message(error), preview=preview, rows_json=json.dumps(rows, ensure_ascii=False),
                     filename=filename)
    flash(gettext("Catalog imported: %(added)s rules added, %(changed)s changed (new versions), %(unchanged)s left as "
                  "they were.", added=counts.added, changed=counts.changed, unchanged=counts.unchanged), "success")
    return redirect(url_for("rules.page"), 303)
