import peewee

from kiosk.db import BaseModel, utcnow
from kiosk.stores.models import Store


class Household(BaseModel):
    """A household (户): the usual holder of a points account."""

    store = peewee.ForeignKeyField(Store, backref="households", on_delete="RESTRICT")
    community = peewee.CharField(max_length=50, default="")
    building = peewee.CharField(max_length=20)
    unit = peewee.CharField(max_length=20, default="")
    room = peewee.CharField(max_length=20)
    members = peewee.IntegerField(default=1, constraints=[peewee.Check("members >= 1")])
    phone = peewee.CharField(max_length=20, default="")
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("store", "community", "building", "unit", "room"), True),)

    @property
    def label(self):
        """The address as residents say it, e.g. 3栋2单元301."""
        unit = f"{self.unit}单元" if self.unit else ""
        return f"{self.building}栋{unit}{self.room}"


class Resident(BaseModel):
    """A resident (居民) of a household. An ID number is kept only as its last four characters."""

    store = peewee.ForeignKeyField(Store, backref="residents", on_delete="RESTRICT")
    household = peewee.ForeignKeyField(Household, backref="residents", on_delete="RESTRICT")
    name = peewee.CharField(max_length=50)
    # Pinyin initials of the name (张建华 → ZJH), for searching without a Chinese keyboard.
    initials = peewee.CharField(max_length=50, default="", index=True)
    phone = peewee.CharField(max_length=20, null=True)
    id_tail = peewee.CharField(max_length=4, default="")
    active = peewee.BooleanField(default=True)
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("store", "phone"), True),)


class Pairing(BaseModel):
    """A party member paired with a household (党员联系户): the member earns a share of the
    points the household's residents earn by service (the rule's linked share). A household
    has at most one current pairing; ending one keeps the row, with ``ended_at``."""

    store = peewee.ForeignKeyField(Store, on_delete="RESTRICT")
    member = peewee.ForeignKeyField(Resident, backref="pairings", on_delete="RESTRICT")
    household = peewee.ForeignKeyField(Household, backref="pairings", on_delete="RESTRICT")
    created_at = peewee.DateTimeField(default=utcnow)
    ended_at = peewee.DateTimeField(null=True)
