"""Returns (退货): find the sale by its receipt number, choose what comes back, a manager approves."""
import dataclasses
import re
import secrets

from flask import Blueprint, current_app, request
from flask_babel import gettext

from kiosk.checkout import receipts
from kiosk.checkout import service as checkout
from kiosk.checkout.models import SaleLine
from kiosk.errors import KioskError
from kiosk.expiry.display import receipt_extras
from kiosk.messages import message
from kiosk.printing import service as printing
from kiosk.printing.receipts import labels as receipt_labels
from kiosk.printing.setup import kick
from kiosk.privacy import mask_name
from kiosk.staff import service as staff_service
from kiosk.staff.auth import current_staff, current_store, pin_limits, requires_role
from kiosk.staff.models import CASHIER, MANAGER
from kiosk.vouchers import service as vouchers
from kiosk.vouchers.codes import serial_text
from kiosk.vouchers.models import CANCELLED, EXPIRED, ISSUED, USED
from kiosk.web import form_int, render

bp = Blueprint("returns", __name__, url_prefix="/returns")


def refund_receipt(refund):
    """The receipt of a return, like kiosk.checkout.views.sale_receipt."""
    receipt = receipts.receipt_for_refund(refund, tz_name=current_app.config["BABEL_DEFAULT_TIMEZONE"],
                                          labels=receipt_labels())
    return dataclasses.replace(receipt, **receipt_extras(refund.store, refund.sale.account_id, refund.balance_after))


def _show(sale=None, *, level=None, text=None, refund=None, job=None, chosen=None, status=200):
    lines = list(SaleLine.select().where(SaleLine.sale == sale).order_by(SaleLine.id)) if sale else []
    context = {
        "sale": sale, "lines": lines, "holder": mask_name(sale.card.holder_name) if sale else "",
        "key": secrets.token_urlsafe(24), "level": level, "text": text, "refund": refund, "job": job,
        "needs_manager_pin": current_staff().role != MANAGER,
        # After a refusal the quantities the cashier chose stay chosen.
        "chosen": chosen or {},
        # A voucher line's vouchers, each with its number and state: a used one cannot come back.
        "vouchers": vouchers.line_vouchers(sale) if sale else {}, "voucher_state": _voucher_state,
    }
    return render("returns/page.html", "returns/_return.html", **context), status


def _voucher_state(voucher):
    """"0000000012 未使用" — a voucher's number and state, as the returns screen lists them."""
    names = {ISSUED: gettext("unused"), USED: gettext("used"), CANCELLED: gettext("cancelled"),
             EXPIRED: gettext("expired")}
    return f"{serial_text(voucher.serial)} {names.get(voucher.status, voucher.status)}"


@bp.get("/")
@requires_role(CASHIER, MANAGER)
def page():
    receipt_no = request.args.get("receipt", "")
    if not receipt_no:
        return _show()
    try:
        sale = checkout.find_sale(current_store(), receipt_no)
    except KioskError as exc:
        return _show(level="error", text=message(exc), status=404)
    return _show(sale)


@bp.post("/<int:sale_id>")
@requires_role(CASHIER, MANAGER)
def submit(sale_id):
    store, staff = current_store(), current_staff()
    sale = checkout.Sale.get_or_none(checkout.Sale.id == sale_id, checkout.Sale.store == store)
    if sale is None:
        return _show(level="error", text=message(KioskError("unknown_receipt")), status=404)
    quantities = {
        name[4:]: value for name, value in request.form.items() if re.fullmatch(r"qty_[0-9]{1,11}", name)
    }
    try:
        approver = staff if staff.role == MANAGER else staff_service.manager_for_pin(
            store, request.form.get("manager_pin", ""), by=staff, **pin_limits())
        refund = checkout.when_busy_retry(
            lambda: checkout.refund(store, sale.id, quantities, staff.id, approver.id, request.form.get("key", ""),
                                    receipt=refund_receipt),
            current_app.config["BUSY_RETRIES"])
    except KioskError as exc:
        chosen = {int(line_id): form_int(f"qty_{line_id}", max_digits=3) or 0 for line_id in quantities}
        return _show(sale, level="error", text=message(exc), chosen=chosen, status=422)
    kick(store)  # its receipt job committed with the return
    job = printing.jobs_for(receipts.REFUND, refund.id).first()
    return _show(sale, level="success", refund=refund, job=job,
                 text=gettext("Returned. %(total)s points credited back.", total=refund.total))
