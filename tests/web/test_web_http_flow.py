"""One redemption and its return over HTTP only, as the kiosk's pages send them (no browser):
sign in, scan the card's QR code and three goods' barcodes as the scanner does, check out, the
receipt queued as a print job and printed, then a manager returns one line. The web tests run
on SQLite and again on PostgreSQL (make test), so this is the district server's flow too.

Another store shares the database and has sold first: this store's receipts still count 1, 2…
"""
from kiosk.checkout.models import Refund, Sale
from kiosk.ledger.models import LedgerEntry
from kiosk.printing import service as printing
from kiosk.printing.models import PRINTED, PrintJob
from kiosk.reports.verify import verify
from kiosk.staff.models import CASHIER, MANAGER
from tests.conftest import PINS, Session
from tests.helpers import balance, body, second_store, stock

GOODS = ("食用油", "大米", "食盐")  # 100 + 50 + 20 points


def signed_in(app, staff, role):
    session = Session(app.test_client())
    assert session.client.get("/signin").status_code == 200
    response = session.sign_in(staff, PINS[role])
    assert response.status_code == 302, body(response)
    return session


def test_sign_in_scan_three_goods_check_out_print_and_return_one(app, world, printer, checkout_form, forms):
    other_sale = second_store()[-1]
    assert other_sale.receipt_no == "ABS0000001"

    till = signed_in(app, world.staff[CASHIER], CASHIER)
    assert "请扫描积分卡" in body(till.get("/cashier/"))
    page = till.post("/cashier/scan", {"code": world.payload("张建华")})  # the card's QR code
    assert page.status_code == 200 and "张*华" in body(page)
    for name in GOODS:
        page = till.post("/cashier/scan", {"code": world.products[name].barcode})
        assert page.status_code == 200, body(page)
    form = checkout_form(page)
    assert form.fields["total"] == "170"
    done = till.post("/cashier/checkout", {k: v for k, v in form.fields.items() if k != "csrf_token"})
    assert done.status_code == 200 and "兑换成功，扣除 170 积分" in body(done)

    sale = Sale.get(Sale.store == world.store)
    assert sale.receipt_no == "XYS0000001" and sale.receipt_no in body(done)
    assert balance(world, "张建华") == 330
    assert [stock(world, name) for name in GOODS] == [9, 19, 49]
    (job,) = printing.jobs_for("sale", sale.id)
    assert job.status == PRINTED and job.store_id == world.store.id
    assert printing.job_document(job).receipt_no == sale.receipt_no
    assert [receipt.receipt_no for receipt, _ in printer.jobs] == ["XYS0000001"]

    # A manager at another till finds the sale by its receipt number and returns the salt.
    desk = signed_in(app, world.staff[MANAGER], MANAGER)
    page = desk.get(f"/returns/?receipt={sale.receipt_no.lower()}")
    assert page.status_code == 200, body(page)
    form = next(f for f in forms(page) if f.action == f"/returns/{sale.id}")
    salt = next(line for line in sale.lines if line.name == "食盐")
    data = {k: v for k, v in form.fields.items() if k != "csrf_token"}
    data.update({name: "0" for name in data if name.startswith("qty_")}, **{f"qty_{salt.id}": "1"})
    returned = desk.post(form.action, data)
    assert returned.status_code == 200 and "退货完成，已退还 20 积分" in body(returned)

    refund = Refund.get(Refund.sale == sale)
    assert refund.receipt_no == "XYT0000001" and refund.receipt_no in body(returned)
    assert balance(world, "张建华") == 350
    assert [stock(world, name) for name in GOODS] == [9, 19, 50]
    assert [e.delta for e in LedgerEntry.select().where(LedgerEntry.account == world.accounts["张建华"].id)
            .order_by(LedgerEntry.id)] == [500, -170, 20]
    (job,) = printing.jobs_for("refund", refund.id)
    assert job.status == PRINTED and job.store_id == world.store.id
    assert printing.job_document(job).original_receipt_no == "XYS0000001"
    assert [receipt.receipt_no for receipt, _ in printer.jobs] == ["XYS0000001", "XYT0000001"]
    assert PrintJob.select().where(PrintJob.store == world.store).count() == 2
    assert verify() == []
