"""Public notices (公示): publishing and reading them (customer service and the manager), the
A4 PDF, and the full-screen display the idle kiosk rotates to (no sign-in, masked names only)."""
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime, gettext
from htmx_flask import make_response as htmx_response

from kiosk.errors import KioskError
from kiosk.messages import message
from kiosk.notice import service
from kiosk.notice.models import MONTH, YEAR
from kiosk.notice.pdf import NoticeLabels, notice_pdf
from kiosk.staff.auth import background, current_staff, current_store, requires_role
from kiosk.stores.views import tab_url
from kiosk.staff.models import MANAGER, SERVICE
from kiosk.web import is_htmx, render

bp = Blueprint("notice", __name__, url_prefix="/notice")
publishers = requires_role(SERVICE, MANAGER)
DISPLAY_ROWS = 10


def _tz():
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def _today():
    return datetime.now(ZoneInfo(_tz())).date()


def _page(status=200, error=None, values=None):
    store = current_store()
    today = _today()
    label, day_from, day_to = service.next_month(store, today)
    context = {
        "notices": service.notices(store), "next_month": label, "next_from": day_from, "next_to": day_to,
        "last_year": str(today.year - 1), "error": error, "values": values or {},
        "next_published": any(n.kind == MONTH and n.period == label for n in service.notices(store, MONTH)),
    }
    return render_template("notice/page.html", **context), status


@bp.get("/")
@publishers
def page():
    return _page()


@bp.post("/publish")
@publishers
def publish():
    kind = request.form.get("kind", "")
    period = request.form.get("period", "")[:20]
    publish_as = {MONTH: service.publish_month, YEAR: service.publish_year}.get(kind)
    try:
        if publish_as is None:
            raise KioskError("bad_notice_month")
        notice = publish_as(current_store(), period, today=_today(), tz_name=_tz(), staff=current_staff())
    except KioskError as exc:
        return _page(422, error=message(exc), values=request.form)
    flash(gettext("The notice for %(period)s is published. It can no longer change.", period=notice.period), "success")
    return redirect(url_for("notice.show", notice_id=notice.id))


def _notice(notice_id):
    try:
        return service.get_notice(current_store(), notice_id)
    except KioskError:
        abort(404)


@bp.get("/<int:notice_id>")
@publishers
def show(notice_id):
    notice = _notice(notice_id)
    return render_template("notice/show.html", notice=notice, lines=service.lines_of(notice),
                           candidates=service.star_candidates(notice) if notice.kind == YEAR else None)


def labels(notice):
    title = (gettext("Points public notice, %(period)s", period=notice.period) if notice.kind == MONTH
             else gettext("Yearly points public notice, %(period)s", period=notice.period))
    return NoticeLabels(
        title=title, period=gettext("Period"), published=gettext("Published"),
        columns=(gettext("Rank"), gettext("Household no."), gettext("Head of household"), gettext("Points earned"),
                 gettext("Points redeemed"), gettext("Balance at cut-off")),
        totals=gettext("Total"), households=gettext("households"), chain=gettext("Ledger chain head"),
        chain_note=gettext("after entry {entry}, {length} entries in all"), empty_chain=gettext("no ledger entries yet"),
        stars_title=gettext("Star household (星级文明户) candidates, %(period)s", period=notice.period),
        stars_note=gettext("The households that earned the most points in the year (first %(count)s places).",
                           count=notice.star_candidates),
        deducted=gettext("Deduction in the year"), no_stars=gettext("No household earned points in the year."),
        page=gettext("Page {number} of {pages}"),
        empty=gettext("No household had a points account in this period: this notice lists nobody."),
    )


@bp.get("/<int:notice_id>.pdf")
@publishers
def pdf(notice_id):
    notice = _notice(notice_id)
    candidates = service.star_candidates(notice) if notice.kind == YEAR else None
    data = notice_pdf(current_store().name, notice, service.lines_of(notice), labels(notice), candidates=candidates,
                      published_at=format_datetime(notice.published_at, "yyyy-MM-dd HH:mm"))
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="notice-{notice.period}.pdf"',
    })


@bp.get("/display")
def display():
    """The newest monthly notice, full screen, ``DISPLAY_ROWS`` households a page; each page
    asks for the next after a while, and after the last the screen goes back to the passbook."""
    store = current_store()
    notice = service.latest(store, MONTH) if store else None
    if notice is None:
        if is_htmx():
            return htmx_response("", redirect=url_for("passbook.page"))
        return redirect(url_for("passbook.page"))
    lines = service.lines_of(notice)
    pages = max(1, -(-len(lines) // DISPLAY_ROWS))
    number = request.args.get("page", "1")
    number = int(number) if number.isascii() and number.isdigit() and len(number) < 6 else 1
    if number > pages:
        if is_htmx():
            return htmx_response("", redirect=url_for("passbook.page"))
        number = 1
    number = max(number, 1)
    shown = lines[(number - 1) * DISPLAY_ROWS:number * DISPLAY_ROWS]
    return render("notice/display.html", "notice/_board.html", notice=notice, lines=shown, number=number,
                  pages=pages, seconds=current_app.config["NOTICE_PAGE_SECONDS"])


@bp.get("/rotate")
@background
def rotate():
    """Asked by the idle passbook screen now and then: go to the notice display when there is
    a published notice, else stay (204)."""
    store = current_store()
    if store is None or service.latest(store, MONTH) is None:
        return Response(status=204)
    return htmx_response("", redirect=url_for("notice.display"))


@bp.post("/settings")
@requires_role(MANAGER)
def settings():
    try:
        service.update_settings(current_store(), cutoff_day=request.form.get("notice_cutoff_day"),
                                star_candidates=request.form.get("star_candidates"), staff=current_staff())
    except KioskError as exc:
        flash(message(exc), "error")
    else:
        flash(gettext("Public notice settings saved."), "success")
    return redirect(tab_url("points", "notice-settings"))
