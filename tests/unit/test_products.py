"""Products: the form's checks, saving, photos, the price history and what a price change
does (and does not do) to sales."""
import io
import os

import peewee
import pytest
from PIL import Image

from kiosk import audit
from kiosk.checkout import service as checkout
from kiosk.checkout.models import Sale, SaleLine
from kiosk.errors import KioskError
from kiosk.inventory import products
from kiosk.inventory.models import PriceChange, Product
from kiosk.ledger.models import AppendOnlyError
from kiosk.staff.models import CASHIER, MANAGER, OPERATIONS

GOOD = {"name": "花生油", "category": "粮油", "unit": "瓶", "points": "80", "barcode": "6901234567892",
        "kind": "goods", "active": "1", "low_stock": "5", "sort_order": "3"}


def picture(fmt="JPEG", size=(1600, 1200), mode="RGB"):
    out = io.BytesIO()
    Image.new(mode, size, (200, 60, 30) if mode == "RGB" else None).save(out, fmt)
    return out.getvalue()


@pytest.fixture
def photos(tmp_path):
    """The photo folder (created by the first photo saved)."""
    return tmp_path / "photos"


def stored(folder):
    return sorted(os.listdir(folder)) if folder.exists() else []


def form(**changes):
    return products.parse(dict(GOOD, **changes))


def refused(values):
    with pytest.raises(KioskError) as caught:
        products.parse(dict(GOOD, **values))
    return caught.value.code


def events(action):
    return list(audit.AuditEvent.select().where(audit.AuditEvent.action == action))


def test_a_new_product_is_saved_with_every_field_and_audited(world, photos):
    product = products.save(world.store, form(), staff=world.staff[OPERATIONS], photo_dir=str(photos))
    saved = Product.get_by_id(product.id)
    assert (saved.name, saved.category, saved.unit, saved.points, saved.barcode, saved.kind, saved.active,
            saved.low_stock, saved.sort_order, saved.quantity, saved.photo) == (
        "花生油", "粮油", "瓶", 80, "6901234567892", "goods", True, 5, 3, 0, "")
    (event,) = events("product_create")
    assert event.staff_id == world.staff[OPERATIONS].id and '"花生油"' in event.detail
    assert PriceChange.select().count() == 0  # the first price is not a change


@pytest.mark.parametrize("values, code", [
    ({"name": "  "}, "missing_field"),
    ({"name": "油" * 101}, "too_long"),
    ({"category": ""}, "missing_field"),
    ({"points": "0"}, "bad_points"),
    ({"points": "-5"}, "bad_points"),
    ({"points": "1000000000000"}, "bad_points"),
    ({"points": str(products.MAX_POINTS + 1)}, "bad_points"),
    ({"points": "abc"}, "bad_points"),
    ({"points": "1.5"}, "bad_points"),
    ({"points": "１００"}, "bad_points"),  # full-width digits from a Chinese input method
    ({"points": ""}, "bad_points"),
    ({"barcode": "6901\x1b234567"}, "bad_barcode"),  # an ESC from a misconfigured scanner
    ({"barcode": "6901234\t567"}, "bad_barcode"),
    ({"barcode": "6901 2345"}, "bad_barcode"),
    ({"barcode": "条码123456"}, "bad_barcode"),
    ({"barcode": "123"}, "bad_barcode"),
    ({"barcode": "X" * 33}, "bad_barcode"),
    ({"barcode": "PKC:XY:10000001:abcdef"}, "barcode_is_card"),
    ({"kind": "gift"}, "bad_kind"),
    ({"low_stock": "-1"}, "bad_number"),
    ({"sort_order": "99999"}, "bad_number"),
])
def test_bad_input_is_refused(world, values, code):
    if code == "barcode_is_card":
        from kiosk.cards.service import PREFIX
        values = {"barcode": f"{PREFIX}:XY:1"}
    assert refused(values) == code


def test_a_barcode_is_kept_as_the_scanner_reads_it_and_may_be_empty(world):
    assert form(barcode="  xy-0001 ").barcode == "XY-0001"
    assert form(barcode="").barcode is None
    assert form(unit="").unit == "件"
    assert form(active="").active is False


def test_a_barcode_of_another_product_is_refused_and_nothing_changes(world, photos):
    oil = world.products["食用油"]
    with pytest.raises(KioskError) as caught:
        products.save(world.store, form(barcode=oil.barcode), staff=world.staff[MANAGER], photo=picture(),
                      photo_dir=str(photos))
    assert (caught.value.code, caught.value.params["name"]) == ("duplicate_barcode", "食用油")
    assert Product.select().count() == len(world.products)
    assert not stored(photos) and not events("product_create")


def test_the_unique_index_is_the_last_word_on_a_duplicate_barcode(world, photos, monkeypatch):
    """Two staff saving the same barcode at once: the check passes for both, the index refuses
    the second, and the refusal is a message, not a crash; the photo written is removed."""
    monkeypatch.setattr(products, "_check_barcode_free", lambda *args, **kwargs: None)
    rice = world.products["大米"]
    with pytest.raises(KioskError) as caught:
        products.save(world.store, form(barcode=world.products["食用油"].barcode), staff=world.staff[MANAGER],
                      product_id=rice.id, photo=picture(), photo_dir=str(photos))
    assert (caught.value.code, caught.value.params["name"]) == ("duplicate_barcode", "食用油")
    assert Product.get_by_id(rice.id).barcode == rice.barcode and Product.get_by_id(rice.id).points == 50
    assert not stored(photos) and not PriceChange.select().count()


def test_the_same_barcode_may_be_kept_when_editing_and_other_stores_are_separate(world, photos):
    from kiosk.stores.models import Store

    oil = world.products["食用油"]
    products.save(world.store, form(name="食用油", barcode=oil.barcode), staff=world.staff[MANAGER], product_id=oil.id,
                  photo_dir=str(photos))
    other = Store.create(name="另一个超市", code="ZZ")
    products.save(other, form(barcode=oil.barcode), staff=None, photo_dir=str(photos))
    assert Product.select().where(Product.barcode == oil.barcode).count() == 2


def test_a_price_change_is_recorded_with_who_and_when_and_audited(world, photos):
    oil = world.products["食用油"]
    products.save(world.store, form(name="食用油", points="120", barcode=oil.barcode), staff=world.staff[MANAGER],
                  product_id=oil.id, photo_dir=str(photos))
    products.save(world.store, form(name="食用油", points="120", barcode=oil.barcode, unit="桶"),
                  staff=world.staff[OPERATIONS], product_id=oil.id, photo_dir=str(photos))
    products.save(world.store, form(name="食用油", points="90", barcode=oil.barcode), staff=world.staff[OPERATIONS],
                  product_id=oil.id, photo_dir=str(photos))
    history = [(c.old_points, c.new_points, c.staff.name) for c in products.price_history(oil)]
    assert history == [(120, 90, "李运营"), (100, 120, "王店长")]
    assert all(c.created_at is not None for c in PriceChange.select())
    assert [e.detail.count('"old": 100') for e in events("product_price")][:1] == [1]
    assert len(events("product_price")) == 2 and len(events("product_edit")) == 3
    with pytest.raises(AppendOnlyError):
        PriceChange.update(new_points=1).execute()
    with pytest.raises(AppendOnlyError):
        PriceChange.get().delete_instance()


def test_an_unknown_product_is_refused(world, photos):
    with pytest.raises(KioskError) as caught:
        products.save(world.store, form(), staff=None, product_id=999999, photo_dir=str(photos))
    assert caught.value.code == "unknown_product"


def test_a_past_sale_keeps_the_price_it_was_sold_at(world, photos):
    oil = world.products["食用油"]
    result = checkout.checkout(world.store, world.cards["张建华"].id, [(oil.id, 2)], world.staff[CASHIER].id,
                               "past-sale-key-0000001", expected_total=200)
    products.save(world.store, form(name="食用油", points="150", barcode=oil.barcode), staff=world.staff[MANAGER],
                  product_id=oil.id, photo_dir=str(photos))
    line = SaleLine.get(SaleLine.sale == result.sale.id)
    assert (line.points, line.total, Sale.get_by_id(result.sale.id).total) == (100, 200, 200)
    # The same checkout retried (a double tap) is still the sale at the old price.
    again = checkout.checkout(world.store, world.cards["张建华"].id, [(oil.id, 2)], world.staff[CASHIER].id,
                              "past-sale-key-0000001", expected_total=200)
    assert (again.created, again.sale.total) == (False, 200)


def test_a_cart_priced_before_a_price_change_is_refused_at_checkout(world, photos):
    """The cashier saw 100 a bottle; the price became 150 meanwhile: the checkout says prices
    changed instead of charging what the cashier did not see."""
    from kiosk.ledger.models import Account, LedgerEntry

    oil = world.products["食用油"]
    account = world.accounts["张建华"]
    shown = checkout.price_cart(world.store, account, [(oil.id, 1)]).total
    products.save(world.store, form(name="食用油", points="150", barcode=oil.barcode), staff=world.staff[MANAGER],
                  product_id=oil.id, photo_dir=str(photos))
    entries = LedgerEntry.select().count()
    with pytest.raises(KioskError) as caught:
        checkout.checkout(world.store, world.cards["张建华"].id, [(oil.id, 1)], world.staff[CASHIER].id,
                          "cart-in-progress-0001", expected_total=shown)
    assert caught.value.code == "price_changed"
    assert Account.get_by_id(account.id).balance == 500 and Product.get_by_id(oil.id).quantity == 10
    assert LedgerEntry.select().count() == entries and Sale.select().count() == 0


@pytest.mark.parametrize("fmt, mode", [("JPEG", "RGB"), ("PNG", "RGBA"), ("WEBP", "RGB")])
def test_a_photo_is_checked_resized_and_stored_in_the_photo_folder(world, photos, fmt, mode):
    product = products.save(world.store, form(), staff=None, photo=picture(fmt, (1600, 1200), mode),
                            photo_dir=str(photos))
    assert product.photo and stored(photos) == [product.photo]
    with Image.open(photos / product.photo) as kept:
        assert kept.format == "JPEG" and max(kept.size) == products.PHOTO_SIZE and kept.size[0] > kept.size[1]


@pytest.mark.parametrize("data", [
    b"this is not a picture",
    b"\x89PNG\r\n\x1a\n" + b"\x00" * 200,  # a PNG header and nothing else
    picture("GIF", (50, 50), "RGB"),  # a real picture of a kind we do not take
    picture("JPEG")[:400],  # a photo cut off half-way
    b"<svg xmlns='http://www.w3.org/2000/svg'></svg>",
])
def test_anything_but_a_real_jpeg_png_or_webp_is_refused(world, photos, data):
    with pytest.raises(KioskError) as caught:
        products.save(world.store, form(), staff=None, photo=data, photo_dir=str(photos))
    assert caught.value.code == "photo_not_image"
    assert Product.select().count() == len(world.products) and not stored(photos)


def test_a_huge_photo_is_refused_before_it_is_decoded(world, photos, monkeypatch):
    with pytest.raises(KioskError) as caught:
        products.prepare_photo(b"\xff" * (products.MAX_PHOTO_BYTES + 1))
    assert caught.value.code == "photo_too_big"
    monkeypatch.setattr(products, "MAX_PHOTO_PIXELS", 1000)  # a small file that decodes into a huge image
    with pytest.raises(KioskError) as caught:
        products.prepare_photo(picture("PNG", (100, 100)))
    assert caught.value.code == "photo_too_many_pixels"


def test_a_new_photo_replaces_the_old_file_and_a_photo_can_be_removed(world, photos):
    product = products.save(world.store, form(), staff=None, photo=picture(), photo_dir=str(photos))
    first = product.photo
    product = products.save(world.store, form(), staff=None, product_id=product.id, photo=picture("PNG"),
                            photo_dir=str(photos))
    assert product.photo != first and stored(photos) == [product.photo]
    product = products.save(world.store, form(), staff=None, product_id=product.id, remove_photo=True,
                            photo_dir=str(photos))
    assert Product.get_by_id(product.id).photo == "" and stored(photos) == []


def test_search_by_name_or_scanned_barcode_and_category(world):
    store = world.store
    assert {p.name for p in products.search(store, "油")} == {"食用油", "酱油"}
    assert [p.name for p in products.search(store, world.products["大米"].barcode)] == ["大米"]
    assert {p.name for p in products.search(store, category="调味")} == {"食盐", "酱油"}
    assert "服务券" in products.categories(store)


def test_the_database_refuses_a_second_product_with_the_same_barcode(world):
    with pytest.raises(peewee.IntegrityError):
        Product.create(store=world.store, name="假油", category="粮油", points=1, barcode=world.products["食用油"].barcode)
