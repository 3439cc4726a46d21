"""`kiosk report points|participation|goods|street --period 2026-11 --out FILE.xlsx|.pdf|.csv
[--store CODE]`: a report of a store as the screen makes it, written to a file;
`kiosk report close --period 2026-11-05 --out FILE` for a day's close (kiosk.reports.closes); and
`kiosk report rows sales|sale-lines|ledger|movements|service-records` for the period's raw rows.

The format follows the file's extension. Names are masked as on screen. ``--period`` takes a
month (2026-11), a quarter (2026-Q4), a year (2026), a day or two days (2026-11-01..2026-11-15).
"""
import os
from datetime import datetime
from zoneinfo import ZoneInfo

import click


@click.group()
def report():
    """Reports of a period (积分 / 参与 / 商品 / 街道) as .xlsx, .csv or A4 .pdf."""


def _setup(period_text, out, store_code, formats):
    from kiosk.cli import _app, served_store
    from kiosk.errors import KioskError
    from kiosk.messages import message
    from kiosk.reports import periods
    from kiosk.stores.models import Store

    app = _app()
    if store_code:
        store = Store.get_or_none(Store.code == store_code.strip().upper())
        if store is None:
            raise click.ClickException(f"no store with the code {store_code!r}")
    else:
        store = served_store(app)
    fmt = os.path.splitext(out)[1].lower().lstrip(".")
    if fmt not in formats:
        raise click.ClickException(message(KioskError("bad_export_format")))
    try:
        period = periods.parse(period_text)
    except KioskError as exc:
        raise click.ClickException(message(exc)) from None
    return store, period, fmt


def _save(data, out, what, store, period):
    try:
        with open(out, "wb") as file:
            file.write(data)
    except OSError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"wrote the {what} report of {store.code} for {period.code} to {out}")


def _run(what, period_text, out, store_code):
    from kiosk.a4 import PdfUnavailable
    from kiosk.reports import exports, present

    store, period, fmt = _setup(period_text, out, store_code, exports.FORMATS)
    today = datetime.now(ZoneInfo(store.timezone)).date()
    doc = present.document(what, store, period, today=today)
    try:
        data = exports.document_file(doc, fmt)
    except PdfUnavailable as exc:
        raise click.ClickException(str(exc)) from None
    _save(data, out, what, store, period)


def _options(command):
    command = click.option("--store", "store_code", default="", help="The store's code (default: the served store).")(command)
    command = click.option("--out", required=True, type=click.Path(dir_okay=False),
                           help="The file to write: .xlsx, .csv or .pdf.")(command)
    command = click.option("--period", required=True, help="2026-11, 2026-Q4, 2026, 2026-11-05 or 2026-11-01..2026-11-15.")(command)
    return command


def _report_command(what, help_text):
    @report.command(what, help=help_text)
    @_options
    def command(period, out, store_code):
        _run(what, period, out, store_code)

    return command


points = _report_command("points", "Points earned, deducted, redeemed, returned, expired and outstanding.")
participation = _report_command("participation", "Activities, person-times, households, coverage and hours.")
goods = _report_command("goods", "Goods in and out, stock value, best sellers, write-offs and stock-take variances.")
street = _report_command("street", "The one A4 page of headline figures for the street office (街道).")


@report.command("rows")
@click.argument("kind", type=click.Choice(["sales", "sale-lines", "ledger", "movements", "service-records"]))
@_options
def rows(kind, period, out, store_code):
    """The period's raw rows of one KIND as .xlsx or .csv (names masked)."""
    from kiosk.reports import exports

    store, period_, fmt = _setup(period, out, store_code, ("xlsx", "csv"))
    _save(exports.raw_file(kind, store, period_, fmt), out, kind, store, period_)


@report.command("close")
@_options
def close(period, out, store_code):
    """The day close (日结) of one day (--period 2026-11-05) as .pdf (its A4 page), .xlsx or .csv:
    the stored close as it was closed, or a preview of a day nobody has closed yet."""
    from flask import current_app
    from flask_babel import force_locale

    from kiosk.a4 import PdfUnavailable
    from kiosk.dayclose import paper
    from kiosk.errors import KioskError
    from kiosk.messages import message
    from kiosk.reports import closes, exports, periods

    store, period_, fmt = _setup(period, out, store_code, exports.FORMATS)
    if period_.kind != periods.DAY:
        raise click.ClickException(message(KioskError("bad_close_day", day=period[:20])))
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):  # the store's paper, in its language
        try:
            data = closes.close_file(store, period_.first, fmt, paper.words())
        except KioskError as exc:
            raise click.ClickException(message(exc)) from None
        except PdfUnavailable as exc:
            raise click.ClickException(str(exc)) from None
    _save(data, out, "close", store, period_)
