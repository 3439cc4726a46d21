"""Typed card numbers are a store setting, off by default: a card number alone (printed on the
card, older ones in sequence) opens no account. When the manager turns it on, every use is an
audit event on the audit screen."""
from kiosk.audit import AuditEvent
from kiosk.staff.models import CASHIER, MANAGER
from kiosk.stores.models import Store
from tests.conftest import Session, signed_in
from tests.helpers import body

REFUSED = "请扫描积分卡：本店不接受手动输入卡号。"


def test_a_typed_card_number_is_refused_by_default(cashier, world):
    response = cashier.post("/cashier/scan", {"code": world.cards["李秀兰"].number})
    assert response.status_code == 422 and REFUSED in body(response)
    assert cashier.register().get("card_id") is None
    assert not Store.get_by_id(world.store.id).typed_card_numbers


def test_recording_a_service_refuses_a_typed_number_by_default(operations, world):
    operations.post("/earning/scan", {"code": world.cards["李秀兰"].number}, htmx=False)
    assert REFUSED in body(operations.get("/earning/"))


def test_when_the_manager_allows_them_each_use_is_audited(app, client, world):
    manager = signed_in(client, world, MANAGER)
    response = manager.post("/settings/store", {"name": world.store.name, "account_mode": "household",
                                           "typed_card_numbers": "1"}, htmx=False)
    assert response.status_code == 302 and Store.get_by_id(world.store.id).typed_card_numbers
    assert 'name="typed_card_numbers" value="1" checked' in body(manager.get("/settings/store"))

    cashier = Session(app.test_client())
    assert cashier.sign_in(world.staff[CASHIER], "3333").status_code == 302
    assert cashier.post("/cashier/scan", {"code": world.cards["李秀兰"].number}).status_code == 200
    assert cashier.register()["card_id"] == world.cards["李秀兰"].id
    event = AuditEvent.get(AuditEvent.action == "card_number_typed")
    assert event.staff_id == world.staff[CASHIER].id and world.cards["李秀兰"].number in event.detail
    # A scanned card is no such event.
    cashier.post("/cashier/scan", {"code": world.payload("张建华")})
    assert AuditEvent.select().where(AuditEvent.action == "card_number_typed").count() == 1
    assert "手动输入卡号（未扫卡）" in body(manager.get("/settings/audit/"))
