"""Earning points: the rules catalog (积分规则) and service records (服务记录) with their review."""
import peewee

from kiosk.db import BaseModel, utcnow
from kiosk.ledger.models import Account, LedgerEntry
from kiosk.registry.models import Resident
from kiosk.staff.models import Staff
from kiosk.stores.models import Store

PER_OCCURRENCE, PER_HALF_HOUR = "occurrence", "half_hour"
UNITS = (PER_OCCURRENCE, PER_HALF_HOUR)
PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
# Deductions after review: waiting out the objection period (异议期), objected to by the
# resident (异议中), or cancelled by an upheld objection. A deduction that takes effect is
# APPROVED, like an earning. A deduction rule's occurrences before its Nth are WARNINGs (劝导):
# reviewed and counted, never posted.
WAITING, DISPUTED, CANCELLED, WARNING = "waiting", "disputed", "cancelled", "warning"
STATUSES = (PENDING, APPROVED, REJECTED, WAITING, DISPUTED, CANCELLED, WARNING)
# Statuses of a record that counts as an occurrence (for the Nth-occurrence rules).
OCCURRED = (APPROVED, WAITING, DISPUTED, WARNING)
MONTH, QUARTER, YEAR = "month", "quarter", "year"
PERIODS = (MONTH, QUARTER, YEAR)


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
    # The rule applies from the Nth occurrence per account in a calendar period; earlier
    # occurrences are recorded warnings (parking: two warnings, then -10 each time).
    from_occurrence = peewee.IntegerField(default=1, constraints=[peewee.Check("from_occurrence >= 1")])
    occurrence_period = peewee.CharField(max_length=10, default=YEAR)
    # Linked bonus: percent of the points that the party member paired with the household
    # (registry Pairing) earns when the service is approved; 0 = none.
    linked_share = peewee.IntegerField(default=0, constraints=[peewee.Check("linked_share BETWEEN 0 AND 100")])
    created_by = peewee.ForeignKeyField(Staff, null=True, on_delete="RESTRICT")
    created_at = peewee.DateTimeField(default=utcnow)
    # Set on the current version when the store manager retires the rule: it is no longer
    # offered for recording or imports; the records scored with it keep it.
    retired_at = peewee.DateTimeField(null=True)

    class Meta:
        indexes = ((("store", "code", "version"), True),)

    @property
    def retired(self):
        return self.retired_at is not None

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
    start_time = peewee.TimeField(null=True)
    end_time = peewee.TimeField(null=True)
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
    # A deduction takes effect on this day unless the resident objects before it.
    effective_on = peewee.DateField(null=True, index=True)
    created_at = peewee.DateTimeField(default=utcnow)

    @property
    def is_deduction(self):
        return self.points < 0


class Objection(BaseModel):
    """A resident's objection (异议) to a deduction, raised at the kiosk or at the desk, and
    the service staff's decision: upheld cancels the deduction, dismissed lets it take effect."""

    record = peewee.ForeignKeyField(ServiceRecord, backref="objections", on_delete="RESTRICT")
    statement = peewee.CharField(max_length=200, default="")
    raised_at = peewee.DateTimeField(default=utcnow)
    # None when the resident raised it at the kiosk with their card.
    raised_by = peewee.ForeignKeyField(Staff, null=True, backref="+", on_delete="RESTRICT")
    upheld = peewee.BooleanField(null=True)
    decided_by = peewee.ForeignKeyField(Staff, null=True, backref="+", on_delete="RESTRICT")
    decided_at = peewee.DateTimeField(null=True)
    reason = peewee.CharField(max_length=200, default="")


class Correction(BaseModel):
    """A correction to an approved record: a compensating ledger entry with a reason, never
    an edit of the record or its entry."""

    record = peewee.ForeignKeyField(ServiceRecord, backref="corrections", on_delete="RESTRICT")
    delta = peewee.IntegerField(constraints=[peewee.Check("delta <> 0")])
    reason = peewee.CharField(max_length=200)
    staff = peewee.ForeignKeyField(Staff, backref="+", on_delete="RESTRICT")
    ledger_entry = peewee.ForeignKeyField(LedgerEntry, on_delete="RESTRICT")
    created_at = peewee.DateTimeField(default=utcnow)
