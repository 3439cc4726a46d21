"""A close on paper: the receipt-printer slip (日结单 / 交班单, a devices.Slip printed through the
print queue in GB18030 like receipts) and the A4 page (WeasyPrint, templates/a4/dayclose.html).

``words()`` gives the printed words in the store's language (needs an app context); the rest
takes them as a plain dict, so the same figures print the same way from a screen or the CLI.
"""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask_babel import gettext

from devices import Slip, SlipRow
from kiosk import a4
from kiosk.dayclose.models import SHIFT
from kiosk.printing.problems import printer_problem


def words():
    """Every word the slip and the A4 page print, translated (call under force_locale)."""
    return {
        "title_day": gettext("End-of-day close"),
        "title_shift": gettext("Shift close"),
        "day": gettext("Business day"),
        "covered": gettext("Covers"),
        "cashier": gettext("Cashier"),
        "closed_by": gettext("Closed by"),
        "closed_at": gettext("Closed at"),
        "nightly": gettext("the kiosk, automatically"),
        "no_staff": gettext("(from the command line)"),
        "preview": gettext("PREVIEW - not closed yet"),
        "staff": gettext("Staff member"),
        "sales": gettext("Sales"),
        "returns": gettext("Returns"),
        "points": gettext("points"),
        "unit": gettext("pts"),
        "count_points": gettext("%(count)s, %(points)s pts"),
        "cards_issued": gettext("Cards issued"),
        "cards_reissued": gettext("Cards reissued"),
        "goods": gettext("Goods issued by category"),
        "category": gettext("Category"),
        "issued": gettext("Issued"),
        "returned": gettext("Returned"),
        "no_category": gettext("(no category)"),
        "totals": gettext("All staff"),
        "nothing": gettext("Nothing was recorded."),
        "unprinted": gettext("Receipts not printed"),
        "none": gettext("none"),
        "corrections": gettext("Corrections from earlier days"),
        "late_sale": gettext("Sale %(receipt)s of %(day)s"),
        "late_return": gettext("Return %(receipt)s of %(day)s"),
        "earlier_return": gettext("Return %(receipt)s of sale %(sale)s of %(day)s"),
        "reconciliation": gettext("Reconciliation"),
        "redeemed": gettext("Points redeemed"),
        "refunded": gettext("Points refunded"),
        "net": gettext("Redeemed less refunds"),
        "goods_value": gettext("Value of goods issued less returned"),
        "ok": gettext("Matches"),
        "mismatch": gettext("DOES NOT MATCH"),
        "chain": gettext("Ledger chain head"),
        "entries": gettext("entries"),
        "status_pending": gettext("waiting"),
        "status_sending": gettext("being sent"),
        "status_held": gettext("held"),
        "page": gettext("Page {page} of {pages}"),
        "vouchers": gettext("Service vouchers by partner"),
        "partner": gettext("Partner"),
        "handed_out": gettext("Handed out"),
        "used": gettext("Used"),
        "voucher_cancelled": gettext("Cancelled"),
        "voucher_expired": gettext("Expired"),
        "outstanding": gettext("Outstanding"),
        "voucher_counts": gettext("issued %(issued)s, used %(used)s, outstanding %(outstanding)s"),
    }


def local_text(iso, tz_name):
    """An ISO naive-UTC time from the figures as local "YYYY-MM-DD HH:MM"."""
    if not iso:
        return ""
    moment = datetime.fromisoformat(iso) if isinstance(iso, str) else iso
    return moment.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(tz_name)).strftime("%Y-%m-%d %H:%M")


def header(data, w, *, kind, cashier="", closed_by="", closed_at=None):
    """(label, value) rows of a close's header: day, span, cashier, who closed it and when."""
    tz_name = data["timezone"]
    span = f"{local_text(data['covered_from'], tz_name) or '…'} ~ {local_text(data['covered_until'], tz_name)}"
    rows = [(w["day"], data["day"]), (w["covered"], span)]
    if kind == SHIFT and cashier:
        rows.append((w["cashier"], cashier))
    if closed_at is None:
        rows.append((w["preview"], ""))
    else:
        rows.append((w["closed_by"], closed_by or w["nightly"]))
        rows.append((w["closed_at"], local_text(closed_at, tz_name)))
    return rows


def correction_text(item, w):
    if item["kind"] == "sale":
        return w["late_sale"] % {"receipt": item["receipt_no"], "day": item["day"]}
    if not item.get("late") and item.get("sale_no"):
        return w["earlier_return"] % {"receipt": item["receipt_no"], "sale": item["sale_no"], "day": item["day"]}
    return w["late_return"] % {"receipt": item["receipt_no"], "day": item["day"]}


def slip(data, w, *, kind, cashier="", closed_by="", closed_at=None):
    """The close as a receipt-printer Slip."""
    unit = w["unit"]
    rows = [SlipRow(f"{label}{': ' if label.isascii() else '：'}{value}" if value else label) for label, value in
            header(data, w, kind=kind, cashier=cashier, closed_by=closed_by, closed_at=closed_at)]

    def figures_of(entry, cards=False):
        out = [
            SlipRow(w["sales"], w["count_points"] % {"count": entry["sales"], "points": entry["sale_points"]}),
            SlipRow(w["returns"], w["count_points"] % {"count": entry["returns"], "points": entry["return_points"]}),
        ]
        if cards or entry["cards_issued"] or entry["cards_reissued"]:
            out.append(SlipRow(w["cards_issued"], str(entry["cards_issued"])))
            out.append(SlipRow(w["cards_reissued"], str(entry["cards_reissued"])))
        return out

    def goods(counts):
        returned = f" / -{counts['returned']}" if counts["returned"] else ""
        return SlipRow(f"  {counts['category'] or w['no_category']}", f"{counts['issued']}{returned}")

    for entry in data["staff"]:
        rows.append(SlipRow(kind="rule"))
        rows.append(SlipRow(entry["name"] or w["no_staff"], kind="heading"))
        rows += figures_of(entry)
        rows += [goods(counts) for counts in entry["categories"]]
    rows.append(SlipRow(kind="rule"))
    rows.append(SlipRow(w["totals"], kind="heading"))
    if not data["staff"]:
        rows.append(SlipRow(w["nothing"]))
    rows += figures_of(data["totals"], cards=True)
    if data["categories"]:
        rows.append(SlipRow(f"{w['goods']} ({w['issued']} / {w['returned']})"))
        rows += [goods(counts) for counts in data["categories"]]
    if data.get("vouchers"):  # closes made before vouchers have none
        rows.append(SlipRow(w["vouchers"]))
        rows += [SlipRow(f"  {row['partner']}", w["voucher_counts"] % row) for row in data["vouchers"]]
    rows.append(SlipRow(kind="rule"))
    rows.append(SlipRow(w["unprinted"], str(len(data["unprinted"])) if data["unprinted"] else w["none"]))
    for item in data["unprinted"]:
        rows.append(SlipRow(f"  {item['receipt_no']}", w.get(f"status_{item['status']}", item["status"])))
    if data["corrections"]:
        rows.append(SlipRow(w["corrections"]))
        for item in data["corrections"]:
            rows.append(SlipRow(f"  {correction_text(item, w)}", f"{item['points']}{unit}"))
    rec = data["reconciliation"]
    rows.append(SlipRow(kind="rule"))
    rows.append(SlipRow(w["reconciliation"], w["ok"] if rec["ok"] else w["mismatch"]))
    rows.append(SlipRow(w["redeemed"], f"{rec['redeemed']}{unit}"))
    rows.append(SlipRow(w["refunded"], f"{rec['refunded']}{unit}"))
    rows.append(SlipRow(w["net"], f"{rec['net']}{unit}"))
    rows.append(SlipRow(w["goods_value"], f"{rec['goods_value']}{unit}"))
    chain = data["chain"]
    rows.append(SlipRow(kind="rule"))
    rows.append(SlipRow(f"{w['chain']} ({chain['length']} {w['entries']})"))
    rows.append(SlipRow(chain["head"][:32]))
    if chain["head"][32:]:
        rows.append(SlipRow(chain["head"][32:]))
    title = w["title_shift"] if kind == SHIFT else w["title_day"]
    return Slip(store_name=data["store"]["name"], title=title, rows=tuple(rows))


def pdf(data, w, *, kind, cashier="", closed_by="", closed_at=None):
    """The close as an A4 PDF (bytes). Raises kiosk.a4.PdfUnavailable."""
    title = w["title_shift"] if kind == SHIFT else w["title_day"]
    # Why each receipt did not print, in the store's language (the job keeps the printer's code).
    data = {**data, "unprinted": [{**item, "error": printer_problem(item.get("error"))} for item in data["unprinted"]]}
    return a4.pdf(
        "a4/dayclose.html", data=data, w=w, title=title,
        header=header(data, w, kind=kind, cashier=cashier, closed_by=closed_by, closed_at=closed_at),
        corrections=[(correction_text(item, w), item["points"]) for item in data["corrections"]],
        footer_left=f"{data['store']['name']} · {title} · {data['day']}", page_label=w["page"],
    )
