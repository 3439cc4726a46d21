"""`kiosk rulesheet earning|redemption --out FILE`: the notice-board sheets of the served store
as A4 PDFs, in the default language (KIOSK_LOCALE), dated the store's local day."""
import click


@click.group()
def rulesheet():
    """The notice-board sheets as A4 PDFs: 积分细则 (earning) and 兑换细则 (redemption)."""


def _write(make_sheet, out):
    from kiosk.cli import _app, served_store
    from kiosk.rulesheets import service
    from kiosk.rulesheets.pdf import PdfUnavailable, sheet_pdf

    store = served_store(_app())
    day = service.local_today(store)
    try:
        data = sheet_pdf(make_sheet(store, day))
        with open(out, "wb") as file:
            file.write(data)
    except (PdfUnavailable, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"wrote the sheet of {store.code} as of {day.isoformat()} to {out}")


@rulesheet.command("earning")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="The PDF file to write.")
def earning(out):
    """The earning rules in force today (积分细则)."""
    from kiosk.rulesheets import service, words

    _write(lambda store, day: words.earning(service.earning_sheet(store, day)), out)


@rulesheet.command("redemption")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="The PDF file to write.")
def redemption(out):
    """The goods on sale, their limits and when redemption is open (兑换细则)."""
    from kiosk.rulesheets import service, words

    _write(lambda store, day: words.redemption(service.redemption_sheet(store, day)), out)
