"""Account statements (对账单) for a period: the value, and an A4 PDF of it (WeasyPrint, kiosk.a4).

The same Statement prints on the receipt printer (devices renders it as ESC/POS).
"""
import dataclasses
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from devices import Statement, StatementEntry, StatementLabels
from devices.statement import totals as statement_totals
from kiosk import a4
from kiosk.errors import KioskError
from kiosk.ledger import service as ledger
from kiosk.ledger.models import EXPIRE
from kiosk.privacy import mask_name

MAX_DAYS = 3660


def _utc(day, tz_name):
    """Local midnight at the start of ``day`` as naive UTC."""
    local = datetime.combine(day, time.min, ZoneInfo(tz_name))
    return local.astimezone(timezone.utc).replace(tzinfo=None)


def statement_for(account, store, day_from, day_to, *, tz_name="Asia/Shanghai", labels=None, what=None,
                  value=None, names=None):
    """The Statement of ``account`` from ``day_from`` to ``day_to`` (local dates, inclusive).

    ``what`` names each entry (default: ledger.describe, with the documents named by
    ``names(entries)``, e.g. kiosk.checkout.service.document_names); ``value(points)`` gives the
    printed value of the closing balance (the store's point value:
    kiosk.expiry.service.value_text), none by default. Raises KioskError("bad_period").
    """
    if day_from > day_to or (day_to - day_from).days > MAX_DAYS:
        raise KioskError("bad_period")
    opening, entries = ledger.entries_between(account.id, _utc(day_from, tz_name), _utc(day_to + timedelta(days=1), tz_name))
    zone = ZoneInfo(tz_name)
    named = names(entries) if names and not what else {}
    describe = what or (lambda entry: ledger.describe(entry, names=named))
    rows = tuple(
        StatementEntry(
            entry.created_at.replace(tzinfo=timezone.utc).astimezone(zone).date(), describe(entry),
            entry.delta, entry.balance_after, entry.kind == EXPIRE,
        )
        for entry in entries
    )
    household = account.household.label if account.household else ""
    statement = Statement(
        store_name=store.name, holder=mask_name(account.holder_name), household=household,
        period_from=day_from, period_to=day_to, opening=opening, entries=rows, labels=labels or StatementLabels(),
    )
    return dataclasses.replace(statement, closing_value=value(statement.closing) if value else "")


def statement_pdf(statement, *, headings=("Date", "What for", "Points", "Balance")):
    """The statement as an A4 PDF (bytes), as many pages as its entries need
    (``templates/a4/statement.html``). Raises kiosk.a4.PdfUnavailable without WeasyPrint's libraries."""
    return a4.pdf("a4/statement.html", statement=statement, headings=headings, totals=statement_totals(statement))


def period_bounds(name, today, day_from=None, day_to=None):
    """(from, to) dates for a named period: this_month, last_month, this_year, or custom.

    Raises KioskError("bad_period").
    """
    if name == "this_month":
        return today.replace(day=1), today
    if name == "last_month":
        last = today.replace(day=1) - timedelta(days=1)
        return last.replace(day=1), last
    if name == "this_year":
        return today.replace(month=1, day=1), today
    if name == "custom" and day_from and day_to:
        return day_from, day_to
    raise KioskError("bad_period")
