"""`kiosk partner`: the served store's partners (合作商家) from the server's terminal, as the
manager keeps them at /partners/. Every change is audited (no staff member: the terminal)."""
import click


def _run(operation):
    from kiosk.errors import KioskError
    from kiosk.messages import message

    try:
        return operation()
    except KioskError as exc:
        raise click.ClickException(message(exc)) from None


def _store():
    from kiosk.cli import _app, served_store

    return served_store(_app())


@click.group()
def partner():
    """Partners who accept the store's vouchers: list, add, set a PIN, deactivate."""


@partner.command("list")
def list_partners():
    """Every partner of the served store, active or deactivated."""
    from kiosk.vouchers import partners

    store = _store()
    people = partners.partners_of(store)
    if not people:
        click.echo("no partners yet: add one with `kiosk partner add NAME`")
    for person in people:
        state = "active" if person.active else "deactivated"
        pin = "PIN set" if person.pin_hash else "no PIN"
        click.echo(f"{person.name}\t{state}\t{pin}\t{person.honours}")


@partner.command("add")
@click.argument("name")
@click.option("--contact", default="", help="Contact person and phone.")
@click.option("--honours", default="", help="What they honour, in words (e.g. 时令水果券).")
@click.option("--pin-stdin", is_flag=True, help="Read the PIN from standard input (one line; a second line repeats it).")
@click.option("--no-pin", is_flag=True, help="Add without a PIN (give one later with set-pin).")
def add(name, contact, honours, pin_stdin, no_pin):
    """Add NAME as a partner, with a PIN typed twice unless --no-pin."""
    from kiosk.cli import read_new_pin
    from kiosk.vouchers import partners

    store = _store()
    pin = None if no_pin else read_new_pin(pin_stdin)
    person = _run(lambda: partners.add_partner(store, name, contact, honours, by=None))
    if pin is not None:
        _run(lambda: partners.set_partner_pin(store, person.id, pin, by=None))
    click.echo(f"added {person.name}" + ("" if pin is None else ": sign in at /partner/"))


def _find(store, name):
    from kiosk.errors import KioskError
    from kiosk.vouchers import partners

    for person in partners.partners_of(store):
        if person.name == name.strip():
            return person
    raise KioskError("unknown_partner")


@partner.command("set-pin")
@click.argument("name")
@click.option("--pin-stdin", is_flag=True, help="Read the PIN from standard input (one line; a second line repeats it).")
def set_pin(name, pin_stdin):
    """Give NAME a new PIN (ends their sessions, lifts a lock-out)."""
    from kiosk.cli import read_new_pin
    from kiosk.vouchers import partners

    store = _store()
    person = _run(lambda: _find(store, name))
    pin = read_new_pin(pin_stdin)
    _run(lambda: partners.set_partner_pin(store, person.id, pin, by=None))
    click.echo(f"new PIN set for {person.name}")


@partner.command("deactivate")
@click.argument("name")
def deactivate(name):
    """NAME can no longer sign in; their sessions end."""
    from kiosk.vouchers import partners

    store = _store()
    person = _run(lambda: _find(store, name))
    _run(lambda: partners.deactivate_partner(store, person.id, by=None))
    click.echo(f"{person.name} deactivated")
