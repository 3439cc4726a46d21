"""The store's list of goods categories (商品类别): adding, renaming, ordering and retiring them.

Products keep their category as text (Product.category); this list orders the goods grid and
offers the product form its choices. Renaming a category renames its products' text in the
same transaction; the lines of past stock-takes keep the text they were counted under.
Plain functions that own their transactions; no Flask here.
"""
from dataclasses import dataclass

import peewee

from kiosk import audit
from kiosk.db import database
from kiosk.errors import KioskError
from kiosk.inventory.models import Product, ProductCategory

MAX_NAME = 30
UP, DOWN = "up", "down"


@dataclass
class Entry:
    """A category as the screen lists it: ``category`` is None for a text some products use
    that is not on the list yet (goods made before the list, or by another way in)."""

    name: str
    category: ProductCategory | None
    goods: int
    on_sale: int

    @property
    def active(self):
        return self.category is None or self.category.active


def clean_name(raw):
    """A category name as stored: printable, single spaces. Raises KioskError("missing_field",
    "too_long")."""
    text = " ".join("".join(ch for ch in (raw or "") if ch.isprintable()).split())
    if not text:
        raise KioskError("missing_field", field="category")
    if len(text) > MAX_NAME:
        raise KioskError("too_long", field="category", max=MAX_NAME)
    return text


def _ordered(store):
    return (ProductCategory.select()
            .where(ProductCategory.store == store)
            .order_by(ProductCategory.position, ProductCategory.id))


def active_names(store):
    """The names of the store's active categories, in order (the product form's choices)."""
    return [c.name for c in _ordered(store).where(ProductCategory.active == True)]  # noqa: E712


def order_of(store):
    """{name: rank} of the store's categories (one small query), for sorting goods by category."""
    return {name: rank for rank, (name,) in enumerate(_ordered(store).select(ProductCategory.name).tuples())}


def sort_names(store, names):
    """``names`` (category texts) in the list's order; texts not on the list last, as given."""
    rank = order_of(store)
    return sorted(names, key=lambda name: rank.get(name, len(rank)))  # stable: the rest keep their order


def sort_grouped(store, grouped):
    """A {category: [products]} dict reordered to the list's order (one query)."""
    return {name: grouped[name] for name in sort_names(store, grouped)}


def entries(store):
    """Every category of the list with its goods counts, then the texts products use that are
    not on the list."""
    counts = {name: (total, on_sale) for name, total, on_sale in (
        Product.select(Product.category, peewee.fn.COUNT(Product.id),
                       peewee.fn.SUM(peewee.Case(None, [(Product.active == True, 1)], 0)))  # noqa: E712
        .where(Product.store == store)
        .group_by(Product.category)
        .tuples())}
    listed = list(_ordered(store))
    result = [Entry(c.name, c, *counts.get(c.name, (0, 0))) for c in listed]
    names = {c.name for c in listed}
    strays = [name for name in products_order(store) if name not in names]
    result += [Entry(name, None, *counts[name]) for name in strays]
    return result


def products_order(store):
    """The category texts the store's products use, in the order of each one's first product."""
    seen = []
    query = Product.select(Product.category).where(Product.store == store).order_by(Product.sort_order, Product.id)
    for (name,) in query.tuples():
        if name not in seen:
            seen.append(name)
    return seen


def _get(store, category_id):
    category = ProductCategory.get_or_none(ProductCategory.id == category_id, ProductCategory.store == store)
    if category is None:
        raise KioskError("unknown_goods_category")
    return category


def _next_position(store):
    return (ProductCategory.select(peewee.fn.COALESCE(peewee.fn.MAX(ProductCategory.position), 0))
            .where(ProductCategory.store == store).scalar()) + 1


def add(store, name, *, staff=None):
    """Add a category at the end of the list; a retired one of that name comes back (at the
    end). Returns it. Raises KioskError("missing_field", "too_long", "duplicate_category")."""
    name = clean_name(name)
    try:
        with database.atomic():
            existing = ProductCategory.get_or_none(ProductCategory.store == store, ProductCategory.name == name)
            if existing is not None and existing.active:
                raise KioskError("duplicate_category", name=name)
            position = _next_position(store)
            if existing is not None:
                ProductCategory.update(active=True, position=position).where(ProductCategory.id == existing.id).execute()
                category = ProductCategory.get_by_id(existing.id)
            else:
                category = ProductCategory.create(store=store, name=name, position=position)
            audit.record("category_added", store=store, staff=staff, name=name)
    except peewee.IntegrityError:  # added by another screen at the same moment
        raise KioskError("duplicate_category", name=name) from None
    return category


def ensure(store, name, *, staff=None):
    """The category a product was saved with, on the list: added at the end when new, brought
    back when retired. Runs in the caller's transaction (the product's save)."""
    existing = ProductCategory.get_or_none(ProductCategory.store == store, ProductCategory.name == name)
    if existing is not None and existing.active:
        return existing
    position = _next_position(store)
    if existing is not None:
        ProductCategory.update(active=True, position=position).where(ProductCategory.id == existing.id).execute()
    else:
        ProductCategory.create(store=store, name=name, position=position)
    audit.record("category_added", store=store, staff=staff, name=name, by="product")
    return ProductCategory.get(ProductCategory.store == store, ProductCategory.name == name)


def rename(store, category_id, new_name, *, staff=None):
    """Rename a category and every product of the store in it, in one transaction. Past
    stock-takes keep the old text; a count still open for the category must be finished
    first. Returns the category. Raises KioskError("unknown_goods_category", "missing_field",
    "too_long", "duplicate_category", "category_unchanged", "category_in_stocktake")."""
    from kiosk.stocktake.models import OPEN, StockTake

    new_name = clean_name(new_name)
    try:
        with database.atomic():
            category = _get(store, category_id)
            old_name = category.name
            if new_name == old_name:
                raise KioskError("category_unchanged")
            if ProductCategory.select().where(ProductCategory.store == store, ProductCategory.name == new_name).exists():
                raise KioskError("duplicate_category", name=new_name)
            if StockTake.select().where(StockTake.store == store, StockTake.status == OPEN,
                                        StockTake.category == old_name).exists():
                raise KioskError("category_in_stocktake", name=old_name)
            ProductCategory.update(name=new_name).where(ProductCategory.id == category.id).execute()
            moved = (Product.update(category=new_name)
                     .where(Product.store == store, Product.category == old_name)
                     .execute())
            audit.record("category_renamed", store=store, staff=staff, old=old_name, new=new_name, goods=moved)
    except peewee.IntegrityError:
        raise KioskError("duplicate_category", name=new_name) from None
    return ProductCategory.get_by_id(category.id)


def move(store, category_id, direction, *, staff=None):
    """Move a category one place up or down the list (a category at the end stays). Returns
    the list in its new order. Raises KioskError("unknown_goods_category", "stale_page")."""
    if direction not in (UP, DOWN):
        raise KioskError("stale_page")
    with database.atomic():
        category = _get(store, category_id)
        listed = list(_ordered(store))
        at = [c.id for c in listed].index(category.id)
        other = at - 1 if direction == UP else at + 1
        if 0 <= other < len(listed):
            listed[at], listed[other] = listed[other], listed[at]
            for position, row in enumerate(listed, start=1):
                if row.position != position:
                    ProductCategory.update(position=position).where(ProductCategory.id == row.id).execute()
            audit.record("category_moved", store=store, staff=staff, name=category.name, direction=direction)
    return list(_ordered(store))


def retire(store, category_id, *, staff=None):
    """Take a category off the list. Refused while any product (on sale or not) is in it.
    Returns it. Raises KioskError("unknown_goods_category", "category_has_goods",
    "category_retired")."""
    with database.atomic():
        category = _get(store, category_id)
        if not category.active:
            raise KioskError("category_retired", name=category.name)
        goods = Product.select().where(Product.store == store, Product.category == category.name).count()
        if goods:
            raise KioskError("category_has_goods", name=category.name, count=goods)
        ProductCategory.update(active=False).where(ProductCategory.id == category.id).execute()
        audit.record("category_retired", store=store, staff=staff, name=category.name)
    return ProductCategory.get_by_id(category.id)
