import peewee

from kiosk.db import BaseModel, utcnow
from kiosk.ledger.models import AppendOnlyModel
from kiosk.staff.models import Staff
from kiosk.stores.models import Store

GOODS, VOUCHER = "goods", "voucher"
# Kinds of stock movement; a product's quantity is the sum of its movements.
SALE, RETURN, STOCK_IN, WRITE_OFF, STOCKTAKE = "sale", "return", "stock_in", "write_off", "stocktake"
MOVEMENT_KINDS = (SALE, RETURN, STOCK_IN, WRITE_OFF, STOCKTAKE)


class Product(BaseModel):
    """Goods or a service voucher (服务券), priced in whole points.

    ``quantity`` caches the sum of the product's stock movements and changes only in the
    transaction that appends the movement (kiosk.inventory.service.move).
    """

    store = peewee.ForeignKeyField(Store, backref="products", on_delete="RESTRICT")
    name = peewee.CharField(max_length=100)
    category = peewee.CharField(max_length=30)
    unit = peewee.CharField(max_length=10, default="件")
    points = peewee.IntegerField(constraints=[peewee.Check("points > 0")])
    kind = peewee.CharField(max_length=10, default=GOODS, choices=[(GOODS, GOODS), (VOUCHER, VOUCHER)])
    barcode = peewee.CharField(max_length=32, null=True)
    active = peewee.BooleanField(default=True)
    quantity = peewee.BigIntegerField(default=0, constraints=[peewee.Check("quantity >= 0")])
    sort_order = peewee.IntegerField(default=0)
    # The photo's file name under the instance folder's product-photos/ ("" for none), and the
    # quantity at or below which the product counts as running low (0: never).
    photo = peewee.CharField(max_length=80, default="")
    low_stock = peewee.IntegerField(default=0, constraints=[peewee.Check("low_stock >= 0")])
    # Where it stands in the store (货架, e.g. "A2"; "" for nowhere in particular): counts by shelf.
    shelf = peewee.CharField(max_length=20, default="")

    class Meta:
        indexes = ((("store", "barcode"), True),)

    @classmethod
    def on_sale(cls, store):
        return (
            cls.select()
            .where(cls.store == store, cls.active == True)  # noqa: E712
            .order_by(cls.sort_order, cls.id)
        )


class StockMovement(AppendOnlyModel):
    """One signed change to a product's stock, with the quantity it left."""

    product = peewee.ForeignKeyField(Product, backref="movements", on_delete="RESTRICT")
    delta = peewee.BigIntegerField()
    kind = peewee.CharField(max_length=10, choices=[(k, k) for k in MOVEMENT_KINDS])
    reference = peewee.CharField(max_length=40, default="", index=True)
    staff = peewee.ForeignKeyField(Staff, null=True, on_delete="RESTRICT")
    note = peewee.CharField(max_length=200, default="")
    quantity_after = peewee.BigIntegerField()
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        # A store's movements of a period (its products' movements between two times), for the
        # reports (m0022).
        indexes = ((("product", "created_at"), False),)


class PriceChange(AppendOnlyModel):
    """A product's points price changed from ``old_points`` to ``new_points``, by whom and when.

    Past sales keep the price they were sold at (SaleLine.points); this is the shelf's history.
    """

    product = peewee.ForeignKeyField(Product, backref="price_changes", on_delete="RESTRICT")
    old_points = peewee.IntegerField()
    new_points = peewee.IntegerField()
    staff = peewee.ForeignKeyField(Staff, null=True, on_delete="RESTRICT")
    created_at = peewee.DateTimeField(default=utcnow)


class ProductCategory(BaseModel):
    """A goods category (商品类别) of a store, in the order the goods grid shows them.

    Products name their category by text (Product.category); this list gives the order and
    the choices of the product form. A category with goods cannot be retired.
    """

    store = peewee.ForeignKeyField(Store, backref="+", on_delete="RESTRICT")
    name = peewee.CharField(max_length=30)
    position = peewee.IntegerField(default=0)
    active = peewee.BooleanField(default=True)
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "product_category"
        indexes = ((("store", "name"), True),)
