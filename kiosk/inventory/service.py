"""Stock movements. The only code that changes a product's quantity."""
from kiosk.db import database
from kiosk.errors import KioskError
from kiosk.inventory.models import MOVEMENT_KINDS, Product, StockMovement


def move(product_id, delta, kind, *, reference="", staff_id=None, note=""):
    """Append a stock movement and move the cached quantity with it; returns the movement.

    Must run inside the caller's transaction. A decrease is guarded by a conditional UPDATE
    so stock never goes below zero. Raises KioskError("out_of_stock") when it would.
    """
    if not database.in_transaction():
        raise RuntimeError("inventory.move must run inside a transaction")
    if not isinstance(delta, int) or isinstance(delta, bool) or delta == 0:
        raise ValueError(f"a stock delta is a non-zero whole number, got {delta!r}")
    if kind not in MOVEMENT_KINDS:
        raise ValueError(f"unknown stock movement kind {kind!r}")
    query = Product.update(quantity=Product.quantity + delta).where(Product.id == product_id)
    if delta < 0:
        query = query.where(Product.quantity >= -delta)
    if query.execute() != 1:
        product = Product.get_or_none(Product.id == product_id)
        if product is None:
            raise KioskError("unknown_product")
        raise KioskError("out_of_stock", name=product.name, available=product.quantity)
    quantity_after = Product.select(Product.quantity).where(Product.id == product_id).scalar()
    return StockMovement.create(
        product=product_id, delta=delta, kind=kind, reference=reference,
        staff=staff_id, note=note, quantity_after=quantity_after,
    )
