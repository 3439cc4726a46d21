"""A count as a printable A4 PDF (盘点表), drawn with Noto Sans CJK like the statements.

No Flask here: the view passes the labels in the reader's language.
"""
import io
from datetime import timezone
from typing import NamedTuple
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw

A4_MM = (210, 297)
ROWS_PER_PAGE = 36


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


def stocktake_pdf(stocktake, variances, labels=ReportLabels(), *, tz_name="Asia/Shanghai", dpi=150):
    """The count with every line (counted or not), its totals and a signature line, as PDF bytes."""
    from kiosk.cards.render import cjk_font

    def px(mm):
        return round(mm * dpi / 25.4)

    zone = ZoneInfo(tz_name)
    width, height = px(A4_MM[0]), px(A4_MM[1])
    margin = px(15)
    # product | book | counted | difference | value | counted by
    columns = [margin, width - margin - px(108), width - margin - px(86), width - margin - px(62),
               width - margin - px(36), width - margin]
    rows = variances.rows
    chunks = [rows[i:i + ROWS_PER_PAGE] for i in range(0, len(rows), ROWS_PER_PAGE)] or [[]]
    body, small = cjk_font(px(3.6)), cjk_font(px(3.2))
    pages = []
    for number, chunk in enumerate(chunks, start=1):
        page = Image.new("RGB", (width, height), "white")
        draw = ImageDraw.Draw(page)
        y = margin + px(6)
        draw.text((width // 2, y), stocktake.store.name, font=cjk_font(px(6.5), bold=True), fill="black", anchor="ms")
        y += px(9)
        draw.text((width // 2, y), f"{labels.title} {stocktake.number}", font=cjk_font(px(5)), fill="black", anchor="ms")
        y += px(9)
        scope = stocktake.category or (labels.shelf.replace("{}", stocktake.shelf) if stocktake.shelf else labels.all)
        if stocktake.blind:
            scope += f" · {labels.blind}"
        ended = labels.finished if stocktake.status == "finished" else labels.cancelled
        facts = [
            (labels.scope, scope),
            (labels.started, f"{_local(stocktake.started_at, zone)} {stocktake.started_by.name}"),
            (ended, f"{_local(stocktake.finished_at, zone)} {stocktake.finished_by.name if stocktake.finished_by else ''}"),
        ]
        for label, value in facts:
            draw.text((margin, y), f"{label}：{value}", font=body, fill="black", anchor="ls")
            y += px(6)
        y += px(1)
        draw.line((margin, y, width - margin, y), fill="black", width=2)
        y += px(6)
        headings = (labels.product, labels.expected, labels.counted, labels.variance, labels.value, labels.counted_by)
        for index, (x, heading) in enumerate(zip(columns, headings)):
            draw.text((x, y), heading, font=body, fill="black", anchor="ls" if index == 0 else "rs")
        y += px(2.5)
        draw.line((margin, y, width - margin, y), fill="gray", width=1)
        y += px(5.5)
        for row in chunk:
            line = row["line"]
            draw.text((columns[0], y), f"{line.name[:22]}（{line.unit}）", font=body, fill="black", anchor="ls")
            if row["variance"] is None:
                draw.text((columns[2], y), labels.not_counted, font=small, fill="gray", anchor="rs")
            else:
                colour = "black" if row["variance"] >= 0 else "#b3261e"
                draw.text((columns[1], y), str(line.expected), font=body, fill="black", anchor="rs")
                draw.text((columns[2], y), str(line.counted), font=body, fill="black", anchor="rs")
                draw.text((columns[3], y), f"{row['variance']:+d}" if row["variance"] else "0", font=body, fill=colour,
                          anchor="rs")
                draw.text((columns[4], y), f"{row['value']:+d}" if row["value"] else "0", font=body, fill=colour,
                          anchor="rs")
                who = line.counter.name if getattr(line, "counter", None) else ""
                draw.text((columns[5], y), who[:6], font=small, fill="black", anchor="rs")
            y += px(5.8)
        if number == len(chunks):
            y += px(1)
            draw.line((margin, y, width - margin, y), fill="black", width=2)
            y += px(7)
            totals = ((labels.surplus, len(variances.surplus), variances.surplus_value),
                      (labels.shortage, len(variances.shortage), variances.shortage_value),
                      (labels.net, None, variances.net_value))
            for label, items, value in totals:
                draw.text((columns[0], y), label + (f" ({items})" if items is not None else ""), font=body, fill="black",
                          anchor="ls")
                draw.text((columns[4], y), f"{value:+d} {labels.unit}" if value else f"0 {labels.unit}", font=body,
                          fill="black", anchor="rs")
                y += px(6.5)
            y += px(12)
            draw.text((width - margin - px(80), y), f"{labels.signature}：", font=body, fill="black", anchor="ls")
            draw.line((width - margin - px(45), y + px(1), width - margin, y + px(1)), fill="black", width=1)
        draw.text((width // 2, height - margin), f"{number} / {len(chunks)}", font=small, fill="gray", anchor="ms")
        pages.append(page)
    out = io.BytesIO()
    pages[0].save(out, "PDF", save_all=True, append_images=pages[1:], resolution=dpi)
    return out.getvalue()
