"""The day close (kiosk/dayclose) as a report: `kiosk report close --period DAY --out FILE` and
the A4 page the nightly `kiosk close-day --write-dir DIR` leaves in a folder.

A closed day is its stored figures, as closed (never recomputed); a day not closed yet is the
preview of its close now, marked as a preview. The A4 PDF is the close's own page
(kiosk.dayclose.paper.pdf); the XLSX and CSV carry the same figures as a report Document
(kiosk.reports.present), so they go through the one cell-safe writer of the other reports.

Needs an app context (the printed words are translated).
"""
from kiosk.dayclose import paper
from kiosk.dayclose import service as dayclose
from kiosk.dayclose.models import DAY
from kiosk.reports import periods, present


def described(record):
    """The keywords paper.header/pdf take for a stored close: kind, cashier, closed_by, closed_at."""
    return dict(kind=record.kind, cashier=record.cashier.name if record.cashier_id else "",
                closed_by=record.closed_by.name if record.closed_by_id else "",
                closed_at=record.closed_at.isoformat())


def close_of(store, day):
    """(figures, described) of ``day``: the stored day close when there is one, else the preview
    of its close now (``closed_at`` None: the header says PREVIEW).

    Raises KioskError: "close_day_future", "later_day_closed" (from the preview)."""
    record = dayclose.day_closed(store, day)
    if record is not None:
        return dayclose.stored_figures(record), described(record)
    return dayclose.preview_day(store, day), dict(kind=DAY)


def close_document(store, data, w, *, kind=DAY, cashier="", closed_by="", closed_at=None):
    """The close's figures as a report Document (headline, a table per part)."""
    totals, rec, chain = data["totals"], data["reconciliation"], data["chain"]
    figures = [present.Figure(label, value) for label, value in
               paper.header(data, w, kind=kind, cashier=cashier, closed_by=closed_by, closed_at=closed_at)]
    figures += [
        present.Figure(w["sales"], totals["sales"]), present.Figure(w["sales"], totals["sale_points"], w["points"]),
        present.Figure(w["returns"], totals["returns"]),
        present.Figure(w["returns"], totals["return_points"], w["points"]),
        present.Figure(w["cards_issued"], totals["cards_issued"]),
        present.Figure(w["cards_reissued"], totals["cards_reissued"]),
        present.Figure(w["unprinted"], len(data["unprinted"])),
        present.Figure(w["reconciliation"], w["ok"] if rec["ok"] else w["mismatch"]),
        present.Figure(w["chain"], chain["head"] or "—"),
        present.Figure(w["entries"], chain["length"]),
    ]
    staff_header = [w["staff"], w["sales"], w["points"], w["returns"], w["points"], w["cards_issued"],
                    w["cards_reissued"]]

    def staff_row(name, entry):
        return [name, entry["sales"], entry["sale_points"], entry["returns"], entry["return_points"],
                entry["cards_issued"], entry["cards_reissued"]]

    tables = [
        present.Table(w["staff"], staff_header,
                      [staff_row(entry["name"] or w["no_staff"], entry) for entry in data["staff"]],
                      [16, 10, 10, 10, 10, 12, 12], total=staff_row(w["totals"], totals)),
        present.Table(w["goods"], [w["category"], w["issued"], w["returned"]],
                      [[row["category"] or w["no_category"], row["issued"], row["returned"]]
                       for row in data["categories"]], [20, 10, 10]),
        present.Table(w["unprinted"], [w["unprinted"], ""],
                      [[item["receipt_no"], w.get(f"status_{item['status']}", item["status"])]
                       for item in data["unprinted"]], [20, 14]),
        present.Table(w["corrections"], [w["corrections"], w["points"]],
                      [[paper.correction_text(item, w), item["points"]] for item in data["corrections"]], [44, 10]),
        present.Table(w["reconciliation"], [w["reconciliation"], w["points"]],
                      [[w["redeemed"], rec["redeemed"]], [w["refunded"], rec["refunded"]], [w["net"], rec["net"]],
                       [w["goods_value"], rec["goods_value"]]], [30, 12]),
    ]
    title = w["title_shift"] if kind != DAY else w["title_day"]
    period = periods.parse(data["day"])
    return present.Document("close", title, store, period, figures, tables, [])


def close_file(store, day, fmt, w):
    """The close of ``day`` as ``fmt`` (pdf, xlsx, csv) bytes, in the words ``w`` (paper.words()).

    Raises KioskError (see close_of; "bad_export_format"), kiosk.a4.PdfUnavailable."""
    from kiosk.reports import exports

    data, about = close_of(store, day)
    if fmt == "pdf":
        return paper.pdf(data, w, **about)
    return exports.document_file(close_document(store, data, w, **about), fmt)


def close_pdf_name(record):
    """The file name the nightly run gives a close's A4 page: CODE-close-YYYY-MM-DD.pdf."""
    return f"{record.store.code}-close-{record.day:%Y-%m-%d}.pdf"
