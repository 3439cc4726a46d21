import peewee

from kiosk.db import BaseModel, utcnow
from kiosk.stores.models import Store

DATABASE, STORE = "database", "store"  # VerifyRun.scope: `kiosk verify`, `kiosk verify --store`


class DistrictUser(BaseModel):
    """A street-office (街道) user: belongs to no store, signs in at /district/ with a PIN kept
    only as a salted hash (as staff PINs are). Wrong PINs are counted in pin_throttle under
    ``district:<id>`` (see kiosk.district.service.authenticate)."""

    name = peewee.CharField(max_length=50, unique=True)
    pin_hash = peewee.CharField(max_length=255)
    active = peewee.BooleanField(default=True)
    created_at = peewee.DateTimeField(default=utcnow)
    # Raised by signing out, a new PIN and deactivation: an older session cookie stops working.
    session_version = peewee.IntegerField(default=0)

    class Meta:
        table_name = "district_user"


class VerifyRun(BaseModel):
    """The outcome of one `kiosk verify` for one store: a row per store per run. ``scope`` says
    whether the run checked the whole database (DATABASE: ``problems`` counts the whole run's
    problems) or this store alone (STORE, `kiosk verify --store`)."""

    store = peewee.ForeignKeyField(Store, backref="+", on_delete="RESTRICT")
    scope = peewee.CharField(max_length=10)
    checked_at = peewee.DateTimeField(default=utcnow)
    problems = peewee.IntegerField()
    chain_head = peewee.CharField(max_length=64)
    chain_length = peewee.BigIntegerField(default=0)

    class Meta:
        table_name = "verify_run"
        indexes = ((("store", "checked_at"), False),)
