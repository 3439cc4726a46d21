"""Per-product limits per account and period, and the redemption window, at checkout."""
import secrets
import threading
from datetime import datetime

import pytest

from kiosk.audit import AuditEvent
from kiosk.cards.models import Card
from kiosk.checkout import service as checkout
from kiosk.checkout.models import Sale, SaleLine
from kiosk.db import database
from kiosk.errors import KioskError
from kiosk.inventory import service as inventory
from kiosk.inventory.models import STOCK_IN, Product
from kiosk.ledger import service as ledger
from kiosk.ledger.models import OPENING, Account
from kiosk.redemption import service as redemption
from kiosk.redemption.models import ProductLimit
from kiosk.registry.models import Household, Resident
from kiosk.reports.verify import verify
from kiosk.staff.models import CASHIER, MANAGER
from kiosk.stores.models import Store
from tests.helpers import race

TZ = "Asia/Shanghai"
# Local (UTC+8) 2026-03-15 12:00 and other moments, as the naive UTC the database keeps.
MID_MARCH = datetime(2026, 3, 15, 4, 0)
LAST_MOMENT_OF_MARCH = datetime(2026, 3, 31, 15, 59, 59)  # 23:59:59 on March 31st in Shanghai
FIRST_MOMENT_OF_APRIL = datetime(2026, 3, 31, 16, 0, 0)  # 00:00 on April 1st in Shanghai


_clock = threading.local()  # per thread: the concurrency tests buy from two threads


@pytest.fixture(autouse=True)
def ledger_clock(monkeypatch):
    """A sale here is dated ``now``; its ledger entry takes the ledger's clock, which says the
    same while it is made (kiosk verify checks each day's redemptions against the goods issued
    that day)."""
    from kiosk.ledger import service as ledger

    real = ledger.utcnow
    monkeypatch.setattr(ledger, "utcnow", lambda: getattr(_clock, "now", None) or real())


def buy(world, items, now=MID_MARCH, card="张建华", key=None):
    product_items = [(world.products[name].id, qty) for name, qty in items]
    _clock.now = now
    try:
        return checkout.checkout(world.store, world.cards[card].id, product_items, world.staff[CASHIER].id,
                                 key or secrets.token_urlsafe(18), now=now, tz_name=TZ).sale
    finally:
        _clock.now = None


def refused(world, items, now=MID_MARCH, card="张建华"):
    with pytest.raises(KioskError) as error:
        buy(world, items, now=now, card=card)
    return error.value


def limit(world, name, quantity, period="month", per_member=False):
    return redemption.set_limit(world.store, world.products[name].id, quantity=str(quantity), period=period,
                                per_member=per_member, staff=world.staff[MANAGER])


def give_back(world, sale, quantity):
    line = SaleLine.get(SaleLine.sale == sale)
    return checkout.refund(world.store, sale.id, {line.id: quantity}, world.staff[CASHIER].id,
                           world.staff[MANAGER].id, secrets.token_urlsafe(18))


def books():
    return (Sale.select().count(), Account.select(Account.balance).tuples()[:], Product.select(Product.quantity).tuples()[:])


def test_one_bottle_of_oil_per_household_per_month(world):
    limit(world, "食用油", 1)
    buy(world, [("食用油", 1), ("食盐", 2)])
    before = books()
    error = refused(world, [("食用油", 1)])
    assert error.code == "limit_reached_month"
    assert error.params == {"name": "食用油", "limit": 1, "left": 0, "unit": "件"}
    assert books() == before
    # Goods without a limit are not held back by it.
    buy(world, [("食盐", 5)])
    assert verify() == []


def test_one_cart_cannot_hold_more_than_the_limit(world):
    limit(world, "大米", 2)
    error = refused(world, [("大米", 3)])
    assert (error.code, error.params["left"]) == ("limit_reached_month", 2)
    buy(world, [("大米", 2)])
    assert refused(world, [("大米", 1)]).params["left"] == 0


def test_a_return_gives_the_room_back(world):
    limit(world, "食用油", 1)
    sale = buy(world, [("食用油", 1)])
    give_back(world, sale, 1)
    buy(world, [("食用油", 1)])
    assert refused(world, [("食用油", 1)]).code == "limit_reached_month"
    assert verify() == []


def test_a_partial_return_counts_what_was_kept(world):
    limit(world, "大米", 3)
    sale = buy(world, [("大米", 3)])
    give_back(world, sale, 2)
    buy(world, [("大米", 2)])
    assert refused(world, [("大米", 1)]).params["left"] == 0


def test_returning_last_months_oil_does_not_add_to_this_month(world):
    limit(world, "食用油", 1)
    march = buy(world, [("食用油", 1)], now=LAST_MOMENT_OF_MARCH)
    buy(world, [("食用油", 1)], now=FIRST_MOMENT_OF_APRIL)
    give_back(world, march, 1)
    assert refused(world, [("食用油", 1)], now=FIRST_MOMENT_OF_APRIL).code == "limit_reached_month"


def test_the_month_turns_at_local_midnight(world):
    limit(world, "食用油", 1)
    buy(world, [("食用油", 1)], now=datetime(2026, 3, 1, 0, 0))  # 08:00 on March 1st, local
    # 23:59:59 on March 31st local is still March (15:59:59 UTC, the same UTC date as April's start).
    assert refused(world, [("食用油", 1)], now=LAST_MOMENT_OF_MARCH).code == "limit_reached_month"
    buy(world, [("食用油", 1)], now=FIRST_MOMENT_OF_APRIL)


def test_a_sale_late_on_the_last_utc_day_of_february_counts_for_march_locally(world):
    limit(world, "食用油", 1)
    buy(world, [("食用油", 1)], now=datetime(2026, 2, 28, 17, 0))  # 01:00 on March 1st in Shanghai
    assert refused(world, [("食用油", 1)], now=MID_MARCH).code == "limit_reached_month"


def test_a_quarterly_limit_spans_the_quarters_months(world):
    limit(world, "大米", 2, period="quarter")
    buy(world, [("大米", 1)], now=datetime(2026, 1, 5))
    buy(world, [("大米", 1)], now=datetime(2026, 2, 5))
    error = refused(world, [("大米", 1)], now=LAST_MOMENT_OF_MARCH)
    assert (error.code, error.params["limit"]) == ("limit_reached_quarter", 2)
    buy(world, [("大米", 2)], now=FIRST_MOMENT_OF_APRIL)


def test_a_yearly_limit_turns_on_new_years_eve_local_midnight(world):
    limit(world, "食盐", 3, period="year")
    buy(world, [("食盐", 3)], now=datetime(2026, 6, 1))
    assert refused(world, [("食盐", 1)], now=datetime(2026, 12, 31, 15, 59)).code == "limit_reached_year"
    buy(world, [("食盐", 3)], now=datetime(2026, 12, 31, 16, 0))  # 2027-01-01 00:00 local


def test_a_limit_per_member_scales_with_the_household(world):
    household = world.accounts["张建华"].household
    Household.update(members=3).where(Household.id == household.id).execute()
    limit(world, "食用油", 1, per_member=True)
    buy(world, [("食用油", 2)])
    buy(world, [("食用油", 1)])
    error = refused(world, [("食用油", 1)])
    assert error.params == {"name": "食用油", "limit": 3, "left": 0, "unit": "件"}


def test_a_personal_account_counts_as_one_member(world):
    # Person mode: each resident has an account of their own inside a household of four.
    household = Household.create(store=world.store, building="8", room="801", members=4)
    resident = Resident.create(store=world.store, household=household, name="赵小军")
    account = Account.create(store=world.store, household=household, resident=resident, holder_name="赵小军")
    with database.atomic():
        ledger.post(account.id, 400, OPENING, reference="test")
    world.cards["赵小军"] = Card.create(store=world.store, number="10000099", account=account, holder_name="赵小军",
                                       resident=resident)
    limit(world, "食用油", 1, per_member=True)
    buy(world, [("食用油", 1)], card="赵小军")
    assert refused(world, [("食用油", 1)], card="赵小军").params["limit"] == 1


def test_each_account_has_its_own_allowance(world):
    with database.atomic():
        ledger.post(world.accounts["李秀兰"].id, 100, OPENING, reference="test")
    limit(world, "食盐", 1)
    buy(world, [("食盐", 1)])
    buy(world, [("食盐", 1)], card="李秀兰")
    assert refused(world, [("食盐", 1)], card="李秀兰").code == "limit_reached_month"


def test_raising_a_limit_applies_at_once(world):
    limit(world, "食用油", 1)
    buy(world, [("食用油", 1)])
    limit(world, "食用油", 2)
    buy(world, [("食用油", 1)])
    redemption.remove_limit(world.store, world.products["食用油"].id, staff=world.staff[MANAGER])
    buy(world, [("食用油", 3)])
    assert ProductLimit.select().count() == 0
    actions = [e.action for e in AuditEvent.select().order_by(AuditEvent.id)]
    assert actions.count("product_limit") == 2 and "product_limit_removed" in actions


def test_the_cart_shows_what_is_left(world):
    oil = world.products["食用油"]
    limit(world, "食用油", 2)
    buy(world, [("食用油", 1)])
    account = Account.get_by_id(world.accounts["张建华"].id)
    cart = checkout.price_cart(world.store, account, [(oil.id, 1)], now=MID_MARCH, tz_name=TZ)
    assert cart.can_checkout
    assert (cart.allowances[oil.id].limit, cart.allowances[oil.id].used, cart.allowances[oil.id].left) == (2, 1, 1)
    cart = checkout.price_cart(world.store, account, [(oil.id, 2)], now=MID_MARCH, tz_name=TZ)
    assert [p.code for p in cart.problems] == ["limit_reached_month"]
    assert cart.lines[0].over_limit


@pytest.mark.parametrize("quantity", ["0", "-1", str(10**12), "1000", "abc", "", " ", "1.5", "１", "1e3", None])
def test_bad_limits_are_refused_and_change_nothing(world, quantity):
    limit(world, "食用油", 1)
    with pytest.raises(KioskError) as error:
        redemption.set_limit(world.store, world.products["食用油"].id, quantity=quantity, period="month")
    assert error.value.params == {"max": 999}
    assert ProductLimit.get().quantity == 1


@pytest.mark.parametrize("period", ["", "week", "MONTH", None])
def test_a_limit_needs_a_known_period(world, period):
    with pytest.raises(KioskError, match="bad_limit_period"):
        redemption.set_limit(world.store, world.products["食用油"].id, quantity="1", period=period)
    assert ProductLimit.select().count() == 0


def test_another_stores_product_cannot_be_limited(world):
    other = Store.create(name="别的超市", code="QT")
    product = Product.create(store=other, name="酱油", category="调味", points=10)
    for call in (lambda: redemption.set_limit(world.store, product.id, quantity="1", period="month"),
                 lambda: redemption.remove_limit(world.store, product.id),
                 lambda: redemption.set_limit(world.store, 10**9, quantity="1", period="month")):
        with pytest.raises(KioskError, match="unknown_product"):
            call()
    assert ProductLimit.select().count() == 0


@pytest.mark.sqlite_only("reads SQLite's query plan (EXPLAIN QUERY PLAN), whose text PostgreSQL does not share")
def test_counting_starts_from_the_accounts_sales_in_the_period(world):
    """The count must not read every sale of the product in the store's history: with 300,000
    ledger entries that was 30 ms a checkout and growing (bench/)."""
    plan = database.execute_sql("EXPLAIN QUERY PLAN " + redemption.used_sql(3),
                                [1, datetime(2026, 3, 1), datetime(2026, 4, 1), 1, 2, 3]).fetchall()
    steps = [row[-1] for row in plan]
    assert steps[0].startswith("SEARCH sale USING ")  # an index, maybe a covering one
    assert steps[0].endswith("INDEX sale_account_id_created_at (account_id=? AND created_at>? AND created_at<?)")
    assert steps[1].startswith("SEARCH sale_line USING INDEX sale_line_sale_id (sale_id=?)")


# ----------------------------------------------------------------------------- the window

def close_until_the_26th(world):
    return redemption.set_window(world.store, "month_days", days=["26-31"], staff=world.staff[MANAGER])


def test_checkout_is_refused_while_redemption_is_closed(world):
    world.store = close_until_the_26th(world)
    before = books()
    error = refused(world, [("食盐", 1)], now=MID_MARCH)
    assert (error.code, error.params) == ("redemption_closed", {"month": 3, "day": 26})
    assert books() == before
    buy(world, [("食盐", 1)], now=datetime(2026, 3, 25, 16, 0))  # 00:00 on the 26th, local


def test_the_window_closes_at_local_midnight(world):
    world.store = redemption.set_window(world.store, "month_last", last_days="3")
    buy(world, [("食盐", 1)], now=LAST_MOMENT_OF_MARCH)
    error = refused(world, [("食盐", 1)], now=FIRST_MOMENT_OF_APRIL)
    assert error.params == {"month": 4, "day": 28}


def test_a_retry_after_closing_time_finds_the_sale_made_before(world):
    world.store = redemption.set_window(world.store, "month_last", last_days="1")
    sale = buy(world, [("食盐", 1)], now=LAST_MOMENT_OF_MARCH, key="closing-time-key-1")
    again = checkout.checkout(world.store, world.cards["张建华"].id, [(world.products["食盐"].id, 1)],
                              world.staff[CASHIER].id, "closing-time-key-1", now=FIRST_MOMENT_OF_APRIL, tz_name=TZ)
    assert (again.sale.id, again.created) == (sale.id, False)


def test_returns_are_accepted_while_closed(world):
    sale = buy(world, [("食盐", 2)], now=MID_MARCH)
    world.store = close_until_the_26th(world)
    record = give_back(world, sale, 2)
    assert record.total == 40
    assert Account.get_by_id(world.accounts["张建华"].id).balance == 500
    assert verify() == []


def test_the_window_is_stored_compactly_and_audited(world):
    store = redemption.set_window(world.store, "quarter_weeks", weeks=["13", "1", "last"], staff=world.staff[MANAGER])
    assert (store.redemption_window, store.redemption_days) == ("quarter_weeks", "1,13,last")
    event = AuditEvent.select().where(AuditEvent.action == "redemption_window").get()
    assert '"1,13,last"' in event.detail
    store = redemption.set_window(store, "always")
    assert (store.redemption_window, store.redemption_days) == ("always", "")


def test_a_bad_window_changes_nothing(world):
    close_until_the_26th(world)
    for mode, values in [("month_days", {"days": ["40"]}), ("month_last", {"last_days": "0"}), ("x", {})]:
        with pytest.raises(KioskError):
            redemption.set_window(world.store, mode, **values)
    store = Store.get_by_id(world.store.id)
    assert (store.redemption_window, store.redemption_days) == ("month_days", "26-31")


def test_the_cart_says_redemption_is_closed(world):
    world.store = close_until_the_26th(world)
    account = Account.get_by_id(world.accounts["张建华"].id)
    cart = checkout.price_cart(world.store, account, [(world.products["食盐"].id, 1)], now=MID_MARCH, tz_name=TZ)
    assert cart.problems[0].code == "redemption_closed"
    assert not cart.window.open and cart.window.next_opening.isoformat() == "2026-03-26"


# ----------------------------------------------------------------------------- two kiosks at once

def test_two_kiosks_selling_to_one_account_cannot_pass_the_limit(world):
    limit(world, "大米", 3)
    buy(world, [("大米", 1)], now=None)  # one redeemed earlier this month: two left
    rice, card, staff = world.products["大米"].id, world.cards["张建华"].id, world.staff[CASHIER].id

    def attempt(i):
        return checkout.checkout(world.store, card, [(rice, 1)], staff, f"limit-race-key-{i:04d}", tz_name=TZ).sale.id

    outcomes = race(8, attempt)
    assert len([o for o in outcomes if isinstance(o, int)]) == 2
    assert outcomes.count("limit_reached_month") == 6
    assert verify() == []


def test_cards_of_one_household_share_its_allowance_under_load(world):
    # Two members' cards draw on one account: the limit is the household's, whichever card.
    account = world.accounts["张建华"]
    resident = Resident.create(store=world.store, household=account.household, name="张小华")
    second = Card.create(store=world.store, number="10000077", account=account, holder_name="张小华", resident=resident)
    limit(world, "食用油", 1)
    oil, staff = world.products["食用油"].id, world.staff[CASHIER].id
    cards = [world.cards["张建华"].id, second.id]

    def attempt(i):
        return checkout.checkout(world.store, cards[i % 2], [(oil, 1)], staff, f"household-race-key-{i:04d}").sale.id

    outcomes = race(6, attempt)
    assert len([o for o in outcomes if isinstance(o, int)]) == 1
    assert outcomes.count("limit_reached_month") == 5
    assert Product.get_by_id(oil).quantity == 9


def test_unlimited_goods_sell_as_before_beside_a_limited_one(world):
    limit(world, "食用油", 1)
    with database.atomic():
        inventory.move(world.products["食盐"].id, 100, STOCK_IN, reference="test")
    for _ in range(5):
        buy(world, [("食盐", 2)])
    assert refused(world, [("食用油", 2)]).code == "limit_reached_month"
