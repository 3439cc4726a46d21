"""The street office view (kiosk.district): every store side by side with the same figures as
its own report, its last close, notice and verification; district users and their lock-out."""
import io
from datetime import date, datetime, timedelta

import openpyxl
import pytest

from kiosk.audit import AuditEvent
from kiosk.dayclose import service as dayclose
from kiosk.db import utcnow
from kiosk.district import exports, service
from kiosk.district.models import DATABASE, STORE, DistrictUser, VerifyRun
from kiosk.errors import KioskError
from kiosk.notice.models import Notice
from kiosk.reports import periods, present
from kiosk.reports import service as reports
from kiosk.staff.models import PinThrottle
from tests import report_data
from tests.helpers import second_store

NOVEMBER = periods.parse("2024-11")
LIMITS = {"max_attempts": 3, "lockout_seconds": 30, "max_delay_seconds": 3600}


@pytest.fixture
def ctx(app, world):
    with app.test_request_context("/"):
        yield world


def figures(doc):
    return {f.label: f.value for f in doc.figures}


def test_each_column_has_the_figures_of_the_stores_own_report(ctx):
    world = ctx
    report_data.build(world)
    other = second_store()[0]
    columns = service.overview(NOVEMBER, today=date(2024, 12, 5))
    assert [c.store.code for c in columns] == ["AB", "XY"]
    by_code = {c.store.code: c for c in columns}
    for store in (world.store, other):
        own = present.street_document(store, NOVEMBER, today=date(2024, 12, 5))
        assert figures(by_code[store.code].document) == figures(own)
    # And independently of the document: the report service's own numbers.
    xy = figures(by_code["XY"].document)
    pts = reports.points(world.store, NOVEMBER)
    earned_label = by_code["XY"].document.figures[2].label  # street_document's third figure
    assert xy[earned_label] == pts.earned > 0
    assert figures(by_code["AB"].document) != xy


def test_two_stores_side_by_side_each_with_its_own_chain_head(ctx):
    world = ctx
    other = second_store()[0]
    columns = {c.store.code: c for c in service.overview(periods.parse("2026-11"))}
    assert set(columns) == {"XY", "AB"}
    assert columns["AB"].chain_head == reports.chain_head(other)[0] != ""
    assert columns["XY"].chain_head == reports.chain_head(world.store)[0]
    assert columns["AB"].chain_head != columns["XY"].chain_head


def test_last_close_notice_and_verification_are_shown_per_store(ctx):
    world = ctx
    other = second_store()[0]
    col = service.column(world.store, NOVEMBER)
    assert col.last_close is None and col.last_notice is None and col.last_verify is None
    dayclose.close_day(world.store, date(2026, 11, 3), now=datetime(2026, 11, 4, 2))
    dayclose.close_day(world.store, date(2026, 11, 4), now=datetime(2026, 11, 5, 2))
    notice = Notice.create(store=world.store, kind="month", period="2026-10", day_from=date(2026, 10, 1),
                           day_to=date(2026, 10, 31), cutoff_at=datetime(2026, 10, 31, 16), account_mode="household",
                           households=0, earned=0, spent=0, balance=0, chain_head="ab" * 32, chain_length=3)
    service.record_verify([world.store, other], 2, DATABASE)
    service.record_verify([world.store], 0, STORE)
    col = service.column(world.store, NOVEMBER)
    assert col.last_close.day == date(2026, 11, 4)
    assert col.last_notice.id == notice.id and col.last_notice.chain_head == "ab" * 32
    assert (col.last_verify.scope, col.last_verify.problems) == (STORE, 0)
    assert col.last_verify.chain_head == reports.chain_head(world.store)[0]
    theirs = service.column(other, NOVEMBER)
    assert theirs.last_close is None and theirs.last_notice is None
    assert (theirs.last_verify.scope, theirs.last_verify.problems) == (DATABASE, 2)


def test_workbook_has_a_summary_and_a_sheet_per_store(ctx):
    world = ctx
    report_data.build(world)
    second_store()
    columns = service.overview(NOVEMBER, today=date(2024, 12, 5))
    book = openpyxl.load_workbook(io.BytesIO(exports.workbook(columns, NOVEMBER)))
    assert len(book.worksheets) == 3
    summary, ab, xy = book.worksheets
    assert ab.title.startswith("AB") and xy.title.startswith("XY")
    header = [cell.value for cell in next(summary.iter_rows(max_row=1))]
    assert header[1].endswith("(AB)") and header[2].endswith("(XY)")
    earned_label = columns[0].document.figures[2].label
    summary_rows = {row[0]: row[1:] for row in summary.iter_rows(min_row=2, values_only=True)}
    assert summary_rows[earned_label][1] == reports.points(world.store, NOVEMBER).earned
    xy_rows = {row[0]: row[1] for row in xy.iter_rows(min_row=2, values_only=True)}
    assert xy_rows[earned_label] == reports.points(world.store, NOVEMBER).earned
    # The period's tables follow the figures, each under its title.
    for table in columns[1].document.tables:
        assert table.title in xy_rows


def test_district_users_are_added_with_a_hashed_pin_and_refused_twice(db):
    user = service.add_user(" 街道刘 ", "4826")
    assert user.name == "街道刘" and "4826" not in user.pin_hash
    with pytest.raises(KioskError) as exc:
        service.add_user("街道刘", "5937")
    assert exc.value.code == "district_name_taken"
    for name, pin, code in [("", "4826", "missing_field"), ("x" * 51, "4826", "too_long"),
                            ("街道王", "1234", "weak_pin"), ("街道王", "12a4", "bad_pin_format")]:
        with pytest.raises(KioskError) as exc:
            service.add_user(name, pin)
        assert exc.value.code == code
    assert DistrictUser.select().count() == 1
    assert AuditEvent.select().where(AuditEvent.action == "district_user_added").count() == 1


def test_sign_in_is_audited_without_a_store_or_staff(db):
    user = service.add_user("街道刘", "4826")
    assert service.authenticate(user.id, "4826", address="10.0.0.5", **LIMITS).id == user.id
    event = AuditEvent.select().where(AuditEvent.action == "district_sign_in").get()
    assert event.store_id is None and event.staff_id is None and '"街道刘"' in event.detail


def test_wrong_pins_lock_the_district_user_out_like_staff(db):
    user = service.add_user("街道刘", "4826")
    codes = []
    for _ in range(4):
        with pytest.raises(KioskError) as exc:
            service.authenticate(user.id, "0000", address="10.0.0.5", **LIMITS)
        codes.append(exc.value.code)
    assert codes[:2] == ["wrong_pin", "wrong_pin"] and codes[2:] == ["staff_locked", "staff_locked"]
    # Even the right PIN waits out the lock-out, from anywhere.
    with pytest.raises(KioskError) as exc:
        service.authenticate(user.id, "4826", address="10.0.0.9", **LIMITS)
    assert exc.value.code == "staff_locked"
    assert PinThrottle.get(PinThrottle.key == f"district:{user.id}").failed_attempts == 3
    # A new PIN lifts it.
    service.set_pin("街道刘", "5937")
    assert service.authenticate(user.id, "5937", address="10.0.0.9", **LIMITS).id == user.id


def test_deactivated_user_cannot_sign_in_and_sessions_end(db):
    user = service.add_user("街道刘", "4826")
    service.deactivate("街道刘")
    fresh = DistrictUser.get_by_id(user.id)
    assert not fresh.active and fresh.session_version == user.session_version + 1
    with pytest.raises(KioskError) as exc:
        service.authenticate(user.id, "4826", **LIMITS)
    assert exc.value.code == "unknown_district_user"
    with pytest.raises(KioskError) as exc:
        service.deactivate("nobody")
    assert exc.value.code == "unknown_district_user"


def test_verify_runs_keep_each_store_and_head(world):
    other = second_store()[0]
    service.record_verify([world.store, other], 0, DATABASE)
    rows = list(VerifyRun.select().order_by(VerifyRun.store))
    assert [(r.store_id, r.scope, r.problems) for r in rows] == [(world.store.id, DATABASE, 0), (other.id, DATABASE, 0)]
    assert rows[1].chain_head == reports.chain_head(other)[0]
    assert rows[1].checked_at > utcnow() - timedelta(minutes=5)
    with pytest.raises(ValueError):
        service.record_verify([world.store], 0, "nightly")
