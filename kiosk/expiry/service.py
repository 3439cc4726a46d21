"""Points expiry (积分到期) and a point's value in yuan, both optional per store.

A store chooses one of three modes:

- ``none`` (the default): points never expire.
- ``yearly``: on a month and day (e.g. 12-31) every year, the points left at the end of that
  day expire.
- ``months``: points expire N months (1–120) after the day they were earned, at the end of
  that day (earned 2026-01-15 with N = 12: still usable on 2027-01-15, gone on 2027-01-16).
  A day that the target month lacks is its last day (earned 01-31, N = 1: gone after 02-28,
  or 02-29 in a leap year).

**Which points expire (first in, first out).** Spending always uses the oldest points first.
So for a cut-off moment T (the end of the expiry day for ``yearly``; the end of the last
earning day that is due for ``months``)::

    expiring = max(0, earned before T − spent − expired earlier), never more than the balance

where
- *earned* counts every positive entry (opening balances, earnings, positive corrections, and
  kinds added later) at the time it was posted — except returns, see below;
- *spent* counts every negative entry except expiries: redemptions, deductions (扣分, a
  negative earning) and negative corrections. A deduction therefore takes the oldest points
  first, exactly like spending, and can never make more points expire;
- a *return* (refund) gives back points that were spent, so it reduces *spent* instead of
  counting as a new earning: returned points keep the age of the points they were paid with
  (returning goods bought with points that have meanwhile passed their expiry day gives back
  points that expire at the next run);
- *expired earlier* counts the earlier ``expire`` entries, so running again never expires the
  same points twice.

**Nothing unannounced.** Saving a mode (or changing its day or months) sets ``expiry_start``
to today plus the announcement period: no expiry day before it is executed, and points that
were already past their expiry when the store switched expiry on expire on that first day,
announced from the day the setting was saved.

**Executing.** `kiosk expire` (see :func:`run`) posts one ledger entry of kind ``expire`` per
account, referenced ``expire:<day>``, all of a store in one transaction; an account that
already has the entry for that day is skipped. :func:`upcoming` simulates the same runs for
the next days, so the receipt, the passbook and the cashier's panel announce exactly what the
command will take if nothing else happens.

A point's value in yuan is kept exactly as whole fen per point (1 point = 1.00 yuan is 100)
and only shown beside balances (≈ ¥…); it never changes what a point buys.
"""
import calendar
import contextlib
import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from peewee import Case, fn

from kiosk import audit
from kiosk.db import database
from kiosk.errors import KioskError
from kiosk.ledger import service as ledger
from kiosk.ledger.models import EXPIRE, REFUND, Account, LedgerEntry
from kiosk.stores.models import Store

NONE, YEARLY, MONTHS = "none", "yearly", "months"
MODES = (NONE, YEARLY, MONTHS)
MAX_MONTHS = 120
MAX_NOTICE_DAYS = 365
DEFAULT_NOTICE_DAYS = 30
MAX_POINT_VALUE_FEN = 1_000_000  # 10,000 yuan a point
# Positive entries that give back spent points rather than grant new ones.
RETURN_KINDS = (REFUND,)
REFERENCE_PREFIX = "expire:"


@dataclass(frozen=True)
class Policy:
    """A store's expiry setting."""

    mode: str
    month: int = 12
    day: int = 31
    months: int = 12
    notice_days: int = DEFAULT_NOTICE_DAYS
    start: date | None = None  # the first day on which anything may expire


@dataclass(frozen=True)
class Cutoff:
    """What a run for one day expires: the points earned up to the end of ``last_earned``
    that are still unspent, recorded under ``expire:<day>``."""

    day: date  # the expiry day (the reference's date)
    last_earned: date


@dataclass(frozen=True)
class Expiring:
    """``points`` of an account expire at the end of ``day``."""

    day: date
    points: int


@dataclass
class RunResult:
    """What `kiosk expire` did (or, for a dry run, would do) in one store."""

    store: Store
    cutoff: Cutoff | None
    accounts: int = 0
    points: int = 0
    skipped: int = 0  # accounts already done for this day
    dry_run: bool = False


def policy(store):
    """The store's expiry Policy, or None when its points never expire."""
    if store.expiry_mode not in (YEARLY, MONTHS):
        return None
    month, day = parse_month_day(store.expiry_month_day)
    return Policy(store.expiry_mode, month, day, store.expiry_months, store.expiry_notice_days, store.expiry_start)


# -- dates ----------------------------------------------------------------------------------

def add_months(day, months):
    """``day`` moved by ``months`` (may be negative); a day the month lacks becomes its last."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def parse_month_day(text):
    """(month, day) of "MM-DD"; raises KioskError("bad_expiry_day") for one that is not a day
    of every year (29 February is not)."""
    match = re.fullmatch(r"(\d{1,2})-(\d{1,2})", (text or "").strip())
    if not match:
        raise KioskError("bad_expiry_day")
    return check_month_day(int(match.group(1)), int(match.group(2)))


def check_month_day(month, day):
    """(month, day) when they name a day of every year; raises KioskError("bad_expiry_day")."""
    if month is None or day is None or not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(2001, month)[1]:
        raise KioskError("bad_expiry_day")
    return month, day


def _last_reset(policy, day):
    """The latest yearly expiry day on or before ``day``."""
    this_year = date(day.year, policy.month, policy.day)
    return this_year if this_year <= day else date(day.year - 1, policy.month, policy.day)


def cutoff(policy, day):
    """What a run for ``day`` expires, as a Cutoff, or None when nothing may expire that day
    (before the policy's start).

    Yearly: the points left at the end of the latest expiry day on or before ``day``. Months:
    the points earned on days whose expiry (earned day + N months) is ``day`` or earlier.
    """
    if policy.mode == YEARLY:
        reset = _last_reset(policy, day)
        if policy.start is not None and reset < policy.start:
            return None
        return Cutoff(reset, reset)
    if policy.start is not None and day < policy.start:
        return None
    last = add_months(day, -policy.months)
    while add_months(last + timedelta(days=1), policy.months) <= day:  # 31 Jan → 28 Feb, and the 29th, 30th…
        last += timedelta(days=1)
    return Cutoff(day, last)


def local_today(tz_name):
    """Today's date in the store's time zone."""
    return datetime.now(ZoneInfo(tz_name)).date()


def end_of_day_utc(day, tz_name):
    """The moment ``day`` ends in ``tz_name`` (the next local midnight), as naive UTC."""
    local = datetime.combine(day + timedelta(days=1), time.min, ZoneInfo(tz_name))
    return local.astimezone(timezone.utc).replace(tzinfo=None)


# -- the ledger sums ------------------------------------------------------------------------

def _sum_columns(before):
    """(earned before ``before``, spent, expired earlier) as SQL sums over LedgerEntry, by the
    rule in the module docstring."""
    delta, kind = LedgerEntry.delta, LedgerEntry.kind
    is_return = kind.in_(RETURN_KINDS)
    earned = fn.SUM(Case(None, [((delta > 0) & ~is_return & (LedgerEntry.created_at < before), delta)], 0))
    spent = fn.SUM(Case(None, [((delta < 0) & (kind != EXPIRE), delta * -1), (is_return, delta * -1)], 0))
    expired = fn.SUM(Case(None, [(kind == EXPIRE, delta * -1)], 0))
    return earned.alias("earned"), spent.alias("spent"), expired.alias("expired")


def unspent(earned, spent, expired, balance):
    """The points out of ``earned`` still on the account: first in, first out. (Sums may come
    back as Decimal from PostgreSQL; the result is an int.)"""
    return int(max(0, min(balance, (earned or 0) - max(0, spent or 0) - (expired or 0))))


def _done(accounts_query, day):
    """Ids of the accounts that already have the expiry entry for ``day``."""
    query = LedgerEntry.select(LedgerEntry.account).where(
        LedgerEntry.kind == EXPIRE, LedgerEntry.reference == REFERENCE_PREFIX + day.isoformat(),
        LedgerEntry.account.in_(accounts_query),
    )
    return {account_id for (account_id,) in query.tuples()}


# -- executing ------------------------------------------------------------------------------

def run(store, day, *, tz_name, today=None, dry_run=False, note=""):
    """Expire the points of every account of ``store`` that are due at the end of ``day``;
    returns a RunResult.

    All of the store's entries are posted in one transaction; accounts that already have the
    entry for the day are skipped, so a second run (or a re-run after a crash) expires nothing
    twice. ``note`` names the entries: text, or a function of the expiry day giving it (a
    yearly run for 3 January executes the reset of 31 December). A dry run writes nothing.

    Raises KioskError("expiry_off") when the store's points do not expire and
    KioskError("expiry_day_not_over", day=…) for a day that has not ended yet (``today`` or
    later; a dry run may look ahead).
    """
    rule = policy(store)
    if rule is None:
        raise KioskError("expiry_off")
    today = today or local_today(tz_name)
    if day >= today and not dry_run:
        raise KioskError("expiry_day_not_over", day=day.isoformat())
    result = RunResult(store, cutoff(rule, day), dry_run=dry_run)
    if result.cutoff is None:
        return result
    before = end_of_day_utc(result.cutoff.last_earned, tz_name)
    reference = REFERENCE_PREFIX + result.cutoff.day.isoformat()
    if callable(note):
        note = note(result.cutoff.day)
    with contextlib.nullcontext() if dry_run else database.atomic():
        if not dry_run:
            # Two runs at once (two terminals, a timer and a person) queue here: the second
            # one sees the first one's entries and skips those accounts.
            Store.update(expiry_mode=Store.expiry_mode).where(Store.id == store.id).execute()
        accounts = Account.select(Account.id).where(Account.store == store, Account.balance > 0)
        done = _done(accounts, result.cutoff.day)
        rows = (
            LedgerEntry.select(LedgerEntry.account, Account.balance, *_sum_columns(before))
            .join(Account)
            .where(Account.store == store, Account.balance > 0)
            .group_by(LedgerEntry.account, Account.balance)
            .order_by(LedgerEntry.account)
            .tuples()
        )
        for account_id, balance, earned, spent, expired in rows:
            if account_id in done:
                result.skipped += 1
                continue
            points = unspent(earned, spent, expired, balance)
            if points <= 0:
                continue
            if not dry_run:
                ledger.post(account_id, -points, EXPIRE, reference=reference, note=note)
            result.accounts += 1
            result.points += points
        if not dry_run and result.accounts:
            audit.record("points_expired", store=store, day=result.cutoff.day.isoformat(), accounts=result.accounts,
                         points=result.points)
    return result


# -- announcing -----------------------------------------------------------------------------

def upcoming(account_id, store, *, tz_name, today=None, days=None):
    """What expires when: [Expiring(day, points)] of the account from today until the end of
    the store's announcement period (or ``days`` days), in date order.

    It plays the nightly `kiosk expire` forward on today's ledger, so it says exactly what the
    command will take if nothing else is earned or spent. Points already due that the command
    has not taken yet (it runs after midnight) are counted on today.
    """
    rule = policy(store)
    if rule is None:
        return []
    today = today or local_today(tz_name)
    last_day = today + timedelta(days=rule.notice_days if days is None else days)
    runs = []  # (the day shown, Cutoff) in order, one per distinct run reference
    day = today - timedelta(days=1)
    while day <= last_day:
        cut = cutoff(rule, day)
        if cut is not None and (not runs or runs[-1][1].day != cut.day):
            runs.append((max(cut.day, today), cut))
        day += timedelta(days=1)
    if not runs:
        return []
    first = end_of_day_utc(runs[0][1].last_earned, tz_name)
    last = end_of_day_utc(runs[-1][1].last_earned, tz_name)
    row = (
        LedgerEntry.select(Account.balance, *_sum_columns(first))
        .join(Account)
        .where(LedgerEntry.account == account_id)
        .group_by(Account.balance)
        .tuples()
        .first()
    )
    if row is None:
        return []
    balance, earned_first, spent, expired = (int(value or 0) for value in row)
    later = list(
        LedgerEntry.select(LedgerEntry.created_at, LedgerEntry.delta)
        .where(LedgerEntry.account == account_id, LedgerEntry.delta > 0, LedgerEntry.kind.not_in(RETURN_KINDS),
               LedgerEntry.created_at >= first, LedgerEntry.created_at < last)
        .order_by(LedgerEntry.created_at)
        .tuples()
    )
    moments = [moment for moment, _ in later]
    running, totals = 0, []
    for _, delta in later:
        running += delta
        totals.append(running)
    done = _done([account_id], runs[0][1].day)
    expiring = {}
    for shown, cut in runs:
        if cut is runs[0][1] and account_id in done:
            continue  # that run has been made; what is left waits for the next one
        count = bisect_left(moments, end_of_day_utc(cut.last_earned, tz_name))
        earned = earned_first + (totals[count - 1] if count else 0)
        points = unspent(earned, spent, expired, balance)
        if points > 0:
            expiring[shown] = expiring.get(shown, 0) + points
            expired += points
            balance -= points
    return [Expiring(day, points) for day, points in sorted(expiring.items())]


# -- settings -------------------------------------------------------------------------------

def parse_point_value(text):
    """Fen per point from what a manager typed ("1", "1.00", "0.5", "￥1.5"), None for empty.

    Kept exact (no float). Raises KioskError("bad_point_value") for anything else, including 0,
    more than two decimals and more than 10,000 yuan.
    """
    text = unicodedata.normalize("NFKC", text or "").strip()
    text = text.removeprefix("¥").removesuffix("元").strip()
    if not text:
        return None
    match = re.fullmatch(r"(\d{1,5})(?:\.(\d{1,2}))?", text)
    if not match:
        raise KioskError("bad_point_value")
    fen = int(match.group(1)) * 100 + int((match.group(2) or "0").ljust(2, "0"))
    if not 0 < fen <= MAX_POINT_VALUE_FEN:
        raise KioskError("bad_point_value")
    return fen


def format_fen(fen):
    """Fen as yuan with two decimals and thousands separators: 123456 → "1,234.56"."""
    return f"{fen // 100:,}.{fen % 100:02d}"


def value_text(points, store, *, printed=False):
    """"≈ ¥12.50" for ``points`` at the store's point value, "" when it has none. Printed
    text uses the full-width ￥, which every Chinese printer font has."""
    if store.point_value_fen is None:
        return ""
    return ("≈ ￥" if printed else "≈ ¥") + format_fen(points * store.point_value_fen)


def update_settings(store, *, mode, month=None, day=None, months=None, notice_days=None, point_value="", staff=None,
                    today):
    """Save the store's expiry mode and point value; returns the store.

    Only the fields of the chosen mode are required. Saving a mode, or changing its day or its
    months, starts it ``notice_days`` after ``today``. Raises KioskError("bad_expiry_mode",
    "bad_expiry_day", "bad_expiry_months", "bad_notice_days", "bad_point_value").
    """
    if mode not in MODES:
        raise KioskError("bad_expiry_mode")
    if notice_days is None or not 0 <= notice_days <= MAX_NOTICE_DAYS:
        raise KioskError("bad_notice_days", max=MAX_NOTICE_DAYS)
    changes = {"expiry_mode": mode, "expiry_notice_days": notice_days}
    if mode == YEARLY:
        month, day = check_month_day(month, day)
        changes["expiry_month_day"] = f"{month:02d}-{day:02d}"
    if mode == MONTHS:
        if months is None or not 1 <= months <= MAX_MONTHS:
            raise KioskError("bad_expiry_months", max=MAX_MONTHS)
        changes["expiry_months"] = months
    changes["point_value_fen"] = parse_point_value(point_value)
    if mode == NONE:
        changes["expiry_start"] = None
    else:
        same = store.expiry_mode == mode and store.expiry_start is not None and all(
            getattr(store, name) == value for name, value in changes.items()
            if name in ("expiry_month_day", "expiry_months")
        )
        changes["expiry_start"] = store.expiry_start if same else today + timedelta(days=notice_days)
    with database.atomic():
        Store.update(**changes).where(Store.id == store.id).execute()
        audit.record("expiry_settings", store=store, staff=staff, **changes)
    return Store.get_by_id(store.id)
