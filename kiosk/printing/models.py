import peewee

from kiosk.db import BaseModel, utcnow
from kiosk.staff.models import Staff
from kiosk.stores.models import Store

PENDING, SENDING, PRINTED, HELD, FAILED = "pending", "sending", "printed", "held", "failed"
# What a store does with a job whose last attempt may have reached the paper (Store.receipt_uncertain).
REPRINT_MARKED, WAIT_FOR_STAFF = "reprint", "wait"


class PrintJob(BaseModel):
    """A document waiting for, or sent to, the printer. The feature that prints hands the queue
    the document itself (``receipt``: a devices document as JSON), so the queue knows no sale,
    return or statement: a sale's or return's receipt is queued in the sale's own transaction
    (an outbox), so a committed sale always has its job.

    pending: waits for its next attempt (retried with back-off, for as long as it takes);
    sending: recorded just before the bytes leave, so a sender that dies mid-job leaves a
    trace; printed: the printer took it (``unconfirmed`` when it could not confirm that it
    read every byte); held: an attempt may have reached the paper and the store wants a
    person to decide (reprint); failed: replaced by a reprint, never sent again.
    ``uncertain``: an earlier attempt may have reached the paper, so the job is only ever
    sent again marked 重印.
    """

    store = peewee.ForeignKeyField(Store, on_delete="RESTRICT")
    # Whose document this is, in the words of the feature that queued it ("sale" and the sale's
    # id, "refund" and the return's id), so that the feature can find its jobs again; "" and
    # NULL for a document printed on its own (a statement, shelf labels). The queue never reads
    # them: a reprint carries them over, that is all.
    document_kind = peewee.CharField(max_length=20, default="", constraints=[peewee.SQL("DEFAULT ''")])
    document_id = peewee.BigIntegerField(null=True)
    # What ``receipt`` holds (the payload, whatever the document is for): "receipt":
    # devices.Receipt.to_dict() as JSON; "statement": devices.Statement.to_dict(); "labels":
    # devices.ShelfLabels.to_dict() (shelf labels); "thanks": devices.Acknowledgement.to_dict();
    # "voucher": devices.VoucherSlip.to_dict() (a service voucher's slip, 服务券).
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

    class Meta:
        indexes = ((("document_kind", "document_id"), False),)
