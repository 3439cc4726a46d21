"""The public notice (公示) on screen: publishing and its refusals, roles, the A4 PDF, the
full-screen display for residents and the settings."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from kiosk.ledger.models import Account
from kiosk.notice import service
from kiosk.notice.models import Notice, NoticeLine
from kiosk.staff.models import CASHIER, MANAGER, OPERATIONS, SERVICE
from kiosk.stores.models import Store
from tests.conftest import signed_in
from tests.helpers import body, pdf_page_sizes_mm, pdf_text


def today():
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def publishable(world):
    """The newest month whose cut-off day has passed."""
    return service.next_month(world.store, today())[0]


@pytest.fixture(autouse=True)
def registered_long_ago(world):
    """The world's accounts date from its creation (now); a notice of a past month lists only
    the accounts that existed by its cut-off, so these are moved back."""
    Account.update(created_at=datetime(2020, 1, 1)).execute()


@pytest.fixture
def clerk(client, world):
    return signed_in(client, world, SERVICE)


def publish(session, period, kind="month"):
    return session.post("/notice/publish", {"kind": kind, "period": period}, htmx=False)


def test_customer_service_publishes_the_month_and_sees_it_frozen(clerk, world):
    month = publishable(world)
    page = body(clerk.get("/notice/"))
    assert "发布月度公示" in page and f'value="{month}"' in page
    response = publish(clerk, month)
    assert response.status_code == 302
    notice = Notice.get()
    assert response.headers["Location"].endswith(f"/notice/{notice.id}")
    shown = body(clerk.get(f"/notice/{notice.id}"))
    assert f"{month} 的公示已发布" in shown
    assert "张*华" in shown and "张建华" not in shown
    assert notice.chain_head in shown
    assert NoticeLine.select().where(NoticeLine.notice == notice).count() == 3


def test_the_same_month_twice_is_refused_and_changes_nothing(clerk, world):
    month = publishable(world)
    publish(clerk, month)
    response = publish(clerk, month)
    assert response.status_code == 422
    assert f"{month} 的公示已经发布。已发布的公示不能再更改。" in body(response)
    assert Notice.select().count() == 1 and NoticeLine.select().count() == 3


def test_a_month_not_over_yet_is_refused(clerk, world):
    year, month = service.month_covering(world.store, today())
    response = publish(clerk, f"{year}-{month:02d}")
    assert response.status_code == 422
    assert "本期尚未结束" in body(response)
    assert Notice.select().count() == 0


@pytest.mark.parametrize("data, text", [
    ({"kind": "month", "period": "2026-13"}, "请选择月份"),
    ({"kind": "month", "period": "<script>"}, "请选择月份"),
    ({"kind": "year", "period": "二〇二五"}, "请选择年份"),
    ({"kind": "week", "period": "2025"}, "请选择月份"),
    ({"period": "2025-01"}, "请选择月份"),
])
def test_bad_input_is_refused_in_chinese(clerk, data, text):
    response = clerk.post("/notice/publish", data, htmx=False)
    assert response.status_code == 422
    assert text in body(response) and "<script>" not in body(response).split("</title>")[1].split("value=")[0]
    assert Notice.select().count() == 0


def test_the_year_is_published_with_its_star_candidates(client, world):
    manager = signed_in(client, world, MANAGER)
    last_year = str(today().year - 1)
    assert publish(manager, last_year, kind="year").status_code == 302
    notice = Notice.get()
    page = body(manager.get(f"/notice/{notice.id}"))
    assert f"{last_year} 年度积分公示" in page and "星级文明户候选名单" in page


@pytest.mark.parametrize("role", [CASHIER, OPERATIONS])
def test_other_roles_may_not_publish(client, world, role):
    session = signed_in(client, world, role)
    assert session.get("/notice/").status_code == 403
    assert publish(session, publishable(world)).status_code == 403
    assert Notice.select().count() == 0


def test_without_signing_in_only_the_display_is_open(client, world):
    assert client.get("/notice/").status_code == 302
    assert client.post("/notice/publish", data={"kind": "month", "period": "2026-10"}).status_code in (302, 400)
    assert Notice.select().count() == 0


def test_the_pdf_is_a4_with_masked_names_and_the_chain_head(clerk, world):
    publish(clerk, publishable(world))
    notice = Notice.get()
    response = clerk.get(f"/notice/{notice.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    data = response.get_data()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert pdf_page_sizes_mm(data) == [(210.0, 297.0)]
    text = pdf_text(data)
    for masked in ("张*华", "李*兰", "王*明"):
        assert masked in text
    for name in ("张建华", "李秀兰", "王德明"):
        assert name not in text
    assert notice.chain_head in text and f"{notice.period} 积分公示" in text


def test_hundreds_of_households_paginate_in_the_pdf(world):
    from kiosk.notice.pdf import NoticeLabels, notice_pdf
    from kiosk.notice.service import Line

    notice = Notice(period="2026-10", kind="month", day_from=today(), day_to=today(), households=500, earned=0,
                    spent=0, balance=0, chain_head="a" * 64, chain_entry_id=9, chain_length=9)
    lines = [Line(i, f"{i // 40 + 1}栋{i % 40 + 101}", "欧**娜", 500 - i, 0, 10, i + 1) for i in range(500)]
    data = notice_pdf("幸福里", notice, lines, NoticeLabels(), rows_per_page=36)
    pages = pdf_text(data).split("\f")
    assert len(pages) == 14 and len(pdf_page_sizes_mm(data)) == 14
    assert "Page 14 of 14" in pages[-1] and "a" * 64 in pages[-1] and "a" * 64 not in pages[0]
    assert len(data) < 3_000_000


def test_a_yearly_notice_prints_its_star_candidates_on_pages_of_their_own(world):
    from kiosk.notice.models import NoticeLine
    from kiosk.notice.pdf import NoticeLabels, notice_pdf

    notice = Notice(period="2026", kind="year", day_from=today(), day_to=today(), households=2, earned=30, spent=0,
                    balance=30, chain_head="c" * 64, chain_entry_id=3, chain_length=3)
    lines = [NoticeLine(position=1, household_number="1栋101", holder="张*华", earned=20, spent=0, balance=20, rank=1,
                        deducted=True),
             NoticeLine(position=2, household_number="1栋102", holder="李*兰", earned=10, spent=0, balance=10, rank=2)]
    labels = NoticeLabels(stars_title="星级文明户候选", deducted="年内有扣分", no_stars="本年度没有户获得积分。")
    pages = pdf_text(notice_pdf("幸福里", notice, lines, labels, candidates=lines)).split("\f")
    assert len(pages) == 2 and "星级文明户候选" not in pages[0] and "c" * 64 in pages[0]
    assert "星级文明户候选" in pages[1] and "张*华" in pages[1] and pages[1].count("年内有扣分") == 1
    empty = pdf_text(notice_pdf("幸福里", notice, lines, labels, candidates=[])).split("\f")
    assert len(empty) == 2 and "本年度没有户获得积分。" in empty[1]


def test_the_display_needs_no_sign_in_and_shows_only_masked_names(client, clerk, world):
    assert client.get("/notice/display").status_code == 302  # nothing published yet: the passbook
    publish(clerk, publishable(world))
    clerk.client.post("/signout", data={"csrf_token": clerk.token()})
    page = body(client.get("/notice/display"))
    assert "积分公示" in page and "张*华" in page and "张建华" not in page
    assert "第 1 / 1 页" in page
    assert 'hx-trigger="load delay:8s"' in page
    # After the last page the display hands back to the passbook.
    after = client.get("/notice/display?page=2", headers={"HX-Request": "true"})
    assert after.headers["HX-Redirect"] == "/passbook/"
    assert client.get("/notice/display?page=abc").status_code == 200


def test_the_idle_passbook_rotates_to_the_notice_only_when_one_is_published(client, clerk, world):
    assert 'hx-get="/notice/rotate"' in body(client.get("/passbook/"))
    assert client.get("/notice/rotate", headers={"HX-Request": "true"}).status_code == 204
    publish(clerk, publishable(world))
    response = client.get("/notice/rotate", headers={"HX-Request": "true"})
    assert response.headers["HX-Redirect"] == "/notice/display"


def test_the_manager_sets_the_cut_off_day_and_bad_values_change_nothing(client, world):
    manager = signed_in(client, world, MANAGER)
    assert "每月公示截止日" in body(manager.get("/settings/points"))
    response = manager.post("/notice/settings", {"notice_cutoff_day": "20", "star_candidates": "15"}, htmx=False)
    assert response.status_code == 302 and response.headers["Location"].endswith("/settings/points#notice-settings")
    store = Store.get_by_id(world.store.id)
    assert (store.notice_cutoff_day, store.star_candidates) == (20, 15)
    manager.post("/notice/settings", {"notice_cutoff_day": "31", "star_candidates": "15"}, htmx=False)
    assert "截止日必须是 1 到 28 之间的日期" in body(manager.get("/settings/points"))
    assert Store.get_by_id(world.store.id).notice_cutoff_day == 20


def test_customer_service_may_not_change_the_settings(clerk, world):
    assert clerk.post("/notice/settings", {"notice_cutoff_day": "5", "star_candidates": "1"}, htmx=False).status_code == 403
    assert Store.get_by_id(world.store.id).notice_cutoff_day == 26
