"""The screens each role opens, grouped by task (收银, 库存, 积分, 管理).

The header's links and the home screen's tiles are both drawn from GROUPS, so the two always
name the same screens in the same words. The home tiles also say what waits for a person there
(pending_work): records to review, objections, receipts not printed, a count in progress,
batches near expiry.
"""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from kiosk.staff.models import CASHIER, MANAGER, OPERATIONS, SERVICE

# A role with this many screens or fewer sees them all as links; a role with more sees a menu
# for each task whose screens it has two or more of (the header keeps to one row).
FLAT_UP_TO = 4


@dataclass(frozen=True)
class Screen:
    endpoint: str
    name: object  # a lazy string
    roles: tuple
    paths: tuple  # request paths (prefixes) on which this is the current screen
    exact: tuple = ()  # request paths that are this screen only when equal


@dataclass(frozen=True)
class Group:
    key: str
    name: object
    screens: tuple


GROUPS = (
    Group("till", _l("Till"), (
        Screen("cashier.page", _l("Redeem goods"), (CASHIER, MANAGER), ("/cashier",)),
        Screen("returns.page", _l("Returns"), (CASHIER, MANAGER), ("/returns",)),
        Screen("printing.page", _l("Receipts"), (CASHIER, MANAGER), ("/receipts",)),
        Screen("dayclose.page", _l("Shift and day close"), (CASHIER, MANAGER), ("/close",)),
    )),
    Group("stock", _l("Stock"), (
        Screen("goods.goods_in", _l("Goods in"), (CASHIER, OPERATIONS, MANAGER), ("/stock/in",)),
        Screen("goods.goods_out", _l("Goods out / write-off"), (CASHIER, OPERATIONS, MANAGER), ("/stock/out",)),
        Screen("stocktake.index", _l("Stock-take"), (CASHIER, OPERATIONS, MANAGER), ("/stocktake",)),
        Screen("products.page", _l("Goods"), (OPERATIONS, MANAGER), ("/products",)),
    )),
    Group("points", _l("Points"), (
        Screen("registry.page", _l("Cards and households"), (OPERATIONS, MANAGER), ("/registry",)),
        Screen("earning.page", _l("Record service"), (OPERATIONS, MANAGER), ("/earning/people",), exact=("/earning/",)),
        Screen("earning.review", _l("Review service"), (SERVICE, MANAGER), ("/earning/review", "/earning/records")),
        Screen("volunteer_import.page", _l("Volunteer import"), (OPERATIONS, SERVICE, MANAGER), ("/earning/import",)),
        Screen("notice.page", _l("Public notice"), (SERVICE, MANAGER), ("/notice",)),
    )),
    Group("admin", _l("Admin"), (
        Screen("reports.page", _l("Reports"), (SERVICE, MANAGER), ("/reports",)),
        Screen("settings.page", _l("Store settings"), (MANAGER,), ("/settings",)),
    )),
)


def screens_for(role):
    """The endpoints ``role`` opens, in the order of GROUPS."""
    return [screen.endpoint for group in GROUPS for screen in group.screens if role in screen.roles]


def is_current(screen, path):
    return path in screen.exact or any(path == p or path.startswith(p + "/") for p in screen.paths)


@dataclass(frozen=True)
class Entry:
    """One task group as a role sees it: its screens, whether it is a menu, and whether the
    current page is one of its screens."""
    key: str
    name: str
    screens: tuple  # (Screen, current) pairs
    menu: bool

    @property
    def current(self):
        return any(current for _screen, current in self.screens)


def header_for(role, path):
    """The header's task groups for ``role`` on the page at ``path`` (a list of Entry)."""
    groups = []
    for group in GROUPS:
        mine = tuple((screen, is_current(screen, path)) for screen in group.screens if role in screen.roles)
        if mine:
            groups.append((group, mine))
    flat = sum(len(mine) for _group, mine in groups) <= FLAT_UP_TO
    return [Entry(group.key, str(group.name), mine, menu=not flat and len(mine) > 1) for group, mine in groups]


def pending_work(store, role, today, near_expiry=None):
    """{endpoint: [(count, words)]}: what waits for a person on each of ``role``'s screens,
    only what is there (a count of 0 is left out). ``near_expiry`` is the home screen's list of
    batches near expiry when it has it already."""
    from kiosk.earning import service as earning
    from kiosk.earning.models import DISPUTED, ServiceRecord
    from kiosk.goods import service as goods
    from kiosk.printing import service as printing
    from kiosk.stocktake import service as stocktake
    from kiosk.volunteer import service as volunteer

    mine = set(screens_for(role))
    work = {}

    def add(endpoint, count, words):
        if endpoint in mine and count:
            work.setdefault(endpoint, []).append((count, words))

    if "earning.review" in mine:
        add("earning.review", earning.pending(store).count(), _l("waiting for review"))
        add("earning.review", earning.in_objection_period(store).where(ServiceRecord.status == DISPUTED).count(),
            _l("objections"))
    if "printing.page" in mine:
        add("printing.page", printing.unprinted(store).count(), _l("not printed"))
    if "stocktake.index" in mine:
        add("stocktake.index", stocktake.in_progress(store).count(), _l("count in progress"))
    if "goods.goods_out" in mine:
        batches = near_expiry if near_expiry is not None else goods.near_expiry(store, today)
        add("goods.goods_out", len(batches), _l("near expiry"))
    if "volunteer_import.page" in mine:
        add("volunteer_import.page", volunteer.waiting_count(store), _l("waiting to confirm"))
    return {endpoint: [(count, str(words)) for count, words in items] for endpoint, items in work.items()}
