"""The `kiosk` command (also `python -m kiosk`). Every command honours KIOSK_DATABASE_URL."""
import os
import sys

import click

from kiosk import ROOT


def _instance_path():
    return os.path.abspath(os.environ.get("KIOSK_INSTANCE_PATH") or os.path.join(ROOT, "instance"))


def _app():
    """The app with its context pushed; exits with a clear message when set-up is missing."""
    from kiosk import create_app
    from kiosk.config import SettingError
    from kiosk.keys import MissingKeys

    try:
        app = create_app({"INSTANCE_PATH": _instance_path()})
    except (SettingError, MissingKeys, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    context = app.test_request_context()
    context.push()
    from kiosk.db import database
    database.connect(reuse_if_open=True)
    return app


def served_store(app=None):
    """The store this command serves (KIOSK_STORE, or the only store); exits with the reason
    when there is none or several and none is named."""
    from kiosk.errors import KioskError
    from kiosk.messages import message
    from kiosk.stores.service import served_store as resolve

    app = app or _app()
    try:
        store = resolve(app.config["STORE_CODE"])
    except KioskError as exc:
        raise click.ClickException(message(exc)) from None
    if store is None:
        raise click.ClickException("no store yet: run `kiosk setup` (or `kiosk demo` for the demo store)")
    return store


def read_new_pin(pin_stdin, prompt="PIN"):
    """A new PIN, typed twice on the terminal (hidden), or read from standard input with
    --pin-stdin (one line; a second line, when given, must repeat it). Never from the command
    line, where it would stay in the shell history. Exits with the reason when it is refused."""
    from kiosk.errors import KioskError
    from kiosk.messages import message
    from kiosk.staff.service import check_new_pin

    if pin_stdin:
        lines = [line.strip() for line in sys.stdin.read().splitlines() if line.strip()]
        if not lines:
            raise click.ClickException("--pin-stdin: standard input holds no PIN")
        pin, repeated = lines[0], (lines[1] if len(lines) > 1 else None)
    else:
        pin = click.prompt(prompt, hide_input=True)
        repeated = click.prompt(f"{prompt} (again)", hide_input=True)
    try:
        return check_new_pin(pin, repeated)
    except KioskError as exc:
        raise click.ClickException(message(exc)) from None


@click.group()
def main():
    """Points supermarket kiosk (积分超市)."""


@main.command("init-db")
def init_db():
    """Create the instance folder, its secret keys and the database (or upgrade it)."""
    from kiosk import config, db, keys, schema

    instance = _instance_path()
    try:
        url = db.database_url(config.from_environment()["DATABASE_URL"], instance)
        db.connect(url)
    except (config.SettingError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    created = keys.ensure(instance)
    with db.database.connection_context():
        applied = schema.upgrade()
        from kiosk.setup import service as first_run
        code = None if first_run.has_store() else first_run.setup_code(instance, create=True)
    for name in created:
        click.echo(f"created {os.path.join(instance, name)}")
    click.echo(f"database {url}: " + (", ".join(applied) if applied else "up to date"))
    if code:
        click.echo("no store yet: open it with `kiosk setup`, or on the kiosk's first-run screen "
                   f"(from another device, with the one-time set-up code {code})")


@main.command()
@click.option("--activity", is_flag=True, help="Also record a few service records, some approved and some "
              "waiting for review (only in a demo store without any).")
def demo(activity):
    """Load the demo store (idempotent) and print the staff PINs."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from kiosk import demo as demo_data
    from kiosk.cards.service import card_payload

    from kiosk.setup.service import forget_setup_code

    app = _app()
    store, created = demo_data.load(app.config["BABEL_DEFAULT_TIMEZONE"])
    forget_setup_code(app.instance_path)
    click.echo(("created" if created else "already present") + f": demo store {store.name} ({store.code})")
    if activity:
        today = datetime.now(ZoneInfo(app.config["BABEL_DEFAULT_TIMEZONE"])).date()
        recorded, approved = demo_data.load_activity(store, today)
        if recorded:
            click.echo(f"Recorded {recorded} demo service records: {approved} approved, "
                       f"{recorded - approved} waiting for review by the service desk")
    click.echo("Demo staff PINs:")
    for name, role, pin in demo_data.STAFF:
        click.echo(f"  {name:<4} {role:<10} PIN {pin}")
    click.echo("Demo partner PINs (the partner screen):")
    for name, _contact, _honours, pin in demo_data.PARTNERS:
        click.echo(f"  {name:<5} PIN {pin}")
    click.echo("Demo card payloads (type one into the scan box and press Enter):")
    for number in (demo_data.FIRST_CARD_NUMBER, demo_data.FIRST_CARD_NUMBER + 1):
        click.echo("  " + card_payload(store.code, str(number), app.config["CARD_SIGNING_KEY"]))


@main.command()
@click.option("--host", default=None, help="Address to listen on (KIOSK_HOST, default 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (KIOSK_PORT, default 8000).")
@click.option("--threads", default=8, show_default=True)
def serve(host, port, threads):
    """Serve the kiosk with waitress, a production WSGI server."""
    import waitress

    from kiosk.errors import KioskError
    from kiosk.messages import message
    from kiosk.stores.service import served_store as resolve

    app = _app()
    try:
        resolve(app.config["STORE_CODE"])  # none yet is fine: the first-run screen opens it
    except KioskError as exc:
        raise click.ClickException(message(exc)) from None
    host = host or app.config["HOST"]
    port = port or app.config["PORT"]
    click.echo(f"Kiosk running at http://{host}:{port}/  (Ctrl+C stops it)", err=False)
    sys.stdout.flush()
    from kiosk.db import database
    database.close()
    # Receipts left waiting by the last run (power cut, printer off) are sent again.
    app.extensions["print_worker"].start()
    from kiosk.scanning.setup import ScannerError
    from kiosk.scanning.setup import start as start_scanner
    try:
        start_scanner(app)
    except ScannerError as exc:
        raise click.ClickException(f"KIOSK_SCANNER: {exc}") from None
    waitress.serve(app, host=host, port=port, threads=threads, ident="kiosk")


@main.command()
@click.argument("card")
def balance(card):
    """Show the holder, account and balance of CARD (a scanned payload or a card number)."""
    from kiosk.cards.service import find_card
    from kiosk.errors import KioskError
    from kiosk.messages import message
    from kiosk.privacy import mask_name

    app = _app()
    store = served_store(app)
    try:
        found = find_card(store, card, app.config["CARD_SIGNING_KEY"])
    except KioskError as exc:
        raise click.ClickException(message(exc)) from None
    account = found.account
    household = account.household.label if account.household else ""
    click.echo(f"card     {found.number}")
    click.echo(f"holder   {mask_name(found.holder_name)}")
    click.echo(f"account  {account.id} {household}".rstrip())
    click.echo(f"balance  {account.balance}")


@main.command()
@click.option("--store", "code", metavar="CODE", help="Only this store's accounts, goods, documents and ledger chain "
              "(default: the whole database).")
@click.option("--head", "head_file", type=click.Path(exists=True, dir_okay=False),
              help="also check the chain-head lines of this file (a saved `kiosk backup` log or "
                   "`kiosk chain-head` output): the ledger must still lead to each of them")
def verify(code, head_file):
    """Check every invariant: balances, quantities, sales, refunds, the ledger hash chain and the
    chain heads of published notices (and of --head FILE). Exits 1 on any problem. The outcome
    is recorded per store (verify_run) for the street office view (/district/)."""
    from kiosk.errors import KioskError
    from kiosk.messages import message
    from kiosk.reports.verify import verify as run
    from kiosk.stores.service import served_store as resolve

    app = _app()
    if code:
        try:
            store = resolve(code)
        except KioskError as exc:
            raise click.ClickException(message(exc)) from None
        problems = run(store.timezone, store.id)
    else:
        problems = run(app.config["BABEL_DEFAULT_TIMEZONE"])
    if head_file:
        from kiosk.ledger import anchor

        with open(head_file, encoding="utf-8", errors="replace") as fh:
            anchors = anchor.read_heads(fh.read())
        if not anchors:
            raise click.ClickException(f"{head_file} holds no chain-head line")
        problems.extend(anchor.check_heads(anchors, source=os.path.basename(head_file)))
    _record_verify(store if code else None, len(problems))
    for problem in problems:
        click.echo(problem)
    if problems:
        click.echo(f"{len(problems)} problem(s) found", err=True)
        sys.exit(1)
    scope = f"store {code.strip().upper()}: " if code else ""
    click.echo(f"ok: {scope}every balance, quantity, sale and refund is consistent, and the ledger hash chain is unbroken")


def _record_verify(store, problems):
    """Keep the outcome per store for the street office view (kiosk.district): ``store`` alone
    (`--store`), else every store with the whole run's count."""
    import peewee

    from kiosk.district.models import DATABASE, STORE
    from kiosk.district.service import record_verify
    from kiosk.stores.models import Store

    try:
        if store is not None:
            record_verify([store], problems, STORE)
        else:
            record_verify(list(Store.select().order_by(Store.id)), problems, DATABASE)
    except peewee.DatabaseError as exc:  # a database not yet upgraded (`kiosk init-db`): still report
        click.echo(f"note: the result was not recorded ({exc})", err=True)


@main.command("chain-head")
def chain_head():
    """Print each store's ledger chain head (one `chain-head` line per store) to keep outside the
    database; `kiosk verify --head FILE` checks the ledger still leads to it."""
    from datetime import datetime, timezone

    from kiosk.ledger import anchor

    _app()
    for line in anchor.head_lines(datetime.now(timezone.utc)):
        click.echo(line)


@main.command("settle-deductions")
@click.option("--date", "day", default=None, help="Settle as of this day (YYYY-MM-DD); default today in the store's time zone.")
def settle_deductions(day):
    """Let deductions whose objection period is over take effect, in every store. The screens
    do this too whenever an account is looked at; the nightly run of `kiosk boot` runs it daily,
    before `kiosk expire`, so balances never wait."""
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    from kiosk.earning.service import settle_due
    from kiosk.stores.models import Store

    _app()
    try:
        given = date.fromisoformat(day) if day else None
    except ValueError:
        raise click.ClickException(f"not a date: {day!r} (use YYYY-MM-DD)") from None
    for store in Store.select().order_by(Store.id):
        today = given or datetime.now(ZoneInfo(store.timezone)).date()
        click.echo(f"{store.code}: {settle_due(store, today)} deduction(s) took effect")
@main.command()
@click.option("--store", "code", metavar="CODE", help="Only this store (default: every store).")
@click.option("--date", "day", metavar="YYYY-MM-DD", help="The expiry day to execute (default: yesterday, the last "
              "day that has ended in KIOSK_TIMEZONE).")
@click.option("--dry-run", is_flag=True, help="Only say what would expire; write nothing.")
def expire(code, day, dry_run):
    """Expire the points that are due at the end of a day, as ledger entries, and the service
    vouchers past their last valid day (run it nightly: the nightly run of `kiosk boot` does,
    after `kiosk settle-deductions`)."""
    from datetime import date, timedelta

    from flask_babel import force_locale, gettext

    from kiosk.errors import KioskError
    from kiosk.expiry import service as expiry
    from kiosk.messages import message
    from kiosk.stores.models import Store
    from kiosk.vouchers import service as voucher_service

    app = _app()
    try:
        given = date.fromisoformat(day) if day else None
    except ValueError:
        raise click.BadParameter(f"{day!r} is not a date like 2026-12-31", param_hint="--date") from None
    stores = Store.select().order_by(Store.id)
    if code:
        stores = stores.where(Store.code == code)
        if not stores.exists():
            raise click.ClickException(f"no store with the code {code}")
    failed = False
    for store in list(stores):
        name = f"{store.code} {store.name}"
        # Service vouchers past their last valid day, whatever the store does with points.
        vouchers = voucher_service.expire_due(store, dry_run=dry_run)
        if vouchers:
            click.echo(f"{name}: {vouchers} voucher(s) past their last valid day "
                       f"{'would expire' if dry_run else 'expired'}")
        # Each store's days are its own zone's.
        tz_name = store.timezone
        today = expiry.local_today(tz_name)
        day = given or today - timedelta(days=1)
        def note(expiry_day):
            with force_locale(app.config["BABEL_DEFAULT_LOCALE"]):
                return gettext("Unused points, expiry day %(day)s", day=expiry_day.isoformat())

        try:
            result = expiry.run(store, day, tz_name=tz_name, today=today, dry_run=dry_run, note=note)
        except KioskError as exc:
            if exc.code == "expiry_off":
                click.echo(f"{name}: points do not expire in this store, nothing to do")
                continue
            click.echo(f"{name}: {message(exc)}", err=True)
            failed = True
            continue
        if result.cutoff is None:
            click.echo(f"{name}: expiry starts on {store.expiry_start}; nothing expires on {day}")
            continue
        cut = result.cutoff
        if store.expiry_mode == expiry.YEARLY:
            what = f"points left at the end of {cut.day}"
        else:
            what = f"points earned up to {cut.last_earned} and not spent ({store.expiry_months} months, due {cut.day})"
        verb = "would expire" if dry_run else "expired"
        line = f"{name}: {what}: {result.points} points {verb} on {result.accounts} account(s)"
        if result.skipped:
            line += f"; {result.skipped} account(s) already done for {cut.day}"
        click.echo(line + (" (dry run, nothing written)" if dry_run else ""))
    if failed:
        sys.exit(1)


@main.group()
def boot():
    """Start-up files: boot this till straight into the full-screen kiosk."""


def _write_boot_files(kind, make, out):
    from kiosk import boot as boot_files
    from kiosk.config import SettingError

    try:
        installation = boot_files.current_installation(windows=kind == "windows", timezone=_store_zone())
        written = boot_files.write(make(installation), out)
    except (SettingError, ValueError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    for path in written:
        click.echo(f"wrote {path}")
    click.echo(f"kiosk URL {installation.url}, instance {installation.instance}")
    click.echo(f"next: follow {os.path.join(out, 'INSTALL.txt')}")
    return installation


@boot.command("linux")
@click.option("--user", default="kiosk", show_default=True, help="The account that runs the server and the screen.")
@click.option("--group", default="lp", show_default=True, help="The group given access to the USB printer.")
@click.option("--out", required=True, type=click.Path(file_okay=False), help="The folder to write the files to.")
def boot_linux(user, group, out):
    """systemd units (server; nightly run and its timer), Chromium launcher, autostart entry, udev
    rule and INSTALL.txt for Linux."""
    from kiosk import boot as boot_files

    _write_boot_files("linux", lambda installation: boot_files.linux_files(installation, user, group), out)


@boot.command("windows")
@click.option("--out", required=True, type=click.Path(file_okay=False), help="The folder to write the files to.")
def boot_windows(out):
    """start-kiosk.bat/.ps1 (server, wait, Chrome or Edge full screen), nightly.bat and its Task
    Scheduler task, and INSTALL.txt for Windows. The files stay in --out: the task runs nightly.bat there."""
    from kiosk import boot as boot_files

    installation = _write_boot_files("windows", lambda installation: boot_files.windows_files(installation, out), out)
    if os.name != "nt":
        click.echo(f"note: the files name this machine's paths ({installation.command[0]}): "
                   "run `kiosk boot windows` on the Windows till itself", err=True)


@main.group()
def cards():
    """Points cards (积分卡)."""


@cards.command("print")
@click.option("--card", "number", metavar="NUMBER", help="One card by its number (--out FILE.png, or FILE.pdf for a sheet).")
@click.option("--all", "every", is_flag=True, help="Every active card of the store, ten a page (--out FILE.pdf).")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="The PNG or PDF file to write.")
@click.option("--full-name/--masked-name", default=None,
              help="Print the holder's full name, or the masked one (张*华); default: the store setting.")
def print_cards(number, every, out, full_name):
    """Write printable cards: one card as PNG, or A4 sheets of ten as PDF."""
    from kiosk.cards.models import ACTIVE, Card
    from kiosk.cards.render import PER_PAGE, card_png, cards_pdf
    from kiosk.cards.service import card_payload, check_active
    from kiosk.errors import KioskError
    from kiosk.messages import message

    if bool(number) == every:
        raise click.UsageError("give exactly one of --card NUMBER or --all")
    extension = os.path.splitext(out)[1].lower()
    if extension not in ((".png", ".pdf") if number else (".pdf",)):
        raise click.UsageError("--out must end in .png or .pdf" if number else "--all writes a PDF: --out must end in .pdf")
    app = _app()
    store = served_store(app)
    if number:
        try:
            card = Card.get_or_none(Card.store == store, Card.number == number.strip())
            if card is None:
                raise KioskError("unknown_card", number=number)
            check_active(card)
        except KioskError as exc:
            raise click.ClickException(message(exc)) from None
        chosen = [card]
    else:
        chosen = list(Card.select().where(Card.store == store, Card.status == ACTIVE).order_by(Card.number))
        if not chosen:
            raise click.ClickException("no active cards to print")
    key = app.config["CARD_SIGNING_KEY"]
    full_name = store.card_full_name if full_name is None else full_name
    items = [(card, store, card_payload(store.code, card.number, key)) for card in chosen]
    try:
        data = card_png(*items[0], mask=not full_name) if extension == ".png" else cards_pdf(items, mask=not full_name)
        with open(out, "wb") as file:
            file.write(data)
    except (RuntimeError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    pages = "" if extension == ".png" else f" on {-(-len(items) // PER_PAGE)} page(s)"
    click.echo(f"wrote {len(items)} card(s){pages} to {out}")


def _store_zone():
    """The served store's time zone, or None when there is no database or store yet (the
    nightly run then goes by KIOSK_TIMEZONE)."""
    from kiosk import create_app
    from kiosk.db import database

    try:
        app = create_app({"INSTANCE_PATH": _instance_path()})
        from kiosk.stores.service import served_store as resolve

        with app.app_context(), database.connection_context():
            store = resolve(app.config["STORE_CODE"])
            return store.timezone if store else None
    except Exception:  # noqa: BLE001 - no database, or no single store: KIOSK_TIMEZONE applies
        return None


def _store_printers():
    """(store name, printer URL) of each store whose settings name its own printer; none when
    the database is not set up yet."""
    from kiosk import create_app
    from kiosk.db import database

    try:
        app = create_app({"INSTANCE_PATH": _instance_path()})
        from kiosk.stores.models import Store

        with app.app_context(), database.connection_context():
            return [(store.name, store.printer_url) for store in Store.select().where(Store.printer_url != "")]
    except Exception:  # noqa: BLE001 - no database yet, or it cannot be read: nothing to add
        return []


def _doctor_printer(url, paper_mm, encoding, test_page):
    """Check the printer at ``url`` and echo what was found; True when it is usable.

    Takes the URL as a parameter so that a per-store printer setting can be checked the same way.
    """
    from devices import check_printer

    check = check_printer(url, paper_mm=paper_mm, encoding=encoding, test_page=test_page)
    printer, status = check.printer, check.status
    if printer is not None:
        click.echo(f"  paper {printer.profile.name}, encoding {printer.encoding}, "
                   f"Chinese mode {'on' if printer.chinese_mode else 'off'}, QR {printer.qr}"
                   + (f", logo {printer.logo}" if printer.logo else ""))
    click.echo(f"  status: {status.state} - {status.detail}" if status.detail else f"  status: {status.state}")
    if status.hint:
        click.echo(f"  what to do: {status.hint}")
    if test_page:
        if check.test_page_bytes is not None:
            click.echo(f"  test page sent ({check.test_page_bytes} bytes): check the paper")
        elif status.usable:
            click.echo("  test page NOT printed")
        else:
            click.echo("  test page not sent: the printer is not usable")
    return check.usable and (not test_page or check.test_page_bytes is not None)


@main.command()
@click.option("--test-page", is_flag=True, help="Also print a test page on the configured printer.")
def doctor(test_page):
    """Check the receipt printer and scanner: what is attached, the configured ones, what is wrong.

    Exits 0 when the configured printer (KIOSK_PRINTER) is usable, 1 otherwise.
    """
    from devices import check_scanner, find_printers, find_scanners
    from kiosk import config

    click.echo("Printers found on this machine:")
    printers = find_printers()
    for found in printers:
        click.echo(f"  - {found.url}  ({found.description})")
    if not printers:
        click.echo("  none (no USB printer, /dev/usb/lp*, serial port or CUPS queue)")
    click.echo("Scanners found on this machine:")
    scanners = find_scanners()
    for found in scanners:
        click.echo(f"  - {found.url or '(keyboard wedge)'}  ({found.description})")
    if not scanners:
        click.echo("  none recognised (a keyboard-wedge scanner is listed only when its name says scanner)")

    try:
        settings = config.from_environment()
    except config.SettingError as exc:
        click.echo(f"Settings problem: {exc}")
        click.echo("RESULT: fix the setting above, then run `kiosk doctor` again.")
        sys.exit(1)

    targets = [("Configured printer (KIOSK_PRINTER)", settings["PRINTER_URL"])]
    targets += [(f"Printer of the store {name} (settings screen)", url) for name, url in _store_printers()]
    usable = True
    for label, url in targets:
        click.echo(f"{label}: {url or '(empty)'}")
        try:
            usable = _doctor_printer(url, settings["PAPER_WIDTH"], settings["PRINTER_ENCODING"], test_page) and usable
        except Exception as exc:  # noqa: BLE001 - the doctor reports, it never shows a traceback
            click.echo(f"  unexpected problem while checking the printer: {type(exc).__name__}: {exc}")
            usable = False

    scanner_url = settings["SCANNER_URL"]
    click.echo(f"Configured scanner (KIOSK_SCANNER): {scanner_url or '(empty)'}")
    scanner = check_scanner(scanner_url)
    mark = {True: "ok", False: "PROBLEM", None: "note"}[scanner.ok]
    click.echo(f"  {mark}: {scanner.message}")
    if scanner.hint:
        click.echo(f"  what to do: {scanner.hint}")

    if usable:
        click.echo("RESULT: the receipt printer is usable.")
    else:
        click.echo("RESULT: the receipt printer is NOT usable; see 'what to do' above.")
        sys.exit(1)


@main.group()
def notice():
    """Public notices (公示): publish the monthly or yearly notice, list them, write a PDF."""


def _notice_store():
    app = _app()
    store = served_store(app)
    return app, store


@notice.command("publish")
@click.option("--month", metavar="YYYY-MM", help="The monthly notice, e.g. 2026-11 (up to the store's cut-off day).")
@click.option("--year", metavar="YYYY", help="The yearly notice with its star-household candidates, e.g. 2026.")
def notice_publish(month, year):
    """Publish (freeze) a notice; refused before its period is over or when already published."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from kiosk.errors import KioskError
    from kiosk.messages import message
    from kiosk.notice import service

    if bool(month) == bool(year):
        raise click.UsageError("give exactly one of --month YYYY-MM or --year YYYY")
    app, store = _notice_store()
    tz_name = app.config["BABEL_DEFAULT_TIMEZONE"]
    today = datetime.now(ZoneInfo(tz_name)).date()
    try:
        if month:
            published = service.publish_month(store, month, today=today, tz_name=tz_name)
        else:
            published = service.publish_year(store, year, today=today, tz_name=tz_name)
    except KioskError as exc:
        raise click.ClickException(message(exc)) from None
    click.echo(f"published notice {published.id}: {published.period} ({published.kind}), "
               f"{published.day_from} .. {published.day_to}, {published.households} households")
    click.echo(f"chain head {published.chain_head} (entry {published.chain_entry_id}, {published.chain_length} entries)")


@notice.command("list")
def notice_list():
    """The published notices, newest first."""
    from kiosk.notice import service

    _, store = _notice_store()
    rows = service.notices(store)
    if not rows:
        click.echo("no notice published yet")
    for row in rows:
        click.echo(f"{row.id:>4}  {row.period:<7}  {row.kind:<5}  {row.day_from} .. {row.day_to}  "
                   f"{row.households:>5} households  head {row.chain_head[:16]}…")


@notice.command("pdf")
@click.argument("notice_id", type=int)
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="The PDF file to write.")
def notice_pdf(notice_id, out):
    """Write a published notice as an A4 PDF."""
    from flask_babel import format_datetime

    from kiosk.errors import KioskError
    from kiosk.messages import message
    from kiosk.notice import service
    from kiosk.notice.models import YEAR
    from kiosk.notice.pdf import notice_pdf as render
    from kiosk.notice.views import labels

    _, store = _notice_store()
    try:
        found = service.get_notice(store, notice_id)
    except KioskError as exc:
        raise click.ClickException(message(exc)) from None
    candidates = service.star_candidates(found) if found.kind == YEAR else None
    try:
        data = render(store.name, found, service.lines_of(found), labels(found), candidates=candidates,
                      published_at=format_datetime(found.published_at, "yyyy-MM-dd HH:mm"))
        with open(out, "wb") as file:
            file.write(data)
    except (RuntimeError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"wrote notice {found.period} to {out}")


# Command groups defined in their capabilities' modules are registered below.
# --- staff commands ---
from kiosk.staff.commands import staff  # noqa: E402
main.add_command(staff)

# --- backup commands ---
from kiosk.backup.commands import backup, restore  # noqa: E402
main.add_command(backup)
main.add_command(restore)

# --- setup and store commands ---
from kiosk.setup.commands import setup, store  # noqa: E402

main.add_command(setup)
main.add_command(store)

# --- printed rules commands ---
from kiosk.rulesheets.commands import rulesheet  # noqa: E402

main.add_command(rulesheet)

# --- dayclose commands ---
from kiosk.dayclose.commands import close_day  # noqa: E402

main.add_command(close_day)

# --- reports commands ---
from kiosk.reports.commands import report  # noqa: E402

main.add_command(report)

# --- street commands ---
from kiosk.district.commands import district  # noqa: E402

main.add_command(district)

# --- partners commands ---
from kiosk.vouchers.commands import partner  # noqa: E402

main.add_command(partner)
