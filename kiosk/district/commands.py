"""`kiosk district`: the street office's (街道) users, from the server's terminal. They belong to
no store and sign in at /district/ (see kiosk.district.service). Every change is audited."""
import click


def _run(operation):
    from kiosk.errors import KioskError
    from kiosk.messages import message

    try:
        return operation()
    except KioskError as exc:
        raise click.ClickException(message(exc)) from None


@click.group()
def district():
    """Street-office users: list, add, set a PIN, deactivate."""


@district.command("list")
def list_users():
    """Every street-office user, active or deactivated."""
    from kiosk.cli import _app
    from kiosk.district import service

    _app()
    people = _run(lambda: list(service.users(active_only=False)))
    if not people:
        click.echo("no street-office users yet: add one with `kiosk district add-user NAME`")
    for user in people:
        click.echo(f"{user.name}\t{'active' if user.active else 'deactivated'}")


@district.command("add-user")
@click.argument("name")
@click.option("--pin-stdin", is_flag=True, help="Read the PIN from standard input (one line; a second line repeats it).")
def add_user(name, pin_stdin):
    """Add NAME as a street-office user with a PIN typed twice."""
    from kiosk.cli import read_new_pin
    from kiosk.district import service

    from kiosk.cli import _app

    _app()
    _run(lambda: service._check_name(name))  # a refused name is said before the PIN is asked
    pin = read_new_pin(pin_stdin)
    user = _run(lambda: service.add_user(name, pin))
    click.echo(f"added {user.name}: sign in at /district/")


@district.command("set-pin")
@click.argument("name")
@click.option("--pin-stdin", is_flag=True, help="Read the PIN from standard input (one line; a second line repeats it).")
def set_pin(name, pin_stdin):
    """Give NAME a new PIN (ends their sessions, lifts a lock-out)."""
    from kiosk.cli import read_new_pin
    from kiosk.district import service

    from kiosk.cli import _app

    _app()
    _run(lambda: service.find_user(name))
    pin = read_new_pin(pin_stdin)
    user = _run(lambda: service.set_pin(name, pin))
    click.echo(f"new PIN set for {user.name}")


@district.command("deactivate")
@click.argument("name")
def deactivate(name):
    """NAME can no longer sign in; their sessions end."""
    from kiosk.cli import _app
    from kiosk.district import service

    _app()
    user = _run(lambda: service.deactivate(name))
    click.echo(f"{user.name} deactivated")
