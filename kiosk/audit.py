"""AuditEvent: who did what, when. Written in the same transaction as the change it records."""
import json

import peewee

from kiosk.db import BaseModel, utcnow
from kiosk.staff.models import Staff
from kiosk.stores.models import Store


class AuditEvent(BaseModel):
    store = peewee.ForeignKeyField(Store, null=True, on_delete="RESTRICT")
    staff = peewee.ForeignKeyField(Staff, null=True, on_delete="RESTRICT")
    action = peewee.CharField(max_length=40, index=True)
    detail = peewee.TextField(default="{}")
    created_at = peewee.DateTimeField(default=utcnow, index=True)

    class Meta:
        # Counting recent events of one kind in one store (manager PIN lock-out) stays an
        # index range scan however long the history grows.
        indexes = ((("store", "action", "created_at"), False),)


def record(action, *, store=None, staff=None, **detail):
    """Append an audit event; ``detail`` must be JSON-serialisable."""
    return AuditEvent.create(
        store=store, staff=staff, action=action, detail=json.dumps(detail, ensure_ascii=False, default=str)
    )
