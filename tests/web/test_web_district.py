"""The street office screens at /district/: sign-in with a PIN, every store side by side, the
workbook; read-only, a session apart from the store's staff."""
import io

import openpyxl
import pytest

from kiosk.audit import AuditEvent
from kiosk.district import service
from kiosk.district.models import DistrictUser
from kiosk.ledger.models import LedgerEntry
from kiosk.staff.models import MANAGER
from tests.conftest import PINS, Session
from tests.helpers import second_store

PIN = "4826"


@pytest.fixture
def street(client, world):
    """A street-office user signed in (two stores in the database)."""
    second_store()
    user = service.add_user("街道刘", PIN)
    session = Session(client)
    session.client.get("/district/")
    response = session.client.post(f"/district/signin/{user.id}", data={"pin": PIN, "csrf_token": session.token()})
    assert response.status_code == 302 and response.headers["Location"].endswith("/district/")
    session.user = user
    return session


def test_sign_in_screen_lists_the_street_office_users(client, world):
    service.add_user("街道刘", PIN)
    page = client.get("/district/")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "街道刘" in body and 'data-testid="district-table"' not in body


def test_a_wrong_pin_is_refused_with_a_sentence(client, world):
    user = service.add_user("街道刘", PIN)
    session = Session(client)
    response = client.post(f"/district/signin/{user.id}", data={"pin": "0000", "csrf_token": session.token()})
    assert response.status_code == 400
    assert "密码错误" in response.get_data(as_text=True)
    assert client.get("/district/").get_data(as_text=True).count('data-testid="district-table"') == 0


def test_the_street_user_sees_both_stores_side_by_side(street):
    page = street.get("/district/?period=2026-11")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'data-testid="store-XY"' in body and 'data-testid="store-AB"' in body
    assert "<html" in body and "街道刘" in body
    fragment = street.get("/district/?period=2026-Q4", htmx=True).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="district"')
    assert "<html" not in fragment and 'data-period="2026-Q4"' in fragment


def test_a_bad_period_is_said_and_this_month_shown(street):
    page = street.get("/district/?period=2026-13")
    assert page.status_code == 422
    assert "2026-13" in page.get_data(as_text=True)


def test_the_street_user_reaches_no_store_screen(street):
    for url in ("/", "/home", "/cashier/", "/reports/", "/settings/", "/registry/"):
        response = street.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].endswith("/district/"), url
    htmx = street.get("/cashier/", htmx=True)
    assert htmx.headers.get("HX-Redirect", "").endswith("/district/")


def test_every_post_but_sign_in_and_out_is_refused(street, world):
    entries = LedgerEntry.select().count()
    for url in ("/district/", "/district/district.xlsx", "/cashier/checkout", "/settings/", "/staff/admin/new"):
        response = street.post(url, {"name": "x"}, htmx=False)
        assert response.status_code in (302, 405), url
        if response.status_code == 302:
            assert response.headers["Location"].endswith("/district/"), url
        htmx = street.post(url, {"name": "x"})
        assert htmx.headers.get("HX-Redirect", "").endswith("/district/") or htmx.status_code == 405, url
    assert LedgerEntry.select().count() == entries


def test_the_workbook_has_a_sheet_per_store_and_is_audited(street):
    response = street.get("/district/district.xlsx?period=2026-11")
    assert response.status_code == 200
    assert 'filename="district-2026-11.xlsx"' in response.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert [sheet.title[:2] for sheet in book.worksheets[1:]] == ["AB", "XY"]
    event = AuditEvent.select().where(AuditEvent.action == "district_export").get()
    assert "2026-11" in event.detail and event.staff_id is None


def test_signing_out_ends_every_copy_of_the_session(street):
    with street.client.session_transaction() as copied:
        saved = dict(copied)
    assert street.post("/district/signout", htmx=False).status_code == 302
    with street.client.session_transaction() as session:
        session.update(saved)
    body = street.get("/district/").get_data(as_text=True)
    assert 'data-testid="district-table"' not in body


def test_store_staff_cannot_see_the_district_figures(manager, world):
    service.add_user("街道刘", PIN)
    body = manager.get("/district/").get_data(as_text=True)
    assert 'data-testid="district-table"' not in body and "街道刘" in body
    export = manager.get("/district/district.xlsx")
    assert export.status_code == 302 and export.headers["Location"].endswith("/district/")


def test_one_store_without_district_users_is_the_managers_own_report(manager, world):
    response = manager.get("/district/?period=2026-11")
    assert response.status_code == 302
    assert "/reports/" in response.headers["Location"] and "period=2026-11" in response.headers["Location"]


def test_two_stores_keep_the_manager_on_the_sign_in_screen(manager, world):
    second_store()
    assert manager.get("/district/").status_code == 200


def test_a_cashier_is_not_sent_to_the_reports(client, world):
    from tests.conftest import signed_in

    cashier = signed_in(client, world, "cashier")
    assert cashier.get("/district/").status_code == 200


def test_a_deactivated_users_session_stops(street):
    service.deactivate("街道刘")
    assert 'data-testid="district-table"' not in street.get("/district/").get_data(as_text=True)
    assert DistrictUser.get_by_id(street.user.id).active is False


def test_a_staff_member_signing_in_is_not_a_street_user(client, world):
    session = Session(client)
    session.sign_in(world.staff[MANAGER], PINS[MANAGER])
    with client.session_transaction() as stored:
        assert "district_user" not in stored


def test_an_idle_street_user_is_signed_out(street):
    with street.client.session_transaction() as session:
        session["seen"] = 0
    response = street.get("/district/")
    assert response.status_code == 302 and "idle=1" in response.headers["Location"]
    page = street.get("/district/?idle=1").get_data(as_text=True)
    assert 'data-testid="district-table"' not in page and "街道刘" in page
