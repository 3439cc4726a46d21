"""`kiosk setup` (the first store and its manager) and `kiosk store list|create`."""
import click

from kiosk.cli import _app, read_new_pin


def _zone(timezone, app):
    return timezone or app.config["BABEL_DEFAULT_TIMEZONE"]


@click.command("setup")
@click.option("--code", required=True, help="The store's code: 2 to 8 letters or digits, e.g. XY (begins card codes and receipt numbers).")
@click.option("--name", required=True, help='The store\'s name, e.g. "幸福里社区信义积分超市".')
@click.option("--timezone", default=None, help="An IANA time zone (default: KIOSK_TIMEZONE, else Asia/Shanghai).")
@click.option("--manager", required=True, help="The first store manager's name.")
@click.option("--pin-stdin", is_flag=True, help="Read the manager's PIN from standard input instead of asking twice.")
def setup(code, name, timezone, manager, pin_stdin):
    """Open the store on an empty database, with its first store manager.

    The PIN is asked twice on the terminal (or read from standard input with --pin-stdin),
    never given on the command line, where it would stay in the shell history."""
    from kiosk.errors import KioskError
    from kiosk.messages import message
    from kiosk.setup import service
    from kiosk.stores import service as stores

    app = _app()
    try:
        if service.has_store():
            raise KioskError("store_exists")
        # Check the store before asking for a PIN, so a typo is not found after typing it twice.
        stores.check_code(code), stores.check_store_name(name), stores.check_timezone(_zone(timezone, app))
        service.check_name(manager, "manager_name")
        pin = read_new_pin(pin_stdin, prompt=f"PIN for {manager.strip()}")
        store, person = service.open_store(code=code, name=name, timezone=_zone(timezone, app), manager=manager, pin=pin)
    except KioskError as exc:
        raise click.ClickException(message(exc)) from None
    service.forget_setup_code(app.instance_path)
    click.echo(f"opened store {store.code} {store.name} ({store.timezone}); store manager {person.name}")
    click.echo("next: `kiosk serve`, sign in as the manager, then add staff, rules and goods")


@click.group("store")
def store():
    """Stores in this database (several stores may share one PostgreSQL server)."""


@store.command("list")
def store_list():
    """The stores, with their time zones; the one KIOSK_STORE names is marked."""
    from kiosk.staff.models import Staff
    from kiosk.stores.models import Store

    app = _app()
    chosen = app.config["STORE_CODE"]
    stores = list(Store.select().order_by(Store.code))
    if not stores:
        click.echo("no store yet: run `kiosk setup`")
        return
    for row in stores:
        staff = Staff.select().where(Staff.store == row, Staff.active == True).count()  # noqa: E712
        mark = "*" if row.code == chosen or (not chosen and len(stores) == 1) else " "
        click.echo(f"{mark} {row.code:<8} {row.name}  {row.timezone}  {staff} active staff")


@store.command("create")
@click.argument("code")
@click.argument("name")
@click.option("--timezone", default=None, help="An IANA time zone (default: KIOSK_TIMEZONE, else Asia/Shanghai).")
def store_create(code, name, timezone):
    """Add a store to this database (its first manager: `KIOSK_STORE=CODE kiosk staff add …`)."""
    from kiosk.errors import KioskError
    from kiosk.messages import message
    from kiosk.stores import service as stores

    app = _app()
    try:
        created = stores.create_store(code, name, _zone(timezone, app))
    except KioskError as exc:
        raise click.ClickException(message(exc)) from None
    click.echo(f"created store {created.code} {created.name} ({created.timezone})")
    click.echo(f"next: KIOSK_STORE={created.code} kiosk staff add NAME --role manager")


@store.command("numbers")
@click.option("--at-least", "at_least", type=click.File("r", encoding="utf-8"), default=None, metavar="FILE",
              help="Raise the counters to the numbers in FILE (this command's earlier output).")
def store_numbers(at_least):
    """Each store's last receipt and document numbers, one `numbers CODE kind=N …` line a store.

    Save them with each PostgreSQL dump and before restoring one (pg_restore), and give them to
    --at-least afterwards (FILE may be - for standard input, several files concatenated: the
    highest number of each counts): the counters go up to those numbers, so none issued after
    the dump is issued again (`kiosk restore` does this itself for a SQLite copy). Counters
    never go down.
    """
    from kiosk import audit
    from kiosk.db import database
    from kiosk.stores import numbering
    from kiosk.stores.models import Store

    _app()
    stores = {row.code: row for row in Store.select().order_by(Store.code)}
    if at_least is None:
        for code, row in stores.items():
            last = numbering.last_numbers(row.id)
            click.echo(f"numbers {code} " + " ".join(f"{kind}={last.get(kind, 0)}" for kind in numbering.KINDS))
        return
    wanted = {}
    for number, line in enumerate(at_least, start=1):
        words = line.split()
        if not words or words[0] != "numbers":
            continue
        try:
            code, pairs = words[1], dict(word.split("=", 1) for word in words[2:])
            counts = {kind: int(value) for kind, value in pairs.items()}
            if any(kind not in numbering.KINDS or value < 0 for kind, value in counts.items()):
                raise ValueError(line)
        except (IndexError, ValueError):
            raise click.ClickException(f"line {number} of {at_least.name} is not a `numbers CODE kind=N …` line") from None
        if code not in stores:
            raise click.ClickException(f"no store with the code {code} in this database (line {number})")
        for kind, value in counts.items():  # several files given together: the highest of each
            wanted.setdefault(code, {})[kind] = max(wanted.get(code, {}).get(kind, 0), value)
    if not wanted:
        raise click.ClickException(f"{at_least.name} holds no `numbers` line")
    with database.atomic():
        for code, counts in wanted.items():
            raised = {kind: value for kind, value in counts.items()
                      if numbering.raise_to(stores[code].id, kind, value)}
            if raised:
                audit.record("document_numbers_raised", store=stores[code], via="cli", **raised)
            click.echo(f"{code}: " + (", ".join(f"{kind} raised to {value}" for kind, value in raised.items())
                                      or "already at or above those numbers"))
