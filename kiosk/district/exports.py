"""The street office's workbook: a summary sheet with every store side by side, then one sheet
per store (its headline figures, the last close, notice and verification, and the period's
tables), written by the one cell-safe writer (``kiosk.csvexport.xlsx_bytes``). Runs in an app
context (the words are the reader's language)."""
from datetime import datetime, timezone

from flask_babel import gettext as _

from kiosk.csvexport import xlsx_bytes
from kiosk.reports import present
from kiosk.reports.periods import local_time


def _value(figure):
    """A figure as a workbook cell: a share as a number of percent (as the reports' summary)."""
    if figure.format == present.PERCENT and figure.value is not None:
        return round(figure.value * 100, 1)
    return figure.value


def _unit(figure):
    return "%" if figure.format == present.PERCENT else figure.unit


def status_rows(col):
    """The rows below the figures: last close, last notice and its chain head, last verify."""
    tz = col.store.timezone
    close, notice, run = col.last_close, col.last_notice, col.last_verify
    return [
        [_("Last day closed"), close.day if close else _("None yet")],
        [_("Last notice published"), f"{notice.period} ({notice.kind})" if notice else _("None yet")],
        [_("Notice chain head"), notice.chain_head if notice else None],
        [_("Last verification"), local_time(run.checked_at, tz) if run else _("Never run")],
        [_("Problems found"), run.problems if run else None],
        [_("Ledger chain head now"), col.chain_head or "—"],
    ]


def summary_sheet(columns, period):
    header = [_("Figure")] + [f"{c.store.name} ({c.store.code})" for c in columns]
    rows = []
    if columns:
        for index, figure in enumerate(columns[0].document.figures):
            rows.append([figure.label] + [_value(c.document.figures[index]) if index < len(c.document.figures)
                                          else None for c in columns])
        for index, (label, _v) in enumerate(status_rows(columns[0])):
            rows.append([label] + [status_rows(c)[index][1] for c in columns])
    rows += [[], [_("Period"), f"{period.label} ({period.code})"],
             [_("Exported at (UTC)"), datetime.now(timezone.utc).replace(tzinfo=None)]]
    return (_("Summary"), header, rows, [30] + [24] * len(columns), None)


def store_sheet(col):
    doc = col.document
    rows = [[f.label, _value(f), _unit(f)] for f in doc.figures]
    rows += [[note] for note in doc.notes]
    rows.append([])
    rows += [[label, value] for label, value in status_rows(col)]
    for table in doc.tables:
        rows += [[], [table.title], list(table.header)]
        rows += [list(row) for row in table.rows]
        if table.total:
            rows.append(list(table.total))
    title = f"{col.store.code} {col.store.name}"
    return (title, [_("Figure"), _("Value"), _("Counted in")], rows, [30, 16, 14, 14, 12], None)


def workbook(columns, period):
    """The workbook's bytes: Summary, then a sheet per store (in the columns' order)."""
    return xlsx_bytes([summary_sheet(columns, period)] + [store_sheet(col) for col in columns])


def file_name(period):
    return f"district-{period.code.replace('..', '_')}.xlsx"
