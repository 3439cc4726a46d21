"""Reports and raw rows of a period, as XLSX, CSV (with a BOM, for Excel) and A4 PDF.

Every file goes through the one cell-safe writer (kiosk.csvexport: ``csv_bytes``, ``xlsx_bytes``),
so no cell can run as a formula. Each workbook ends with an "About" sheet (a CSV with an "About"
section) stating the store, the period, when it was exported and the head of the store's ledger
chain, so a figure on paper can be matched with the books it came from.

Personal names are masked as on screen (张*华) unless ``full_names`` is asked for; the caller
records that request in the audit log (``record_full_names``), in the same breath as it exports.

Raw exports read the period's rows of one store, streamed from the database (never all at once).
Runs in an app context (flask_babel).
"""
from datetime import datetime, timedelta, timezone

from flask_babel import gettext as _

from kiosk import a4, audit
from kiosk.cards.models import Card
from kiosk.checkout.models import REFUND_PREFIX, SALE_PREFIX, Refund, Sale, SaleLine, receipt_number
from kiosk.csvexport import csv_bytes, xlsx_bytes
from kiosk.earning.models import Rule, ServiceRecord
from kiosk.errors import KioskError
from kiosk.inventory.models import Product, StockMovement
from kiosk.ledger.models import Account, LedgerEntry
from kiosk.privacy import mask_name
from kiosk.registry.models import Household, Resident
from kiosk.reports import charts, present
from kiosk.reports import service as reports
from kiosk.reports.periods import local_time
from kiosk.staff.models import Staff

SALES, SALE_LINES, LEDGER, MOVEMENTS, SERVICE = "sales", "sale-lines", "ledger", "movements", "service-records"
RAW = (SALES, SALE_LINES, LEDGER, MOVEMENTS, SERVICE)
FORMATS = ("xlsx", "csv", "pdf")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
PDF_TYPE = "application/pdf"
MIME = {"xlsx": XLSX_TYPE, "csv": CSV_TYPE, "pdf": PDF_TYPE}


def raw_title(kind):
    return {SALES: _("Sales"), SALE_LINES: _("Sale lines"), LEDGER: _("Ledger entries"),
            MOVEMENTS: _("Stock movements"), SERVICE: _("Service records")}[kind]


def file_name(store, what, period, fmt):
    """e.g. XY-points-2026-11.xlsx (ASCII only: every browser and shell keeps it)."""
    return f"{store.code}-{what}-{period.code.replace('..', '_')}.{fmt}"


def record_full_names(store, staff, what, period, fmt):
    """Put a request for full names in the audit log (its own transaction when none is open)."""
    from kiosk.db import database

    with database.atomic():
        audit.record("report_full_names", store=store, staff=staff, report=what, period=period.code, format=fmt)


def about_rows(store, period, full_names, now=None):
    now = now or datetime.now(timezone.utc).replace(tzinfo=None)
    head, length = reports.chain_head(store)
    first_bound, last_bound = period.bounds(store.timezone)
    return [
        [_("Store"), f"{store.name} ({store.code})"],
        [_("Period"), f"{period.label} ({period.code})"],
        [_("First day"), period.first],
        [_("Last day"), period.last],
        [_("Time zone"), store.timezone],
        [_("From (UTC)"), first_bound],
        [_("Until (UTC, not included)"), last_bound],
        [_("Exported at"), local_time(now, store.timezone)],
        [_("Ledger chain head"), head or "—"],
        [_("Ledger entries in the chain"), length],
        [_("Names"), _("Full names (recorded in the audit log)") if full_names else _("Masked as on screen")],
    ]


def _about_sheet(store, period, full_names):
    return (_("About"), [_("About item"), _("Value")], about_rows(store, period, full_names), [26, 70], None)


def _sheet(table):
    rows = list(table.rows) + ([table.total] if table.total else [])
    return (table.title, table.header, rows, table.widths, table.formats)


def document_xlsx(doc, *, full_names=False):
    """The report as a workbook: the summary, a sheet per table, and About."""
    sheets = [_summary_sheet(doc)] + [_sheet(table) for table in doc.tables]
    return xlsx_bytes(sheets + [_about_sheet(doc.store, doc.period, full_names)])


def _summary_sheet(doc):
    """The headline figures; a share or an amount in yuan is written as a number with its format
    (a per-column format cannot say that), so those rows carry the format's words as their unit."""
    rows = []
    for figure in doc.figures:
        value = figure.value
        if figure.format == present.PERCENT and value is not None:
            rows.append([figure.label, round(value * 100, 1), "%"])
        else:
            rows.append([figure.label, value, figure.unit])
    rows += [[note, None, None] for note in doc.notes]
    return (_("Summary"), [_("Figure"), _("Value"), _("Counted in")], rows, [40, 16, 12], None)


def document_csv(doc, *, full_names=False):
    """The report as one CSV: the summary, then each table under its title, then About."""
    rows = [[doc.title, doc.store.name, doc.period.label]]
    sections = [_summary_sheet(doc)] + [_sheet(table) for table in doc.tables]
    sections.append(_about_sheet(doc.store, doc.period, full_names))
    for title, header, body, _w, _f in sections:
        rows += [[], [title], list(header)] + [list(row) for row in body]
    return csv_bytes(rows[0], rows[1:])


def document_pdf(doc, *, printed_at=None):
    """The report as an A4 PDF (WeasyPrint): headline figures, charts and tables."""
    printed_at = printed_at or local_time(datetime.now(timezone.utc).replace(tzinfo=None), doc.store.timezone)
    template = "a4/street_report.html" if doc.kind == present.STREET else "a4/report.html"
    head, _length = reports.chain_head(doc.store)
    return a4.pdf(template, doc=doc, charts=[(title, charts.inline(svg)) for title, svg in doc.charts],
                  cell=present.cell_text, printed_at=printed_at.strftime("%Y-%m-%d %H:%M"), chain_head=head,
                  words=_pdf_words())


def _pdf_words():
    return {
        "page": _("Page {page} of {pages}"), "printed": _("Printed on"), "store": _("Store"), "period": _("Period"),
        "chain": _("Ledger chain head"), "sign_maker": _("Prepared by"), "sign_checker": _("Checked by"),
        "seal": _("Community (seal)"), "date": _("Date"), "none": _("None in this period"),
        "total": _("Total"),
    }


def document_file(doc, fmt, *, full_names=False):
    if fmt == "xlsx":
        return document_xlsx(doc, full_names=full_names)
    if fmt == "csv":
        return document_csv(doc, full_names=full_names)
    if fmt == "pdf":
        return document_pdf(doc)
    raise KioskError("bad_export_format")


# ---------------------------------------------------------------------------------------------
# Raw rows of a period


def _name(text, full_names):
    return text if full_names else mask_name(text)


def raw_table(kind, store, period, *, full_names=False):
    """(title, header, rows iterator, widths, formats) of one kind of raw row for the period."""
    start, end = period.bounds(store.timezone)
    tz = store.timezone
    staff_names = {s.id: s.name for s in Staff.select(Staff.id, Staff.name).where(Staff.store == store)}
    if kind == SALES:
        query = (Sale.select(Sale.serial, Sale.created_at, Card.number, Account.holder_name, Sale.staff, Sale.total,
                             Sale.balance_before, Sale.balance_after, Sale.picked_up_by)
                 .join(Card, on=(Sale.card == Card.id)).switch(Sale).join(Account, on=(Sale.account == Account.id))
                 .where(Sale.store == store, Sale.created_at >= start, Sale.created_at < end).order_by(Sale.id))
        header = [_("Receipt"), _("Time"), _("Card"), _("Holder"), _("Cashier"), _("Points"), _("Balance before"),
                  _("Balance after"), _("Picked up by")]
        rows = ([receipt_number(store.code, SALE_PREFIX, sid), local_time(at, tz), number, _name(holder, full_names),
                 staff_names.get(staff_id, ""), total, before, after, _name(picked, full_names)]
                for sid, at, number, holder, staff_id, total, before, after, picked in query.tuples().iterator())
        return (raw_title(kind), header, rows, [16, 18, 12, 12, 10, 10, 10, 10, 12], None)
    if kind == SALE_LINES:
        query = (SaleLine.select(Sale.serial, Sale.created_at, SaleLine.name, Product.category, SaleLine.points,
                                 SaleLine.quantity, SaleLine.refunded_quantity)
                 .join(Sale, on=(SaleLine.sale == Sale.id)).switch(SaleLine)
                 .join(Product, on=(SaleLine.product == Product.id))
                 .where(Sale.store == store, Sale.created_at >= start, Sale.created_at < end)
                 .order_by(Sale.id, SaleLine.id))
        header = [_("Receipt"), _("Time"), _("Goods"), _("Category"), _("Points each"), _("Quantity"), _("Points"),
                  _("Returned so far")]
        rows = ([receipt_number(store.code, SALE_PREFIX, sid), local_time(at, tz), name, category, points, quantity,
                 points * quantity, refunded]
                for sid, at, name, category, points, quantity, refunded in query.tuples().iterator())
        return (raw_title(kind), header, rows, [16, 18, 20, 12, 10, 10, 10, 12], None)
    if kind == LEDGER:
        query = (reports._ledger(store, start, end)
                 .select(LedgerEntry.id, LedgerEntry.created_at, Account.id, Account.holder_name, LedgerEntry.kind,
                         LedgerEntry.delta, LedgerEntry.balance_after, LedgerEntry.reference, LedgerEntry.note,
                         LedgerEntry.staff)
                 .join(Account, on=(LedgerEntry.account == Account.id))  # for the holder's name only
                 .order_by(LedgerEntry.id))
        kinds = _ledger_kind_names()
        receipts = _ReceiptNumbers(store, start, end)
        header = [_("Entry"), _("Time"), _("Account"), _("Holder"), _("Kind"), _("Points"), _("Balance after"),
                  _("Reference"), _("Note"), _("Staff")]
        rows = ([eid, local_time(at, tz), account, _name(holder, full_names), str(kinds.get(kind, kind)), delta, after,
                 receipts.of(reference), note, staff_names.get(staff_id, "")]
                for eid, at, account, holder, kind, delta, after, reference, note, staff_id
                in query.tuples().iterator())
        return (raw_title(kind), header, rows, [10, 18, 10, 12, 12, 10, 12, 18, 40, 10], None)
    if kind == MOVEMENTS:
        query = (reports._movements(store, start, end)
                 .select(StockMovement.id, StockMovement.created_at, Product.name, Product.category,
                         StockMovement.kind, StockMovement.delta, StockMovement.quantity_after, StockMovement.reference,
                         StockMovement.note, StockMovement.staff)
                 .order_by(StockMovement.id))
        header = [_("Movement"), _("Time"), _("Goods"), _("Category"), _("Kind"), _("Quantity"), _("Quantity after"),
                  _("Reference"), _("Note"), _("Staff")]
        rows = ([mid, local_time(at, tz), name, category, present.movement_name(kind), delta, after, reference, note,
                 staff_names.get(staff_id, "")]
                for mid, at, name, category, kind, delta, after, reference, note, staff_id in query.tuples().iterator())
        return (raw_title(kind), header, rows, [10, 18, 20, 12, 14, 10, 12, 18, 30, 10], None)
    if kind == SERVICE:
        query = (ServiceRecord.select(ServiceRecord.id, ServiceRecord.service_date, Resident.name, Household.building,
                                      Household.unit, Household.room, Rule.code, Rule.name, Rule.category,
                                      ServiceRecord.content, ServiceRecord.minutes, ServiceRecord.points,
                                      ServiceRecord.status, ServiceRecord.recorded_by, ServiceRecord.reviewed_by,
                                      ServiceRecord.reviewed_at)
                 .join(Resident, on=(ServiceRecord.resident == Resident.id))
                 .join(Household, on=(Resident.household == Household.id))
                 .switch(ServiceRecord).join(Rule, on=(ServiceRecord.rule == Rule.id))
                 .where(ServiceRecord.store == store, ServiceRecord.service_date >= period.first,
                        ServiceRecord.service_date <= period.last)
                 .order_by(ServiceRecord.service_date, ServiceRecord.id))
        statuses = _record_status_names()
        header = [_("Record"), _("Service date"), _("Resident"), _("Household"), _("Rule code"), _("Rule"),
                  _("Category"), _("Content"), _("Minutes"), _("Points"), _("Status"), _("Recorded by"),
                  _("Reviewed by"), _("Reviewed at")]
        rows = ([rid, day, _name(name, full_names), Household(building=b, unit=u, room=r).label, code, rule, category,
                 content, minutes, points, str(statuses.get(status, status)), staff_names.get(maker, ""),
                 staff_names.get(checker, ""), local_time(at, tz) if at else None]
                for rid, day, name, b, u, r, code, rule, category, content, minutes, points, status, maker, checker, at
                in query.tuples().iterator())
        return (raw_title(kind), header, rows, [10, 12, 10, 14, 10, 20, 12, 30, 8, 8, 14, 10, 10, 18], None)
    raise KioskError("bad_export")


def _ledger_kind_names():
    from kiosk.web import LEDGER_KIND_NAMES

    return LEDGER_KIND_NAMES


def _record_status_names():
    from kiosk.web import RECORD_STATUS_NAMES

    return RECORD_STATUS_NAMES


class _ReceiptNumbers:
    """A ledger reference ("sale:<id>", "refund:<id>") as its printed receipt number (the
    store's own serial), others as they are. The period's sales and returns are read in one
    query each (a day either side, as an entry's time may differ from its document's by a
    moment); any other is looked up alone."""

    def __init__(self, store, start, end):
        self.code = store.code
        margin = timedelta(days=1)
        self.serials = {}
        for kind, model in (("sale", Sale), ("refund", Refund)):
            rows = model.select(model.id, model.serial).where(
                model.store == store, model.created_at >= start - margin, model.created_at < end + margin)
            self.serials.update({(kind, row_id): serial for row_id, serial in rows.tuples().iterator()})

    def of(self, reference):
        kind, _sep, number = (reference or "").partition(":")
        if kind not in ("sale", "refund") or not number.isdigit():
            return reference
        key = (kind, int(number))
        if key not in self.serials:
            model = Sale if kind == "sale" else Refund
            self.serials[key] = model.select(model.serial).where(model.id == key[1]).scalar()
        if self.serials[key] is None:
            return reference
        return receipt_number(self.code, SALE_PREFIX if kind == "sale" else REFUND_PREFIX, self.serials[key])


def raw_file(kind, store, period, fmt, *, full_names=False):
    """One kind of raw row for the period as .xlsx (with its About sheet) or .csv bytes."""
    title, header, rows, widths, formats = raw_table(kind, store, period, full_names=full_names)
    if fmt == "xlsx":
        return xlsx_bytes([(title, header, rows, widths, formats), _about_sheet(store, period, full_names)])
    if fmt == "csv":
        return csv_bytes(header, rows)
    raise KioskError("bad_export_format")
