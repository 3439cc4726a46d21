import peewee

from kiosk.db import BaseModel, utcnow
from kiosk.ledger.models import Account
from kiosk.registry.models import Resident
from kiosk.stores.models import Store

ACTIVE, LOST, REVOKED = "active", "lost", "revoked"
CARD_STATUSES = (ACTIVE, LOST, REVOKED)


class Card(BaseModel):
    """A points card (积分卡) drawing on an account; several cards may share one."""

    store = peewee.ForeignKeyField(Store, backref="cards", on_delete="RESTRICT")
    number = peewee.CharField(max_length=20)
    account = peewee.ForeignKeyField(Account, backref="cards", on_delete="RESTRICT")
    holder_name = peewee.CharField(max_length=50)
    resident = peewee.ForeignKeyField(Resident, null=True, backref="cards", on_delete="RESTRICT")
    status = peewee.CharField(max_length=10, default=ACTIVE, choices=[(s, s) for s in CARD_STATUSES])
    issued_at = peewee.DateTimeField(default=utcnow)
    revoked_at = peewee.DateTimeField(null=True)
    # A card reported lost is kept; the card issued in its place names it here.
    # Unique: a lost card is replaced once, however many desks try at the same moment.
    replaces = peewee.ForeignKeyField("self", null=True, unique=True, backref="replacements", on_delete="RESTRICT")

    class Meta:
        indexes = ((("store", "number"), True),)
