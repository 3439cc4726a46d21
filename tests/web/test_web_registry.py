"""The registry screens: operations staff find, register and edit households and residents,
issue cards, report them lost and reissue them."""
import pytest

from kiosk.cards.models import Card
from kiosk.registry.models import Household, Resident
from tests.helpers import body


def test_operations_staff_land_on_the_registry(client, operations):
    response = client.get("/")
    assert response.headers["Location"] == "/registry/"
    assert "登记新户" in body(client.get("/registry/"))


def test_a_cashier_cannot_open_the_registry(client, cashier):
    assert client.get("/registry/").status_code == 403


def test_search_as_you_type_returns_the_results_fragment(operations):
    response = operations.get("/registry/?q=ZJH", htmx=True)
    html = body(response)
    assert html.startswith('<div id="results">') and "张建华" in html
    assert "****0001" in html and "13800000001" not in html  # phone numbers shown as their tail


def test_register_a_household_then_a_resident_then_a_card(client, operations, world):
    response = operations.post("/registry/households/new", {
        "community": "幸福里社区", "building": "9", "unit": "1", "room": "602", "members": "2", "phone": "",
    }, htmx=False)
    assert response.status_code == 302
    household = Household.get(Household.building == "9", Household.room == "602")
    assert response.headers["Location"] == f"/registry/households/{household.id}"
    response = operations.post(f"/registry/households/{household.id}/residents",
                               {"name": "周小梅", "phone": "13912345678", "id_number": "110105194912310021"}, htmx=False)
    assert response.status_code == 302
    resident = Resident.get(Resident.name == "周小梅")
    assert resident.id_tail == "0021"
    operations.post(f"/registry/residents/{resident.id}/cards", htmx=False)
    card = Card.get(Card.resident == resident)
    page = body(client.get(f"/registry/households/{household.id}"))
    assert card.number in page and "周小梅" in page and "使用中" in page
    assert "110105194912310021" not in page


@pytest.mark.parametrize("fields, message", [
    ({"building": "", "room": "101"}, "请填写楼栋"),
    ({"building": "9", "room": ""}, "请填写房号"),
    ({"building": "9", "room": "101", "members": "-1"}, "人口数须为"),
    ({"building": "9", "room": "101", "phone": "12345"}, "电话号码格式不对"),
    ({"building": "3", "unit": "2", "room": "301"}, "这个地址的户已经登记过了"),
])
def test_bad_household_input_is_refused_and_nothing_is_saved(operations, world, fields, message):
    before = Household.select().count()
    response = operations.post("/registry/households/new", fields, htmx=False)
    assert response.status_code == 422
    assert message in body(response)
    assert Household.select().count() == before


def test_a_duplicate_phone_is_refused_with_the_form_kept(operations, world):
    household = world.cards["张建华"].account.household
    response = operations.post(f"/registry/households/{household.id}/residents",
                               {"name": "张小明", "phone": "13800000001"}, htmx=False)
    assert response.status_code == 422
    html = body(response)
    assert "尾号 0001 的电话已登记" in html and 'value="张小明"' in html
    assert not Resident.select().where(Resident.name == "张小明").exists()


def test_report_lost_then_reissue_and_the_old_card_is_refused_at_checkout(client, operations, world):
    card = world.cards["张建华"]
    household_id = card.account.household_id
    operations.post(f"/registry/cards/{card.id}/lost", htmx=False)
    assert Card.get_by_id(card.id).status == "lost"
    page = body(client.get(f"/registry/households/{household_id}"))
    assert "已挂失" in page and "补卡" in page
    operations.post(f"/registry/cards/{card.id}/reissue", htmx=False)
    new = Card.get(Card.replaces == card)
    assert new.account_id == card.account_id
    assert "余额不变" in body(client.get(f"/registry/households/{household_id}"))
    # A second reissue of the same lost card is refused.
    operations.post(f"/registry/cards/{card.id}/reissue", htmx=False)
    assert "已经补办过新卡" in body(client.get(f"/registry/households/{household_id}"))
    assert Card.select().where(Card.replaces == card).count() == 1


def test_the_old_card_scanned_at_the_cashier_says_it_was_reported_lost(client, world, operations):
    card = world.cards["张建华"]
    operations.post(f"/registry/cards/{card.id}/lost", htmx=False)
    operations.post("/signout", htmx=False)
    from kiosk.staff.models import CASHIER
    from tests.conftest import PINS  # noqa: E402
    operations.sign_in(world.staff[CASHIER], PINS[CASHIER])
    response = operations.post("/cashier/scan", {"code": world.payload("张建华")})
    assert response.status_code == 422
    assert "此卡已挂失，请到运营人员处办理补卡" in body(response)


def test_unknown_households_residents_and_cards_are_404(client, operations):
    for url in ("/registry/households/999", "/registry/households/999/edit", "/registry/residents/999/edit"):
        assert client.get(url).status_code == 404
    assert operations.post("/registry/cards/999/lost", htmx=False).status_code == 404
