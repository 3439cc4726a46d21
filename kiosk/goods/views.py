"""Goods in (入库), goods out (出库 / 报损), the donors' thank-you list and the restock export.

Both documents are built the same way: scan barcodes (or tap goods) to add lines, adjust the
quantities, then post the whole document at once. Every lines request carries the form's
current fields, so what was typed survives the next scan.
"""
from datetime import timedelta

from flask import Blueprint, Response, current_app, flash, redirect, request, url_for
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from htmx_flask import make_response as htmx_response

from devices import Acknowledgement, AcknowledgementLabels, AcknowledgementLine
from kiosk.errors import KioskError
from kiosk.goods import drafts, service
from kiosk.goods.drafts import GOODS_IN, GOODS_OUT
from kiosk.goods.letter import letter_pdf
from kiosk.goods.models import DONATION, WRITE_OFF_REASONS, StockReceipt, WriteOff
from kiosk.inventory import categories
from kiosk.inventory.models import Product
from kiosk.messages import message
from kiosk.printing.models import PrintJob
from kiosk.printing.service import enqueue, local_time
from kiosk.printing.setup import kick
from kiosk.staff import service as staff_service
from kiosk.staff.auth import current_staff, current_store, pin_limits, requires_role
from kiosk.stores.views import tab_url
from kiosk.staff.models import CASHIER, MANAGER, OPERATIONS
from kiosk.web import form_int, is_htmx, local_today, render

bp = Blueprint("goods", __name__, url_prefix="/stock")
# The product brief names the cashier for goods in and out; operations staff receive
# donations too, and the manager does everything.
stock_staff = requires_role(CASHIER, OPERATIONS, MANAGER)

ENDPOINTS = {GOODS_IN: "goods.goods_in", GOODS_OUT: "goods.goods_out"}
RECEIPT_KIND_NAMES = {"purchase": _l("Bought"), "donation": _l("Donated")}
REASON_NAMES = {"damaged": _l("Damaged"), "expired": _l("Expired"), "internal": _l("Internal use"), "other": _l("Other")}


@bp.app_template_global()
def receipt_kind_name(kind):
    return str(RECEIPT_KIND_NAMES.get(kind, kind))


@bp.app_template_global()
def write_off_reason_name(reason):
    return str(REASON_NAMES.get(reason, reason))


def _picker(store):
    grouped = {}
    for product in Product.on_sale(store):
        grouped.setdefault(product.category, []).append(product)
    return categories.sort_grouped(store, grouped)


def _lines(kind, data):
    """The draft's lines with their products, for the template."""
    ids = [line["product_id"] for line in data["lines"]]
    products = {p.id: p for p in Product.select().where(Product.store == current_store(), Product.id.in_(ids or [0]))}
    shown, missing = [], False
    for line in data["lines"]:
        product = products.get(line["product_id"])
        if product is None:
            missing = True
            continue
        shown.append(dict(line, product=product))
    if missing:  # a product of another store, or gone: the draft forgets it
        data["lines"] = [line for line in data["lines"] if line["product_id"] in products]
        drafts.save(kind, data)
    if kind == GOODS_OUT and shown:
        # The batches still on the shelf, first to expire first: what to write off when expired.
        batches = service.batches_on_hand(list(products.values()))
        for line in shown:
            line["batches"] = batches.get(line["product_id"], [])[:3]
    return shown


def _approval(data):
    """(units, points, needs approval) of a goods-out draft, when its lines can be read."""
    try:
        priced = service.price_write_off(current_store(), data["lines"])
    except KioskError:
        return None
    return priced


def _context(kind, data, *, level=None, text=None, values=None, ask_pin=False):
    store = current_store()
    context = {
        "kind": kind, "lines": _lines(kind, data), "key": data["key"], "version": drafts.version(data),
        "level": level, "text": text, "values": values if values is not None else {},
        "today": local_today().isoformat(), "today_date": local_today(), "me": current_staff(), "store": store,
        "max_quantity": service.MAX_LINE_QUANTITY,
    }
    if kind == GOODS_OUT:
        priced = _approval(data)
        context["priced"] = priced
        context["ask_pin"] = current_staff().role != MANAGER and (ask_pin or bool(priced and priced.needs_approval))
        context["reasons"] = WRITE_OFF_REASONS
    return context


def _page(kind, status=200, **kwargs):
    data = drafts.load(kind)
    context = _context(kind, data, **kwargs)
    if is_htmx() and request.method == "POST":
        return render("goods/_lines.html", "goods/_lines.html", **context), status
    context["picker"] = _picker(current_store())
    context["recent"] = list(service.recent_receipts(current_store(), 8) if kind == GOODS_IN
                             else service.recent_write_offs(current_store(), 8))
    page = "goods/in.html" if kind == GOODS_IN else "goods/out.html"
    return render(page, page, **context), status


def _lines_back(kind, level=None, text=None, status=200):
    """The lines fragment for htmx, else back to the page (with the message flashed)."""
    if is_htmx():
        return _page(kind, status, level=level, text=text)
    if text:
        flash(text, level)
    return redirect(url_for(ENDPOINTS[kind]))


def _kind(name):
    return GOODS_IN if name == "in" else GOODS_OUT


@bp.get("/in/")
@stock_staff
def goods_in():
    return _page(GOODS_IN)


@bp.get("/out/")
@stock_staff
def goods_out():
    return _page(GOODS_OUT)


@bp.post("/<any(in, out):which>/scan")
@stock_staff
def scan(which):
    """A scanned barcode adds its product (or one more of it)."""
    return _list(_kind(which), lambda: service.find_product(current_store(), request.form.get("code", "")),
                 say_added=True)


def _list(kind, find, *, new_batch=False, say_added=False):
    """Add the product ``find()`` returns to the draft (on a line of its own when ``new_batch``),
    keeping what was typed; or say why not."""
    data = drafts.load(kind)
    drafts.apply_form(kind, data)
    try:
        product = find()
        _check_room(data, product.id, new_batch)
        _check_shelf(kind, data, product)
    except KioskError as exc:
        drafts.save(kind, data)
        return _lines_back(kind, "error", message(exc), 422)
    drafts.add(kind, data, product.id, new_batch=new_batch)
    drafts.save(kind, data)
    if say_added:
        return _lines_back(kind, "success", gettext("Added: %(name)s", name=product.name))
    return _lines_back(kind)


def _check_room(data, product_id, new_batch=False):
    """A document has at most MAX_LINES lines; one more of a listed product takes no new one."""
    listed = product_id in [line["product_id"] for line in data["lines"]]
    if len(data["lines"]) >= service.MAX_LINES and (new_batch or not listed):
        raise KioskError("too_many_document_lines", max=service.MAX_LINES)


def _check_shelf(kind, data, product):
    """Goods out cannot list more than the shelf holds (posting checks again, guarded)."""
    if kind != GOODS_OUT:
        return
    listed = sum(int(line["quantity"]) for line in data["lines"] if line["product_id"] == product.id
                 and str(line["quantity"]).isascii() and str(line["quantity"]).isdigit() and len(str(line["quantity"])) <= 5)
    if listed + 1 > product.quantity:
        raise KioskError("out_of_stock", name=product.name, available=product.quantity)


@bp.post("/<any(in, out):which>/add")
@stock_staff
def add(which):
    """A tapped product (or 另一批次: a new line of a product already listed)."""
    kind = _kind(which)
    new_batch = kind == GOODS_IN and bool(request.form.get("new_batch_of"))

    def tapped():
        product_id = form_int("new_batch_of") if new_batch else form_int("product_id")
        product = Product.get_or_none(Product.id == product_id, Product.store == current_store()) if product_id else None
        if product is None:
            raise KioskError("unknown_product")
        return product

    return _list(kind, tapped, new_batch=new_batch)


@bp.post("/<any(in, out):which>/lines")
@stock_staff
def lines(which):
    """Keep what was typed; remove a line (``remove``=its index); or start over (``clear``)."""
    kind = _kind(which)
    data = drafts.load(kind)
    if request.form.get("clear") == "1":
        drafts.reset(kind)
        return _lines_back(kind)
    fresh = drafts.apply_form(kind, data)
    index = form_int("remove", max_digits=3)
    if index is not None:
        if not fresh:
            drafts.save(kind, data)
            return _lines_back(kind, "error", message(KioskError("stale_page")), 422)
        drafts.remove(data, index)
    drafts.save(kind, data)
    return _lines_back(kind)


def _refuse(kind, error, values, ask_pin=False):
    """The lines again with the reason (htmx), or the whole page."""
    return _page(kind, 422, level="error", text=message(error), values=values, ask_pin=ask_pin)


@bp.post("/in/post")
@stock_staff
def post_in():
    form = request.form
    key = form.get("key", "")
    done = StockReceipt.get_or_none(StockReceipt.idempotency_key == key) if key else None
    if done is not None and done.store_id == current_store().id:
        return _to(url_for("goods.receipt", receipt_id=done.id))
    data = drafts.load(GOODS_IN)
    values = {name: form.get(name, "") for name in ("kind", "donor_name", "donor_contact", "note")}
    values["thank_publicly"] = form.get("thank_publicly") == "1"
    fresh = drafts.apply_form(GOODS_IN, data)
    drafts.save(GOODS_IN, data)
    if not fresh or key != data["key"] or form.get("version") != drafts.version(data):
        return _refuse(GOODS_IN, KioskError("stale_page"), values)
    try:
        posted = service.receive(
            current_store(), kind=form.get("kind", ""), lines=data["lines"], staff=current_staff(), key=key,
            today=local_today(), donor_name=form.get("donor_name", ""), donor_contact=form.get("donor_contact", ""),
            thank_publicly=form.get("thank_publicly") == "1", note=form.get("note", ""),
        )
    except KioskError as exc:
        return _refuse(GOODS_IN, exc, values)
    drafts.reset(GOODS_IN)
    receipt = posted.document
    flash(gettext("Stocked: %(units)s units, document %(number)s.", units=receipt.total_units, number=receipt.number),
          "success")
    return _to(url_for("goods.receipt", receipt_id=receipt.id))


def _to(url):
    """Go to the posted document: a redirect, or for htmx a full-page location change."""
    return htmx_response("", redirect=url) if is_htmx() else redirect(url)


@bp.post("/out/post")
@stock_staff
def post_out():
    form = request.form
    store, staff = current_store(), current_staff()
    key = form.get("key", "")
    done = WriteOff.get_or_none(WriteOff.idempotency_key == key) if key else None
    if done is not None and done.store_id == store.id:
        return _to(url_for("goods.write_off", write_off_id=done.id))
    data = drafts.load(GOODS_OUT)
    values = {name: form.get(name, "") for name in ("reason", "note")}
    fresh = drafts.apply_form(GOODS_OUT, data)
    drafts.save(GOODS_OUT, data)
    if not fresh or key != data["key"] or form.get("version") != drafts.version(data):
        return _refuse(GOODS_OUT, KioskError("stale_page"), values)
    approver = None
    try:
        if form.get("reason") not in WRITE_OFF_REASONS:
            raise KioskError("bad_write_off_reason")
        priced = service.price_write_off(store, data["lines"])
        if priced.needs_approval and staff.role != MANAGER:
            pin = form.get("manager_pin", "")
            if not pin:
                raise KioskError("needs_manager_approval", units=priced.units, points=priced.points)
            approver = staff_service.manager_for_pin(store, pin, by=staff, **pin_limits())
        posted = service.write_off(store, reason=form.get("reason", ""), note=form.get("note", ""),
                                   lines=data["lines"], staff=staff, key=key, approver=approver)
    except KioskError as exc:
        return _refuse(GOODS_OUT, exc, values, ask_pin=exc.code in ("needs_manager_approval", "manager_pin_wrong",
                                                                     "staff_locked"))
    drafts.reset(GOODS_OUT)
    record = posted.document
    flash(gettext("Taken out of stock: %(units)s units, document %(number)s.", units=record.total_units,
                  number=record.number), "success")
    return _to(url_for("goods.write_off", write_off_id=record.id))


# ---------------------------------------------------------------------------------------------
# Posted documents


@bp.get("/in/<int:receipt_id>")
@stock_staff
def receipt(receipt_id, job=None, status=200):
    try:
        record = service.find_receipt(current_store(), receipt_id)
    except KioskError as exc:
        flash(message(exc), "error")
        return redirect(url_for("goods.goods_in"))
    job_id = request.args.get("job", type=int)
    if job is None and job_id:
        job = PrintJob.get_or_none(PrintJob.id == job_id, PrintJob.store == current_store(), PrintJob.kind == "thanks")
    return render("goods/receipt.html", "goods/_receipt.html", record=record, lines=service.receipt_lines(record),
                  job=job), status


def _labels():
    """The acknowledgement's captions in the store's language: it is the donor's."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return AcknowledgementLabels(
            title=gettext("Donation acknowledgement"), number=gettext("Document no."), donor=gettext("Donor"),
            day=gettext("Date"), goods=gettext("Donated goods"), value=gettext("Value in points"),
            unit=gettext("pts"), staff=gettext("Received by"),
            thanks=gettext("Thank you for your generous donation to our community points supermarket. Your kindness "
                           "becomes everyday goods in our residents' hands, and we will thank you publicly on the "
                           "community notice board."),
        )


def acknowledgement(record):
    """The Acknowledgement value of a posted donation."""
    tz_name = current_app.config["BABEL_DEFAULT_TIMEZONE"]
    return Acknowledgement(
        store_name=record.store.name, number=record.number, donor=record.donor_name,
        issued_on=local_time(record.created_at, tz_name).date(),
        lines=tuple(AcknowledgementLine(line.product.name, line.quantity, line.product.unit)
                    for line in service.receipt_lines(record)),
        total_points=record.total_points, staff=record.staff.name, labels=_labels(),
    )


def _donation(receipt_id):
    record = service.find_receipt(current_store(), receipt_id)
    if record.kind != DONATION:
        raise KioskError("unknown_document")
    return record


@bp.post("/in/<int:receipt_id>/thanks")
@stock_staff
def print_thanks(receipt_id):
    """Print the acknowledgement on the receipt printer, through the print queue."""
    try:
        record = _donation(receipt_id)
    except KioskError as exc:
        flash(message(exc), "error")
        return redirect(url_for("goods.goods_in"))
    store = current_store()
    job = enqueue(acknowledgement(record), store=store, staff=current_staff())
    kick(store)
    job = PrintJob.get_by_id(job.id)
    if is_htmx():
        return receipt(record.id, job=job)
    return redirect(url_for("goods.receipt", receipt_id=record.id, job=job.id))


@bp.get("/in/<int:receipt_id>/thanks.pdf")
@stock_staff
def thanks_pdf(receipt_id):
    """The acknowledgement as an A4 letter of thanks (感谢信)."""
    try:
        record = _donation(receipt_id)
    except KioskError as exc:
        flash(message(exc), "error")
        return redirect(url_for("goods.goods_in"))
    doc = acknowledgement(record)
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        pdf = letter_pdf(doc, title=gettext("Letter of thanks"),
                         greeting=gettext("Dear %(donor)s,", donor=doc.donor),
                         closing=gettext("With our sincere thanks,"), headings=(gettext("Goods"), gettext("Quantity")))
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="thanks-{record.number}.pdf"'})


@bp.get("/out/<int:write_off_id>")
@stock_staff
def write_off(write_off_id):
    try:
        record = service.find_write_off(current_store(), write_off_id)
    except KioskError as exc:
        flash(message(exc), "error")
        return redirect(url_for("goods.goods_out"))
    return render("goods/write_off.html", "goods/write_off.html", record=record, lines=service.write_off_lines(record))


# ---------------------------------------------------------------------------------------------
# Donors, restock, settings


@bp.get("/donors")
@stock_staff
def donors():
    """The donors to thank in public, for a month (公示): names of those who agreed."""
    today = local_today()
    month = request.args.get("month", "")
    try:
        first = today.replace(day=1) if not month else today.replace(year=int(month[:4]), month=int(month[5:7]), day=1)
        if len(month) not in (0, 7) or month[4:5] not in ("", "-"):
            raise ValueError(month)
    except ValueError:
        flash(message(KioskError("bad_period")), "error")
        first = today.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    rows = service.donations(current_store(), first, last, current_app.config["BABEL_DEFAULT_TIMEZONE"])
    previous = (first - timedelta(days=1)).strftime("%Y-%m")
    following = (last + timedelta(days=1)).strftime("%Y-%m")
    return render("goods/donors.html", "goods/donors.html", rows=rows, first=first, last=last,
                  previous=previous, following=following if last < today else None)


@bp.get("/restock.csv")
@stock_staff
def restock_csv():
    """The restock list (补货清单) for Excel: UTF-8 with a byte-order mark."""
    headings = [gettext("Product"), gettext("Category"), gettext("Barcode"), gettext("Unit"), gettext("In stock"),
                gettext("Low-stock line"), gettext("Redeemed in 30 days"), gettext("Suggested restock")]
    data = service.restock_csv(service.restock_list(current_store()), headings)
    name = f"restock-{local_today().isoformat()}.csv"
    return Response(data, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.post("/settings")
@requires_role(MANAGER)
def settings():
    """The write-off approval threshold and the near-expiry window (a section of the settings screen)."""
    try:
        service.set_stock_settings(
            current_store(), units=form_int("writeoff_approval_units", max_digits=5),
            points=form_int("writeoff_approval_points", max_digits=7),
            expiry_days=form_int("expiry_warning_days", max_digits=3), staff=current_staff(),
        )
    except KioskError as exc:
        flash(message(exc), "error")
    else:
        flash(gettext("Stock settings saved."), "success")
    return redirect(tab_url("stock"))


def stock_lists(store):
    """What the staff home screen shows about stock: near expiry, low stock."""
    today = local_today()
    return {"near_expiry": service.near_expiry(store, today), "low_stock": service.low_stock(store), "today": today}

