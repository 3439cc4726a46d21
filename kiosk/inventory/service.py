"""Stock movements. The only code that changes a product's quantity."""
from kiosk.db import database, insert_rows, utcnow
from kiosk.errors import KioskError
from kiosk.inventory.models import MOVEMENT_KINDS, Product, StockMovement


def move_many(deltas, kind, *, reference="", staff_id=None, note=""):
    """Apply ``deltas`` ({product_id: signed quantity}) as one UPDATE and append a movement
    for each; returns the movements.

    Must run inside the caller's transaction. A decrease is guarded in the same statement, so
    stock never goes below zero, however many kiosks sell at once.
    Raises KioskError("out_of_stock") (naming the first short product) or ("unknown_product").
    """
    if not database.in_transaction():
        raise RuntimeError("stock changes only inside a transaction")
    if kind not in MOVEMENT_KINDS:
        raise ValueError(f"unknown stock movement kind {kind!r}")
    for delta in deltas.values():
        if not isinstance(delta, int) or isinstance(delta, bool) or delta == 0:
            raise ValueError(f"a stock delta is a non-zero whole number, got {delta!r}")
    # One guarded UPDATE for every product: quantity + CASE id WHEN … THEN delta … END.
    p = database.param
    change = "CASE \"id\" " + " ".join([f"WHEN {p} THEN CAST({p} AS BIGINT)"] * len(deltas)) + " END"
    change_params = [value for pair in deltas.items() for value in pair]
    sql = f'UPDATE "product" SET "quantity" = "quantity" + {change} WHERE "id" IN ({", ".join([p] * len(deltas))})'
    params = change_params + list(deltas)
    if any(delta < 0 for delta in deltas.values()):
        sql += f' AND "quantity" + {change} >= 0'
        params += change_params
    after = dict(database.execute_sql(sql + ' RETURNING "id", "quantity"', params).fetchall())
    if len(after) != len(deltas):
        missing = [product_id for product_id in deltas if product_id not in after]
        product = Product.get_or_none(Product.id == missing[0])
        if product is None:
            raise KioskError("unknown_product")
        raise KioskError("out_of_stock", name=product.name, available=product.quantity)
    now = utcnow()
    rows = [
        {"product_id": product_id, "delta": delta, "kind": kind, "reference": reference, "staff_id": staff_id,
         "note": note, "quantity_after": after[product_id], "created_at": now}
        for product_id, delta in deltas.items()
    ]
    insert_rows(StockMovement, rows)
    return rows


def move(product_id, delta, kind, *, reference="", staff_id=None, note=""):
    """One product's stock movement (see :func:`move_many`); returns its quantity after."""
    return move_many({product_id: delta}, kind, reference=reference, staff_id=staff_id, note=note)[0]["quantity_after"]
