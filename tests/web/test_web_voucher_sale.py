"""The cashier redeems vouchers: the receipt and one slip per voucher print; the receipts screen
previews each slip (its QR code reads back as the voucher's payload) and reprints it marked
重印 with the same number. A slip scanned where a card is expected is named for what it is."""
import io

import zxingcpp
from PIL import Image

from kiosk.printing import service as printing
from kiosk.printing.models import PrintJob
from kiosk.vouchers.codes import parse_voucher_payload, voucher_payload
from kiosk.vouchers.models import Voucher
from tests.helpers import body
from tests.voucher_world import give_terms


def redeem(cashier, world, checkout_form):
    give_terms(world)
    cashier.post("/cashier/scan", {"code": world.payload("张建华")})
    cashier.post("/cashier/cart/add", {"product_id": str(world.products["水果券"].id)})
    cashier.post("/cashier/cart/add", {"product_id": str(world.products["水果券"].id)})
    form = checkout_form(cashier.post("/cashier/cart/add", {"product_id": str(world.products["物业费抵扣券"].id)}))
    response = cashier.post("/cashier/checkout", {k: v for k, v in form.fields.items() if k != "csrf_token"})
    assert response.status_code == 200, body(response)
    assert "服务券 3 张随小票打印，请撕开后分别交给居民。" in body(response)


def test_the_receipt_then_three_slips_print_and_each_preview_reads_back(cashier, world, printer, checkout_form):
    redeem(cashier, world, checkout_form)
    printed = list(printer.jobs)
    assert len(printed) == 4
    assert [d.serial for d, _ in printed[1:]] == ["0000000001", "0000000002", "0000000003"]
    assert "时令水果 1 份".encode("gb18030") in printed[1][1] and "幸福里物业".encode("gb18030") in printed[3][1]
    slips = list(PrintJob.select().where(PrintJob.kind == "voucher").order_by(PrintJob.id))
    page = body(cashier.get("/receipts/"))
    assert all(f"/receipts/{job.id}.png" in page for job in slips) and "重印服务券" in page
    response = cashier.get(f"/receipts/{slips[2].id}.png")
    image = Image.open(io.BytesIO(response.data))
    (text,) = [code.text for code in zxingcpp.read_barcodes(image)]
    assert parse_voucher_payload(text, "XY", world.card_key, allow_number=False) == 3


def test_a_slip_reprinted_from_the_receipts_screen_says_so_with_the_same_number(cashier, world, printer,
                                                                                 checkout_form):
    redeem(cashier, world, checkout_form)
    first = PrintJob.select().where(PrintJob.kind == "voucher").order_by(PrintJob.id).first()
    cashier.post(f"/receipts/{first.id}/reprint", htmx=False)
    document, data = printer.jobs[-1]
    assert document.reprint and document.serial == "0000000001"
    assert "服务券 【重印】".encode("gb18030") in data
    assert document.payload == printing.job_document(first).payload


def test_a_voucher_slip_scanned_as_a_card_is_refused_and_changes_nothing(cashier, world):
    give_terms(world)
    payload = voucher_payload("XY", 1, world.card_key)
    response = cashier.post("/cashier/scan", {"code": payload})
    assert response.status_code == 422
    assert "这是服务券，不是居民卡" in body(response)
    assert cashier.register().get("card_id") is None
    assert Voucher.select().count() == 0
