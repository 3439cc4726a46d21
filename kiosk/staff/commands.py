"""`kiosk staff`: the store's staff from the kiosk computer's terminal. The way back in when the
only manager forgot the PIN (`kiosk staff set-pin NAME`). Acts on the served store (KIOSK_STORE);
every change is an audit event marked as coming from the command line."""
import click

ROLE_HELP = "manager|operations|cashier|service (or 店长|运营|收银|客服)"


def _refused(exc):
    from kiosk.messages import message

    return click.ClickException(message(exc))


def _run(operation):
    """``operation()``, with a refusal turned into its sentence and exit status 1."""
    from kiosk.errors import KioskError

    try:
        return operation()
    except KioskError as exc:
        raise _refused(exc) from None


def _store():
    from kiosk.cli import _app, served_store

    return served_store(_app())


@click.group()
def staff():
    """The store's staff: list, add, set a PIN, change a role, deactivate, unlock."""


@staff.command("list")
def list_staff():
    """Everyone on the staff: name, role, active or deactivated, locked or not."""
    from kiosk.staff import admin

    store = _store()
    people = admin.staff_of(store)
    if not people:
        click.echo("no staff yet: add the manager with `kiosk staff add NAME --role manager`")
    for person in people:
        state = "active" if person.active else "deactivated"
        if admin.is_locked(person):
            state += ", locked"
        elif person.failed_attempts:
            state += f", {person.failed_attempts} wrong PIN(s)"
        click.echo(f"{person.name}\t{person.role}\t{state}")


@staff.command("add")
@click.argument("name")
@click.option("--role", required=True, metavar="ROLE", help=ROLE_HELP)
@click.option("--pin-stdin", is_flag=True, help="Read the PIN from standard input (one line; a second line repeats it).")
def add(name, role, pin_stdin):
    """Add NAME to the staff with ROLE and a PIN typed twice."""
    from kiosk.cli import read_new_pin
    from kiosk.staff import admin

    store = _store()
    name = _run(lambda: admin.check_name(name))
    role = _run(lambda: admin.parse_role(role))
    _run(lambda: admin.ensure_unique_name(store, name))  # before asking for the PIN
    pin = read_new_pin(pin_stdin)
    person = _run(lambda: admin.add_staff(store, name, role, pin, by=None, via="cli"))
    click.echo(f"added {person.name} ({person.role}) to {store.code}; they can sign in now")


@staff.command("set-pin")
@click.argument("name")
@click.option("--pin-stdin", is_flag=True, help="Read the PIN from standard input (one line; a second line repeats it).")
def set_pin(name, pin_stdin):
    """Give NAME a new PIN (also lifts a lock-out): the way back in for a forgotten PIN."""
    from kiosk.cli import read_new_pin
    from kiosk.staff import admin

    store = _store()
    person = _run(lambda: admin.find_by_name(store, name))
    pin = read_new_pin(pin_stdin, prompt=f"New PIN for {person.name}")
    _run(lambda: admin.set_pin(store, person.id, pin, via="cli"))
    click.echo(f"{person.name} has a new PIN")


@staff.command("set-role")
@click.argument("name")
@click.argument("role", metavar="ROLE")
def set_role(name, role):
    """Change the role of NAME to ROLE (manager|operations|cashier|service or 店长|运营|收银|客服)."""
    from kiosk.staff import admin

    store = _store()
    person = _run(lambda: admin.find_by_name(store, name))
    changed = _run(lambda: admin.change_role(store, person.id, role, via="cli"))
    click.echo(f"{changed.name} is now {changed.role}")


@staff.command("deactivate")
@click.argument("name")
def deactivate(name):
    """Take NAME off the sign-in screen; open sessions stop working, the history stays."""
    from kiosk.staff import admin

    store = _store()
    person = _run(lambda: admin.find_by_name(store, name))
    _run(lambda: admin.deactivate(store, person.id, via="cli"))
    click.echo(f"{person.name} was deactivated")


@staff.command("reactivate")
@click.argument("name")
def reactivate(name):
    """Bring a deactivated NAME back onto the sign-in screen, with the old PIN."""
    from kiosk.staff import admin

    store = _store()
    person = _run(lambda: admin.find_by_name(store, name, active=False))
    _run(lambda: admin.reactivate(store, person.id, via="cli"))
    click.echo(f"{person.name} can sign in again")


@staff.command("unlock")
@click.argument("name")
def unlock(name):
    """Lift the lock-out of NAME after too many wrong PINs."""
    from kiosk.staff import admin

    store = _store()
    person = _run(lambda: admin.find_by_name(store, name))
    was_locked = admin.is_locked(person)
    _run(lambda: admin.unlock(store, person.id, via="cli"))
    click.echo(f"{person.name} was unlocked" if was_locked else f"{person.name} was not locked; wrong PINs forgotten")
