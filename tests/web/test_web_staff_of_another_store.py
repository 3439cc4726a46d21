"""On a district server several stores share one database: a session holding the id of another
store's staff member signs nobody in at this store's kiosk."""
import time

from kiosk.staff.models import MANAGER, Staff
from kiosk.stores.models import Store
from tests.helpers import body


def other_stores_manager():
    other = Store.create(name="二店积分超市", code="AB")
    return Staff.create(store=other, name="赵店长", role=MANAGER, pin_hash="unused")


def test_another_stores_staff_id_in_the_session_is_not_signed_in(client, world):
    stranger = other_stores_manager()
    with client.session_transaction() as session:
        session["staff_id"] = stranger.id
        session["seen"] = time.time()
    for url in ("/cashier/", "/settings/"):
        response = client.get(url)
        assert response.status_code == 302 and "/signin" in response.headers["Location"], url


def test_this_stores_staff_still_work_beside_another_store(manager, world):
    other_stores_manager()
    response = manager.get("/settings/")
    assert response.status_code == 200
    assert world.staff[MANAGER].name in body(response)
