import peewee

from kiosk.db import BaseModel, utcnow


class Store(BaseModel):
    """One points supermarket. ``code`` prefixes its card payloads and receipt numbers."""

    name = peewee.CharField(max_length=100)
    code = peewee.CharField(max_length=8, unique=True)
    created_at = peewee.DateTimeField(default=utcnow)
