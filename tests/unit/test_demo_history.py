"""`kiosk demo --activity` backdates months of activity, so last month's notice is full."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kiosk import demo
from kiosk.ledger.models import Account, LedgerEntry
from kiosk.notice import service as notice
from kiosk.reports.verify import verify


def real_today():
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def the_28th_of_last_month():
    """A day after the notice cut-off (the 26th), when the publishable period ends this month."""
    return (real_today().replace(day=1) - timedelta(days=1)).replace(day=28)


@pytest.mark.parametrize("today", [real_today, the_28th_of_last_month], ids=["today", "after-the-cut-off"])
def test_the_demo_activity_fills_last_months_notice_and_verifies(db, today):
    today = today()
    store, _ = demo.load("Asia/Shanghai")
    demo.load_activity(store, today)
    _label, day_from, day_to = notice.next_month(store, today)
    lines, _end = notice.compute(store, day_from, day_to, store.timezone)
    assert len(lines) == len(demo.HOUSEHOLDS)
    assert sum(line.earned > 0 for line in lines) >= 8 and sum(line.spent > 0 for line in lines) >= 5
    assert verify(store.timezone) == []
    # Appended in time order: ids and times rise together.
    times = [created for (created,) in LedgerEntry.select(LedgerEntry.created_at).join(Account)
             .where(Account.store == store).order_by(LedgerEntry.id).tuples()]
    assert times == sorted(times)


def test_a_demo_store_with_newer_entries_gets_no_backdated_history(db):
    """Backdated entries would land before entries already in the chain: none are added."""
    from kiosk.db import database
    from kiosk.ledger import service as ledger
    from kiosk.ledger.models import EARN

    store, _ = demo.load("Asia/Shanghai")
    with database.atomic():
        ledger.post(Account.select().where(Account.store == store).first().id, 10, EARN, note="今天")
    before = LedgerEntry.select().count()
    assert demo.load_history(store, real_today()) == 0
    assert LedgerEntry.select().count() == before
