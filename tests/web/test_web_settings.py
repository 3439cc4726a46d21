"""Store settings: only the manager changes the store name, account mode and card names."""
import pytest

from kiosk.stores.models import Store
from tests.helpers import body


def test_the_manager_switches_to_personal_accounts_and_full_names(client, manager, world):
    response = manager.post("/settings/", {"name": "新名字信义积分超市", "account_mode": "person", "card_full_name": "1"}, htmx=False)
    assert response.status_code == 302
    store = Store.get_by_id(world.store.id)
    assert (store.name, store.account_mode, store.card_full_name) == ("新名字信义积分超市", "person", True)
    assert "新名字信义积分超市" in body(client.get("/settings/"))  # the header shows the new name


@pytest.mark.parametrize("form, text", [
    ({"name": "", "account_mode": "household"}, "请填写店名"),
    ({"name": "店", "account_mode": "everyone"}, "请选择积分账户的方式"),
])
def test_bad_settings_are_refused_and_nothing_changes(manager, world, form, text):
    response = manager.post("/settings/", form, htmx=False)
    assert response.status_code == 422 and text in body(response)
    assert Store.get_by_id(world.store.id).name == world.store.name


@pytest.mark.parametrize("role", ["cashier", "operations"])
def test_only_the_manager_opens_settings(request, client, role):
    request.getfixturevalue(role)
    assert client.get("/settings/").status_code == 403
