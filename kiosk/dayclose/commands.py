"""`kiosk close-day`: close a day from the command line; without --date, what the nightly run
does: close every past day that nobody closed, in every store (or --store)."""
import click


def _line(record, data):
    totals, rec = data["totals"], data["reconciliation"]
    verdict = "reconciled" if rec["ok"] else (
        f"NOT reconciled: {rec['net']} points redeemed less refunds, goods worth {rec['goods_value']}")
    return (f"{data['store']['code']} {record.day:%Y-%m-%d}: closed; {totals['sales']} sale(s) {totals['sale_points']} points, "
            f"{totals['returns']} return(s) {totals['return_points']} points, {len(data['unprinted'])} receipt(s) not "
            f"printed, {len(data['corrections'])} correction(s) from earlier days; {verdict}; "
            f"chain head {record.chain_head[:16]}… ({record.chain_length} entries)")


def _write_pdf(record, folder):
    """Write the close's A4 page into ``folder`` (made when missing); False (said on stderr) when
    it could not be. The close itself is stored either way."""
    import os

    from kiosk.a4 import PdfUnavailable
    from kiosk.dayclose import paper, service
    from kiosk.reports.closes import close_pdf_name, described

    path = os.path.join(folder, close_pdf_name(record))
    try:
        data = paper.pdf(service.stored_figures(record), paper.words(), **described(record))
        os.makedirs(folder, exist_ok=True)
        with open(path, "wb") as file:
            file.write(data)
    except (PdfUnavailable, OSError) as exc:
        click.echo(f"{record.store.code} {record.day:%Y-%m-%d}: closed, but its A4 page was not written: {exc}", err=True)
        return False
    click.echo(f"wrote {path}")
    return True


@click.command("close-day")
@click.option("--date", "day", metavar="YYYY-MM-DD", help="Close this day (today's so far, or an earlier one). "
              "Default: every past day since the last close that nobody closed (the nightly run).")
@click.option("--store", "code", metavar="CODE", help="Only this store (default: every store).")
@click.option("--write-dir", "write_dir", metavar="DIR", envvar="KIOSK_CLOSE_PDF_DIR",
              type=click.Path(file_okay=False, writable=True),
              help="Also write each closed day's A4 page into DIR as CODE-close-YYYY-MM-DD.pdf "
                   "(default: the setting KIOSK_CLOSE_PDF_DIR; none when unset).")
def close_day(day, code, write_dir):
    """Close a day (日结): store its figures per cashier, never to change. The nightly run of
    `kiosk boot` runs it without --date, after `kiosk expire`; with KIOSK_CLOSE_PDF_DIR set it
    leaves each day's A4 page in that folder."""
    from kiosk.cli import _app
    from kiosk.dayclose import service
    from kiosk.errors import KioskError
    from kiosk.messages import message
    from kiosk.stores.models import Store

    from flask_babel import force_locale

    app = _app()
    with force_locale(app.config["BABEL_DEFAULT_LOCALE"]):  # messages in the store's language
        stores = Store.select().order_by(Store.id)
        if code:
            stores = stores.where(Store.code == code.strip().upper())
            if not stores.exists():
                raise click.ClickException(f"no store with the code {code}")
        failed = False
        for store in list(stores):
            try:
                if day:
                    records = [service.close_day(store, service.parse_day(day))]
                else:
                    records = service.close_unclosed(store)
            except KioskError as exc:
                click.echo(f"{store.code}: {message(exc)}", err=True)
                failed = True
                continue
            if not records:
                click.echo(f"{store.code}: every past day is closed")
            for record in records:
                click.echo(_line(record, service.stored_figures(record)))
                if write_dir and not _write_pdf(record, write_dir):
                    failed = True
        if failed:
            raise SystemExit(1)
