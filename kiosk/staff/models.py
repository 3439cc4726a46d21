import peewee

from kiosk.db import BaseModel, utcnow
from kiosk.stores.models import Store

MANAGER, OPERATIONS, CASHIER, SERVICE = "manager", "operations", "cashier", "service"
ROLES = (MANAGER, OPERATIONS, CASHIER, SERVICE)


class Staff(BaseModel):
    """A person who signs in on the PIN pad. The PIN is stored only as a salted hash."""

    store = peewee.ForeignKeyField(Store, backref="staff", on_delete="RESTRICT")
    name = peewee.CharField(max_length=50)
    role = peewee.CharField(max_length=20, choices=[(r, r) for r in ROLES])
    pin_hash = peewee.CharField(max_length=255)
    active = peewee.BooleanField(default=True)
    failed_attempts = peewee.IntegerField(default=0)
    locked_until = peewee.DateTimeField(null=True)
    created_at = peewee.DateTimeField(default=utcnow)
    # Raised by signing out (also when idle), a new PIN and deactivation: a session cookie
    # carries the number it was signed in with and stops working once it is raised.
    session_version = peewee.IntegerField(default=0, constraints=[peewee.SQL("DEFAULT 0")])

    @classmethod
    def active_in(cls, store):
        return (
            cls.select()
            .where(cls.store == store, cls.active == True)  # noqa: E712
            .order_by(cls.role, cls.name)
        )


class PinThrottle(BaseModel):
    """Wrong PINs counted against something other than one staff member's own sign-in (the
    manager-PIN approvals, a device): one row per ``key``, counted by a single UPDATE so that
    parallel guesses are never lost."""

    key = peewee.CharField(max_length=120, unique=True)
    failed_attempts = peewee.IntegerField(default=0)
    locked_until = peewee.DateTimeField(null=True)
