"""Earning points: the rules catalog (积分规则) and service records (服务记录) with their review."""
import peewee

from kiosk.cards.models import Account
from kiosk.db import BaseModel, utcnow
from kiosk.ledger.models import LedgerEntry
from kiosk.registry.models import Resident
from kiosk.staff.models import Staff
from kiosk.stores.models import Store

PER_OCCURRENCE, PER_HALF_HOUR = "occurrence", "half_hour"
UNITS = (PER_OCCURRENCE, PER_HALF_HOUR)
PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"


class Rule(BaseModel):
    """One version of a rule. Changing a rule adds a new version (``current`` moves to it);
    a service record keeps the version it was scored with."""

    store = peewee.ForeignKeyField(Store, backref="rules", on_delete="RESTRICT")
    code = peewee.CharField(max_length=20)
    version = peewee.IntegerField(default=1)
    current = peewee.BooleanField(default=True)
    name = peewee.CharField(max_length=100)
    category = peewee.CharField(max_length=30)
    # Points per unit: positive earns, negative deducts.
    points = peewee.IntegerField(constraints=[peewee.Check("points <> 0")])
    unit = peewee.CharField(max_length=10, default=PER_OCCURRENCE)
    # The most points one account may get from this rule in a calendar month / year.
    cap_month = peewee.IntegerField(null=True, constraints=[peewee.Check("cap_month IS NULL OR cap_month > 0")])
    cap_year = peewee.IntegerField(null=True, constraints=[peewee.Check("cap_year IS NULL OR cap_year > 0")])
    active_from = peewee.DateField(null=True)
    active_to = peewee.DateField(null=True)
    created_by = peewee.ForeignKeyField(Staff, null=True, on_delete="RESTRICT")
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("store", "code", "version"), True),)

    def active_on(self, day):
        return (self.active_from is None or self.active_from <= day) and (self.active_to is None or day <= self.active_to)


class ServiceRecord(BaseModel):
    """A service (or a deduction) recorded for a resident, waiting for review or reviewed.

    Approval posts the ledger entry; rejection posts nothing. A record never changes after its
    review: corrections are compensating entries.
    """

    store = peewee.ForeignKeyField(Store, on_delete="RESTRICT")
    resident = peewee.ForeignKeyField(Resident, backref="service_records", on_delete="RESTRICT")
    account = peewee.ForeignKeyField(Account, backref="service_records", on_delete="RESTRICT")
    rule = peewee.ForeignKeyField(Rule, backref="records", on_delete="RESTRICT")
    content = peewee.CharField(max_length=200)
    service_date = peewee.DateField(index=True)
    minutes = peewee.IntegerField(null=True)
    units = peewee.IntegerField(constraints=[peewee.Check("units > 0")])
    points = peewee.IntegerField(constraints=[peewee.Check("points <> 0")])
    status = peewee.CharField(max_length=10, default=PENDING, index=True)
    # Records entered together (one activity, many participants) share a group key.
    group_key = peewee.CharField(max_length=32, default="", index=True)
    recorded_by = peewee.ForeignKeyField(Staff, backref="+", on_delete="RESTRICT")
    reviewed_by = peewee.ForeignKeyField(Staff, null=True, backref="+", on_delete="RESTRICT")
    reviewed_at = peewee.DateTimeField(null=True)
    reason = peewee.CharField(max_length=200, default="")
    ledger_entry = peewee.ForeignKeyField(LedgerEntry, null=True, on_delete="RESTRICT")
    created_at = peewee.DateTimeField(default=utcnow)
