"""Products (商品) and vouchers (服务券): creating and editing them, their photos and their
price history. Plain functions that own their transactions; no Flask here.

A form arrives as strings; :func:`parse` turns it into clean values or raises KioskError with
the first problem, so a refused form changes nothing.
"""
import hashlib
import io
import os
import re
import secrets
from dataclasses import dataclass

import peewee
from PIL import Image, ImageOps, UnidentifiedImageError

from kiosk import audit
from kiosk.cards.service import is_card_payload
from kiosk.db import database
from kiosk.errors import KioskError
from kiosk.inventory import categories as categories_list
from kiosk.inventory.models import GOODS, VOUCHER, PriceChange, Product, ProductCategory

MAX_POINTS = 100_000  # a product worth more than this many points is a typing mistake
MAX_LOW_STOCK = 100_000
MAX_SORT_ORDER = 9_999
MAX_PHOTO_BYTES = 8 * 1024 * 1024  # a phone photo is 2-6 MB
# A phone's photo is 12 megapixels (4000 × 3000), its largest mode 24; nothing a product photo
# needs is bigger. Checked from the header, before decoding: a 7000 × 7000 picture took 7 s.
MAX_PHOTO_PIXELS = 25_000_000
PHOTO_SIZE = 600  # the stored photo fits in this many pixels square
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP"}
PHOTO_DIR = "product-photos"
# What a scanner can type: printable ASCII without spaces (EAN/UPC digits, Code 128 letters).
BARCODE = re.compile(r"[\x21-\x7e]{4,32}")
# What goods barcodes hold (EAN/UPC digits, Code 128 and Code 39 letters, digits and a few signs),
# starting with a letter or a digit: never = + - @, which a spreadsheet would run as a formula
# in the restock list.
SCANNABLE = re.compile(r"[0-9A-Z][0-9A-Z._/+-]{3,31}")
FIELD_LIMITS = {"name": 100, "category": 30, "unit": 10, "shelf": 20}
# How messages name a field where the form's name means something else elsewhere ("unit" is a
# building's unit in the registry).
MESSAGE_FIELDS = {"name": "product_name", "unit": "product_unit"}


@dataclass
class ProductForm:
    name: str
    category: str
    unit: str
    points: int
    barcode: str | None
    kind: str
    active: bool
    low_stock: int
    sort_order: int
    shelf: str = ""


def _text(values, field, *, required=True):
    raw = values.get(field) or ""
    text = " ".join("".join(ch for ch in raw if ch.isprintable()).split())
    named = MESSAGE_FIELDS.get(field, field)
    if required and not text:
        raise KioskError("missing_field", field=named)
    if len(text) > FIELD_LIMITS[field]:
        raise KioskError("too_long", field=named, max=FIELD_LIMITS[field])
    return text


def _whole(raw, low, high, code, **params):
    raw = (raw or "").strip()
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 7):
        raise KioskError(code, low=low, high=high, **params)
    value = int(raw)
    if not low <= value <= high:
        raise KioskError(code, low=low, high=high, **params)
    return value


def parse_barcode(raw):
    """A barcode as stored (upper case, as the cashier's scan field reads it), or None for an
    empty field. Raises KioskError("bad_barcode"), ("barcode_is_card") or
    ("barcode_not_scannable": signs no goods barcode has, or a first sign that is not a letter or
    digit)."""
    raw = raw or ""
    if any(not ch.isprintable() for ch in raw):
        raise KioskError("bad_barcode")
    code = raw.strip().upper()
    if not code:
        return None
    if not BARCODE.fullmatch(code):
        raise KioskError("bad_barcode")
    if is_card_payload(code):
        raise KioskError("barcode_is_card")
    if not SCANNABLE.fullmatch(code):
        raise KioskError("barcode_not_scannable")
    return code


def parse(values):
    """A ProductForm from form ``values`` (a mapping of strings). Raises KioskError."""
    name = _text(values, "name")
    category = _text(values, "category")
    unit = _text(values, "unit", required=False) or "件"
    points = _whole(values.get("points"), 1, MAX_POINTS, "bad_points")
    barcode = parse_barcode(values.get("barcode"))
    kind = values.get("kind") or GOODS
    if kind not in (GOODS, VOUCHER):
        raise KioskError("bad_kind")
    low_stock = _whole(values.get("low_stock") or "0", 0, MAX_LOW_STOCK, "bad_number", field="low_stock")
    sort_order = _whole(values.get("sort_order") or "0", 0, MAX_SORT_ORDER, "bad_number", field="sort_order")
    active = values.get("active") in ("1", "on", "true", True)
    shelf = _text(values, "shelf", required=False).upper()
    return ProductForm(name, category, unit, points, barcode, kind, active, low_stock, sort_order, shelf)


def prepare_photo(data):
    """The uploaded bytes as a JPEG fitted into PHOTO_SIZE × PHOTO_SIZE, upright.

    The JPEG is encoded afresh from the pixels alone: no comment, EXIF (a phone's GPS position),
    XMP or ICC profile of the upload is kept. Raises KioskError("photo_too_big"),
    ("photo_too_many_pixels") or ("photo_not_image") for anything but a real JPEG, PNG or WebP
    picture.
    """
    if len(data) > MAX_PHOTO_BYTES:
        raise KioskError("photo_too_big", max=MAX_PHOTO_BYTES // (1024 * 1024))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in PHOTO_FORMATS:
                raise KioskError("photo_not_image")
            if probe.width * probe.height > MAX_PHOTO_PIXELS:
                raise KioskError("photo_too_many_pixels", megapixels=MAX_PHOTO_PIXELS // 1_000_000)
            probe.verify()  # reads the whole file: a truncated or forged one fails here
        with Image.open(io.BytesIO(data)) as image:
            # A JPEG is decoded straight at a fraction of its size (1/2 … 1/8), at least twice
            # the stored size: a 12-megapixel photo costs a tenth of the time.
            image.draft("RGB", (2 * PHOTO_SIZE, 2 * PHOTO_SIZE))
            image.load()
            image = ImageOps.exif_transpose(image)
            image.thumbnail((PHOTO_SIZE, PHOTO_SIZE))
            if image.mode not in ("RGB", "L"):
                canvas = Image.new("RGB", image.size, "white")  # transparency onto white
                rgba = image.convert("RGBA")
                canvas.paste(rgba, mask=rgba.getchannel("A"))
                image = canvas
            bare = image.convert("RGB")
            bare.info.clear()  # else Pillow writes the upload's comment (and more) again
            out = io.BytesIO()
            bare.save(out, "JPEG", quality=85, optimize=True)
    except KioskError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise KioskError("photo_not_image") from None
    return out.getvalue()


def photo_path(photo_dir, name):
    return os.path.join(photo_dir, os.path.basename(name))


def _save_photo(photo_dir, product_id, jpeg):
    os.makedirs(photo_dir, exist_ok=True)
    name = f"{product_id}-{secrets.token_hex(6)}.jpg"
    path = photo_path(photo_dir, name)
    with open(path + ".tmp", "wb") as out:
        out.write(jpeg)
    os.replace(path + ".tmp", path)
    return name


def _remove_photo(photo_dir, name):
    if name:
        try:
            os.remove(photo_path(photo_dir, name))
        except FileNotFoundError:
            pass


def _check_barcode_free(store, barcode, product_id=None):
    if barcode is None:
        return
    query = Product.select().where(Product.store == store, Product.barcode == barcode)
    if product_id is not None:
        query = query.where(Product.id != product_id)
    other = query.first()
    if other is not None:
        raise KioskError("duplicate_barcode", name=other.name)


FIELDS = ("name", "category", "unit", "points", "barcode", "kind", "active", "low_stock", "sort_order", "shelf")


def version(product):
    """A short fingerprint of what an edit form shows; a form saved with an older one was
    filled in before someone else changed the product."""
    shown = repr([getattr(product, field) for field in FIELDS] + [product.photo])
    return hashlib.sha256(shown.encode()).hexdigest()[:16]


def save(store, form, *, staff, product_id=None, photo=None, photo_dir, remove_photo=False, seen=None, also=None):
    """Create (``product_id`` None) or update a product from a parsed ``form``; returns it.

    ``photo`` is the uploaded bytes (checked with :func:`prepare_photo` before anything is
    written). A new price is recorded as a PriceChange; every save is an audit event.
    ``seen`` is the :func:`version` the edit form was filled in from: when the product changed
    since, nothing is saved. ``also(product)``, when given, runs in the same transaction once
    the product is saved (a voucher's terms). Raises KioskError("unknown_product"), ("stale_page"),
    ("duplicate_barcode"), ("photo_not_image"), ("photo_too_big").
    """
    jpeg = prepare_photo(photo) if photo else None
    new_photo = None
    try:
        with database.atomic():
            if product_id is None:
                product, before = Product(store=store, photo=""), None
            else:
                product = Product.get_or_none(Product.id == product_id, Product.store == store)
                if product is None:
                    raise KioskError("unknown_product")
                if seen is not None and seen != version(product):
                    raise KioskError("stale_page")
                before = {field: getattr(product, field) for field in FIELDS}
            _check_barcode_free(store, form.barcode, product_id)
            for field in FIELDS:
                setattr(product, field, getattr(form, field))
            product.save()
            if also is not None:
                also(product)
            # A category typed in for the first time goes on the store's list (at its end).
            categories_list.ensure(store, product.category, staff=staff)
            old_photo = product.photo
            if jpeg is not None:
                new_photo = _save_photo(photo_dir, product.id, jpeg)
                product.photo = new_photo
            elif remove_photo:
                product.photo = ""
            if product.photo != old_photo:
                product.save(only=[Product.photo])
            _record(store, staff, product, before, old_photo)
    except peewee.IntegrityError:
        # Another kiosk gave the barcode to a product between the check and the save.
        _remove_photo(photo_dir, new_photo)
        other = Product.get_or_none(Product.store == store, Product.barcode == form.barcode)
        raise KioskError("duplicate_barcode", name=other.name if other else form.barcode) from None
    except BaseException:
        _remove_photo(photo_dir, new_photo)
        raise
    if product.photo != old_photo:
        _remove_photo(photo_dir, old_photo)
    return product


def _record(store, staff, product, before, old_photo):
    staff_id = getattr(staff, "id", staff)
    if before is None:
        audit.record("product_create", store=store, staff=staff_id, product=product.id, name=product.name,
                     points=product.points, barcode=product.barcode, kind=product.kind)
        return
    changed = {field: [before[field], getattr(product, field)] for field in FIELDS if before[field] != getattr(product, field)}
    if product.photo != old_photo:
        changed["photo"] = [bool(old_photo), bool(product.photo)]
    if before["points"] != product.points:
        PriceChange.create(product=product, old_points=before["points"], new_points=product.points, staff=staff_id)
        audit.record("product_price", store=store, staff=staff_id, product=product.id, name=product.name,
                     old=before["points"], new=product.points)
    if changed:
        audit.record("product_edit", store=store, staff=staff_id, product=product.id, name=product.name, changed=changed)


def price_history(product):
    return (PriceChange.select(PriceChange, PriceChange.staff)
            .where(PriceChange.product == product)
            .order_by(PriceChange.id.desc()))


def search(store, query="", category="", limit=500):
    """The store's products (active or not) matching a name or barcode fragment and a category."""
    products = Product.select().where(Product.store == store)
    query = (query or "").strip()
    if query:
        products = products.where(Product.name.contains(query) | (Product.barcode == query.upper()))
    if category:
        products = products.where(Product.category == category)
    # By the store's category list (categories not on it last, by name), then shelf order.
    listed = ProductCategory.alias()
    products = products.join(listed, peewee.JOIN.LEFT_OUTER,
                             on=(listed.store == Product.store) & (listed.name == Product.category))
    return products.order_by(peewee.fn.COALESCE(listed.position, MAX_SORT_ORDER * 1000), Product.category,
                             Product.sort_order, Product.id).limit(limit)


def categories(store):
    """The categories the store's products use, in the order of the store's category list."""
    used = [row.category for row in Product.select(Product.category).where(Product.store == store)
            .group_by(Product.category).order_by(Product.category)]
    return categories_list.sort_names(store, used)


def category_choices(store):
    """What the product form offers: the store's active categories in order, then any other
    category the products use."""
    names = categories_list.active_names(store)
    return names + [name for name in categories(store) if name not in names]


def shelves(store):
    """The shelves the store's products stand on, in order (A1, A2, … B1)."""
    return [row.shelf for row in Product.select(Product.shelf).where(Product.store == store, Product.shelf != "")
            .group_by(Product.shelf).order_by(Product.shelf)]
