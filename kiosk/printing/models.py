import peewee

from kiosk.checkout.models import Refund, Sale
from kiosk.db import BaseModel, utcnow
from kiosk.staff.models import Staff
from kiosk.stores.models import Store

PENDING, PRINTED, FAILED = "pending", "printed", "failed"


class PrintJob(BaseModel):
    """A receipt waiting for, or sent to, the printer. Created after its sale commits.

    A job is pending until the printer takes it (printed). A failed attempt leaves it pending
    with the error and the time of its next attempt; after the last attempt it is failed, and
    staff reprint it from the receipts screen.
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
