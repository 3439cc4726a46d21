"""A count as a printable A4 PDF (盘点表), laid out by WeasyPrint (kiosk.a4) like the statements.

No Flask here: the view passes the labels in the reader's language.
"""
from datetime import timezone
from typing import NamedTuple
from zoneinfo import ZoneInfo

from kiosk import a4



class ReportLabels(NamedTuple):
    title: str = "Stock-take"
    scope: str = "Goods counted"
    all: str = "All goods"
    shelf: str = "Shelf {}"  # a shelf's name goes in the braces
    blind: str = "Blind count"
    started: str = "Started"
    finished: str = "Finished"
    cancelled: str = "Cancelled"
    product: str = "Product"
    expected: str = "Book"
    counted: str = "Counted"
    variance: str = "Difference"
    value: str = "Points value"
    counted_by: str = "Counted by"
    not_counted: str = "not counted"
    surplus: str = "Surplus"
    shortage: str = "Shortage"
    net: str = "Net"
    unit: str = "pts"
    signature: str = "Manager's signature"


def _local(moment, zone):
    return moment.replace(tzinfo=timezone.utc).astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else ""


def _signed(number):
    return f"{number:+d}" if number else "0"


def stocktake_pdf(stocktake, variances, labels=ReportLabels(), *, tz_name="Asia/Shanghai"):
    """The count with every line (counted or not), its totals and a signature line, as PDF bytes
    (``templates/a4/stocktake.html``). Raises kiosk.a4.PdfUnavailable without WeasyPrint's libraries."""
    zone = ZoneInfo(tz_name)
    scope = stocktake.category or (labels.shelf.replace("{}", stocktake.shelf) if stocktake.shelf else labels.all)
    if stocktake.blind:
        scope += f" · {labels.blind}"
    ended = labels.finished if stocktake.status == "finished" else labels.cancelled
    facts = [
        (labels.scope, scope),
        (labels.started, f"{_local(stocktake.started_at, zone)} {stocktake.started_by.name}"),
        (ended, f"{_local(stocktake.finished_at, zone)} {stocktake.finished_by.name if stocktake.finished_by else ''}"),
    ]
    rows = []
    for row in variances.rows:
        line = row["line"]
        counter = getattr(line, "counter", None)
        rows.append({
            "name": f"{line.name}（{line.unit}）",
            "counted": row["variance"] is not None, "expected": line.expected, "count": line.counted,
            "variance": _signed(row["variance"] or 0), "value": _signed(row["value"] or 0),
            "minus": (row["variance"] or 0) < 0, "who": counter.name if counter else "",
        })
    totals = [
        (f"{labels.surplus} ({len(variances.surplus)})", f"{_signed(variances.surplus_value)} {labels.unit}"),
        (f"{labels.shortage} ({len(variances.shortage)})", f"{_signed(variances.shortage_value)} {labels.unit}"),
        (labels.net, f"{_signed(variances.net_value)} {labels.unit}"),
    ]
    return a4.pdf(
        "a4/stocktake.html", store_name=stocktake.store.name, title=f"{labels.title} {stocktake.number}", facts=facts,
        headings=(labels.product, labels.expected, labels.counted, labels.variance, labels.value, labels.counted_by),
        rows=rows, not_counted=labels.not_counted, totals=totals, signature=labels.signature,
    )
