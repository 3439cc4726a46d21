"""Points expiry: which points expire when (first in, first out), executed once per day and
announced ahead by the same rule."""
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from kiosk.db import database
from kiosk.errors import KioskError
from kiosk.expiry import service as expiry
from kiosk.ledger import service as ledger
from kiosk.ledger.models import EARN, EXPIRE, OPENING, REDEEM, REFUND, Account, LedgerEntry
from kiosk.stores.models import Store

TZ = "Asia/Shanghai"


def at(monkeypatch, moment):
    """Make the ledger post at ``moment``, a local (Shanghai) time "YYYY-MM-DD HH:MM"."""
    local = datetime.fromisoformat(moment).replace(tzinfo=ZoneInfo(TZ))
    utc = local.astimezone(timezone.utc).replace(tzinfo=None)
    monkeypatch.setattr(ledger, "utcnow", lambda: utc)


@pytest.fixture
def post(monkeypatch):
    def post(account, moment, delta, kind=EARN, **kwargs):
        at(monkeypatch, moment)
        with database.atomic():
            return ledger.post(account.id, delta, kind, **kwargs)
    return post


@pytest.fixture
def store(world):
    return world.store


def set_policy(store, mode, *, month_day="12-31", months=12, start=None, notice_days=30, value=None):
    Store.update(expiry_mode=mode, expiry_month_day=month_day, expiry_months=months, expiry_start=start,
                 expiry_notice_days=notice_days, point_value_fen=value).where(Store.id == store.id).execute()
    return Store.get_by_id(store.id)


def new_account(store, name="赵新户"):
    return Account.create(store=store, holder_name=name)


def balance(account):
    return Account.get_by_id(account.id).balance


def expiries(account):
    return [(e.delta, e.reference) for e in LedgerEntry.select().where(LedgerEntry.account == account.id,
                                                                         LedgerEntry.kind == EXPIRE).order_by(LedgerEntry.id)]


def run(store, day, **kwargs):
    kwargs.setdefault("today", date.fromisoformat(day) + timedelta(days=1))
    return expiry.run(Store.get_by_id(store.id), date.fromisoformat(day), tz_name=TZ, **kwargs)


# -- dates ---------------------------------------------------------------------------------

@pytest.mark.parametrize("day, months, expected", [
    ("2026-01-31", 1, "2026-02-28"),
    ("2028-01-31", 1, "2028-02-29"),
    ("2024-02-29", 12, "2025-02-28"),
    ("2024-02-29", 48, "2028-02-29"),
    ("2026-03-31", -1, "2026-02-28"),
    ("2026-12-15", 1, "2027-01-15"),
    ("2026-01-15", 120, "2036-01-15"),
])
def test_add_months_keeps_the_day_or_takes_the_last_of_a_shorter_month(day, months, expected):
    assert expiry.add_months(date.fromisoformat(day), months) == date.fromisoformat(expected)


@pytest.mark.parametrize("day, months, last_earned", [
    # At the end of 28 Feb, points earned on 28–31 Jan are one month old: all of them go.
    ("2026-02-28", 1, "2026-01-31"),
    ("2026-03-01", 1, "2026-02-01"),
    ("2026-03-30", 1, "2026-02-28"),
    # Leap years: earned 29 Feb 2024, twelve months later is 28 Feb 2025.
    ("2025-02-28", 12, "2024-02-29"),
    ("2028-02-28", 12, "2027-02-28"),
    ("2028-02-29", 12, "2027-02-28"),
    ("2028-03-01", 12, "2027-03-01"),
])
def test_a_run_in_months_mode_takes_the_points_earned_up_to_the_last_day_that_is_due(day, months, last_earned):
    policy = expiry.Policy(expiry.MONTHS, months=months)
    cut = expiry.cutoff(policy, date.fromisoformat(day))
    assert cut == expiry.Cutoff(date.fromisoformat(day), date.fromisoformat(last_earned))
    # …and the next earning day is not due yet.
    assert expiry.add_months(cut.last_earned + timedelta(days=1), months) > cut.day


def test_a_yearly_run_covers_the_latest_expiry_day_and_nothing_before_the_start():
    policy = expiry.Policy(expiry.YEARLY, month=12, day=31, start=date(2026, 12, 1))
    assert expiry.cutoff(policy, date(2027, 1, 5)) == expiry.Cutoff(date(2026, 12, 31), date(2026, 12, 31))
    assert expiry.cutoff(policy, date(2026, 12, 31)).day == date(2026, 12, 31)
    # The 2025 reset was before the store switched expiry on: it is never executed.
    assert expiry.cutoff(policy, date(2026, 12, 30)) is None
    months = expiry.Policy(expiry.MONTHS, months=6, start=date(2026, 12, 1))
    assert expiry.cutoff(months, date(2026, 11, 30)) is None
    assert expiry.cutoff(months, date(2026, 12, 1)).last_earned == date(2026, 6, 1)


# -- first in, first out -------------------------------------------------------------------

def test_months_mode_expires_the_oldest_points_still_unspent(store, post):
    store = set_policy(store, expiry.MONTHS, months=12)
    account = new_account(store)
    post(account, "2025-01-10 09:00", 100)
    post(account, "2025-03-01 10:00", -70, REDEEM, reference="sale:1")
    post(account, "2025-06-01 10:00", 50)
    assert run(store, "2026-01-09").points == 0
    first = run(store, "2026-01-10")
    assert (first.accounts, first.points) == (1, 30)
    assert balance(account) == 50
    assert run(store, "2026-05-31").points == 0
    assert run(store, "2026-06-01").points == 50
    assert balance(account) == 0
    assert expiries(account) == [(-30, "expire:2026-01-10"), (-50, "expire:2026-06-01")]


def test_a_return_gives_back_spent_points_with_their_age(store, post):
    store = set_policy(store, expiry.MONTHS, months=12)
    account = new_account(store)
    post(account, "2025-01-10 09:00", 100)
    post(account, "2025-02-01 10:00", -80, REDEEM, reference="sale:1")
    post(account, "2025-03-01 10:00", 30, REFUND, reference="refund:1")  # 50 spent in all
    post(account, "2025-06-01 10:00", 40)
    # The return is not a new earning: 100 earned in January − 50 spent = 50 expire.
    assert run(store, "2026-01-10").points == 50
    assert balance(account) == 40


def test_a_deduction_takes_the_oldest_points_like_spending(store, post):
    store = set_policy(store, expiry.MONTHS, months=12)
    account = new_account(store)
    post(account, "2025-01-10 09:00", 100)
    post(account, "2025-12-20 09:00", 50)
    post(account, "2025-12-28 09:00", -30, EARN, note="乱停车")  # a deduction: a negative earning
    assert run(store, "2026-01-10").points == 70
    assert balance(account) == 50  # the December points are all still there


def test_yearly_reset_expires_what_is_left_at_the_end_of_the_day(store, post):
    store = set_policy(store, expiry.YEARLY, month_day="12-31", start=date(2025, 1, 1))
    account = new_account(store)
    post(account, "2025-06-01 10:00", 100)
    post(account, "2025-12-31 23:30", -30, REDEEM, reference="sale:1")  # still on the 31st, local time
    post(account, "2026-01-01 00:10", 20)  # earned after the reset: never expires with it
    result = run(store, "2025-12-31")
    assert (result.cutoff.day, result.points) == (date(2025, 12, 31), 70)
    assert balance(account) == 20
    assert expiries(account) == [(-70, "expire:2025-12-31")]


def test_a_late_yearly_run_does_not_take_what_was_spent_after_the_reset(store, post):
    store = set_policy(store, expiry.YEARLY, month_day="12-31", start=date(2025, 1, 1))
    account = new_account(store)
    post(account, "2025-06-01 10:00", 100)
    post(account, "2026-01-02 10:00", 30)
    post(account, "2026-01-02 11:00", -50, REDEEM, reference="sale:1")  # the oldest points first
    # The timer missed two nights; the run on the 4th is for the reset of 31 December.
    result = run(store, "2026-01-03", note=lambda day: f"{day} 到期未使用")
    assert (result.cutoff.day, result.points) == (date(2025, 12, 31), 50)
    assert balance(account) == 30
    assert LedgerEntry.get(LedgerEntry.kind == EXPIRE).note == "2025-12-31 到期未使用"


@pytest.mark.parametrize("earned, months, quiet_day, due_day", [
    ("2024-02-29 10:00", 12, "2025-02-27", "2025-02-28"),
    ("2026-01-31 10:00", 1, "2026-02-27", "2026-02-28"),
    ("2027-03-31 10:00", 11, "2028-02-28", "2028-02-29"),
    ("2026-08-31 10:00", 1, "2026-09-29", "2026-09-30"),
])
def test_months_mode_at_month_ends_and_in_leap_years(store, post, earned, months, quiet_day, due_day):
    store = set_policy(store, expiry.MONTHS, months=months)
    account = new_account(store)
    post(account, earned, 40)
    run(store, quiet_day)
    assert balance(account) == 40
    run(store, due_day)
    assert expiries(account) == [(-40, "expire:" + due_day)]


def test_points_earned_before_expiry_was_switched_on_expire_on_the_first_day_only(store, post):
    store = set_policy(store, expiry.MONTHS, months=12, start=date(2026, 12, 23))
    account = new_account(store)
    post(account, "2023-05-01 10:00", 100)
    assert run(store, "2026-12-22").cutoff is None
    assert balance(account) == 100
    assert run(store, "2026-12-23").points == 100


# -- executing -----------------------------------------------------------------------------

def test_running_twice_for_the_same_day_expires_nothing_twice(store, post):
    store = set_policy(store, expiry.YEARLY, month_day="12-31", start=date(2025, 1, 1))
    account = new_account(store)
    post(account, "2025-06-01 10:00", 100)
    assert run(store, "2025-12-31").points == 100
    post(account, "2026-01-01 10:00", 5, REFUND, reference="refund:9")  # a return after the run
    again = run(store, "2025-12-31")
    later = run(store, "2026-01-05")  # the same reset
    assert (again.points, again.skipped, later.points, later.skipped) == (0, 1, 0, 1)
    assert expiries(account) == [(-100, "expire:2025-12-31")]
    assert balance(account) == 5


def test_a_run_that_fails_half_way_posts_nothing_and_a_rerun_does_it_once(store, post, monkeypatch):
    store = set_policy(store, expiry.MONTHS, months=1)
    first, second = new_account(store, "甲"), new_account(store, "乙")
    post(first, "2026-01-05 10:00", 10)
    post(second, "2026-01-05 10:00", 20)
    real_post, calls = ledger.post, []

    def crash_on_second(*args, **kwargs):
        calls.append(args)
        if len(calls) == 2:
            raise RuntimeError("power cut")
        return real_post(*args, **kwargs)

    monkeypatch.setattr(ledger, "post", crash_on_second)
    with pytest.raises(RuntimeError):
        run(store, "2026-02-05")
    assert (balance(first), balance(second)) == (10, 20)
    monkeypatch.setattr(ledger, "post", real_post)
    assert run(store, "2026-02-05").points == 30
    assert run(store, "2026-02-05").points == 0
    assert (balance(first), balance(second)) == (0, 0)


def test_a_dry_run_writes_nothing_and_reports_what_a_run_would_do(store, post):
    store = set_policy(store, expiry.MONTHS, months=6)
    account = new_account(store)
    post(account, "2025-01-10 09:00", 60)
    entries = LedgerEntry.select().count()
    dry = run(store, "2025-07-10", dry_run=True)
    assert (dry.dry_run, dry.accounts, dry.points) == (True, 1, 60)
    assert LedgerEntry.select().count() == entries and balance(account) == 60
    assert run(store, "2025-07-10").points == 60


def test_a_day_that_has_not_ended_cannot_be_run_but_can_be_previewed(store, post):
    store = set_policy(store, expiry.MONTHS, months=6)
    with pytest.raises(KioskError) as refused:
        run(store, "2026-07-10", today=date(2026, 7, 10))
    assert refused.value.code == "expiry_day_not_over"
    assert run(store, "2026-07-10", today=date(2026, 7, 10), dry_run=True).points == 0
    with pytest.raises(KioskError) as off:
        run(set_policy(store, expiry.NONE), "2026-07-09")
    assert off.value.code == "expiry_off"


def test_expiry_never_takes_an_account_below_zero(store, post, world):
    store = set_policy(store, expiry.MONTHS, months=1)
    spent, overdrawn = new_account(store, "甲"), new_account(store, "乙")
    post(spent, "2026-01-05 10:00", 10)
    post(spent, "2026-01-06 10:00", -10, REDEEM, reference="sale:1")
    post(overdrawn, "2026-01-05 10:00", 10)
    post(overdrawn, "2026-01-06 10:00", -25, EARN, allow_negative=True, note="扣分")
    result = run(store, "2026-03-01")
    assert (balance(spent), balance(overdrawn)) == (0, -15)
    assert expiries(spent) == expiries(overdrawn) == []
    assert expiry.unspent(100, 0, 0, 30) == 30
    assert expiry.unspent(100, -20, 0, 200) == 100
    # The world's accounts were opened today and are not due.
    assert result.points == 0


def test_only_the_given_store_is_touched(store, post):
    store = set_policy(store, expiry.MONTHS, months=1)
    other = Store.create(name="另一超市", code="ZZ", expiry_mode=expiry.MONTHS, expiry_months=1)
    mine, theirs = new_account(store, "甲"), new_account(other, "乙")
    post(mine, "2026-01-05 10:00", 10)
    post(theirs, "2026-01-05 10:00", 10)
    assert run(store, "2026-03-01").points == 10
    assert (balance(mine), balance(theirs)) == (0, 10)


# -- announcing ----------------------------------------------------------------------------

def test_upcoming_says_what_each_nightly_run_will_take(store, post, monkeypatch):
    store = set_policy(store, expiry.MONTHS, months=1, notice_days=30)
    account = new_account(store)
    post(account, "2026-01-05 10:00", 10)
    post(account, "2026-01-20 10:00", 20)
    post(account, "2026-01-31 10:00", 40)
    post(account, "2026-02-10 10:00", 80)
    post(account, "2026-01-25 10:00", -15, REDEEM, reference="sale:1")  # the January 5th points and 5 more
    today = date(2026, 2, 1)
    expected = [expiry.Expiring(date(2026, 2, 20), 15), expiry.Expiring(date(2026, 2, 28), 40)]
    assert expiry.upcoming(account.id, store, tz_name=TZ, today=today) == expected
    assert expiry.upcoming(account.id, store, tz_name=TZ, today=today, days=5) == []
    # The command agrees, night after night.
    taken = []
    day = today
    while day <= today + timedelta(days=30):
        result = expiry.run(Store.get_by_id(store.id), day, tz_name=TZ, today=day + timedelta(days=1))
        if result.points:
            taken.append(expiry.Expiring(day, result.points))
        day += timedelta(days=1)
    assert taken == expected


def test_upcoming_counts_points_already_due_on_today(store, post):
    store = set_policy(store, expiry.YEARLY, month_day="12-31", start=date(2025, 1, 1), notice_days=10)
    account = new_account(store)
    post(account, "2025-06-01 10:00", 100)
    post(account, "2026-01-01 09:00", 7)
    # The reset of 31 December has not been run yet this morning.
    assert expiry.upcoming(account.id, store, tz_name=TZ, today=date(2026, 1, 1)) == [
        expiry.Expiring(date(2026, 1, 1), 100)]
    run(store, "2025-12-31", today=date(2026, 1, 1))
    assert expiry.upcoming(account.id, store, tz_name=TZ, today=date(2026, 1, 1)) == []
    assert expiry.upcoming(account.id, store, tz_name=TZ, today=date(2026, 12, 21)) == [
        expiry.Expiring(date(2026, 12, 31), 7)]


def test_upcoming_is_empty_without_expiry(store, post):
    account = new_account(store)
    post(account, "2020-01-01 10:00", 100)
    assert expiry.upcoming(account.id, Store.get_by_id(store.id), tz_name=TZ, today=date(2026, 1, 1)) == []


# -- settings and the point value ----------------------------------------------------------

@pytest.mark.parametrize("typed, fen", [
    ("1", 100), ("1.00", 100), ("0.5", 50), ("0.05", 5), ("￥1.5", 150), ("¥ 2 ", 200), ("２元", 200),
    ("10000", 1_000_000), ("", None), ("  ", None),
])
def test_point_value_is_kept_exactly_in_fen(typed, fen):
    assert expiry.parse_point_value(typed) == fen


@pytest.mark.parametrize("typed", ["0", "0.00", "-1", "1.005", "1e2", "nan", "10000.01", "1,5", "一元", "1.", ".5"])
def test_a_point_value_that_is_not_an_amount_is_refused(typed):
    with pytest.raises(KioskError) as refused:
        expiry.parse_point_value(typed)
    assert refused.value.code == "bad_point_value"


def test_value_text_multiplies_exactly(store):
    store = set_policy(store, expiry.NONE, value=35)
    assert expiry.value_text(123457, store) == "≈ ¥43,209.95"
    assert expiry.value_text(120, store, printed=True) == "≈ ￥42.00"
    assert expiry.value_text(120, set_policy(store, expiry.NONE)) == ""


@pytest.mark.parametrize("fields, code", [
    ({"mode": "weekly"}, "bad_expiry_mode"),
    ({"mode": "yearly", "month": 2, "day": 29}, "bad_expiry_day"),
    ({"mode": "yearly", "month": 13, "day": 1}, "bad_expiry_day"),
    ({"mode": "yearly", "month": 4, "day": 31}, "bad_expiry_day"),
    ({"mode": "yearly", "month": None, "day": 31}, "bad_expiry_day"),
    ({"mode": "months", "months": 0}, "bad_expiry_months"),
    ({"mode": "months", "months": 121}, "bad_expiry_months"),
    ({"mode": "months", "months": None}, "bad_expiry_months"),
    ({"mode": "none", "notice_days": 366}, "bad_notice_days"),
    ({"mode": "none", "notice_days": None}, "bad_notice_days"),
    ({"mode": "none", "point_value": "1.234"}, "bad_point_value"),
])
def test_bad_settings_are_refused_and_change_nothing(store, fields, code):
    fields = {"notice_days": 30, **fields}
    with pytest.raises(KioskError) as refused:
        expiry.update_settings(store, today=date(2026, 11, 23), **fields)
    assert refused.value.code == code
    assert Store.get_by_id(store.id).expiry_mode == "none"


def test_saving_a_mode_starts_it_after_the_announcement_period(store):
    today = date(2026, 11, 23)
    saved = expiry.update_settings(store, mode="months", months=24, notice_days=30, point_value="1.00", today=today)
    assert (saved.expiry_mode, saved.expiry_months, saved.expiry_start, saved.point_value_fen) == (
        "months", 24, date(2026, 12, 23), 100)
    # Changing only the announcement keeps the start; changing the months restarts it.
    later = today + timedelta(days=5)
    assert expiry.update_settings(saved, mode="months", months=24, notice_days=7, today=later).expiry_start == date(2026, 12, 23)
    assert expiry.update_settings(saved, mode="months", months=12, notice_days=7, today=later).expiry_start == date(2026, 12, 5)
    yearly = expiry.update_settings(saved, mode="yearly", month=12, day=31, notice_days=30, today=today)
    assert (yearly.expiry_month_day, yearly.point_value_fen) == ("12-31", None)
    off = expiry.update_settings(yearly, mode="none", notice_days=30, point_value="0.50", today=today)
    assert (off.expiry_mode, off.expiry_start, off.point_value_fen) == ("none", None, 50)


def test_the_opening_balance_counts_as_earned_on_its_day(store, post):
    store = set_policy(store, expiry.MONTHS, months=3)
    account = new_account(store)
    post(account, "2026-01-15 10:00", 25, OPENING, reference="import")
    assert run(store, "2026-04-15").points == 25


def test_the_statement_counts_expired_points_apart_and_shows_the_value(store, post):
    from kiosk.ledger.statement import statement_for, statement_pdf

    store = set_policy(store, expiry.MONTHS, months=1, value=100)
    account = new_account(store)
    post(account, "2026-01-05 10:00", 50)
    post(account, "2026-01-20 10:00", -10, REDEEM, reference="sale:1")
    at_run = run(store, "2026-02-05", note="2026-02-05 到期未使用")
    assert at_run.points == 40
    statement = statement_for(Account.get_by_id(account.id), store, date(2026, 1, 1), date(2030, 12, 31), tz_name=TZ,
                              value=lambda points: expiry.value_text(points, store, printed=True))
    assert (statement.earned, statement.spent, statement.expired, statement.closing) == (50, 10, 40, 0)
    assert [entry.expired for entry in statement.entries] == [False, False, True]
    assert statement.entries[-1].what == "2026-02-05 到期未使用"
    assert statement.closing_value == "≈ ￥0.00"
    assert statement_pdf(statement).startswith(b"%PDF")


def test_describe_names_the_day_of_an_expiry_without_a_note(store, post):
    account = new_account(store)
    post(account, "2026-01-05 10:00", 50)
    entry = post(account, "2026-03-01 10:00", -50, EXPIRE, reference="expire:2026-02-28")
    assert ledger.describe(entry) == "2026-02-28"


def test_m0007_adds_the_expiry_settings_to_existing_stores(store, monkeypatch):
    from kiosk import schema
    from kiosk.migrations.m0007_expiry import COLUMNS

    steps = [step for step in schema.available_migrations() if step[0] <= 7]  # the later ones are not tested here
    monkeypatch.setattr(schema, "available_migrations", lambda: steps)
    for name in COLUMNS:  # the store table as it was before m0007
        database.execute_sql(f'ALTER TABLE "store" DROP COLUMN "{name}"')
    schema.SchemaVersion.delete().where(schema.SchemaVersion.version >= 7).execute()
    assert "m0007_expiry" in schema.upgrade()
    migrated = Store.get_by_id(store.id)
    assert (migrated.expiry_mode, migrated.expiry_month_day, migrated.expiry_months, migrated.expiry_notice_days,
            migrated.expiry_start, migrated.point_value_fen) == ("none", "12-31", 12, 30, None, None)
    assert expiry.policy(migrated) is None
