"""The period picker (templates/reports/_period_picker.html) on the view's side, shared by the
reports, the street office's view and the partners' statements: the period a request names, and
the quick choices offered beside the calendar."""
from flask import request
from flask_babel import lazy_gettext as _l

from kiosk.reports import periods

QUICK_NAMES = {"this_month": _l("This month"), "last_month": _l("Last month"), "this_quarter": _l("This quarter"),
               "this_year": _l("This year")}


def requested_period(default):
    """The period the request names: ?period=CODE, or ?from=&to= (the calendar), read from the
    form on a POST; else ``default``. Raises KioskError("bad_report_period")."""
    source = request.form if request.method == "POST" else request.args
    first, last = source.get("from", "").strip(), source.get("to", "").strip()
    if first or last:
        return periods.parse(f"{first or last}..{last or first}")
    text = source.get("period", "").strip()
    return periods.parse(text) if text else default


def quick_choices(today):
    """[(code, name, period)] of the quick choices as of ``today``."""
    return [(key, QUICK_NAMES[key], make(today)) for key, make in periods.QUICK]
