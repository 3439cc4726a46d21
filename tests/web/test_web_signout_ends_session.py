"""Signing out ends the session itself, not only this browser's cookie: a copy of the cookie
taken before stops working after a sign-out, an idle sign-out, a new PIN or deactivation."""
import pytest

from kiosk.staff import admin
from kiosk.staff.models import CASHIER, MANAGER
from tests.conftest import Session, signed_in


def copy_of(app, client):
    """Another browser holding a copy of ``client``'s session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def opens_settings(browser):
    return browser.get("/settings/").status_code == 200


def test_a_copied_cookie_no_longer_works_after_sign_out(app, client, manager):
    thief = copy_of(app, client)
    assert opens_settings(thief)
    assert manager.post("/signout", htmx=False).status_code == 302
    assert thief.get("/settings/").status_code == 302
    assert thief.get("/settings/").headers["Location"].startswith("/signin")


def test_a_copied_cookie_no_longer_works_after_an_idle_sign_out(app, client, manager):
    thief = copy_of(app, client)
    with client.session_transaction() as session:
        session["seen"] = 0
    assert client.get("/settings/").status_code == 302  # the idle sign-out
    assert not opens_settings(thief)


@pytest.mark.parametrize("change", [
    lambda world: admin.set_pin(world.store, world.staff[CASHIER].id, "7294"),
    lambda world: admin.deactivate(world.store, world.staff[CASHIER].id),
])
def test_a_new_pin_or_deactivation_ends_the_sessions(app, client, world, change):
    signed_in(client, world, CASHIER)
    thief = copy_of(app, client)
    assert thief.get("/cashier/").status_code == 200
    change(world)
    assert client.get("/cashier/").status_code == 302
    assert thief.get("/cashier/").status_code == 302


def test_signing_in_again_after_sign_out_works(app, client, world):
    session = signed_in(client, world, MANAGER)
    session.post("/signout", htmx=False)
    assert Session(client).sign_in(world.staff[MANAGER], "1111").status_code == 302
    assert opens_settings(client)
