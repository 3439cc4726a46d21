"""The cashier screen (收银): scan a card, pick goods, check out, see the receipt print."""
import contextlib
import dataclasses
import re
import threading
import time

from flask import Blueprint, current_app, flash, redirect, request, url_for
from flask_babel import gettext

from kiosk.cards.models import Card
from kiosk.cards.service import CARD_NUMBER, find_card_at_desk, is_card_payload, normalize_scan
from kiosk.checkout import receipts, register
from kiosk.checkout import service as checkout
from kiosk.checkout.models import Sale
from kiosk.earning import service as earning
from kiosk.errors import KioskError
from kiosk.expiry.display import receipt_extras
from kiosk.inventory import categories
from kiosk.inventory.models import Product
from kiosk.inventory.products import BARCODE as PRODUCT_CODE
from kiosk.messages import message
from kiosk.printing import service as printing
from kiosk.printing.problems import printer_problem
from kiosk.printing.receipts import labels as receipt_labels
from kiosk.printing.setup import kick
from kiosk.privacy import mask_name
from kiosk.redemption import labels as redemption_labels
from kiosk.redemption import service as redemption
from kiosk.redemption.views import tz_name
from kiosk.registry.models import Resident
from kiosk.staff.auth import current_staff, current_store, requires_role
from kiosk.staff.models import CASHIER, MANAGER
from kiosk.vouchers import service as vouchers
from kiosk.vouchers import slips as voucher_slips
from kiosk.vouchers.codes import is_voucher_payload
from kiosk.web import form_int, is_htmx, local_today, render

bp = Blueprint("cashier", __name__, url_prefix="/cashier")
cashier_only = requires_role(CASHIER, MANAGER)
BARCODE = re.compile(r"[0-9]{6,14}")
# How long the screen shows 已取消 · 撤销 (a script hides it; without scripts it stays).
UNDO_SECONDS = 8


def sale_receipt(sale):
    """The receipt of a sale in the store's language and time zone, with the value of the
    balance and the account's expiry notices; checkout queues it inside the sale's transaction."""
    receipt = receipts.receipt_for_sale(sale, tz_name=current_app.config["BABEL_DEFAULT_TIMEZONE"],
                                        labels=receipt_labels())
    return dataclasses.replace(receipt, **receipt_extras(sale.store, sale.account_id, sale.balance_after))


def _voucher_slips(store):
    """``slip(voucher)`` for checkout: each voucher's slip in the store's language, its QR
    signed with the installation's card-signing key."""
    return voucher_slips.maker(store, key=current_app.config["CARD_SIGNING_KEY"], tz_name=tz_name(),
                               labels=voucher_slips.labels())


def _card(data):
    if data["card_id"] is None:
        return None
    return Card.get_or_none(Card.id == data["card_id"])


def _categories(store):
    grouped = {}
    for product in Product.on_sale(store):
        grouped.setdefault(product.category, []).append(product)
    return categories.sort_grouped(store, grouped)


def _show(level=None, text=None, status=200, whole=False):
    """The #register fragment for htmx (#workspace with the goods when ``whole``), or the
    page; a message goes along with it."""
    if not is_htmx() and request.method == "POST":
        if text:
            flash(text, level)
        return redirect(url_for("cashier.page"))
    store = current_store()
    data = register.state()
    if data["items"] and not data.get("done") and Sale.select().where(Sale.idempotency_key == data["key"]).exists():
        # A cart whose sale went through is over, whatever an older cookie says (a browser
        # that replays one, or a request answered out of order).
        data = register.reset()
    card = _card(data)
    # 撤销 is offered only while the register 取消 emptied is still empty.
    undo_token = register.undo_token()
    if undo_token and not register.is_empty(data):
        register.forget_undo()
        undo_token = None
    # Every limited product on sale: its tile and cart line say what the account has left.
    limits = {pid: limit for pid, limit in redemption.store_limits(store).items() if limit.product.active}
    cart = checkout.price_cart(store, card.account if card else None, register.items(data), limits=limits,
                               tz_name=tz_name())
    limit_notes = {
        pid: redemption_labels.limit_note(limit, cart.allowances.get(pid), register.quantity_of(data, pid))
        for pid, limit in limits.items()
    }
    done = None
    if data.get("done"):
        sale = Sale.get_or_none(Sale.id == data["done"], Sale.store == store)  # never another store's
        done = {"sale": sale, "job": printing.latest_for(receipts.SALE, sale.id),
                "vouchers": sale.vouchers.count()} if sale else None
    members, pickup = [], None
    if card is not None and card.account.household_id:
        members = [r for r in Resident.select().where(Resident.household == card.account.household_id,
                                                     Resident.active == True).order_by(Resident.id)  # noqa: E712
                   if r.id != card.resident_id]
        pickup = next((r for r in members if r.id == data.get("pickup")), None)
    context = {
        "card": card, "holder": mask_name(card.holder_name) if card else "",
        "members": members, "pickup": pickup,
        "cart": cart, "problem": message(cart.problems[0]) if cart.problems else "",
        "key": data["key"], "version": register.version(data),
        "done": done, "level": level, "text": text, "undo_token": undo_token,
        "undo_seconds": UNDO_SECONDS,
        "return_seconds": current_app.config["RETURN_TO_IDLE_SECONDS"],
        "window": _window_notice(cart.window), "limit_notes": limit_notes,
        # The goods' limit notes ride along out of band when only the register is swapped.
        "oob": not whole and is_htmx(),
    }
    if whole or not is_htmx():
        context["categories"] = _categories(store)
    partial = "cashier/_workspace.html" if whole else "cashier/_register.html"
    return render("cashier/page.html", partial, **context), status


def _window_notice(state):
    """What the register says about the redemption window: closed (and when it opens), open
    until a date, or nothing when redemption is always open."""
    if not state.open:
        return {"closed": True, "schedule": redemption_labels.describe_window(state.window),
                "next": redemption_labels.short_date(state.next_opening) if state.next_opening else ""}
    if state.open_until is not None:
        return {"closed": False, "until": redemption_labels.short_date(state.open_until)}
    return None


def _room(data, product, total):
    """Refuse taking the cart's quantity of ``product`` up to ``total``: the store is not
    redeeming now, or the account has less than that left of a limited product.
    Raises KioskError("redemption_closed", "limit_reached_<period>")."""
    store = current_store()
    redemption.check_open(store, tz_name=tz_name())
    limit = redemption.store_limits(store, [product.id]).get(product.id)
    card = _card(data)
    if limit is not None and card is not None:
        allowance = redemption.allowances(card.account_id, redemption.limit_rows([limit]), tz_name=tz_name())[product.id]
        if total > allowance.left:
            raise allowance.error(in_cart=register.quantity_of(data, product.id))


def _refuse(error, whole=False):
    return _show("error", message(error), 422, whole=whole)


@bp.get("/")
@cashier_only
def page():
    return _show(whole=True)


@bp.post("/scan")
@cashier_only
def scan():
    """What the scanner typed: a card starts a redemption, a product barcode adds the product."""
    store = current_store()
    data = register.state()
    if data.get("done"):
        data = register.reset()
    code = normalize_scan(request.form.get("code", ""))[:200]
    # Any code a product may carry (kiosk.inventory.products.BARCODE: EAN digits or a store's
    # own Code 128 code); only digits count as "a barcode" for the refusal below.
    product = Product.get_or_none(Product.store == store, Product.barcode == code) if PRODUCT_CODE.fullmatch(code) else None
    if product is None and (is_card_payload(code) or CARD_NUMBER.fullmatch(code)):
        if data["items"]:
            return _refuse(KioskError("card_in_progress"))
        try:
            card = find_card_at_desk(store, code, current_app.config["CARD_SIGNING_KEY"], staff=current_staff())
        except KioskError as exc:
            return _refuse(exc)
        earning.settle_due(store, local_today(), account_id=card.account_id)  # deductions now due
        register.reset(card.id)
        return _show("success", gettext("Card read: %(name)s", name=mask_name(card.holder_name)))
    if product is None and is_voucher_payload(code):
        return _refuse(KioskError("voucher_not_card"))  # a voucher slip is for the partner's screen
    if product is None:
        return _refuse(KioskError("unknown_barcode" if BARCODE.fullmatch(code) else "invalid_scan"))
    if data["card_id"] is None:
        return _refuse(KioskError("product_barcode_no_card"))
    return _add(data, product, 1)


def _add(data, product, quantity):
    if not product.active:
        return _refuse(KioskError("product_unavailable", name=product.name))
    total = register.quantity_of(data, product.id) + quantity
    if total > checkout.MAX_QUANTITY:
        return _refuse(KioskError("bad_quantity", max=checkout.MAX_QUANTITY))
    if total > product.quantity:
        return _refuse(KioskError("out_of_stock", name=product.name, available=product.quantity))
    try:
        vouchers.check_sellable([product])
        _room(data, product, total)
    except KioskError as exc:
        return _refuse(exc)
    register.set_quantity(data, product.id, total)
    return _show()


def _product():
    """The product the form names; raises KioskError("unknown_product")."""
    product_id = form_int("product_id")
    product = None
    if product_id is not None:
        product = Product.get_or_none(Product.id == product_id, Product.store == current_store())
    if product is None:
        raise KioskError("unknown_product")
    return product


@bp.post("/cart/add")
@cashier_only
def add():
    data = register.state()
    if data.get("done") or data["card_id"] is None:
        return _refuse(KioskError("no_card"))
    try:
        return _add(data, _product(), 1)
    except KioskError as exc:
        return _refuse(exc)


@bp.post("/cart/set")
@cashier_only
def set_quantity():
    data = register.state()
    try:
        product = _product()
        quantity = checkout.parse_quantity(request.form.get("quantity"))
    except KioskError as exc:
        return _refuse(exc)
    if register.quantity_of(data, product.id) == 0:
        return _refuse(KioskError("stale_page"))
    if not product.active:
        return _refuse(KioskError("product_unavailable", name=product.name))
    if quantity > product.quantity:
        return _refuse(KioskError("out_of_stock", name=product.name, available=product.quantity))
    if quantity > register.quantity_of(data, product.id):
        # Fewer is always allowed; more must fit the window and the limit.
        try:
            _room(data, product, quantity)
        except KioskError as exc:
            return _refuse(exc)
    register.set_quantity(data, product.id, quantity)
    return _show()


@bp.post("/cart/remove")
@cashier_only
def remove():
    data = register.state()
    try:
        product = _product()
    except KioskError as exc:
        return _refuse(exc)
    register.set_quantity(data, product.id, 0)
    return _show()


@bp.post("/pickup")
@cashier_only
def pickup():
    """Record that another member of the household picks up for the card holder (代领)."""
    data = register.state()
    card = _card(data)
    if card is None or data.get("done"):
        return _refuse(KioskError("no_card"))
    resident_id = form_int("resident_id")
    if resident_id is None:
        data["pickup"] = None
    else:
        member = Resident.get_or_none(Resident.id == resident_id, Resident.household == card.account.household_id)
        if member is None or member.id == card.resident_id:
            return _refuse(KioskError("unknown_resident"))
        data["pickup"] = member.id
    register.save(data)
    return _show()


@bp.post("/cancel")
@cashier_only
def cancel():
    """Clear the card and the cart: back to 请扫描积分卡, with 已取消 · 撤销 for a few seconds."""
    register.cancel()
    return _show()


@bp.post("/undo")
@cashier_only
def undo():
    """Bring back the card and the cart the last 取消 cleared. A second or stale 撤销 (another
    取消 since, or a card scanned since) is refused with KioskError("nothing_to_undo")."""
    if register.undo(request.form.get("token", "")[:100]) is None:
        return _refuse(KioskError("nothing_to_undo"))
    return _show()


# Checkout keys this server process is answering right now: "查看结果" waits for such a
# checkout to finish before it says whether a sale was made, so it never says "no sale" about
# one that commits a moment later. (A server killed mid-checkout answers nothing: its
# transaction committed whole, or not at all.)
_busy_keys = {}
_busy_lock = threading.Condition()


@contextlib.contextmanager
def _answering(key):
    with _busy_lock:
        _busy_keys[key] = _busy_keys.get(key, 0) + 1
    try:
        yield
    finally:
        with _busy_lock:
            _busy_keys[key] -= 1
            if not _busy_keys[key]:
                del _busy_keys[key]
            _busy_lock.notify_all()


def _settled(key, seconds):
    """Wait until no checkout with ``key`` is being answered (up to ``seconds``); whether so."""
    deadline = time.monotonic() + seconds
    with _busy_lock:
        while key in _busy_keys:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            _busy_lock.wait(left)
    return True


@bp.get("/outcome")
@cashier_only
def outcome():
    """What became of a checkout whose answer never reached the screen (network, a restart):
    the sale made with the cart's key, or plainly that none was made, so that the next tap
    either shows the sale or makes it once."""
    key = request.args.get("key", "")
    config = current_app.config
    bound = (config["BUSY_RETRIES"] + 1) * config["BUSY_TIMEOUT_MS"] / 1000 + 5
    if not key or not _settled(key, bound):
        return _refuse(KioskError("checkout_busy"), whole=True)
    sale = Sale.get_or_none(Sale.idempotency_key == key, Sale.store == current_store())
    if sale is None:
        return _show("info", gettext("No redemption was made: no points were taken. Tap Redeem to try again."),
                     whole=True)
    data = register.reset()
    data["done"] = sale.id
    register.save(data)
    return _show("success", gettext("The redemption went through: %(total)s points spent.", total=sale.total),
                 whole=True)


@bp.post("/checkout")
@cashier_only
def submit():
    store, staff = current_store(), current_staff()
    data = register.state()
    key = request.form.get("key", "")
    if key != data["key"]:
        # A page from an earlier cart: if its sale went through, show that sale again.
        sale = Sale.get_or_none(Sale.idempotency_key == key) if key else None
        if sale is not None and data.get("done") == sale.id:
            return _show("success", gettext("This redemption was already completed."), whole=True)
        return _refuse(KioskError("stale_page"), whole=True)
    # The page always sends the cart version and total it showed; without them the
    # cashier cannot have seen what would be charged.
    total = form_int("total", max_digits=15)
    if request.form.get("version") != register.version(data) or total is None:
        return _refuse(KioskError("stale_page"), whole=True)
    pickup = Resident.get_or_none(Resident.id == data.get("pickup")) if data.get("pickup") else None
    try:
        with _answering(key):
            result = checkout.when_busy_retry(
                lambda: checkout.checkout(store, data["card_id"], register.items(data), staff.id, key, expected_total=total,
                                          picked_up_by=pickup.name if pickup else "", tz_name=tz_name(),
                                          receipt=sale_receipt, voucher_slip=_voucher_slips(store)),
                current_app.config["BUSY_RETRIES"])
    except KioskError as exc:
        return _refuse(exc, whole=True)
    data = register.reset()
    data["done"] = result.sale.id
    register.save(data)
    if not result.created:  # this cart's sale went through before (its cookie came back)
        return _show("success", gettext("This redemption was already completed."), whole=True)
    kick(store)  # its receipt job committed with the sale
    return _show("success", gettext("Redeemed. %(total)s points spent.", total=result.sale.total), whole=True)


@bp.post("/done")
@cashier_only
def done():
    """Back to idle after a checkout (the screen does it by itself after a few seconds)."""
    data = register.state()
    if data.get("done"):
        register.reset()
    return _show()


@bp.post("/reprint/<int:job_id>")
@cashier_only
def reprint(job_id):
    try:
        job = printing.reprint(job_id, current_store(), staff=current_staff())
    except KioskError as exc:
        return _refuse(exc)
    job = kick(current_store(), wait_for=job)
    if job.status == "printed":
        return _show("success", gettext("Receipt reprinted."))
    if job.error:
        return _show("error", gettext("Receipt not printed: %(error)s", error=printer_problem(job.error)))
    return _show("success", gettext("Sent to the printer."))
