"""The print queue: a receipt becomes a job after its sale commits, then goes to the printer.

Printing never decides whether a sale happened. A job that failed stays in the queue as
failed, with its error, and can be reprinted; a reprint is a new job marked 重印.
"""
import json
from datetime import timezone
from zoneinfo import ZoneInfo

from devices import PrinterError, Receipt, ReceiptLabels, ReceiptLine, Statement
from kiosk import audit
from kiosk.db import database, utcnow
from kiosk.errors import KioskError
from kiosk.printing.models import FAILED, PENDING, PRINTED, PrintJob
from kiosk.privacy import mask_name


def local_time(moment, tz_name):
    """A naive UTC timestamp as naive local time in ``tz_name``."""
    return moment.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(tz_name)).replace(tzinfo=None)


def _holder(sale):
    card = sale.card
    household = card.account.household
    return mask_name(card.holder_name), household.label if household else ""


def receipt_for_sale(sale, *, tz_name="Asia/Shanghai", labels=None):
    """The Receipt value of a committed sale."""
    holder, household = _holder(sale)
    return Receipt(
        store_name=sale.store.name, receipt_no=sale.receipt_no,
        issued_at=local_time(sale.created_at, tz_name), cashier=sale.staff.name,
        holder=holder, household=household,
        lines=tuple(ReceiptLine(line.name, line.quantity, line.points) for line in sale.lines.order_by("id")),
        total=sale.total, balance_before=sale.balance_before, balance_after=sale.balance_after,
        labels=labels or ReceiptLabels(),
    )


def receipt_for_refund(refund, *, tz_name="Asia/Shanghai", labels=None):
    """The Receipt value of a committed return (退货小票)."""
    holder, household = _holder(refund.sale)
    return Receipt(
        store_name=refund.store.name, receipt_no=refund.receipt_no,
        issued_at=local_time(refund.created_at, tz_name), cashier=refund.staff.name,
        holder=holder, household=household,
        lines=tuple(ReceiptLine(rl.sale_line.name, rl.quantity, rl.points) for rl in refund.lines.order_by("id")),
        total=refund.total, balance_before=refund.balance_before, balance_after=refund.balance_after,
        kind="refund", original_receipt_no=refund.sale.receipt_no, labels=labels or ReceiptLabels(),
    )


def enqueue(receipt, *, store, sale=None, refund=None, staff=None, reprint=False):
    """A pending job for ``receipt`` (or a Statement); call only after the sale or refund has
    committed."""
    if database.in_transaction():
        raise RuntimeError("a receipt is queued only after its sale has committed")
    return PrintJob.create(
        store=store, sale=sale, refund=refund, staff=staff, reprint=reprint,
        kind="statement" if isinstance(receipt, Statement) else "receipt",
        receipt=json.dumps(receipt.to_dict(), ensure_ascii=False),
    )


def job_document(job):
    """The Receipt or Statement a job prints."""
    document = Statement if job.kind == "statement" else Receipt
    return document.from_dict(json.loads(job.receipt))


def send(job, printer):
    """Send a job to ``printer``; records the outcome on the job and returns it. Never raises
    for a printer fault: the job is marked failed with the error instead."""
    try:
        printer.print_receipt(job_document(job))
    except PrinterError as exc:
        job.status, job.error = FAILED, str(exc)[:300]
    else:
        job.status, job.error, job.printed_at = PRINTED, "", utcnow()
    job.attempts += 1
    job.save()
    return job


def reprint(job_id, store, printer, *, staff=None):
    """Print a job's receipt again, marked 重印, as a new job; returns it.

    Raises KioskError("unknown_print_job").
    """
    original = PrintJob.get_or_none(PrintJob.id == job_id, PrintJob.store == store)
    if original is None:
        raise KioskError("unknown_print_job")
    document = job_document(original)
    job = enqueue(
        document.as_reprint() if isinstance(document, Receipt) else document, store=store, sale=original.sale_id,
        refund=original.refund_id, staff=staff, reprint=True,
    )
    audit.record("reprint", store=store, staff=staff, job=original.id, sale=original.sale_id)
    return send(job, printer)


def latest_for_sale(sale):
    return PrintJob.select().where(PrintJob.sale == sale, PrintJob.refund.is_null()).order_by(PrintJob.id.desc()).first()


def recent(store, limit=30):
    return PrintJob.select().where(PrintJob.store == store).order_by(PrintJob.id.desc()).limit(limit)


def unprinted(store):
    return PrintJob.select().where(PrintJob.store == store, PrintJob.status.in_([PENDING, FAILED]))


