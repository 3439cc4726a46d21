import peewee

from kiosk.checkout.models import Refund, Sale
from kiosk.db import BaseModel, utcnow
from kiosk.staff.models import Staff
from kiosk.stores.models import Store

PENDING, SENDING, PRINTED, HELD, FAILED = "pending", "sending", "printed", "held", "failed"
# What a store does with a job whose last attempt may have reached the paper (Store.receipt_uncertain).
REPRINT_MARKED, WAIT_FOR_STAFF = "reprint", "wait"


class PrintJob(BaseModel):
    """A document waiting for, or sent to, the printer. A sale's or return's receipt is
    queued in the sale's own transaction (an outbox), so a committed sale always has its job.

    pending: waits for its next attempt (retried with back-off, for as long as it takes);
    sending: recorded just before the bytes leave, so a sender that dies mid-job leaves a
    trace; printed: the printer took it (``unconfirmed`` when it could not confirm that it
    read every byte); held: an attempt may have reached the paper and the store wants a
    person to decide (reprint); failed: replaced by a reprint, never sent again.
    ``uncertain``: an earlier attempt may have reached the paper, so the job is only ever
    sent again marked 重印.
    """

    store = peewee.ForeignKeyField(Store, on_delete="RESTRICT")
    sale = peewee.ForeignKeyField(Sale, null=True, backref="print_jobs", on_delete="RESTRICT")
    refund = peewee.ForeignKeyField(Refund, null=True, backref="print_jobs", on_delete="RESTRICT")
    # "receipt": devices.Receipt.to_dict() as JSON; "statement": devices.Statement.to_dict();
    # "labels": devices.ShelfLabels.to_dict() (shelf labels).
    kind = peewee.CharField(max_length=10, default="receipt")
    receipt = peewee.TextField()
    reprint = peewee.BooleanField(default=False)
    status = peewee.CharField(max_length=10, default=PENDING, index=True)
    attempts = peewee.IntegerField(default=0)
    error = peewee.CharField(max_length=300, default="")
    staff = peewee.ForeignKeyField(Staff, null=True, on_delete="RESTRICT")
    created_at = peewee.DateTimeField(default=utcnow, index=True)
    printed_at = peewee.DateTimeField(null=True)
    # When a pending job is next due; a sender claims a job by moving this forward.
    next_attempt_at = peewee.DateTimeField(default=utcnow, index=True)
    uncertain = peewee.BooleanField(default=False, constraints=[peewee.SQL("DEFAULT FALSE")])
    unconfirmed = peewee.BooleanField(default=False, constraints=[peewee.SQL("DEFAULT FALSE")])
