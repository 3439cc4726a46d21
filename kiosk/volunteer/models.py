"""Imports from the volunteer platform (志愿服务小程序): a batch waits for a second person.

A batch holds the uploaded table (ID numbers cut to their last four characters), the column
mapping and the rule chosen by the uploader. Confirming it creates approved service records
and their ledger entries; the batch is then decided and never changes again.
"""
import peewee

from kiosk.db import BaseModel, utcnow
from kiosk.earning.models import ServiceRecord
from kiosk.staff.models import Staff
from kiosk.stores.models import Store

DRAFT, WAITING, CONFIRMED, DISCARDED = "draft", "waiting", "confirmed", "discarded"


class VolunteerImport(BaseModel):
    store = peewee.ForeignKeyField(Store, on_delete="RESTRICT")
    filename = peewee.CharField(max_length=200)
    file_hash = peewee.CharField(max_length=64, index=True)
    # JSON: the column titles, and [[row number, [cell text…]], …] for every non-blank row.
    header = peewee.TextField()
    cells = peewee.TextField()
    # JSON: field -> column index; and the rule: "rule:CODE" for the whole file, "column:N".
    mapping = peewee.TextField(default="{}")
    rule_choice = peewee.CharField(max_length=40, default="")
    status = peewee.CharField(max_length=10, default=DRAFT, index=True)
    uploaded_by = peewee.ForeignKeyField(Staff, backref="+", on_delete="RESTRICT")
    uploaded_at = peewee.DateTimeField(default=utcnow)
    submitted_at = peewee.DateTimeField(null=True)
    decided_by = peewee.ForeignKeyField(Staff, null=True, backref="+", on_delete="RESTRICT")
    decided_at = peewee.DateTimeField(null=True)
    reason = peewee.CharField(max_length=200, default="")
    rows = peewee.IntegerField(default=0)
    records = peewee.IntegerField(default=0)
    points = peewee.IntegerField(default=0)
    skipped = peewee.IntegerField(default=0)


class VolunteerImportRecord(BaseModel):
    """A service record a confirmed batch created, and the row of the file it came from."""

    batch = peewee.ForeignKeyField(VolunteerImport, backref="created", on_delete="RESTRICT")
    row = peewee.IntegerField()
    service_record = peewee.ForeignKeyField(ServiceRecord, unique=True, on_delete="RESTRICT")
