"""Account statements (对账单) for a period: the value, and an A4 PDF of it.

The same Statement prints on the receipt printer (devices renders it as ESC/POS).
"""
import dataclasses
import io
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw

from devices import Statement, StatementEntry, StatementLabels
from devices.statement import totals as statement_totals
from kiosk.errors import KioskError
from kiosk.expiry.service import value_text
from kiosk.ledger import service as ledger
from kiosk.ledger.models import EXPIRE
from kiosk.privacy import mask_name

MAX_DAYS = 3660


def _utc(day, tz_name):
    """Local midnight at the start of ``day`` as naive UTC."""
    local = datetime.combine(day, time.min, ZoneInfo(tz_name))
    return local.astimezone(timezone.utc).replace(tzinfo=None)


def statement_for(account, store, day_from, day_to, *, tz_name="Asia/Shanghai", labels=None, what=None):
    """The Statement of ``account`` from ``day_from`` to ``day_to`` (local dates, inclusive).

    ``what`` names each entry (default: ledger.describe). Raises KioskError("bad_period").
    """
    if day_from > day_to or (day_to - day_from).days > MAX_DAYS:
        raise KioskError("bad_period")
    opening, entries = ledger.entries_between(account.id, _utc(day_from, tz_name), _utc(day_to + timedelta(days=1), tz_name))
    zone = ZoneInfo(tz_name)
    describe = what or (lambda entry: ledger.describe(entry, store.code))
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
    return dataclasses.replace(statement, closing_value=value_text(statement.closing, store, printed=True))


A4_MM = (210, 297)
ROWS_PER_PAGE = 34


def statement_pdf(statement, *, dpi=150, headings=("Date", "What for", "Points", "Balance")):
    """The statement as an A4 PDF (bytes), as many pages as its entries need."""
    from kiosk.cards.render import cjk_font

    def px(mm):
        return round(mm * dpi / 25.4)

    labels = statement.labels
    width, height = px(A4_MM[0]), px(A4_MM[1])
    margin = px(18)
    columns = [margin, margin + px(32), width - margin - px(45), width - margin]
    chunks = [statement.entries[i:i + ROWS_PER_PAGE] for i in range(0, len(statement.entries), ROWS_PER_PAGE)] or [()]
    pages = []
    for number, chunk in enumerate(chunks, start=1):
        page = Image.new("RGB", (width, height), "white")
        draw = ImageDraw.Draw(page)
        y = margin + px(8)
        draw.text((width // 2, y), statement.store_name, font=cjk_font(px(7), bold=True), fill="black", anchor="ms")
        y += px(10)
        draw.text((width // 2, y), labels.title, font=cjk_font(px(5.5)), fill="black", anchor="ms")
        y += px(10)
        body = cjk_font(px(4))
        period = f"{statement.period_from:%Y-%m-%d} ~ {statement.period_to:%Y-%m-%d}"
        for label, value in ((labels.holder, statement.holder), (labels.household, statement.household),
                             (labels.period, period)):
            draw.text((margin, y), f"{label}：{value}", font=body, fill="black", anchor="ls")
            y += px(7)
        y += px(2)
        draw.line((margin, y, width - margin, y), fill="black", width=2)
        y += px(7)
        for x, heading, anchor in zip(columns, headings, ("ls", "ls", "rs", "rs")):
            draw.text((x if anchor == "ls" else x, y), heading, font=body, fill="black", anchor=anchor)
        y += px(3)
        draw.line((margin, y, width - margin, y), fill="gray", width=1)
        y += px(7)
        if number == 1:
            draw.text((columns[1], y), labels.opening, font=body, fill="black", anchor="ls")
            draw.text((columns[3], y), str(statement.opening), font=body, fill="black", anchor="rs")
            y += px(6.5)
        for entry in chunk:
            draw.text((columns[0], y), f"{entry.day:%Y-%m-%d}", font=body, fill="black", anchor="ls")
            draw.text((columns[1], y), entry.what[:28], font=body, fill="black", anchor="ls")
            draw.text((columns[2], y), f"{entry.delta:+d}", font=body, fill="black" if entry.delta > 0 else "#b3261e", anchor="rs")
            draw.text((columns[3], y), str(entry.balance), font=body, fill="black", anchor="rs")
            y += px(6.5)
        if not statement.entries:
            draw.text((columns[1], y), labels.none, font=body, fill="gray", anchor="ls")
            y += px(6.5)
        if number == len(chunks):
            y += px(2)
            draw.line((margin, y, width - margin, y), fill="black", width=2)
            y += px(8)
            for label, value, extra in statement_totals(statement):
                draw.text((columns[1], y), label, font=body, fill="black", anchor="ls")
                draw.text((columns[3], y), f"{value}{labels.unit}", font=body, fill="black", anchor="rs")
                y += px(7)
                if extra:
                    draw.text((columns[3], y), extra, font=body, fill="gray", anchor="rs")
                    y += px(7)
        draw.text((width // 2, height - margin), f"{number} / {len(chunks)}", font=cjk_font(px(3.2)), fill="gray", anchor="ms")
        pages.append(page)
    out = io.BytesIO()
    pages[0].save(out, "PDF", save_all=True, append_images=pages[1:], resolution=dpi)
    return out.getvalue()


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
