"""Stock-taking (盘点) while the store stays open.

A count covers one category, one shelf (the products' 货架), or every product.

**The expected quantity is taken per product at the moment it is counted**: the transaction
that records a count locks the product's row (a no-op UPDATE, which waits for any sale of it in
flight), reads its quantity and the id of its last stock movement (``movement_mark``). A sale
before the count is then already in the expected quantity, so it never shows as a shortage; a
sale after the count is a movement past the mark. Finalizing posts ``counted - expected`` as a
``stocktake`` movement, which moves the quantity as it is *then* (after those later sales) by
exactly the difference found on the shelf.

Two people counting one product: the last count wins and every count is kept
(StockTakeCount). A count is refused when the page that sent it showed an older state of the
line (someone counted it meanwhile): the person sees the other count and counts again if needed.

Every write takes the count's row first with a guarded UPDATE (``status = 'open'``), so a count
entered at the moment of finalizing is either in the finalized count or refused, and a second
finalize (a double tap, two managers) finds it finished and is refused.
"""
from peewee import JOIN, fn

from kiosk import audit
from kiosk.db import database, utcnow
from kiosk.errors import KioskError
from kiosk.inventory import service as inventory
from kiosk.inventory.models import STOCKTAKE, Product, StockMovement
from kiosk.inventory.products import shelves
from kiosk.staff.models import MANAGER, OPERATIONS, Staff
from kiosk.stocktake.models import CANCELLED, FINISHED, OPEN, StockTake, StockTakeCount, StockTakeLine
from kiosk.stores import numbering

MAX_COUNT = 999_999
STARTERS = (MANAGER, OPERATIONS)


def categories(store):
    """The product categories of ``store``, in shelf order."""
    query = (
        Product.select(Product.category, fn.MIN(Product.sort_order).alias("first"))
        .where(Product.store == store)
        .group_by(Product.category)
        .order_by(fn.MIN(Product.sort_order), Product.category)
    )
    return [category for category, _ in query.tuples()]


def _in_scope(store, category="", shelf=""):
    """Products a count of ``category`` or ``shelf`` (both '' = all) covers: those on sale, and
    any no longer on sale that still has stock on the books."""
    query = Product.select().where(Product.store == store, (Product.active == True) | (Product.quantity != 0))  # noqa: E712
    if category:
        query = query.where(Product.category == category)
    if shelf:
        query = query.where(Product.shelf == shelf)
    return query.order_by(Product.sort_order, Product.id)


def _overlaps(other, store, category, shelf):
    """Whether the open count ``other`` and a new one of ``category``/``shelf`` share goods."""
    if not (other.category or other.shelf) or not (category or shelf):
        return True  # one of them counts everything
    if (category and other.category == category) or (shelf and other.shelf == shelf):
        return True
    return (StockTakeLine.select().where(StockTakeLine.stocktake == other,
                                         StockTakeLine.product.in_(_in_scope(store, category, shelf).select(Product.id)))
            .exists())


def _lock_store(store):
    """Serialise the starting of counts in one store (two managers tapping at once)."""
    p = database.param
    database.execute_sql(f'UPDATE "store" SET "name" = "name" WHERE "id" = {p}', [store.id])


def _line_row(stocktake_id, product):
    return {
        "stocktake": stocktake_id, "product": product.id, "name": product.name, "category": product.category,
        "unit": product.unit, "sort_order": product.sort_order, "start_quantity": product.quantity,
    }


def blind_products(store, staff):
    """The ids of the products whose book quantity ``staff`` must not see: those of every open
    blind count of ``store``, for anyone but a manager (the counting people: cashiers and
    operations staff, on the cashier grid and the goods-in/out screens). Empty otherwise."""
    if store is None or staff is None or staff.role == MANAGER:
        return frozenset()
    rows = (StockTakeLine.select(StockTakeLine.product)
            .join(StockTake)
            .where(StockTake.store == store, StockTake.status == OPEN, StockTake.blind == True)  # noqa: E712
            .tuples())
    return frozenset(product_id for (product_id,) in rows)


def start(store, staff, *, category="", shelf="", blind=False):
    """Open a count of ``category`` or of ``shelf`` (neither: every product); returns it.

    Raises KioskError: "forbidden" (not a manager or operations), "unknown_category",
    "unknown_shelf", "stocktake_scope" (both a category and a shelf), "stocktake_overlap" (an
    open count already covers some of these products; ``number``), "stocktake_nothing" (no
    products to count).
    """
    if staff is None or staff.role not in STARTERS:
        raise KioskError("forbidden")
    category, shelf = (category or "").strip(), (shelf or "").strip().upper()
    if category and shelf:
        raise KioskError("stocktake_scope")
    if category and category not in categories(store):
        raise KioskError("unknown_category")
    if shelf and shelf not in shelves(store):
        raise KioskError("unknown_shelf")
    with database.atomic():
        _lock_store(store)
        for other in StockTake.select().where(StockTake.store == store, StockTake.status == OPEN):
            if _overlaps(other, store, category, shelf):
                other.store = store
                raise KioskError("stocktake_overlap", number=other.number)
        products = list(_in_scope(store, category, shelf))
        if not products:
            raise KioskError("stocktake_nothing")
        stocktake = StockTake.create(store=store, serial=numbering.next_number(store.id, numbering.STOCKTAKE),
                                     category=category, shelf=shelf, blind=bool(blind), started_by=staff)
        StockTakeLine.insert_many([_line_row(stocktake.id, product) for product in products]).execute()
        audit.record("stocktake_started", store=store, staff=staff, stocktake=stocktake.id, category=category,
                     shelf=shelf, blind=bool(blind), products=len(products))
    stocktake.store = store
    return stocktake


def get(store, stocktake_id):
    """The count ``stocktake_id`` of ``store``. Raises KioskError("unknown_stocktake")."""
    stocktake = StockTake.get_or_none(StockTake.id == stocktake_id, StockTake.store == store) if stocktake_id else None
    if stocktake is None:
        raise KioskError("unknown_stocktake")
    stocktake.store = store
    return stocktake


def in_progress(store):
    """The store's counts still open (the home screen's 盘点 tile counts them)."""
    return StockTake.select().where(StockTake.store == store, StockTake.status == OPEN)


def history(store, limit=100):
    """The counts of ``store``, the newest first."""
    query = StockTake.select().where(StockTake.store == store).order_by(StockTake.id.desc()).limit(limit)
    counts = list(query)
    for stocktake in counts:
        stocktake.store = store
    return counts


def lines(stocktake, line_id=None):
    """The lines of a count in shelf order (or only ``line_id``), with who counted them."""
    query = (
        StockTakeLine.select(StockTakeLine, Staff)
        .join(Staff, on=(StockTakeLine.counted_by == Staff.id), join_type=JOIN.LEFT_OUTER, attr="counter")
        .where(StockTakeLine.stocktake == stocktake)
        .order_by(StockTakeLine.sort_order, StockTakeLine.id)
    )
    if line_id is not None:
        query = query.where(StockTakeLine.id == line_id)
    return list(query)


def get_line(stocktake, line_id):
    """Raises KioskError("unknown_stocktake_line")."""
    line = StockTakeLine.get_or_none(StockTakeLine.id == line_id, StockTakeLine.stocktake == stocktake) if line_id else None
    if line is None:
        raise KioskError("unknown_stocktake_line")
    return line


def _refuse_closed(stocktake_id):
    status = StockTake.select(StockTake.status).where(StockTake.id == stocktake_id).scalar()
    if status == FINISHED:
        raise KioskError("stocktake_finished")
    if status == CANCELLED:
        raise KioskError("stocktake_cancelled")
    raise KioskError("unknown_stocktake")


def _take(stocktake_id, revision=None):
    """Take the open count's row for this transaction (raising its revision); refuses a count
    that is finished or cancelled, or, with ``revision``, one that changed since."""
    query = StockTake.update(revision=StockTake.revision + 1).where(StockTake.id == stocktake_id, StockTake.status == OPEN)
    if revision is not None:
        query = query.where(StockTake.revision == revision)
    if query.execute() != 1:
        if revision is not None and StockTake.select().where(StockTake.id == stocktake_id, StockTake.status == OPEN).exists():
            raise KioskError("stocktake_changed")
        _refuse_closed(stocktake_id)


def find_barcode(stocktake, code):
    """The line of the product with barcode ``code``. A product of the count's scope added
    after the count started gets a line now.

    Raises KioskError: "unknown_barcode", "not_in_stocktake" (``name``, ``scope``),
    "stocktake_finished", "stocktake_cancelled".
    """
    code = "".join(ch for ch in (code or "") if ch.isprintable()).strip()[:32]
    product = Product.get_or_none(Product.store == stocktake.store, Product.barcode == code) if code else None
    if product is None:
        raise KioskError("unknown_barcode")
    line = StockTakeLine.get_or_none(StockTakeLine.stocktake == stocktake, StockTakeLine.product == product)
    if line is not None:
        return line
    if not stocktake.covers(product):
        raise KioskError("not_in_stocktake", name=product.name, scope=stocktake.category or stocktake.shelf)
    with database.atomic():
        _take(stocktake.id)
        StockTakeLine.insert(_line_row(stocktake.id, Product.get_by_id(product.id))).execute()
    return StockTakeLine.get(StockTakeLine.stocktake == stocktake, StockTakeLine.product == product)


def parse_count(value):
    """A counted quantity from a form: a whole number from 0 to MAX_COUNT.

    Raises KioskError("bad_count").
    """
    text = str(value if value is not None else "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 7 or int(text) > MAX_COUNT:
        raise KioskError("bad_count", max=MAX_COUNT)
    return int(text)


def record_count(stocktake, line_id, quantity, staff, *, seen):
    """Record that ``staff`` counted ``quantity`` of the line's product; returns the line.

    ``seen`` is the line's ``counts`` as the page showed it. The expected quantity is the
    product's quantity at this moment. Sending the same count again (a double tap) changes
    nothing.
    Raises KioskError: "bad_count", "unknown_stocktake_line", "stocktake_finished",
    "stocktake_cancelled", "counted_meanwhile" (``name``, ``by``, ``quantity``).
    """
    quantity = parse_count(quantity)
    try:
        seen = int(seen)
    except (TypeError, ValueError):
        raise KioskError("stale_page") from None
    line = get_line(stocktake, line_id)
    if line.counts == seen + 1 and line.counted == quantity and line.counted_by_id == staff.id:
        return line  # the same tap arriving twice
    p = database.param
    with database.atomic():
        _take(stocktake.id)
        # Locks the product's row: a sale of it in flight commits first and is in the quantity.
        (book,) = database.execute_sql(
            f'UPDATE "product" SET "quantity" = "quantity" WHERE "id" = {p} RETURNING "quantity"', [line.product_id]
        ).fetchone()
        mark = StockMovement.select(fn.MAX(StockMovement.id)).where(StockMovement.product == line.product_id).scalar() or 0
        now = utcnow()
        updated = (
            StockTakeLine.update(counted=quantity, expected=book, movement_mark=mark, counted_by=staff, counted_at=now,
                                 counts=StockTakeLine.counts + 1)
            .where(StockTakeLine.id == line.id, StockTakeLine.counts == seen)
            .execute()
        )
        if updated != 1:
            current = StockTakeLine.get_by_id(line.id)
            by = Staff.get_by_id(current.counted_by_id).name if current.counted_by_id else ""
            raise KioskError("counted_meanwhile", name=current.name, by=by, quantity=current.counted)
        StockTakeCount.create(line=line.id, quantity=quantity, expected=book, movement_mark=mark, staff=staff,
                              created_at=now)
    return StockTakeLine.get_by_id(line.id)


def count_history(stocktake):
    """Every count entered in ``stocktake``, overwritten ones included, in the order entered."""
    return list(
        StockTakeCount.select(StockTakeCount, StockTakeLine, Staff)
        .join(StockTakeLine, on=(StockTakeCount.line == StockTakeLine.id))
        .switch(StockTakeCount)
        .join(Staff, on=(StockTakeCount.staff == Staff.id))
        .where(StockTakeLine.stocktake == stocktake)
        .order_by(StockTakeCount.id)
    )


def moved_since(line):
    """Stock movements of the line's product after it was counted (sales are negative)."""
    if line.counted is None:
        return 0
    return (
        StockMovement.select(fn.COALESCE(fn.SUM(StockMovement.delta), 0))
        .where(StockMovement.product == line.product_id, StockMovement.id > line.movement_mark)
        .scalar()
    )


class Variances:
    """The variance list (盘盈/盘亏) of a count: per line the count, the expected quantity, the
    difference and its points value; totals of surplus and shortage."""

    def __init__(self, stocktake):
        self.stocktake = stocktake
        self.lines = lines(stocktake)
        finished = stocktake.status == FINISHED
        prices = {} if finished else dict(
            Product.select(Product.id, Product.points)
            .where(Product.id.in_([line.product_id for line in self.lines]))
            .tuples()
        )
        self.rows = []
        for line in self.lines:
            price = line.points if finished and line.points is not None else prices.get(line.product_id, line.points or 0)
            variance = line.variance
            self.rows.append({
                "line": line, "points": price, "variance": variance,
                "value": None if variance is None else variance * price,
                "since": 0 if finished else moved_since(line),
            })
        self.counted = [row for row in self.rows if row["variance"] is not None]
        self.uncounted = [row for row in self.rows if row["variance"] is None]
        self.surplus = [row for row in self.counted if row["variance"] > 0]
        self.shortage = [row for row in self.counted if row["variance"] < 0]
        self.surplus_value = sum(row["value"] for row in self.surplus)
        self.shortage_value = sum(row["value"] for row in self.shortage)
        self.net_value = self.surplus_value + self.shortage_value


def finalize(stocktake, manager, *, revision):
    """Finish the count as of ``revision`` (what the manager saw) and post a ``stocktake``
    movement of ``counted - expected`` for every counted product that differs. Uncounted
    products are left as they are. Returns the count.

    Raises KioskError: "not_a_manager_stocktake", "stale_page", "stocktake_finished",
    "stocktake_cancelled", "stocktake_changed" (counts came in after the list was shown),
    "stocktake_recount" (``name``: more left the shelf after counting than was counted; count
    it again).
    """
    if manager is None or manager.role != MANAGER:
        raise KioskError("not_a_manager_stocktake")
    try:
        revision = int(revision)
    except (TypeError, ValueError):
        raise KioskError("stale_page") from None
    try:
        with database.atomic():
            _take(stocktake.id, revision)
            StockTake.update(status=FINISHED, finished_by=manager, finished_at=utcnow()).where(
                StockTake.id == stocktake.id).execute()
            counted = list(StockTakeLine.select().where(StockTakeLine.stocktake == stocktake,
                                                        StockTakeLine.counted.is_null(False)))
            prices = dict(Product.select(Product.id, Product.points)
                          .where(Product.id.in_([line.product_id for line in counted])).tuples())
            deltas = {}
            for line in counted:
                delta = line.counted - line.expected
                StockTakeLine.update(points=prices[line.product_id], adjustment=delta).where(
                    StockTakeLine.id == line.id).execute()
                if delta:
                    deltas[line.product_id] = delta
            if deltas:
                inventory.move_many(deltas, STOCKTAKE, reference=f"stocktake:{stocktake.id}", staff_id=manager.id,
                                    note=stocktake.number)
            audit.record("stocktake_finished", store=stocktake.store, staff=manager, stocktake=stocktake.id,
                         adjusted=len(deltas), uncounted=StockTakeLine.select().where(
                             StockTakeLine.stocktake == stocktake, StockTakeLine.counted.is_null()).count())
    except KioskError as exc:
        if exc.code == "out_of_stock":
            raise KioskError("stocktake_recount", name=exc.params.get("name", "")) from None
        raise
    return get(stocktake.store, stocktake.id)


def cancel(stocktake, manager):
    """Cancel an open count: nothing is posted, its counts stay on record.

    Raises KioskError: "not_a_manager_stocktake", "stocktake_finished", "stocktake_cancelled".
    """
    if manager is None or manager.role != MANAGER:
        raise KioskError("not_a_manager_stocktake")
    with database.atomic():
        _take(stocktake.id)
        StockTake.update(status=CANCELLED, finished_by=manager, finished_at=utcnow()).where(
            StockTake.id == stocktake.id).execute()
        audit.record("stocktake_cancelled", store=stocktake.store, staff=manager, stocktake=stocktake.id)
    return get(stocktake.store, stocktake.id)
