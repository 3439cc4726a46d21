"""The two notice-board sheets as A4 PDFs, opened inline from the settings page (店长 only)."""
from flask import Blueprint, Response, current_app, render_template
from flask_babel import gettext

from kiosk.rulesheets import service, words
from kiosk.rulesheets.pdf import PdfUnavailable, sheet_pdf
from kiosk.staff.auth import current_store, requires_role
from kiosk.staff.models import MANAGER

bp = Blueprint("rulesheets", __name__, url_prefix="/settings/rulesheets")
managers = requires_role(MANAGER)


def _pdf(sheet, name, day):
    try:
        data = sheet_pdf(sheet)
    except PdfUnavailable as exc:
        current_app.logger.error("%s", exc)
        return render_template("error.html", message=gettext(
            "The PDF cannot be made on this computer: %(reason)s", reason=str(exc))), 500
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{name}-{day.isoformat()}.pdf"',
        "Cache-Control": "no-store",
    })


@bp.get("/earning.pdf")
@managers
def earning_pdf():
    store = current_store()
    day = service.local_today(store)
    return _pdf(words.earning(service.earning_sheet(store, day)), "earning-rules", day)


@bp.get("/redemption.pdf")
@managers
def redemption_pdf():
    store = current_store()
    day = service.local_today(store)
    return _pdf(words.redemption(service.redemption_sheet(store, day)), "redemption-rules", day)
