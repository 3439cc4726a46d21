"""`kiosk demo --activity` backdates months of activity, so last month's notice is full."""
from datetime import datetime
from zoneinfo import ZoneInfo

from kiosk import demo
from kiosk.ledger.models import Account, LedgerEntry
from kiosk.notice import service as notice
from kiosk.reports.verify import verify


def test_the_demo_activity_fills_last_months_notice_and_verifies(db):
    store, _ = demo.load("Asia/Shanghai")
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    demo.load_activity(store, today)
    _label, day_from, day_to = notice.next_month(store, today)
    lines, _end = notice.compute(store, day_from, day_to, store.timezone)
    assert len(lines) >= 8
    assert sum(line.earned > 0 for line in lines) >= 8 and sum(line.spent > 0 for line in lines) >= 5
    assert verify(store.timezone) == []
    # Appended in time order: ids and times rise together.
    entries = list(LedgerEntry.select(LedgerEntry.created_at).join(Account).where(Account.store == store)
                   .order_by(LedgerEntry.id).tuples())
    times = [created for (created,) in entries]
    assert times == sorted(times)
