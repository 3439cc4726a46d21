"""Public notices (公示): periods by the cut-off day, freezing, ranking, both account modes,
the yearly star-household candidates, and `verify` holding the ledger to a published head."""
from datetime import date, datetime, timedelta

import pytest

from kiosk.db import database
from kiosk.errors import KioskError
from kiosk.ledger import service as ledger
from kiosk.ledger.models import ADJUST, EARN, OPENING, REDEEM, REFUND, Account
from kiosk.notice import service as notices
from kiosk.notice.models import MONTH, NoticeLine
from kiosk.registry.models import Household, Resident
from kiosk.reports.verify import verify
from kiosk.staff.models import MANAGER, Staff
from kiosk.stores.models import Store
from tests.helpers import run_sql

TZ = "Asia/Shanghai"  # UTC+8: local 2026-10-26 23:30 is 15:30 UTC


class Town:
    """A store with households whose ledger entries are written at chosen (UTC) times."""

    def __init__(self, monkeypatch, mode):
        self.monkeypatch = monkeypatch
        self.store = Store.create(name="测试信义积分超市", code="GS", account_mode=mode)
        self.manager = Staff.create(store=self.store, name="王店长", role=MANAGER, pin_hash="x")
        self.accounts = {}
        self.households = {}
        start = datetime(2026, 1, 1)
        for building, room, names in (("3", "301", ["张建华", "张小明"]), ("3", "302", ["李秀兰"]),
                                      ("10", "101", ["王德明", "王芳"]), ("4", "101", ["赵六"])):
            household = Household.create(store=self.store, building=building, unit="2", room=room, created_at=start)
            self.households[names[0]] = household
            if mode == "household":
                account = Account.create(store=self.store, household=household, holder_name=names[0], created_at=start)
            for name in names:
                Resident.create(store=self.store, household=household, name=name, created_at=start)
                if mode == "person":
                    account = Account.create(store=self.store, household=household, holder_name=name, created_at=start)
                self.accounts[name] = account

    def post(self, when, name, delta, kind):
        self.monkeypatch.setattr(ledger, "utcnow", lambda: when)
        with database.atomic():
            entry = ledger.post(self.accounts[name].id, delta, kind, note="测试")
        self.monkeypatch.undo()
        return entry

    def publish(self, month, today=date(2026, 12, 1)):
        return notices.publish_month(self.store, month, today=today, tz_name=TZ, staff=self.manager)


@pytest.fixture
def town(db, monkeypatch):
    return Town(monkeypatch, "household")


@pytest.fixture
def person_town(db, monkeypatch):
    return Town(monkeypatch, "person")


def problems():
    """verify(), less the sale and refund a bare redemption entry of october() lacks (and the
    daily reconciliation of those days, for the same reason)."""
    return [p for p in verify() if not p.startswith(("ledger redemption ", "ledger refund ", "2026-10-05:", "2026-10-06:"))]


def lines(notice):
    return [(line.household_number, line.holder, line.earned, line.spent, line.balance, line.rank)
            for line in notices.lines_of(notice)]


def october(town):
    """History around the October notice (2026-09-27 .. 2026-10-26, cut-off day 26)."""
    town.post(datetime(2026, 9, 1), "张建华", 200, OPENING)            # before the period: balance only
    town.post(datetime(2026, 9, 26, 15, 59), "李秀兰", 30, EARN)       # 09-26 23:59 local: the month before
    town.post(datetime(2026, 9, 26, 16, 0), "李秀兰", 20, EARN)        # 09-27 00:00 local: first minute in
    town.post(datetime(2026, 10, 3), "张建华", 50, EARN)
    town.post(datetime(2026, 10, 5), "张建华", -100, REDEEM)
    town.post(datetime(2026, 10, 6), "张建华", 30, REFUND)
    town.post(datetime(2026, 10, 7), "王德明", 50, EARN)
    town.post(datetime(2026, 10, 8), "王德明", -10, ADJUST)
    town.post(datetime(2026, 10, 26, 15, 59), "赵六", 40, EARN)         # 10-26 23:59 local: last minute in
    town.post(datetime(2026, 10, 26, 16, 0), "赵六", 1000, EARN)        # 10-27 00:00 local: next month


def test_a_month_runs_from_the_day_after_the_last_cut_off_to_this_one(town):
    assert notices.month_period(town.store, 2026, 11) == (date(2026, 10, 27), date(2026, 11, 26))
    assert notices.month_period(town.store, 2026, 1) == (date(2025, 12, 27), date(2026, 1, 26))
    assert notices.month_covering(town.store, date(2026, 11, 26)) == (2026, 11)
    assert notices.month_covering(town.store, date(2026, 11, 27)) == (2026, 12)
    assert notices.month_covering(town.store, date(2026, 12, 27)) == (2027, 1)


def test_the_monthly_notice_counts_the_period_in_the_store_time_zone(town):
    october(town)
    notice = town.publish("2026-10")
    assert (notice.day_from, notice.day_to) == (date(2026, 9, 27), date(2026, 10, 26))
    assert notice.cutoff_at == datetime(2026, 10, 26, 16, 0)
    # 张建华: +50 earned; spent 100 less 30 returned; balance 200+50-100+30. 王德明 earned 50-10.
    assert lines(notice) == [
        ("3栋2单元301", "张*华", 50, 70, 180, 1),
        ("4栋2单元101", "赵*", 40, 0, 40, 2),
        ("10栋2单元101", "王*明", 40, 0, 40, 2),
        ("3栋2单元302", "李*兰", 20, 0, 50, 4),
    ]
    assert (notice.households, notice.earned, notice.spent, notice.balance) == (4, 150, 70, 310)


def test_ties_share_a_rank_and_the_next_rank_skips(town):
    for name in ("张建华", "李秀兰", "王德明"):
        town.post(datetime(2026, 10, 10), name, 20, EARN)
    notice = town.publish("2026-10")
    assert [(line[1], line[5]) for line in lines(notice)] == [("张*华", 1), ("李*兰", 1), ("王*明", 1), ("赵*", 4)]


def test_person_mode_sums_the_members_accounts_under_the_head_of_household(person_town):
    town = person_town
    town.post(datetime(2026, 10, 1), "张建华", 30, EARN)
    town.post(datetime(2026, 10, 2), "张小明", 25, EARN)
    town.post(datetime(2026, 10, 3), "张小明", -20, REDEEM)
    town.post(datetime(2026, 10, 4), "王芳", 10, EARN)
    notice = town.publish("2026-10")
    assert notice.account_mode == "person"
    assert lines(notice) == [
        ("3栋2单元301", "张*华", 55, 20, 35, 1),
        ("10栋2单元101", "王*明", 10, 0, 10, 2),
        ("3栋2单元302", "李*兰", 0, 0, 0, 3),
        ("4栋2单元101", "赵*", 0, 0, 0, 3),
    ]


def test_the_head_of_household_is_the_first_resident_still_living_there(town):
    Resident.update(active=False).where(Resident.name == "张建华").execute()
    notice = town.publish("2026-10")
    assert lines(notice)[0][1] == "张*明"


def test_a_published_notice_never_changes(town):
    october(town)
    notice = town.publish("2026-10")
    frozen = lines(notice)
    town.post(datetime(2026, 11, 2), "李秀兰", 500, EARN)
    Resident.update(name="李兰").where(Resident.name == "李秀兰").execute()
    assert lines(notices.get_notice(town.store, notice.id)) == frozen
    with pytest.raises(RuntimeError):
        NoticeLine.update(earned=1).execute()
    with pytest.raises(KioskError) as refused:
        town.publish("2026-10")
    assert refused.value.code == "notice_already_published"
    assert problems() == []


def test_publishing_is_refused_until_the_cut_off_day_has_passed(town):
    for today in (date(2026, 11, 26), date(2026, 11, 1), date(2026, 10, 1)):
        with pytest.raises(KioskError) as refused:
            town.publish("2026-11", today=today)
        assert refused.value.code == "notice_too_early" and refused.value.params == {"day": "2026-11-27"}
    assert town.publish("2026-11", today=date(2026, 11, 27)).period == "2026-11"


@pytest.mark.parametrize("month", ["2026-13", "2026-00", "26-11", "2026/11", "", "１９９９-01", "1999-12"])
def test_a_bad_month_is_refused(town, month):
    with pytest.raises(KioskError) as refused:
        town.publish(month)
    assert refused.value.code == "bad_notice_month"


def test_the_next_month_starts_where_the_published_one_ended_after_the_cut_off_day_changes(town):
    town.publish("2026-09")  # 2026-08-27 .. 2026-09-26
    notices.update_settings(town.store, cutoff_day="20", star_candidates="10")
    store = Store.get_by_id(town.store.id)
    assert notices.month_period(store, 2026, 10) == (date(2026, 9, 27), date(2026, 10, 20))
    assert notices.month_period(store, 2026, 12) == (date(2026, 11, 21), date(2026, 12, 20))


@pytest.mark.parametrize("cutoff, stars", [("0", "10"), ("29", "10"), ("", "10"), ("二十", "10"), ("26", "-1"),
                                           ("26", "501"), ("26", "x")])
def test_bad_settings_are_refused_and_change_nothing(town, cutoff, stars):
    with pytest.raises(KioskError) as refused:
        notices.update_settings(town.store, cutoff_day=cutoff, star_candidates=stars)
    assert refused.value.code in ("bad_cutoff_day", "bad_star_candidates")
    store = Store.get_by_id(town.store.id)
    assert (store.notice_cutoff_day, store.star_candidates) == (26, 10)


def test_the_notice_keeps_the_chain_head_at_its_cut_off(town):
    october(town)
    notice = town.publish("2026-10")
    last_before = ledger.history(town.accounts["赵六"].id, limit=2)[1]  # the 40 of 10-26 23:59 local
    assert (notice.chain_head, notice.chain_entry_id, notice.chain_length) == (last_before.hash, last_before.id, 9)


def test_verify_holds_the_ledger_to_the_published_head(town):
    october(town)
    notice = town.publish("2026-10")
    # Rewrite an entry before the cut-off and re-chain every hash after it, as someone who
    # knows the scheme could: the chain itself is consistent again, the published head is not.
    from kiosk.ledger import chain

    entries = list(ledger.LedgerEntry.select().order_by(ledger.LedgerEntry.id))
    run_sql("UPDATE ledger_entry SET delta = 60, balance_after = balance_after + 10 WHERE id = ?",
                         (entries[3].id,))
    run_sql("UPDATE ledger_entry SET balance_after = balance_after + 10 WHERE account_id = ? AND id > ?",
                         (entries[3].account_id, entries[3].id))
    run_sql("UPDATE account SET balance = balance + 10 WHERE id = ?", (entries[3].account_id,))
    previous = chain.GENESIS
    for row in chain.walk():
        digest = chain.entry_hash(previous, *row[1:-1])
        run_sql("UPDATE ledger_entry SET hash = ? WHERE id = ?", (digest, row[1]))
        previous = digest
    run_sql("UPDATE ledger_chain SET head = ?", (previous,))
    assert problems() == [f"notice 2026-10 (month): the ledger no longer leads to the chain head it published "
                        f"({notice.chain_head[:16]}…)"]


def test_an_entry_dated_before_a_published_cut_off_is_reported(town):
    october(town)
    town.publish("2026-10")
    town.post(datetime(2026, 10, 20), "李秀兰", 99, EARN)  # backdated, written after publishing
    found = problems()
    assert len(found) == 1 and "is dated before the cut-off of the notice 2026-10 (month)" in found[0]


def test_publishing_refuses_a_tampered_ledger(town):
    october(town)
    first = ledger.history(town.accounts["张建华"].id, limit=10)[-1]
    run_sql("UPDATE ledger_entry SET note = '改' WHERE id = ?", (first.id,))
    with pytest.raises(KioskError) as refused:
        town.publish("2026-10")
    assert refused.value.code == "ledger_tampered" and refused.value.params == {"entry": first.id}


def test_a_month_without_entries_publishes_the_empty_head(town):
    notice = town.publish("2026-10")
    assert (notice.chain_head, notice.chain_entry_id, notice.chain_length) == ("0" * 64, None, 0)
    assert [line[2:] for line in lines(notice)] == [(0, 0, 0, 1)] * 4
    assert verify() == []


def test_the_yearly_notice_lists_star_candidates_with_deductions_flagged(town):
    from kiosk.earning.models import APPROVED, Rule, ServiceRecord

    town.post(datetime(2025, 12, 31, 15, 59), "李秀兰", 900, EARN)  # 2025-12-31 23:59 local: last year
    town.post(datetime(2026, 3, 1), "张建华", 100, EARN)
    town.post(datetime(2026, 6, 1), "王德明", 100, EARN)
    town.post(datetime(2026, 7, 1), "李秀兰", 60, EARN)
    town.post(datetime(2026, 8, 1), "赵六", 10, EARN)
    rule = Rule.create(store=town.store, code="TC", name="违规停车", category="扣分", points=-10)
    resident = Resident.get(Resident.name == "王德明")
    ServiceRecord.create(store=town.store, resident=resident, account=town.accounts["王德明"], rule=rule,
                         content="占道停车", service_date=date(2026, 5, 1), units=1, points=-10, status=APPROVED,
                         recorded_by=town.manager, reviewed_by=town.manager, reviewed_at=datetime(2026, 5, 2))
    notices.update_settings(town.store, cutoff_day="26", star_candidates="2")
    with pytest.raises(KioskError) as refused:
        notices.publish_year(town.store, "2026", today=date(2026, 12, 31), tz_name=TZ)
    assert refused.value.code == "notice_too_early"
    notice = notices.publish_year(town.store, "2026", today=date(2027, 1, 1), tz_name=TZ)
    assert (notice.day_from, notice.day_to, notice.star_candidates) == (date(2026, 1, 1), date(2026, 12, 31), 2)
    candidates = [(line.holder, line.earned, line.rank, line.deducted) for line in notices.star_candidates(notice)]
    assert candidates == [("张*华", 100, 1, False), ("王*明", 100, 1, True)]
    assert notices.latest(town.store, MONTH) is None


def test_star_candidates_include_everyone_tied_at_the_last_place(town):
    for name in ("张建华", "李秀兰", "王德明"):
        town.post(datetime(2026, 5, 1), name, 30, EARN)
    notices.update_settings(town.store, cutoff_day="26", star_candidates="2")
    notice = notices.publish_year(town.store, "2026", today=date(2027, 1, 1), tz_name=TZ)
    assert [line.holder for line in notices.star_candidates(notice)] == ["张*华", "李*兰", "王*明"]


def test_two_desks_publishing_at_once_make_one_notice(town, tmp_path):
    import threading

    october(town)
    outcomes = []
    barrier = threading.Barrier(4)

    def worker():
        database.connect(reuse_if_open=True)
        try:
            barrier.wait()
            outcomes.append(town.publish("2026-10").id)
        except KioskError as exc:
            outcomes.append(exc.code)
        finally:
            database.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes, key=str)[1:] == ["notice_already_published"] * 3
    assert len(notices.notices(town.store)) == 1


def test_hundreds_of_households_publish_quickly(town):
    start = datetime(2026, 1, 1)
    for i in range(600):
        household = Household.create(store=town.store, building=str(20 + i // 40), unit="1", room=str(100 + i % 40),
                                     created_at=start)
        Account.create(store=town.store, household=household, holder_name=f"居民{i:03d}", created_at=start)
    began = datetime.now()
    notice = town.publish("2026-10")
    assert notice.households == 604
    assert datetime.now() - began < timedelta(seconds=20)  # about half a second on an idle 2-core machine
