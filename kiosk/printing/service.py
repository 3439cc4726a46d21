"""The print queue: a receipt becomes a job after its sale commits, then goes to the printer.

Printing never decides whether a sale happened. A sender (the background worker, see
kiosk.printing.worker) claims due jobs and sends them; a failed attempt leaves the job pending
with its error and a later due time (back-off), and after the last attempt it is failed. Staff
see the queue on the receipts screen and reprint; a reprint is a new job marked 重印.
"""
import json
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import peewee

from devices import Acknowledgement, PrinterError, Receipt, ReceiptLabels, ReceiptLine, ShelfLabels, Statement
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


def _in_order(lines):
    """A document's lines in the order they were added. (``order_by("id")`` would send the
    string as a constant: SQLite sorts by it, which does nothing, PostgreSQL refuses it.)"""
    return lines.order_by(lines.model.id)


def receipt_for_sale(sale, *, tz_name="Asia/Shanghai", labels=None):
    """The Receipt value of a committed sale."""
    holder, household = _holder(sale)
    return Receipt(
        store_name=sale.store.name, receipt_no=sale.receipt_no,
        issued_at=local_time(sale.created_at, tz_name), cashier=sale.staff.name,
        holder=holder, household=household,
        lines=tuple(ReceiptLine(line.name, line.quantity, line.points) for line in _in_order(sale.lines)),
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
        lines=tuple(ReceiptLine(rl.sale_line.name, rl.quantity, rl.points) for rl in _in_order(refund.lines)),
        total=refund.total, balance_before=refund.balance_before, balance_after=refund.balance_after,
        kind="refund", original_receipt_no=refund.sale.receipt_no, labels=labels or ReceiptLabels(),
    )


RETRY_DELAYS = (2, 5, 15, 30, 60)  # seconds to wait after the 1st, 2nd, … failed attempt
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1  # about two minutes of retrying, then the job is failed
LEASE_SECONDS = 120  # a claimed job is not taken by another sender for this long
# Printer states that mean "don't send now": the bytes would wait in the printer's buffer and
# the receipt would come out whenever someone fixes it, or never.
NOT_READY = {"offline", "cover_open", "paper_out", "error"}


# What a job prints, by its kind: a receipt, a statement, shelf labels, a donation
# acknowledgement (thanks).
_KINDS = {Receipt: "receipt", Statement: "statement", ShelfLabels: "labels", Acknowledgement: "thanks"}
_DOCUMENTS = {kind: document for document, kind in _KINDS.items()}


def enqueue(receipt, *, store, sale=None, refund=None, staff=None, reprint=False):
    """A pending job for ``receipt`` (or a Statement, ShelfLabels or Acknowledgement), due now; call only after the sale or
    refund has committed. Raises RuntimeError inside a transaction."""
    if database.in_transaction():
        raise RuntimeError("a receipt is queued only after its sale has committed")
    return PrintJob.create(
        store=store, sale=sale, refund=refund, staff=staff, reprint=reprint,
        kind=_KINDS.get(type(receipt), "receipt"),
        receipt=json.dumps(receipt.to_dict(), ensure_ascii=False), next_attempt_at=utcnow(),
    )


def job_document(job):
    """The Receipt, Statement, ShelfLabels or Acknowledgement a job prints."""
    return _DOCUMENTS.get(job.kind, Receipt).from_dict(json.loads(job.receipt))


def _claim(job, now):
    """Take ``job`` for one attempt: counts the attempt and leases the job, so that no other
    sender (another thread or process) sends it at the same time. False if it was taken."""
    taken = PrintJob.update(
        attempts=PrintJob.attempts + 1, next_attempt_at=now + timedelta(seconds=LEASE_SECONDS),
    ).where(
        PrintJob.id == job.id, PrintJob.status == PENDING, PrintJob.attempts == job.attempts,
    ).execute()
    if taken:
        job.attempts += 1
    return bool(taken)


def _check_ready(printer):
    """Raises PrinterError when the printer says it cannot print now (paper out, cover open…).
    A printer that cannot tell is assumed ready: the send itself will fail if it is not."""
    status = getattr(printer, "status", None)
    if status is None:
        return
    try:
        state = status()
    except PrinterError:
        return
    if getattr(state, "state", None) in NOT_READY:
        raise PrinterError(getattr(state, "detail", "") or state.state)


def _attempt(job, printer, now):
    """One attempt at a claimed job; records the outcome and returns the job."""
    try:
        _check_ready(printer)
        printer.print_receipt(job_document(job))
    except PrinterError as exc:
        job.error = str(exc)[:300]
        if job.attempts >= MAX_ATTEMPTS:
            job.status = FAILED
        else:
            # Counted from the end of this attempt, which may have waited out a time-out.
            job.next_attempt_at = max(now, utcnow()) + timedelta(seconds=RETRY_DELAYS[job.attempts - 1])
    else:
        job.status, job.error, job.printed_at = PRINTED, "", utcnow()
    job.save(only=[PrintJob.status, PrintJob.error, PrintJob.printed_at, PrintJob.next_attempt_at])
    return job


def send(job, printer, now=None):
    """Send ``job`` now, whether due or not; returns it with the outcome recorded. Never
    raises for a printer fault: the job stays pending with its error and next attempt time
    (failed after the last attempt). A job already printed, failed or being sent elsewhere is
    returned as it is."""
    now = now or utcnow()
    if job.status != PENDING or not _claim(job, now):
        return PrintJob.get_by_id(job.id)
    return _attempt(job, printer, now)


def in_flight(job, now=None):
    """Whether a sender has claimed ``job`` and not yet recorded the outcome (a claim leases
    the job for longer than any back-off delay)."""
    lease_left = job.next_attempt_at - (now or utcnow())
    return job.status == PENDING and lease_left > timedelta(seconds=max(RETRY_DELAYS) + 1)


def due(now=None, store=None, limit=20):
    """Pending jobs whose next attempt is due, oldest first."""
    query = PrintJob.select().where(PrintJob.status == PENDING, PrintJob.next_attempt_at <= (now or utcnow()))
    if store is not None:
        query = query.where(PrintJob.store == store)
    return list(query.order_by(PrintJob.id).limit(limit))


def send_due(printer_for, now=None, store=None):
    """Send every due job to its store's printer (``printer_for(store_id)``); returns the jobs
    attempted. A store whose printer fails is not tried again in this round, so one dead
    printer costs one time-out per round, not one per job."""
    now = now or utcnow()
    attempted, broken = [], set()
    for job in due(now, store):
        if job.store_id in broken:
            continue
        if not _claim(job, now):
            continue
        try:
            printer = printer_for(job.store_id)
        except (ValueError, PrinterError) as exc:  # the store's printer URL cannot be used
            printer = _Unusable(str(exc))
        _attempt(job, printer, now)
        attempted.append(job)
        if job.status != PRINTED:
            broken.add(job.store_id)
    return attempted


class _Unusable:
    """Stands in for a printer whose URL is wrong, so the job records why."""

    def __init__(self, reason):
        self.reason = reason

    def print_receipt(self, document):
        raise PrinterError(self.reason)


def seconds_until_next(now=None):
    """Seconds until the earliest pending job is due (0 if one is due), or None."""
    moment = PrintJob.select(peewee.fn.MIN(PrintJob.next_attempt_at)).where(PrintJob.status == PENDING).scalar()
    if moment is None:
        return None
    if isinstance(moment, str):  # SQLite aggregate results come back untyped
        moment = datetime.fromisoformat(moment)
    return max(0.0, (moment - (now or utcnow())).total_seconds())


def retry(job_id, store, now=None):
    """Make a pending job due now (the 重试 button). Raises KioskError("unknown_print_job")."""
    job = PrintJob.get_or_none(PrintJob.id == job_id, PrintJob.store == store)
    if job is None:
        raise KioskError("unknown_print_job")
    if job.status == PENDING:
        PrintJob.update(next_attempt_at=now or utcnow()).where(PrintJob.id == job.id, PrintJob.status == PENDING).execute()
    return PrintJob.get_by_id(job.id)


def reprint(job_id, store, *, staff=None):
    """Queue a job's receipt again, marked 重印, as a new pending job; returns it.

    Raises KioskError("unknown_print_job").
    """
    original = PrintJob.get_or_none(PrintJob.id == job_id, PrintJob.store == store)
    if original is None:
        raise KioskError("unknown_print_job")
    document = job_document(original)
    # A job still waiting for its retry is replaced, so the resident never gets two receipts.
    PrintJob.update(status=FAILED).where(PrintJob.id == original.id, PrintJob.status == PENDING).execute()
    job = enqueue(
        document.as_reprint() if isinstance(document, Receipt) else document, store=store, sale=original.sale_id,
        refund=original.refund_id, staff=staff, reprint=True,
    )
    audit.record("reprint", store=store, staff=staff, job=original.id, sale=original.sale_id)
    return job


def latest_for_sale(sale):
    return PrintJob.select().where(PrintJob.sale == sale, PrintJob.refund.is_null()).order_by(PrintJob.id.desc()).first()


def recent(store, limit=30):
    return PrintJob.select().where(PrintJob.store == store).order_by(PrintJob.id.desc()).limit(limit)


def unprinted(store):
    return PrintJob.select().where(PrintJob.store == store, PrintJob.status.in_([PENDING, FAILED]))


def queue_summary(store, now=None, hours=24):
    """(pending, failed) counts of the store's print queue in the last ``hours``, for the
    printer badge. A failed receipt that was reprinted since does not count."""
    since = (now or utcnow()) - timedelta(hours=hours)
    later = PrintJob.alias()
    reprinted = later.select().where(
        later.id > PrintJob.id, later.status == PRINTED, later.kind == PrintJob.kind,
        later.sale == PrintJob.sale, (later.refund == PrintJob.refund) | (later.refund.is_null() & PrintJob.refund.is_null()),
    )
    pending = PrintJob.select().where(PrintJob.store == store, PrintJob.status == PENDING, PrintJob.created_at >= since).count()
    failed = PrintJob.select().where(
        PrintJob.store == store, PrintJob.status == FAILED, PrintJob.created_at >= since, ~peewee.fn.EXISTS(reprinted),
    ).count()
    return pending, failed


