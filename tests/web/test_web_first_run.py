"""The first-run screen: an empty database shows it instead of sign-in, only to the kiosk
itself or to whoever has the set-up code, and never again once the store is open."""
import pytest

from kiosk import db as kiosk_db
from kiosk.setup import service
from kiosk.staff.models import Staff
from kiosk.stores.models import Store

FORM = {"name": "幸福里社区信义积分超市", "code": "XY", "timezone": "Asia/Urumqi", "manager": "王秀英",
        "pin": "2468", "pin_again": "2468"}
REMOTE = {"REMOTE_ADDR": "192.168.1.20"}


@pytest.fixture
def empty_app(db, instance, database_url):
    """The app on a database with the schema and no store (as after `kiosk init-db`)."""
    from kiosk import create_app

    kiosk_db.database.close()
    app = create_app({"INSTANCE_PATH": str(instance), "DATABASE_URL": database_url,
                      "PRINT_WORKER": "inline", "TESTING": True})
    kiosk_db.database.connect(reuse_if_open=True)
    service.setup_code(str(instance), create=True)
    return app


def token(client):
    with client.session_transaction() as session:
        return session.setdefault("csrf_token", "test-csrf-token")


def post(client, url, data, **kwargs):
    return client.post(url, data=dict(data, csrf_token=token(client)), **kwargs)


def test_every_screen_leads_to_the_first_run_screen_while_there_is_no_store(empty_app):
    client = empty_app.test_client()
    for url in ("/", "/signin", "/cashier/", "/settings/"):
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"].endswith("/setup/"), url
    htmx = client.get("/cashier/", headers={"HX-Request": "true"})
    assert htmx.headers["HX-Redirect"].endswith("/setup/")
    page = client.get("/setup/")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "开设本店" in body and 'name="pin_again"' in body and "Asia/Shanghai" in body
    assert client.get("/healthz").status_code == 200


def test_opening_the_store_signs_the_manager_in_and_the_screen_is_gone_for_good(empty_app, instance):
    client = empty_app.test_client()
    response = post(client, "/setup/", FORM)
    assert response.status_code == 302 and response.headers["Location"].endswith("/settings/")
    store = Store.get()
    assert (store.code, store.timezone) == ("XY", "Asia/Urumqi")
    assert empty_app.config["BABEL_DEFAULT_TIMEZONE"] == "Asia/Urumqi"
    assert client.get("/settings/").status_code == 200  # signed in as the new manager
    assert service.setup_code(str(instance)) is None
    assert client.get("/setup/").status_code == 404
    assert client.get("/setup/code").status_code == 404
    # The form sent again (a double tap, a second device) changes nothing.
    again = post(empty_app.test_client(), "/setup/", dict(FORM, code="AB", manager="李四"))
    assert again.status_code == 404
    assert Store.select().count() == 1 and [s.name for s in Staff.select()] == ["王秀英"]
    signin = empty_app.test_client().get("/signin")
    assert signin.status_code == 200 and "王秀英" in signin.get_data(as_text=True)


@pytest.mark.parametrize("changes, words", [
    ({"pin_again": "2469"}, "两次输入的密码不一致"),
    ({"pin": "1234", "pin_again": "1234"}, "太容易被猜到"),
    ({"code": "幸福"}, "超市代码为 2 到 8 位"),
    ({"timezone": "Beijing"}, "Beijing 不是有效的时区"),
    ({"manager": " "}, "店长姓名"),
])
def test_a_bad_form_says_why_in_chinese_and_keeps_what_was_typed(empty_app, changes, words):
    client = empty_app.test_client()
    response = post(client, "/setup/", dict(FORM, **changes))
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and words in body
    assert 'value="幸福里社区信义积分超市"' in body and 'value="2468"' not in body  # PINs are never sent back
    assert not Store.select().exists()


def test_another_device_needs_the_setup_code(empty_app, instance):
    client = empty_app.test_client()
    assert client.get("/setup/", environ_base=REMOTE).headers["Location"].endswith("/setup/code")
    assert post(client, "/setup/", FORM, environ_base=REMOTE).status_code == 302
    assert not Store.select().exists()
    wrong = post(client, "/setup/code", {"setup_code": "AAAAA-AAAAA"}, environ_base=REMOTE)
    assert wrong.status_code == 403 and "设置码不正确" in wrong.get_data(as_text=True)
    code = service.setup_code(str(instance))
    right = post(client, "/setup/code", {"setup_code": code.lower()}, environ_base=REMOTE)
    assert right.headers["Location"].endswith("/setup/")
    assert client.get("/setup/", environ_base=REMOTE).status_code == 200
    assert post(client, "/setup/", FORM, environ_base=REMOTE).status_code == 302
    assert Store.get().code == "XY"


def test_several_stores_and_none_named_refuse_every_screen_with_the_codes(empty_app):
    Store.create(name="一店", code="XY")
    Store.create(name="二店", code="AB")
    response = empty_app.test_client().get("/signin")
    assert response.status_code == 503
    assert "KIOSK_STORE" in response.get_data(as_text=True) and "AB, XY" in response.get_data(as_text=True)
    empty_app.config["STORE_CODE"] = "ZZ"
    unknown = empty_app.test_client().get("/signin")
    assert unknown.status_code == 503 and "没有代码为 ZZ 的超市" in unknown.get_data(as_text=True)
    empty_app.config["STORE_CODE"] = "AB"
    chosen = empty_app.test_client().get("/signin")
    assert chosen.status_code == 200 and "二店" in chosen.get_data(as_text=True)
