import peewee

from kiosk.db import BaseModel, utcnow
from kiosk.stores.models import Store

ACTIVE, LOST, REVOKED = "active", "lost", "revoked"
CARD_STATUSES = (ACTIVE, LOST, REVOKED)


class Household(BaseModel):
    """A household (户): the usual holder of a points account."""

    store = peewee.ForeignKeyField(Store, backref="households", on_delete="RESTRICT")
    building = peewee.CharField(max_length=20)
    unit = peewee.CharField(max_length=20, default="")
    room = peewee.CharField(max_length=20)
    members = peewee.IntegerField(default=1)
    phone = peewee.CharField(max_length=20, default="")
    created_at = peewee.DateTimeField(default=utcnow)

    @property
    def label(self):
        """The address as residents say it, e.g. 3栋2单元301."""
        unit = f"{self.unit}单元" if self.unit else ""
        return f"{self.building}栋{unit}{self.room}"


class Account(BaseModel):
    """A points account, held by a household or by one person.

    ``balance`` caches the sum of the account's ledger entries; it changes only in the
    transaction that appends the entry (kiosk.ledger.service.post).
    """

    store = peewee.ForeignKeyField(Store, backref="accounts", on_delete="RESTRICT")
    household = peewee.ForeignKeyField(Household, null=True, backref="accounts", on_delete="RESTRICT")
    holder_name = peewee.CharField(max_length=50, default="")
    balance = peewee.BigIntegerField(default=0)
    created_at = peewee.DateTimeField(default=utcnow)


class Card(BaseModel):
    """A points card (积分卡) drawing on an account; several cards may share one."""

    store = peewee.ForeignKeyField(Store, backref="cards", on_delete="RESTRICT")
    number = peewee.CharField(max_length=20)
    account = peewee.ForeignKeyField(Account, backref="cards", on_delete="RESTRICT")
    holder_name = peewee.CharField(max_length=50)
    status = peewee.CharField(max_length=10, default=ACTIVE, choices=[(s, s) for s in CARD_STATUSES])
    issued_at = peewee.DateTimeField(default=utcnow)
    revoked_at = peewee.DateTimeField(null=True)

    class Meta:
        indexes = ((("store", "number"), True),)
