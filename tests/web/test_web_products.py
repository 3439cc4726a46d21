"""The product screen: who may use it, the list, creating and editing goods with a photo,
refusals that change nothing, the price history, and shelf labels on A4 and on the printer."""
import io
import os
from urllib.parse import quote

import pytest
import zxingcpp
from PIL import Image

from kiosk.audit import AuditEvent
from kiosk.inventory import products
from kiosk.inventory.models import PriceChange, Product
from kiosk.printing.models import PrintJob
from kiosk.staff.models import CASHIER, MANAGER, OPERATIONS, SERVICE
from tests.conftest import signed_in
from tests.helpers import body, pdf_page_images

NEW = {"name": "花生油", "category": "粮油", "unit": "瓶", "points": "80", "barcode": "6901234567892",
       "kind": "goods", "active": "1", "low_stock": "3", "sort_order": "0"}


def photo_bytes(fmt="PNG", size=(900, 700)):
    out = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(out, fmt)
    return out.getvalue()


def photo_files(app):
    folder = os.path.join(app.instance_path, products.PHOTO_DIR)
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def post_form(session, url, values, photo=None, filename="oil.png"):
    """Post the product form as the page does: an edit carries the version of the product the
    form was filled in from (as shown now, unless the test sends another)."""
    data = dict(values, csrf_token=session.token())
    product_id = url.rsplit("/", 1)[1]
    if product_id.isdigit() and "version" not in data:
        product = Product.get_or_none(Product.id == int(product_id))
        data["version"] = products.version(product) if product else ""
    if photo is not None:
        data["photo"] = (io.BytesIO(photo), filename)
    return session.client.post(url, data=data, content_type="multipart/form-data")


def goods():
    return {p.id: (p.name, p.points, p.barcode, p.photo, p.active) for p in Product.select()}


@pytest.mark.parametrize("role, status", [(MANAGER, 200), (OPERATIONS, 200), (CASHIER, 403), (SERVICE, 403)])
def test_only_the_manager_and_operations_staff_manage_goods(client, world, role, status):
    session = signed_in(client, world, role)
    assert session.get("/products/").status_code == status
    assert session.get("/products/new").status_code == status
    response = post_form(session, "/products/new", NEW)
    assert response.status_code == (403 if status == 403 else 303)
    assert Product.select().where(Product.name == "花生油").exists() == (status == 200)
    nav = body(session.get("/", follow_redirects=True))
    assert ('href="/products/"' in nav) == (status == 200)


def test_without_signing_in_the_screen_and_the_photos_ask_for_a_pin(client, world):
    assert client.get("/products/").status_code == 302
    assert client.get("/products/photos/1-abc.jpg").status_code == 302


def test_the_list_searches_by_name_or_barcode_and_filters_by_category(manager, world):
    page = body(manager.get("/products/"))
    assert "<html" in page and 'data-product="食用油"' in page and f'href="/products/?category={quote("调味")}"' in page
    fragment = body(manager.get("/products/?q=油", htmx=True))
    assert "<html" not in fragment and 'id="product-list"' in fragment
    assert 'data-product="食用油"' in fragment and 'data-product="酱油"' in fragment and 'data-product="大米"' not in fragment
    scanned = body(manager.get("/products/?q=" + world.products["大米"].barcode, htmx=True))
    assert 'data-product="大米"' in scanned and 'data-product="食用油"' not in scanned
    seasoning = body(manager.get("/products/?category=调味"))
    assert 'data-product="食盐"' in seasoning and 'data-product="食用油"' not in seasoning
    assert "没有找到商品" in body(manager.get("/products/?q=没有这个"))


def test_a_product_created_with_a_photo_is_on_the_cashier_grid_with_it(client, app, world, operations):
    response = post_form(operations, "/products/new", NEW, photo=photo_bytes())
    assert response.status_code == 303
    product = Product.get(Product.name == "花生油")
    assert (product.points, product.barcode, product.unit, product.low_stock, product.photo != "") == (
        80, "6901234567892", "瓶", 3, True)
    assert photo_files(app) == [product.photo]
    assert not os.path.exists(os.path.join(os.path.dirname(__file__), "..", "..", products.PHOTO_DIR))
    page = body(operations.get(response.headers["Location"]))
    assert "已保存：花生油" in page and f"/products/photos/{product.photo}" in page
    served = operations.get(f"/products/photos/{product.photo}")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert Image.open(io.BytesIO(served.data)).size == (600, 467)
    served.close()  # a file response keeps its file open until closed
    assert AuditEvent.select().where(AuditEvent.action == "product_create").count() == 1

    cashier = signed_in(client, world, CASHIER)
    grid = body(cashier.get("/cashier/"))
    assert 'data-product="花生油"' in grid and f'class="tile-photo" src="/products/photos/{product.photo}"' in grid
    served = cashier.get(f"/products/photos/{product.photo}")
    assert served.status_code == 200
    served.close()


@pytest.mark.parametrize("name", ["../kiosk.db", "..%2Fkiosk.db", "secret.key", "nothing-here.jpg"])
def test_only_stored_photos_are_served(manager, name):
    assert manager.get(f"/products/photos/{name}").status_code == 404


@pytest.mark.parametrize("changes, text", [
    ({"name": ""}, "请填写商品名称"),
    ({"points": "0"}, "积分价格须为 1 到 100000 之间的整数"),
    ({"points": "1000000000000"}, "积分价格须为"),
    ({"points": "五十"}, "积分价格须为"),
    ({"points": "-3"}, "积分价格须为"),
    ({"barcode": "6901234000017"}, "此条码已被商品“食用油”使用"),
    ({"barcode": "69012\x07340001"}, "这不是有效的条码"),
    ({"low_stock": "many"}, "库存预警数量须为"),
    ({"shelf": "A" * 21}, "货架太长，最多 20 个字。"),
])
def test_bad_input_is_refused_with_a_message_and_nothing_changes(app, manager, world, changes, text):
    before = goods()
    response = post_form(manager, "/products/new", dict(NEW, **changes), photo=photo_bytes())
    assert response.status_code == 422
    page = body(response)
    assert text in page
    # The form keeps what was typed, so one mistake does not mean typing everything again.
    assert 'value="粮油"' in page
    assert goods() == before and photo_files(app) == []
    assert AuditEvent.select().where(AuditEvent.action.startswith("product")).count() == 0


@pytest.mark.parametrize("data, filename", [
    (b"MZ\x90\x00 this is a program", "photo.jpg"),
    (b"%PDF-1.4 not a picture", "photo.png"),
    (photo_bytes("GIF"), "photo.gif"),
])
def test_a_file_that_is_not_a_photo_is_refused(app, manager, world, data, filename):
    oil = world.products["食用油"]
    before = goods()
    response = post_form(manager, f"/products/{oil.id}", dict(NEW, name="食用油", barcode=oil.barcode, points="130"),
                         photo=data, filename=filename)
    assert response.status_code == 422 and "照片须为 JPEG、PNG 或 WebP 格式的图片" in body(response)
    assert goods() == before and photo_files(app) == [] and PriceChange.select().count() == 0


def test_a_huge_upload_is_refused_before_it_is_read(app, manager, world):
    before = goods()
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart

    # The body is built here, as bytes: werkzeug's test client would spool a file this big to a
    # temporary file that only a view reading the upload closes, and this one must not read it.
    values = dict(NEW, csrf_token=manager.token(),
                  photo=FileStorage(io.BytesIO(b"\xff\xd8" + b"\x00" * (products.MAX_PHOTO_BYTES + 100)), "huge.jpg"))
    boundary, data = encode_multipart(values)
    response = manager.client.post("/products/new", data=data, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 413 and "照片太大：最大 8 MB" in body(response)
    assert goods() == before and photo_files(app) == []


def test_a_price_change_is_shown_with_who_and_when_and_sales_keep_their_price(client, manager, world):
    oil = world.products["食用油"]
    values = dict(NEW, name="食用油", category="粮油", barcode=oil.barcode, points="120")
    assert post_form(manager, f"/products/{oil.id}", values).status_code == 303
    operations = signed_in(client, world, OPERATIONS)
    assert post_form(operations, f"/products/{oil.id}", dict(values, points="110")).status_code == 303
    page = body(operations.get(f"/products/{oil.id}"))
    assert "价格变动记录" in page
    rows = page.split('class="table price-history"')[1]
    assert rows.index("李运营") < rows.index("王店长")  # newest first
    assert [(c.old_points, c.new_points) for c in PriceChange.select().order_by(PriceChange.id)] == [(100, 120), (120, 110)]
    assert Product.get_by_id(oil.id).points == 110


def test_editing_keeps_the_barcode_and_can_take_it_off_sale(manager, world):
    rice = world.products["大米"]
    values = dict(NEW, name="大米", barcode=rice.barcode, points="50")
    values.pop("active")
    assert post_form(manager, f"/products/{rice.id}", values).status_code == 303
    rice = Product.get_by_id(rice.id)
    assert (rice.barcode, rice.active, rice.points) == (world.products["大米"].barcode, False, 50)
    assert PriceChange.select().count() == 0


def test_the_shelf_is_kept_in_capitals_and_offered_again_on_the_next_product(manager, world):
    rice = world.products["大米"]
    values = dict(NEW, name="大米", barcode=rice.barcode, points="50", shelf=" a2 ")
    assert post_form(manager, f"/products/{rice.id}", values).status_code == 303
    assert Product.get_by_id(rice.id).shelf == "A2"
    form = body(manager.get("/products/new"))
    assert 'name="shelf"' in form and '<option value="A2">' in form


def test_an_unknown_product_is_not_found(manager):
    assert manager.get("/products/999999").status_code == 404
    assert post_form(manager, "/products/999999", NEW).status_code == 404


def test_a4_shelf_labels_carry_barcodes_a_scanner_reads(manager, world):
    oil, rice, voucher = world.products["食用油"], world.products["大米"], world.products["水果券"]
    ean = Product.get_by_id(rice.id)
    ean.barcode = "6901234567892"  # a real EAN-13 code (check digit right)
    ean.save()
    response = manager.post("/products/labels.pdf", {"product_id": [str(oil.id), str(rice.id), str(voucher.id)], "copies": "2"},
                            htmx=False)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    # Vector bars now (the sheet was a picture): PDFium renders the page, zxing-cpp reads it.
    (page,) = pdf_page_images(response.data, dpi=300)
    found = sorted((r.text, r.format.name) for r in zxingcpp.read_barcodes(page))
    # 6901234000017 has a wrong EAN check digit, so it is printed as Code 128 and read back exactly.
    assert found == [("6901234000017", "Code128")] * 2 + [("6901234567892", "EAN13")] * 2
    assert AuditEvent.select().where(AuditEvent.action == "labels_pdf").count() == 1


@pytest.mark.parametrize("data, text", [
    ({}, "请至少勾选一个要打印价签的商品"),
    ({"product_id": "999999"}, "请至少勾选一个要打印价签的商品"),
    ({"product_id": "1", "copies": "0"}, "份数须为整数"),
    ({"product_id": "1", "copies": "500"}, "份数须为整数"),
    ({"product_id": "1", "copies": "abc"}, "份数须为整数"),
])
def test_labels_without_a_product_or_with_bad_copies_are_refused(manager, world, data, text):
    for url in ("/products/labels.pdf", "/products/labels/print"):
        response = manager.post(url, data, htmx=False)
        assert response.status_code == 422 and text in body(response)
    assert PrintJob.select().count() == 0


def test_shelf_labels_go_through_the_print_queue_to_the_receipt_printer(manager, world, printer):
    oil, salt = world.products["食用油"], world.products["食盐"]
    response = manager.post("/products/labels/print", {"product_id": [str(oil.id), str(salt.id)]}, htmx=False)
    assert response.status_code == 303
    (job,) = PrintJob.select()
    assert (job.kind, job.status, job.document_kind, job.document_id) == ("labels", "printed", "", None)
    document, data = printer.jobs[-1]
    assert [label.name for label in document.labels] == ["食用油", "食盐"]
    assert "食用油".encode("gb18030") in data and "100分/件".encode("gb18030") in data
    # GS k, Code 128 (73), 15 bytes: code set B and the 13 characters (odd, so not code set C).
    assert b"\x1dhP\x1dw\x02\x1df\x00\x1dH\x02\x1dkI\x0f{B6901234000017" in data
    assert "已将 2 张价签发送到小票打印机" in body(manager.get(response.headers["Location"]))
    # The receipts screen shows the label job like any other, and draws it.
    assert manager.get("/receipts/").status_code == 200
    assert manager.get(f"/receipts/{job.id}.png").mimetype == "image/png"


def test_the_cashier_finds_goods_by_a_store_code_with_letters(client, manager, world):
    oil = world.products["食用油"]
    values = dict(NEW, name="食用油", barcode="xy-0001", points="100")
    assert post_form(manager, f"/products/{oil.id}", values).status_code == 303
    cashier = signed_in(client, world, CASHIER)
    cashier.post("/cashier/scan", {"code": world.payload("张建华")})
    cashier.post("/cashier/scan", {"code": "XY-0001"})
    assert dict(cashier.register()["items"]) == {str(oil.id): 1} or cashier.register()["items"] == [[oil.id, 1]]


def test_a_cart_on_screen_when_the_manager_changes_a_price_is_not_charged_the_new_price(
        cashier, world, checkout_form, books):
    """The cashier's screen shows 食用油 at 100; the manager sets 150 on another screen; the
    cashier taps 确认兑换: refused with a message, nothing charged, and the screen shows the new price."""
    oil = world.products["食用油"]
    cashier.post("/cashier/scan", {"code": world.payload("张建华")})
    form = checkout_form(cashier.post("/cashier/cart/add", {"product_id": str(oil.id)}))
    assert form.fields["total"] == "100"
    products.save(world.store, products.parse(dict(NEW, name="食用油", barcode=oil.barcode, points="150")),
                  staff=world.staff[MANAGER], product_id=oil.id, photo_dir="/nonexistent")
    before = books()
    response = cashier.post("/cashier/checkout", {k: v for k, v in form.fields.items() if k != "csrf_token"})
    assert response.status_code == 422
    html = body(response)
    assert "商品积分已变动，请核对购物车。" in html and checkout_form(html).fields["total"] == "150"
    assert books() == before


def test_an_edit_form_filled_in_before_someone_else_saved_is_refused(client, manager, world):
    """Two staff open 食用油; one sets the price to 120; the other, still looking at 100, renames
    it: refused, the new price stays, and the form now shows the product as it is."""
    oil = world.products["食用油"]
    page = body(manager.get(f"/products/{oil.id}"))
    seen = page.split('name="version" value="')[1].split('"')[0]
    operations = signed_in(client, world, OPERATIONS)
    assert post_form(operations, f"/products/{oil.id}", dict(NEW, name="食用油", barcode=oil.barcode, points="120")).status_code == 303
    manager = signed_in(client, world, MANAGER)
    before = goods()
    response = post_form(manager, f"/products/{oil.id}", dict(NEW, name="金龙鱼食用油", barcode=oil.barcode, points="100",
                                                            version=seen))
    assert response.status_code == 409
    html = body(response)
    assert "页面已过期，请核对后重试。" in html and 'name="points" value="120"' in html
    assert goods() == before and PriceChange.select().count() == 1
    # Without a version (not sent by the page) nothing is saved either.
    response = post_form(manager, f"/products/{oil.id}", dict(NEW, name="金龙鱼食用油", barcode=oil.barcode, version=""))
    assert response.status_code == 409 and goods() == before


def test_a_scanned_package_opens_its_product_or_offers_to_add_it(manager, world):
    rice = world.products["大米"]
    response = manager.get("/products/?q=" + rice.barcode)  # the scanner submits the search
    assert response.status_code == 302 and response.headers["Location"] == f"/products/{rice.id}"
    unknown = body(manager.get("/products/?q=6920000000013"))
    assert "没有找到商品" in unknown and 'href="/products/new?barcode=6920000000013"' in unknown
    form = body(manager.get("/products/new?barcode=6920000000013"))
    assert 'name="barcode" value="6920000000013"' in form
    assert 'name="barcode" value=""' in body(manager.get("/products/new?barcode=%1B%5B31m"))
    assert "/products/new?barcode" not in body(manager.get("/products/?q=没有这个"))
