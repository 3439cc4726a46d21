"""The stock-taking screens (盘点): start a count, count on the touch screen, the manager's
variance list and finalizing, and the printable history."""
import functools

from flask import Blueprint, Response, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from htmx_flask import make_response as htmx_response

from kiosk.errors import KioskError
from kiosk.inventory.models import Product
from kiosk.messages import message
from kiosk.staff import service as staff_service
from kiosk.staff.auth import current_staff, current_store, pin_limits, requires_role
from kiosk.staff.models import CASHIER, MANAGER, OPERATIONS
from kiosk.stocktake import service
from kiosk.stocktake.models import OPEN
from kiosk.stocktake.report import ReportLabels, stocktake_pdf
from kiosk.web import is_htmx, render

bp = Blueprint("stocktake", __name__, url_prefix="/stocktake")


@bp.app_context_processor
def _blind_counts():
    """``stock_hidden(product)`` for every template: whether the signed-in person counts blind
    in an open count covering ``product`` (its book quantity is then not shown to them)."""

    def stock_hidden(product):
        if "blind_products" not in g:
            g.blind_products = service.blind_products(current_store(), current_staff())
        return getattr(product, "id", product) in g.blind_products

    return {"stock_hidden": stock_hidden}
STATUS_NAMES = {"open": _l("Counting"), "finished": _l("Finished"), "cancelled": _l("Cancelled")}
counters = requires_role(MANAGER, OPERATIONS, CASHIER)
starters = requires_role(*service.STARTERS)
managers = requires_role(MANAGER)


def _index(status=200, error=None):
    store = current_store()
    return render("stocktake/index.html", "stocktake/index.html", counts=service.history(store),
                  categories=service.categories(store), shelves=service.shelves(store), error=error,
                  may_start=current_staff().role in service.STARTERS), status


@bp.get("/")
@counters
def index():
    return _index()


@bp.post("/start")
@starters
def start():
    try:
        category, shelf = _scope(request.form)
        stocktake = service.start(current_store(), current_staff(), category=category, shelf=shelf,
                                  blind=request.form.get("blind") == "1")
    except KioskError as exc:
        return _index(422, error=message(exc))
    return redirect(url_for("stocktake.count", stocktake_id=stocktake.id))


def _scope(form):
    """(category, shelf) to count, from the start form's one choice ``scope`` ("category:粮油",
    "shelf:A2", "" for all goods), or from ``category``/``shelf`` fields posted as such."""
    scope = form.get("scope")
    if scope is None:
        return form.get("category", "")[:30], form.get("shelf", "")[:20]
    kind, _, value = scope.partition(":")
    if kind == "category" and value:
        return value[:30], ""
    if kind == "shelf" and value:
        return "", value[:20]
    if scope:
        raise KioskError("unknown_category")
    return "", ""


def _stocktake(stocktake_id):
    return service.get(current_store(), stocktake_id)


COUNTING, CLOSED = "counting", "closed"


def one_stocktake(state):
    """The view gets the stock-take of its URL instead of its number. One that does not exist
    (or is another store's) is said on the list. ``COUNTING`` views need a count in progress: a
    closed one shows its report (a form posted to it says why). ``CLOSED`` views need a finished
    or cancelled one: a count in progress shows its counting page."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(stocktake_id, **kwargs):
            try:
                stocktake = _stocktake(stocktake_id)
            except KioskError as exc:
                flash(message(exc), "error")
                return redirect(url_for("stocktake.index"))
            if state == COUNTING and stocktake.status != OPEN:
                if request.method == "POST":
                    flash(message(KioskError(f"stocktake_{stocktake.status}")), "error")
                return redirect(url_for("stocktake.report", stocktake_id=stocktake.id))
            if state == CLOSED and stocktake.status == OPEN:
                return redirect(url_for("stocktake.count", stocktake_id=stocktake.id))
            return view(stocktake, **kwargs)

        return wrapped

    return decorator


def _books(lines):
    """Each line's product quantity now, for a count that is not blind."""
    ids = [line.product_id for line in lines]
    return dict(Product.select(Product.id, Product.quantity).where(Product.id.in_(ids)).tuples()) if ids else {}


def _progress(stocktake):
    lines = service.lines(stocktake)
    return sum(1 for line in lines if line.counted is not None), len(lines)


def _line(stocktake, line, *, keypad=False, jump=False, text=None, level=None, status=200, retarget=None):
    """The self-contained widget of one line, with the progress counter out of band."""
    line = service.lines(stocktake, line_id=line.id)[0]
    html = render_template("stocktake/_line.html", stocktake=stocktake, line=line, books=_books([line]),
                           keypad=keypad and stocktake.status == OPEN, jump=jump, text=text, level=level,
                           progress=_progress(stocktake), oob=True)
    if retarget:
        return htmx_response(html, status, retarget=retarget, reswap="outerHTML")
    return html, status


@bp.get("/<int:stocktake_id>")
@counters
@one_stocktake(COUNTING)
def count(stocktake):
    lines = service.lines(stocktake)
    opened = request.args.get("line", type=int)
    return render("stocktake/count.html", "stocktake/count.html", stocktake=stocktake, lines=lines,
                  books=_books(lines), opened=opened, progress=_progress(stocktake),
                  categories=sorted({line.category for line in lines}, key=[l.category for l in lines].index))


def _line_request(stocktake_id, line_id):
    stocktake = _stocktake(stocktake_id)
    return stocktake, service.get_line(stocktake, line_id)


def _refused(exc, stocktake_id, line_id=None):
    """A refusal without htmx: back to the counting page with the message."""
    flash(message(exc), "error")
    if line_id:
        return redirect(url_for("stocktake.count", stocktake_id=stocktake_id, line=line_id, _anchor=f"line-{line_id}"))
    return redirect(url_for("stocktake.count", stocktake_id=stocktake_id))


@bp.get("/<int:stocktake_id>/lines/<int:line_id>")
@counters
def line(stocktake_id, line_id):
    try:
        stocktake, found = _line_request(stocktake_id, line_id)
    except KioskError as exc:
        return _refused(exc, stocktake_id)
    if not is_htmx():
        return redirect(url_for("stocktake.count", stocktake_id=stocktake_id, line=line_id, _anchor=f"line-{line_id}"))
    return _line(stocktake, found, keypad=request.args.get("keypad") == "1")


@bp.post("/<int:stocktake_id>/lines/<int:line_id>")
@counters
def record(stocktake_id, line_id):
    try:
        stocktake, found = _line_request(stocktake_id, line_id)
    except KioskError as exc:
        return _refused(exc, stocktake_id)
    try:
        service.record_count(stocktake, found.id, request.form.get("quantity", ""), current_staff(),
                             seen=request.form.get("counts"))
    except KioskError as exc:
        if not is_htmx():
            return _refused(exc, stocktake_id, found.id)
        # A bad number keeps the keypad open to type it again; anything else shows the line as it is now.
        return _line(service.get(current_store(), stocktake_id), found, keypad=exc.code == "bad_count",
                     text=message(exc), level="error", status=422)
    if not is_htmx():
        return redirect(url_for("stocktake.count", stocktake_id=stocktake_id, _anchor=f"line-{line_id}"))
    return _line(service.get(current_store(), stocktake_id), found)


@bp.post("/<int:stocktake_id>/scan")
@counters
def scan(stocktake_id):
    """A scanned product barcode jumps to its line, with the keypad open."""
    try:
        stocktake = _stocktake(stocktake_id)
        found = service.find_barcode(stocktake, request.form.get("code", ""))
    except KioskError as exc:
        if not is_htmx():
            return _refused(exc, stocktake_id)
        return render("stocktake/_scan_feedback.html", "stocktake/_scan_feedback.html", level="error",
                      text=message(exc)), 422
    if not is_htmx():
        return redirect(url_for("stocktake.count", stocktake_id=stocktake_id, line=found.id, _anchor=f"line-{found.id}"))
    return _line(stocktake, found, keypad=True, jump=True, retarget=f"#line-{found.id}")


def _variances_page(stocktake, status=200, error=None):
    return render("stocktake/variances.html", "stocktake/variances.html", stocktake=stocktake,
                  variances=service.Variances(stocktake), error=error), status


@bp.get("/<int:stocktake_id>/variances")
@managers
@one_stocktake(COUNTING)
def variances(stocktake):
    return _variances_page(stocktake)


def _manager_pin():
    """The manager whose PIN was typed (normally the one signed in). Raises KioskError."""
    return staff_service.manager_for_pin(
        current_store(), request.form.get("pin", ""), by=current_staff(), **pin_limits())


@bp.post("/<int:stocktake_id>/finalize")
@managers
@one_stocktake(COUNTING)
def finalize(stocktake):
    try:
        done = service.finalize(stocktake, _manager_pin(), revision=request.form.get("revision"))
    except KioskError as exc:
        if exc.code in ("stocktake_finished", "stocktake_cancelled"):  # closed while the PIN was typed
            flash(message(exc), "error")
            return redirect(url_for("stocktake.report", stocktake_id=stocktake.id))
        return _variances_page(_stocktake(stocktake.id), 422, error=message(exc))
    flash(gettext("Stock-take %(number)s finished: %(count)s products adjusted.", number=done.number,
                  count=sum(1 for line in service.lines(done) if line.adjustment)), "success")
    return redirect(url_for("stocktake.report", stocktake_id=done.id))


@bp.post("/<int:stocktake_id>/cancel")
@managers
@one_stocktake(COUNTING)
def cancel(stocktake):
    try:
        service.cancel(stocktake, _manager_pin())
    except KioskError as exc:
        if exc.code in ("manager_pin_wrong", "staff_locked"):
            return _variances_page(_stocktake(stocktake.id), 422, error=message(exc))
        flash(message(exc), "error")
        return redirect(url_for("stocktake.report", stocktake_id=stocktake.id))
    flash(gettext("Stock-take %(number)s cancelled. Nothing was adjusted.", number=stocktake.number), "success")
    return redirect(url_for("stocktake.index"))


@bp.get("/<int:stocktake_id>/report")
@counters
@one_stocktake(CLOSED)
def report(stocktake):
    return render("stocktake/report.html", "stocktake/report.html", stocktake=stocktake,
                  variances=service.Variances(stocktake), entries=service.count_history(stocktake))


def report_labels():
    return ReportLabels(
        title=gettext("Stock-take sheet"), scope=gettext("Goods counted"), all=gettext("All goods"), blind=gettext("Blind count"),
        shelf=gettext("Shelf %(shelf)s", shelf="{}"),
        started=gettext("Started"), finished=gettext("Finished"), cancelled=gettext("Cancelled"),
        product=gettext("Product"), expected=gettext("Book"), counted=gettext("Counted"),
        variance=gettext("Difference"), value=gettext("Points value"), counted_by=gettext("Counted by"),
        not_counted=gettext("not counted"), surplus=gettext("Surplus"), shortage=gettext("Shortage"),
        net=gettext("Net"), unit=gettext("pts"), signature=gettext("Manager's signature"),
    )


@bp.get("/<int:stocktake_id>/report.pdf")
@counters
@one_stocktake(CLOSED)
def report_pdf(stocktake):
    pdf = stocktake_pdf(stocktake, service.Variances(stocktake), report_labels(),
                        tz_name=current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="stocktake-{stocktake.number}.pdf"'})


@bp.app_template_global()
def stocktake_scope(stocktake):
    """What a count covers, as its pages say it: a category, a shelf, or all goods."""
    if stocktake.category:
        return stocktake.category
    if stocktake.shelf:
        return gettext("Shelf %(shelf)s", shelf=stocktake.shelf)
    return gettext("All goods")


@bp.app_template_global()
def stocktake_status_name(status):
    return str(STATUS_NAMES.get(status, status))
