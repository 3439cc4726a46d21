"""Redemption windows and per-product limits: the store manager's settings, and the checks
the cashier screen and the checkout make with them.

What counts against a limit: the quantities of the product on the account's sales made in
the current calendar period (month, quarter or year, in the store's time zone), minus what
was returned of those very sales. A return gives back room in the period of the sale it
undoes: returning February's oil in March does not allow a second bottle in March.
"""
import re
from dataclasses import dataclass

from kiosk import audit
from kiosk.db import database, utcnow
from kiosk.errors import KioskError
from kiosk.inventory.models import Product
from kiosk.redemption import windows
from kiosk.redemption.models import ProductLimit
from kiosk.stores.models import Store

MAX_LIMIT = 999  # as kiosk.checkout.service.MAX_QUANTITY: no cart can hold more


# ----------------------------------------------------------------------------- windows

def set_window(store, mode, *, days=(), last_days=None, weeks=(), staff=None):
    """Set when the store redeems; returns the store. See kiosk.redemption.windows.build for
    the values and the KioskError codes it raises."""
    window = windows.build(mode, days=days, last_days=last_days, weeks=weeks)
    changes = {"redemption_window": window.mode, "redemption_days": window.spec}
    with database.atomic():
        Store.update(**changes).where(Store.id == store.id).execute()
        audit.record("redemption_window", store=store, staff=staff, **changes)
    return Store.get_by_id(store.id)


@dataclass(frozen=True)
class WindowState:
    """Whether the store redeems now, in the store's local dates."""

    window: windows.Window
    today: object  # local date
    open: bool
    next_opening: object = None  # local date, when closed
    open_until: object = None  # local date, when open in a limited window


def window_state(store, now=None, tz_name=windows.DEFAULT_TIMEZONE):
    window = windows.Window.of(store)
    today = windows.local_date(now or utcnow(), tz_name)
    if window.always:
        return WindowState(window, today, True)
    if window.is_open(today):
        return WindowState(window, today, True, open_until=window.open_until(today))
    return WindowState(window, today, False, next_opening=window.next_opening(today))


def closed_error(state):
    """The KioskError for a closed window, naming when it opens next."""
    if state.next_opening is None:
        return KioskError("redemption_closed_no_date")
    return KioskError("redemption_closed", month=state.next_opening.month, day=state.next_opening.day)


def check_open(store, now=None, tz_name=windows.DEFAULT_TIMEZONE):
    """Raises KioskError("redemption_closed") when the store does not redeem at ``now``."""
    if store.redemption_window == windows.ALWAYS:
        return
    state = window_state(store, now, tz_name)
    if not state.open:
        raise closed_error(state)


# ----------------------------------------------------------------------------- limits

def parse_limit(value):
    """A limit quantity from user input: a whole number 1–999; raises KioskError("bad_limit")."""
    text = str(value).strip() if value is not None else ""
    if not re.fullmatch(r"[0-9]{1,4}", text) or not 1 <= int(text) <= MAX_LIMIT:
        raise KioskError("bad_limit", max=MAX_LIMIT)
    return int(text)


def set_limit(store, product_id, *, quantity, period, per_member=False, staff=None):
    """Limit how much of a product each account may redeem per period; returns the limit.

    Raises KioskError("unknown_product", "bad_limit", "bad_limit_period").
    """
    product = Product.get_or_none(Product.id == product_id, Product.store == store)
    if product is None:
        raise KioskError("unknown_product")
    quantity = parse_limit(quantity)
    if period not in windows.PERIODS:
        raise KioskError("bad_limit_period")
    fields = {"quantity": quantity, "period": period, "per_member": bool(per_member),
              "updated_by": staff, "updated_at": utcnow()}
    with database.atomic():
        limit = ProductLimit.get_or_none(ProductLimit.product == product)
        if limit is None:
            limit = ProductLimit.create(product=product, **fields)
        else:
            ProductLimit.update(**fields).where(ProductLimit.id == limit.id).execute()
        audit.record("product_limit", store=store, staff=staff, product=product.id, quantity=quantity,
                     period=period, per_member=bool(per_member))
    return ProductLimit.get_by_id(limit.id)


def remove_limit(store, product_id, *, staff=None):
    """The product has no limit any more. Raises KioskError("unknown_product")."""
    product = Product.get_or_none(Product.id == product_id, Product.store == store)
    if product is None:
        raise KioskError("unknown_product")
    with database.atomic():
        removed = ProductLimit.delete().where(ProductLimit.product == product).execute()
        if removed:
            audit.record("product_limit_removed", store=store, staff=staff, product=product.id)


def store_limits(store, product_ids=None):
    """{product_id: ProductLimit} of the store's products (of ``product_ids`` when given)."""
    query = (
        ProductLimit.select(ProductLimit, Product)
        .join(Product)
        .where(Product.store == store)
    )
    if product_ids is not None:
        query = query.where(Product.id.in_(list(product_ids) or [0]))
    return {limit.product_id: limit for limit in query}


@dataclass(frozen=True)
class Allowance:
    """What an account may still redeem of one limited product in the current period."""

    product_id: int
    name: str
    unit: str
    period: str
    limit: int  # for this account: the limit, times the household's members when per member
    used: int  # redeemed in the period, less what was returned of it

    @property
    def left(self):
        return max(0, self.limit - self.used)

    def error(self, in_cart=0):
        """The refusal for wanting more than is left; it says how many more may be added to
        the ``in_cart`` quantity already in the cart."""
        return KioskError(f"limit_reached_{self.period}", name=self.name, limit=self.limit,
                          left=max(0, self.left - in_cart), unit=self.unit)


def members_of(account_id):
    """The people a limit per member counts for: the household's members for a household
    account, 1 for a personal account (it is one resident's) or one without a household."""
    p = database.param
    row = database.execute_sql(
        f'SELECT "household"."members", "account"."resident_id" FROM "account" '
        f'LEFT JOIN "household" ON "household"."id" = "account"."household_id" WHERE "account"."id" = {p}',
        [account_id],
    ).fetchone()
    if row is None or row[0] is None or row[1] is not None:
        return 1
    return max(1, int(row[0]))


def used_sql(count):
    """The statement :func:`used` runs for ``count`` products: (account, start, end, *products).

    From the account's sales in the period (index sale(account_id, created_at)) to their lines:
    CROSS JOIN makes SQLite take the tables in this order (PostgreSQL plans it as a plain join).
    Starting from the product's lines instead would read every sale of the product in the
    store's history, which grows without end.
    """
    p = database.param
    return (
        f'SELECT "sale_line"."product_id", SUM("sale_line"."quantity" - "sale_line"."refunded_quantity") '
        f'FROM "sale" CROSS JOIN "sale_line" '
        f'WHERE "sale"."account_id" = {p} AND "sale"."created_at" >= {p} AND "sale"."created_at" < {p} '
        f'AND "sale_line"."sale_id" = "sale"."id" '
        f'AND "sale_line"."product_id" IN ({", ".join([p] * count)}) '
        f'GROUP BY "sale_line"."product_id"'
    )


def used(account_id, product_ids, period, now, tz_name):
    """{product_id: quantity redeemed in the period holding ``now``, less what was returned}."""
    start, end = windows.utc_bounds(period, now, tz_name)
    rows = database.execute_sql(used_sql(len(product_ids)), [account_id, start, end, *product_ids]).fetchall()
    return {product_id: int(quantity or 0) for product_id, quantity in rows}


def allowances(account_id, limits, now=None, tz_name=windows.DEFAULT_TIMEZONE):
    """{product_id: Allowance} for ``limits`` — [(product_id, name, unit, quantity, period,
    per_member)] — of one account at ``now`` (naive UTC)."""
    now = now or utcnow()
    limits = list(limits)
    if not limits:
        return {}
    members = members_of(account_id) if any(per_member for *_, per_member in limits) else 1
    by_period = {}
    for product_id, _, _, _, period, _ in limits:
        by_period.setdefault(period, []).append(product_id)
    counted = {}
    for period, product_ids in by_period.items():
        counted.update(used(account_id, product_ids, period, now, tz_name))
    return {
        product_id: Allowance(product_id, name, unit, period, quantity * (members if per_member else 1),
                              counted.get(product_id, 0))
        for product_id, name, unit, quantity, period, per_member in limits
    }


def limit_rows(limits):
    """ProductLimit rows (with their products) as :func:`allowances` takes them."""
    return [(limit.product_id, limit.product.name, limit.product.unit, limit.quantity, limit.period, limit.per_member)
            for limit in limits]


def enforce(account_id, wanted, limits, now, tz_name):
    """Refuse a checkout that would take an account past a limit.

    ``wanted`` is {product_id: quantity}; ``limits`` the rows of the limited ones (see
    :func:`allowances`). Call it inside the checkout's transaction *after* the account's
    balance has been moved: that UPDATE locks the account row (PostgreSQL) or the whole
    database (SQLite's BEGIN IMMEDIATE), so a second kiosk selling to the same account waits
    and then counts this sale. Raises KioskError("limit_reached_<period>").
    """
    for product_id, allowance in allowances(account_id, limits, now, tz_name).items():
        if wanted[product_id] > allowance.left:
            raise allowance.error()
