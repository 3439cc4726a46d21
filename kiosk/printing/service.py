"""The print queue: a document handed to it becomes a job, then goes to the printer.

Printing never decides whether a sale happened: a sale's receipt is queued in the sale's own
transaction (an outbox) and sent after the commit. A sender (the background worker, see
kiosk.printing.worker) claims due jobs and sends them in order; a failed attempt leaves the
job pending with its error and a later due time (back-off, never giving up). A job whose
attempt may have reached the paper is never sent again unmarked: it prints as 重印, or waits
for a person, as the store chose. Staff see the queue on the receipts screen and reprint; a
reprint is a new job marked 重印.
"""
import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import peewee

from devices import Acknowledgement, PrinterError, Receipt, ShelfLabels, Slip, Statement, VoucherSlip
from kiosk import audit
from kiosk.db import database, utcnow
from kiosk.errors import KioskError
from kiosk.printing.faults import stored_error
from kiosk.printing.models import FAILED, HELD, PENDING, PRINTED, REPRINT_MARKED, SENDING, WAIT_FOR_STAFF, PrintJob
from kiosk.stores.models import Store


def local_time(moment, tz_name):
    """A naive UTC timestamp as naive local time in ``tz_name``."""
    return moment.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(tz_name)).replace(tzinfo=None)


RETRY_DELAYS = (2, 5, 15, 30, 60)  # seconds to wait after the 1st, 2nd, … failed attempt; then 60 for ever
LEASE_SECONDS = 120  # a claimed job is not taken by another sender for this long
# Printer states that mean "don't send now": the bytes would wait in the printer's buffer and
# the receipt would come out whenever someone fixes it, or never.
NOT_READY = {"offline", "cover_open", "paper_out", "error"}


def retry_delay(attempts):
    """Seconds before the next attempt after ``attempts`` failed ones: backs off, never stops."""
    return RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]


# What a job prints, by its kind: a receipt, a statement, shelf labels, a donation
# acknowledgement (thanks), a text slip (the day close), a service voucher's slip.
_KINDS = {Receipt: "receipt", Statement: "statement", ShelfLabels: "labels", Acknowledgement: "thanks", Slip: "slip",
          VoucherSlip: "voucher"}
_DOCUMENTS = {kind: document for document, kind in _KINDS.items()}


def enqueue(document, *, store, document_kind="", document_id=None, staff=None, reprint=False):
    """A pending job for ``document`` (a Receipt, Statement, ShelfLabels or Acknowledgement),
    due now. Call it inside the transaction that commits what the document shows (a sale's
    receipt is queued with the sale: both commit or neither), or on its own for a document
    printed on demand. The worker sends it once it is committed (kick after the commit).

    ``document_kind`` and ``document_id`` say, in the caller's words, whose document it is
    ("sale", 12), for :func:`jobs_for`; the queue itself never looks at them."""
    return PrintJob.create(
        store=store, document_kind=document_kind, document_id=document_id, staff=staff, reprint=reprint,
        kind=_KINDS.get(type(document), "receipt"),
        receipt=json.dumps(document.to_dict(), ensure_ascii=False), next_attempt_at=utcnow(),
    )


def job_document(job):
    """The Receipt, Statement, ShelfLabels or Acknowledgement a job prints (marked 重印 when
    the job is a reprint or an earlier attempt may have reached the paper)."""
    document = _DOCUMENTS.get(job.kind, Receipt).from_dict(json.loads(job.receipt))
    # Receipts and voucher slips say 重印; the other documents are printed on demand.
    if (job.reprint or job.uncertain) and hasattr(document, "as_reprint") and not document.reprint:
        document = document.as_reprint()
    return document


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
        # A status that stands for a PrinterError keeps its code; "error": the detail says more.
        code = getattr(state, "code", "") or (state.state if state.state != "error" else "other")
        params = getattr(state, "params", None) or {
            "kind": getattr(printer, "kind", ""), "address": getattr(printer, "address", "")}
        raise PrinterError(getattr(state, "detail", "") or state.state, state=state.state, code=code, params=params)


class _Taken(Exception):
    """Another sender took the job between its claim and its first byte."""


def _deliver(printer, document, before_write):
    """Send ``document``, calling ``before_write()`` just before the first byte leaves; whether
    the printer confirmed it. Raises PrinterError."""
    deliver = getattr(printer, "deliver", None)
    if deliver is not None:
        return deliver(document, before_write)
    before_write()
    printer.print_receipt(document)
    return False


def _uncertain_status(store_id):
    """Where a job goes after an attempt that may have reached the paper: waiting again (its
    next copy marked 重印) or held for a person, as the store chose."""
    choice = Store.select(Store.receipt_uncertain).where(Store.id == store_id).scalar()
    return HELD if choice == WAIT_FOR_STAFF else PENDING


def _attempt(job, printer, now):
    """One attempt at a claimed job; records the outcome and returns the job.

    "sending" is recorded (committed) before any byte leaves and "printed" only after the
    printer took the job, so a sender killed in between leaves the job "sending", which
    :func:`recover` treats as possibly printed: at most one unmarked copy ever reaches paper.
    """
    try:
        _check_ready(printer)
    except PrinterError as exc:
        return _failed(job, exc, now, maybe_sent=False)

    def mark_sending():
        marked = PrintJob.update(status=SENDING).where(
            PrintJob.id == job.id, PrintJob.status == PENDING, PrintJob.attempts == job.attempts,
        ).execute()
        if not marked:
            raise _Taken()
        job.status = SENDING

    try:
        confirmed = _deliver(printer, job_document(job), mark_sending)
    except _Taken:
        return PrintJob.get_by_id(job.id)
    except PrinterError as exc:
        if job.status != SENDING:  # failed before a byte left (connecting, preparing)
            return _failed(job, exc, now, maybe_sent=False)
        return _failed(job, exc, now, maybe_sent=getattr(exc, "maybe_sent", True))
    job.status, job.error, job.printed_at, job.unconfirmed = PRINTED, "", utcnow(), not confirmed
    _save(job, PrintJob.printed_at, PrintJob.unconfirmed)
    return job


def _failed(job, exc, now, *, maybe_sent):
    job.error = stored_error(exc)
    # Counted from the end of this attempt, which may have waited out a time-out.
    job.next_attempt_at = max(now, utcnow()) + timedelta(seconds=retry_delay(job.attempts))
    if maybe_sent:
        job.uncertain = True
        job.status = _uncertain_status(job.store_id)
    else:
        job.status = PENDING
    _save(job, PrintJob.next_attempt_at, PrintJob.uncertain)
    return job


def _save(job, *fields):
    PrintJob.update({
        PrintJob.status: job.status, PrintJob.error: job.error,
        **{field: getattr(job, field.name) for field in fields},
    }).where(PrintJob.id == job.id, PrintJob.attempts == job.attempts).execute()


def recover(now=None, store=None):
    """Jobs left "sending" by a sender that died (kill -9, power cut, a full disk that kept
    "printed" from being saved) once their lease ran out: the bytes may be on paper, so each
    is marked uncertain and waits again (its next copy marked 重印) or is held, per its store.
    Only ``store``'s jobs when one is given (a kiosk recovers its own store's jobs, never
    those of another store on the same district server). Returns how many were recovered."""
    now = now or utcnow()
    stale = (PrintJob.status == SENDING) & (PrintJob.next_attempt_at <= now)
    if store is not None:
        stale &= PrintJob.store == store
    if not PrintJob.select().where(stale).exists():  # the usual case: no write, no lock taken
        return 0
    holding = Store.select(Store.id).where(Store.receipt_uncertain == WAIT_FOR_STAFF)
    held = PrintJob.update(status=HELD, uncertain=True, error="the kiosk stopped while sending this job").where(
        stale, PrintJob.store.in_(holding)).execute()
    waiting = PrintJob.update(status=PENDING, uncertain=True, next_attempt_at=now,
                              error="the kiosk stopped while sending this job").where(stale).execute()
    return held + waiting


def send(job, printer, now=None):
    """Send ``job`` now, whether due or not; returns it with the outcome recorded. Never
    raises for a printer fault: the job stays pending with its error and next attempt time.
    A job already printed, held, replaced or being sent elsewhere is returned as it is."""
    now = now or utcnow()
    if job.status != PENDING or not _claim(job, now):
        return PrintJob.get_by_id(job.id)
    return _attempt(job, printer, now)


def in_flight(job, now=None):
    """Whether a sender has claimed ``job`` and not yet recorded the outcome (a claim leases
    the job for longer than any back-off delay)."""
    if job.status == SENDING:
        return True
    lease_left = job.next_attempt_at - (now or utcnow())
    return job.status == PENDING and lease_left > timedelta(seconds=max(RETRY_DELAYS) + 1)


def due(now=None, store=None, limit=20):
    """Pending jobs (of ``store``, when given) whose next attempt is due, oldest first."""
    query = PrintJob.select().where(PrintJob.status == PENDING, PrintJob.next_attempt_at <= (now or utcnow()))
    if store is not None:
        query = query.where(PrintJob.store == store)
    return list(query.order_by(PrintJob.id).limit(limit))


def _in_order(now, store, limit):
    """For each store with a job due, its pending jobs oldest first, due or not: once the
    printer takes one, the receipts waiting longer go before the newer ones."""
    stores = {job.store_id for job in due(now, store, limit)}
    if not stores:
        return []
    query = PrintJob.select().where(
        PrintJob.status == PENDING, PrintJob.store.in_(list(stores)),
        # A job leased by another sender is not ours to send.
        PrintJob.next_attempt_at <= now + timedelta(seconds=max(RETRY_DELAYS) + 1),
    )
    return list(query.order_by(PrintJob.id).limit(limit))


def send_due(printer_for, now=None, store=None, limit=20):
    """Send every due job to its store's printer (``printer_for(store_id)``); returns the jobs
    attempted. A store's jobs go in the order they were queued. A store whose printer fails
    is not tried again in this round, so one dead printer costs one time-out per round, not
    one per job. Jobs a dead sender left "sending" are recovered first.

    With ``store``, only that store's jobs are claimed, recovered and sent: a kiosk server
    passes the store it serves, so on a district server (many stores, one database) another
    store's receipts never come out of its printer. Without it every store's jobs are sent
    (a single-store database, the bench)."""
    now = now or utcnow()
    recover(now, store)
    attempted, broken = [], set()
    for job in _in_order(now, store, limit):
        if job.store_id in broken:
            continue
        if not _claim(job, now):
            broken.add(job.store_id)  # another sender is at it: keep the order
            continue
        try:
            printer = printer_for(job.store_id)
        except (ValueError, PrinterError) as exc:  # the store's printer URL cannot be used
            printer = _Unusable(exc)
        _attempt(job, printer, now)
        attempted.append(job)
        if job.status != PRINTED:
            broken.add(job.store_id)
    return attempted


class _Unusable:
    """Stands in for a printer whose URL is wrong, so the job records why."""

    def __init__(self, exc):
        self.exc = exc

    def deliver(self, document, before_write=None):
        if isinstance(self.exc, PrinterError):
            raise self.exc
        raise PrinterError(str(self.exc), code="bad_setting", params={"reason": str(self.exc)})


def seconds_until_next(now=None, store=None):
    """Seconds until the earliest pending job (of ``store``, when given) is due (0 if one is
    due), or None."""
    query = PrintJob.select(peewee.fn.MIN(PrintJob.next_attempt_at)).where(PrintJob.status.in_([PENDING, SENDING]))
    if store is not None:
        query = query.where(PrintJob.store == store)
    moment = query.scalar()
    if moment is None:
        return None
    if isinstance(moment, str):  # SQLite aggregate results come back untyped
        moment = datetime.fromisoformat(moment)
    return max(0.0, (moment - (now or utcnow())).total_seconds())


def retry(job_id, store, now=None):
    """Make a waiting job due now (the 重试 button); a held one is released to print, marked
    重印. Raises KioskError("unknown_print_job")."""
    job = PrintJob.get_or_none(PrintJob.id == job_id, PrintJob.store == store)
    if job is None:
        raise KioskError("unknown_print_job")
    if job.status in (PENDING, HELD):
        PrintJob.update(status=PENDING, next_attempt_at=now or utcnow()).where(
            PrintJob.id == job.id, PrintJob.status.in_([PENDING, HELD])).execute()
    return PrintJob.get_by_id(job.id)


def reprint(job_id, store, *, staff=None):
    """Queue a job's receipt again, marked 重印, as a new pending job; returns it.

    Raises KioskError("unknown_print_job").
    """
    original = PrintJob.get_or_none(PrintJob.id == job_id, PrintJob.store == store)
    if original is None:
        raise KioskError("unknown_print_job")
    document = job_document(original)
    with database.atomic():
        # A job still waiting is replaced, so the resident never gets two receipts.
        PrintJob.update(status=FAILED).where(PrintJob.id == original.id, PrintJob.status.in_([PENDING, HELD])).execute()
        job = enqueue(
            document.as_reprint() if hasattr(document, "as_reprint") else document, store=store,
            document_kind=original.document_kind, document_id=original.document_id, staff=staff, reprint=True,
        )
        whose = {original.document_kind: original.document_id} if original.document_kind else {}
        audit.record("reprint", store=store, staff=staff, job=original.id, **whose)
    return job


def set_receipt_settings(store, *, uncertain, minutes, staff=None):
    """What happens to a receipt that may have printed (REPRINT_MARKED or WAIT_FOR_STAFF) and
    after how many minutes (1–1440) an unprinted receipt is a problem.

    Raises KioskError("bad_receipt_settings").
    """
    if uncertain not in (REPRINT_MARKED, WAIT_FOR_STAFF) or not isinstance(minutes, int) or isinstance(minutes, bool) \
            or not 1 <= minutes <= 1440:
        raise KioskError("bad_receipt_settings")
    with database.atomic():
        Store.update(receipt_uncertain=uncertain, receipt_problem_minutes=minutes).where(Store.id == store.id).execute()
        audit.record("store_settings", store=store, staff=staff, receipt_uncertain=uncertain,
                     receipt_problem_minutes=minutes)
    return Store.get_by_id(store.id)


def jobs_for(document_kind, document_id):
    """The jobs queued for one document (a sale's receipt and its reprints), oldest first."""
    return PrintJob.select().where(
        PrintJob.document_kind == document_kind, PrintJob.document_id == document_id,
    ).order_by(PrintJob.id)


def latest_for(document_kind, document_id):
    """The newest job of one document (its last reprint, else the original), or None."""
    return jobs_for(document_kind, document_id).order_by(PrintJob.id.desc()).first()


def recent(store, limit=30):
    return PrintJob.select().where(PrintJob.store == store).order_by(PrintJob.id.desc()).limit(limit)


WAITING = (PENDING, SENDING, HELD)


def unprinted(store):
    """The store's jobs not printed yet: waiting, being sent, or held for a person."""
    return PrintJob.select().where(PrintJob.store == store, PrintJob.status.in_(WAITING))


@dataclass(frozen=True)
class QueueSummary:
    """What the printer badge and the receipts screen say about a store's queue."""

    pending: int  # waiting for the printer (retried by themselves)
    held: int  # may have reached the paper; a person decides (reprint)
    unconfirmed: int  # printed in the last day, but the printer could not confirm it
    stale: int  # still not printed after the store's problem minutes
    minutes: int  # the store's problem minutes

    @property
    def quiet(self):
        return not (self.pending or self.held or self.unconfirmed or self.stale)


def queue_summary(store, now=None, hours=24):
    """The store's QueueSummary: jobs waiting (however old: nothing is given up silently),
    held, printed unconfirmed in the last ``hours``, and waiting longer than the store's
    ``receipt_problem_minutes``."""
    now = now or utcnow()
    minutes = store.receipt_problem_minutes or 30
    waiting = PrintJob.select().where(PrintJob.store == store)
    return QueueSummary(
        pending=waiting.where(PrintJob.status.in_([PENDING, SENDING])).count(),
        held=waiting.where(PrintJob.status == HELD).count(),
        unconfirmed=waiting.where(PrintJob.status == PRINTED, PrintJob.unconfirmed == True,  # noqa: E712
                                  PrintJob.printed_at >= now - timedelta(hours=hours)).count(),
        stale=waiting.where(PrintJob.status.in_(WAITING),
                            PrintJob.created_at < now - timedelta(minutes=minutes)).count(),
        minutes=minutes,
    )


def is_stale(job, store, now=None):
    """Whether ``job`` waits longer than the store's problem minutes."""
    limit = timedelta(minutes=store.receipt_problem_minutes or 30)
    return job.status in WAITING and job.created_at < (now or utcnow()) - limit
