"""The reports as people read them: headline figures, tables and charts, in the reader's language.

One Document per report (points, participation, goods, street), built from kiosk.reports.service
for one store and period. The same Document is the screen's tab, the A4 PDF, the sheets of the
XLSX workbook and the sections of the CSV file, so a figure is worded once. Table cells keep
their types (int, float, date, datetime, text) for the exports; the screen formats them.

Runs inside a Flask app context (flask_babel's gettext: the views, the CLI's ``_app()``).
"""
from dataclasses import dataclass, field
from typing import Optional

from flask_babel import gettext as _

from kiosk.goods.models import DAMAGED, DONATION, EXPIRED, INTERNAL, OTHER, PURCHASE
from kiosk.inventory.models import RETURN, SALE, STOCK_IN, STOCKTAKE, WRITE_OFF
from kiosk.reports import charts
from kiosk.reports import service as reports
from kiosk.reports.periods import local_time

POINTS, PARTICIPATION, GOODS, STREET = "points", "participation", "goods", "street"
REPORTS = (POINTS, PARTICIPATION, GOODS, STREET)
PERCENT, YUAN = "0.0%", "#,##0.00"


@dataclass
class Table:
    title: str
    header: list
    rows: list
    widths: list = field(default_factory=list)
    formats: list = field(default_factory=list)  # Excel number formats per column (PERCENT, YUAN)
    total: Optional[list] = None  # a totals row, shown last


@dataclass
class Figure:
    label: str
    value: object  # int, float (a share: PERCENT) or text
    unit: str = ""
    format: str = ""


@dataclass
class Document:
    kind: str
    title: str
    store: object
    period: object
    figures: list  # [Figure]: the headline
    tables: list  # [Table]
    charts: list  # [(title, svg)]
    notes: list = field(default_factory=list)


def report_title(kind):
    return {POINTS: _("Points report"), PARTICIPATION: _("Participation report"), GOODS: _("Goods report"),
            STREET: _("Report to the street office")}[kind]


def yuan(report_or_store, points):
    """``points`` in yuan (a float) at the store's point value, or None when a point has none."""
    fen = getattr(report_or_store, "point_value_fen", None)
    return None if fen is None else points * fen / 100


# ---------------------------------------------------------------------------------------------


def points_document(store, period, report=None):
    report = report or reports.points(store, period)
    figures = [
        Figure(_("Points outstanding at the start"), report.outstanding_start, _("points")),
        Figure(_("Earned"), report.earned, _("points")),
        Figure(_("Deducted"), report.deducted, _("points")),
        Figure(_("Corrections (net)"), report.corrected, _("points")),
        Figure(_("Redeemed"), report.redeemed, _("points")),
        Figure(_("Returned (points given back)"), report.refunded, _("points")),
        Figure(_("Expired"), report.expired, _("points")),
    ]
    if report.opening:
        figures.append(Figure(_("Opening balances entered"), report.opening, _("points")))
    figures.append(Figure(_("Points outstanding at the end"), report.outstanding_end, _("points")))
    if store.point_value_fen is not None:
        figures += [Figure(_("Value outstanding at the start"), yuan(store, report.outstanding_start), _("yuan"), YUAN),
                    Figure(_("Value outstanding at the end"), yuan(store, report.outstanding_end), _("yuan"), YUAN)]
    rule_header = [_("Rule code"), _("Rule"), _("Category"), _("Entries"), _("Points")]
    earned_rows = [[r.code, r.name, r.category, r.entries, r.points] for r in report.earned_by_rule]
    if report.linked:
        earned_rows.append(["", _("Linked share of paired party members"), "", None, report.linked])
    if report.earned_other:
        earned_rows.append(["", _("Other earnings"), "", None, report.earned_other])
    tables = [
        Table(_("Earned by rule"), rule_header, earned_rows, [10, 26, 14, 10, 12],
              total=["", _("Total"), "", None, report.earned]),
        Table(_("Earned by category of rule"), [_("Category"), _("Points")],
              [[category, pts] for category, pts in report.earned_by_category], [20, 12]),
        Table(_("Deducted by rule"), rule_header,
              [[r.code, r.name, r.category, r.entries, r.points] for r in report.deducted_by_rule],
              [10, 26, 14, 10, 12], total=["", _("Total"), "", None, report.deducted]),
        Table(_("Points by week or month"), [_("Starting"), _("Earned"), _("Redeemed less returns")],
              [[label, earned, spent] for label, earned, spent in report.trend], [12, 12, 18]),
    ]
    chart = charts.bars(_("Points earned and redeemed"), [t[0] for t in report.trend],
                        [(_("Earned"), "earn", [t[1] for t in report.trend]),
                         (_("Redeemed"), "redeem", [t[2] for t in report.trend])], empty=_("Nothing in this period"))
    notes = [_("Points outstanding are the sum of the ledger up to each bound: what every account held then.")]
    return Document(POINTS, report_title(POINTS), store, period, figures, tables,
                    [(_("Points earned and redeemed"), chart)], notes)


def participation_document(store, period, report=None, *, full_names=False):
    report = report or reports.participation(store, period, full_names=full_names)
    figures = [
        Figure(_("Activities"), report.activities, _("activities")),
        Figure(_("Person-times"), report.person_times, _("person-times")),
        Figure(_("Residents taking part"), report.residents, _("people")),
        Figure(_("Households taking part"), report.households, _("households")),
        Figure(_("Households registered"), report.households_registered, _("households")),
        Figure(_("Coverage"), report.coverage, "", PERCENT),
        Figure(_("Service hours"), round(report.hours, 1), _("hours")),
        Figure(_("Points earned by service"), report.points, _("points")),
    ]
    tables = [
        Table(_("Top households"), [_("Household"), _("Residents"), _("Person-times"), _("Hours"), _("Points")],
              [[row.address, row.names, row.person_times, round(row.minutes / 60, 1), row.points] for row in report.top],
              [16, 24, 12, 10, 12]),
        Table(_("By building and unit"), [_("Building"), _("Unit"), _("Households registered"),
                                          _("Households taking part"), _("Coverage"), _("Person-times"), _("Points")],
              [[row.building, row.unit, row.registered, row.taking_part, row.coverage, row.person_times, row.points]
               for row in report.buildings], [10, 8, 14, 14, 10, 12, 12], [None, None, None, None, PERCENT]),
        Table(_("By category of rule"), [_("Category"), _("Person-times"), _("Points")],
              [list(row) for row in report.by_category], [20, 12, 12]),
        Table(_("By month"), [_("Month"), _("Person-times"), _("Points")], [list(row) for row in report.by_month],
              [12, 12, 12]),
    ]
    # A month or less is one bar: the chart shows the twelve months up to it instead.
    months = report.by_month if len(report.by_month) >= 3 else reports.participation_by_month(store, period)
    chart_title = _("Participation by month") if months is report.by_month else _("Participation by month, last 12 months")
    chart = charts.bars(chart_title, [m[0] for m in months], [(_("Person-times"), "people", [m[1] for m in months])],
                        empty=_("Nothing in this period"))
    notes = [_("Coverage is the households taking part against the households registered at the end of the period.")]
    return Document(PARTICIPATION, report_title(PARTICIPATION), store, period, figures, tables,
                    [(chart_title, chart)], notes)


def reason_name(reason):
    return {DAMAGED: _("Damaged"), EXPIRED: _("Expired"), INTERNAL: _("Internal use"), OTHER: _("Other")}.get(
        reason, reason)


def movement_name(kind):
    return {SALE: _("Redemptions"), RETURN: _("Returns"), STOCK_IN: _("Goods in"), WRITE_OFF: _("Write-offs"),
            STOCKTAKE: _("Stock-take adjustments")}.get(kind, kind)


def goods_document(store, period, report=None, *, today=None, full_names=False):
    report = report or reports.goods(store, period, today=today, full_names=full_names)
    purchase, donation = report.goods_in[PURCHASE], report.goods_in[DONATION]
    figures = [
        Figure(_("Stock value at the start"), report.stock_value_start, _("points")),
        Figure(_("Goods bought"), purchase[1], _("units")),
        Figure(_("Goods donated"), donation[1], _("units")),
        Figure(_("Value donated"), donation[2], _("points")),
        Figure(_("Redemptions"), report.sold["sales"], _("sales")),
        Figure(_("Goods redeemed"), report.sold["units"], _("units")),
        Figure(_("Points redeemed"), report.sold["points"], _("points")),
        Figure(_("Goods returned"), report.returned["units"], _("units")),
        Figure(_("Written off"), report.written_off_points, _("points")),
        Figure(_("Near expiry (on hand now)"), report.near_expiry_points, _("points")),
        Figure(_("Stock value at the end"), report.stock_value_end, _("points")),
    ]
    tables = [
        Table(_("Goods in"), [_("Kind"), _("Documents"), _("Units"), _("Points")],
              [[_("Purchases"), *purchase], [_("Donations"), *donation]], [16, 12, 10, 12]),
        Table(_("Donors"), [_("Donor"), _("Documents"), _("Units"), _("Points")],
              [list(row) for row in report.donors], [24, 12, 10, 12]),
        Table(_("Goods out by reason"), [_("Reason"), _("Documents"), _("Units"), _("Points")],
              [[reason_name(reason), *rest] for reason, *rest in report.write_offs], [16, 12, 10, 12],
              total=[_("Total"), None, sum(r[2] for r in report.write_offs), report.written_off_points]),
        Table(_("Stock movements"), [_("Kind"), _("Units in"), _("Units out")],
              [[movement_name(kind), up, down] for kind, (up, down) in sorted(report.movements.items())],
              [22, 12, 12]),
        Table(_("Best-selling goods"), [_("Goods"), _("Category"), _("Units"), _("Points")],
              [list(row) for row in report.best_sellers], [22, 14, 10, 12]),
        Table(_("Redeemed by category"), [_("Category"), _("Units"), _("Points")],
              [list(row) for row in report.by_category], [16, 10, 12]),
        Table(_("Near expiry (on hand now)"), [_("Goods"), _("Batch"), _("Expires"), _("On hand"), _("Points")],
              [[b.product.name, b.batch_no, b.expiry, b.on_hand, b.on_hand * b.product.points]
               for b in report.near_expiry], [22, 14, 12, 10, 12]),
        Table(_("Stock-take variances"), [_("Stock-take no."), _("Finished at"), _("Category"), _("Shelf"), _("Surplus units"),
                                          _("Surplus points"), _("Shortage units"), _("Shortage points")],
              [[number, local_time(at, store.timezone) if at else None, category, shelf, *rest]
               for number, at, category, shelf, *rest in report.stocktakes], [12, 18, 12, 8, 10, 12, 10, 12]),
        Table(_("Stock value by week or month"), [_("Until"), _("Stock value (points)")],
              [list(row) for row in report.stock_trend], [12, 18]),
        Table(_("Service vouchers by partner"),
              [_("Partner"), _("Handed out"), _("Used"), _("Cancelled"), _("Expired"), _("Outstanding at the end"),
               _("Face value used (yuan)")],
              [[r.partner, r.issued, r.used, r.cancelled, r.expired, r.outstanding, r.used_value_fen / 100]
               for r in report.vouchers], [16, 10, 10, 10, 10, 12, 14], [None, None, None, None, None, None, YUAN]),
    ]
    stock = charts.line(_("Stock value (points)"), [t[0] for t in report.stock_trend],
                        [t[1] for t in report.stock_trend], empty=_("Nothing in this period"))
    by_category = charts.bars(_("Goods redeemed by category (points)"), [c[0] for c in report.by_category],
                              [(_("Points"), "goods", [c[2] for c in report.by_category])], horizontal=True,
                              empty=_("Nothing in this period"))
    notes = [_("Stock value is the stock on hand at each bound at today's prices."),
             _("Best-selling goods and goods by category count what was redeemed in the period, before returns.")]
    return Document(GOODS, report_title(GOODS), store, period, figures, tables,
                    [(_("Stock value (points)"), stock), (_("Goods redeemed by category (points)"), by_category)], notes)


def street_document(store, period, *, today=None):
    """The one A4 page a community sends upward: headline figures and a few tables."""
    pts = reports.points(store, period)
    part = reports.participation(store, period)
    goods = reports.goods(store, period, today=today)
    coverage = "—" if part.coverage is None else f"{part.coverage:.0%}"
    headline = _("%(activities)s volunteer activities, %(times)s person-times, %(points)s points earned; "
                 "coverage %(coverage)s of households.") % {
        "activities": f"{part.activities:,}", "times": f"{part.person_times:,}", "points": f"{pts.earned:,}",
        "coverage": coverage}
    figures = [
        Figure(_("Activities"), part.activities, _("activities")),
        Figure(_("Person-times"), part.person_times, _("person-times")),
        Figure(_("Points earned"), pts.earned, _("points")),
        Figure(_("Coverage"), part.coverage, "", PERCENT),
        Figure(_("Households taking part"), part.households, _("households")),
        Figure(_("Households registered"), part.households_registered, _("households")),
        Figure(_("Service hours"), round(part.hours, 1), _("hours")),
        Figure(_("Points redeemed"), pts.redeemed - pts.refunded, _("points")),
        Figure(_("Points deducted"), pts.deducted, _("points")),
        Figure(_("Points outstanding at the end"), pts.outstanding_end, _("points")),
        Figure(_("Goods donated"), goods.goods_in[DONATION][1], _("units")),
        Figure(_("Stock value at the end"), goods.stock_value_end, _("points")),
    ]
    if store.point_value_fen is not None:
        figures.append(Figure(_("Value outstanding at the end"), yuan(store, pts.outstanding_end), _("yuan"), YUAN))
    tables = [
        Table(_("Earned by category of rule"), [_("Category"), _("Person-times"), _("Points")],
              [list(row) for row in part.by_category], [20, 12, 12]),
        Table(_("By building and unit"), [_("Building"), _("Unit"), _("Households registered"),
                                          _("Households taking part"), _("Coverage")],
              [[r.building, r.unit, r.registered, r.taking_part, r.coverage] for r in part.buildings],
              [10, 8, 14, 14, 10], [None, None, None, None, PERCENT]),
        Table(_("Best-selling goods"), [_("Goods"), _("Units"), _("Points")],
              [[name, units, points] for name, _c, units, points in goods.best_sellers[:5]], [22, 10, 12]),
    ]
    document = Document(STREET, report_title(STREET), store, period, figures, tables, [], [headline])
    return document


def document(kind, store, period, *, today=None, full_names=False):
    """The Document of report ``kind`` (POINTS, PARTICIPATION, GOODS, STREET)."""
    if kind == POINTS:
        return points_document(store, period)
    if kind == PARTICIPATION:
        return participation_document(store, period, full_names=full_names)
    if kind == GOODS:
        return goods_document(store, period, today=today, full_names=full_names)
    return street_document(store, period, today=today)


def cell_text(value, fmt=None):
    """A table cell as the screen and the PDF show it."""
    from datetime import date, datetime

    if value is None:
        return "—" if fmt == PERCENT else ""
    if fmt == PERCENT:
        return f"{value:.0%}"
    if fmt == YUAN:
        return f"¥{value:,.2f}"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.1f}".rstrip("0").rstrip(".")
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
