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


@click.command("close-day")
@click.option("--date", "day", metavar="YYYY-MM-DD", help="Close this day (today's so far, or an earlier one). "
              "Default: every past day since the last close that nobody closed (the nightly run).")
@click.option("--store", "code", metavar="CODE", help="Only this store (default: every store).")
def close_day(day, code):
    """Close a day (日结): store its figures per cashier, never to change. The nightly run of
    `kiosk boot` runs it without --date, after `kiosk expire`."""
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
        if failed:
            raise SystemExit(1)
