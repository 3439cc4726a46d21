"""A notice of a month before any household had an account says so in words, on the screen,
on the kiosk's display and in the PDF (instead of an empty table)."""
from datetime import datetime
from zoneinfo import ZoneInfo

from kiosk.notice import service
from kiosk.notice.models import Notice
from kiosk.staff.models import SERVICE
from tests.conftest import signed_in
from tests.helpers import body, pdf_text

EMPTY = "本期没有住户开立积分账户，本公示没有任何住户。"


def test_an_empty_notice_says_it_lists_nobody(client, world):
    clerk = signed_in(client, world, SERVICE)
    # The world's accounts were opened now, after last month's cut-off: its notice lists nobody.
    month = service.next_month(world.store, datetime.now(ZoneInfo("Asia/Shanghai")).date())[0]
    clerk.post("/notice/publish", {"kind": "month", "period": month}, htmx=False)
    notice = Notice.get()
    assert notice.households == 0
    assert EMPTY in body(clerk.get(f"/notice/{notice.id}"))
    assert EMPTY in body(client.get("/notice/display"))
    assert EMPTY in pdf_text(clerk.get(f"/notice/{notice.id}.pdf").data).replace("\n", "")


def test_a_notice_with_households_does_not_say_it_is_empty(client, world):
    from kiosk.ledger.models import Account

    Account.update(created_at=datetime(2020, 1, 1)).execute()
    clerk = signed_in(client, world, SERVICE)
    month = service.next_month(world.store, datetime.now(ZoneInfo("Asia/Shanghai")).date())[0]
    clerk.post("/notice/publish", {"kind": "month", "period": month}, htmx=False)
    notice = Notice.get()
    assert notice.households == 3
    assert EMPTY not in body(clerk.get(f"/notice/{notice.id}"))
    assert EMPTY not in body(client.get("/notice/display"))
