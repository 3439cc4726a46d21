"""On the sign-in screen, wrong PINs typed on another device do not lock a person out of the
kiosk where they signed in before (the kiosk is told apart by its device cookie)."""
from kiosk.staff.models import MANAGER
from tests.conftest import Session
from tests.helpers import body


def test_wrong_pins_from_a_stranger_do_not_lock_the_manager_out_of_the_kiosk(app, client, world):
    manager = world.staff[MANAGER]
    kiosk = Session(client)
    assert kiosk.sign_in(manager, "1111").status_code == 302
    assert client.get_cookie("kiosk_device") is not None
    kiosk.post("/signout", htmx=False)

    stranger = Session(app.test_client())
    stranger.client.environ_base["REMOTE_ADDR"] = "10.0.0.66"
    for _ in range(8):
        refused = stranger.sign_in(manager, "0000")
        assert refused.status_code == 400
    assert "密码错误次数过多" in body(refused)
    assert stranger.sign_in(manager, "1111").status_code == 400  # the stranger must wait

    assert kiosk.sign_in(manager, "1111").status_code == 302
