"""Each voucher's slip goes through the print queue after the receipt: its QR code holds the
voucher's signed payload; a reprint says 重印 and keeps the number."""
import pytest

from devices import PAPER_80, Receipt, VirtualPrinter, VoucherSlip
from devices.paper import render_paper
from kiosk.printing import service as printing
from kiosk.printing.models import PrintJob
from kiosk.vouchers import service
from kiosk.vouchers.codes import parse_voucher_payload
from kiosk.vouchers.models import Voucher
from tests.helpers import decode_qr
from tests.voucher_world import give_terms, sell


@pytest.fixture
def sold(world):
    give_terms(world)
    return sell(world, [("水果券", 2), ("物业费抵扣券", 1)]).sale


def slip_jobs():
    return list(PrintJob.select().where(PrintJob.document_kind == service.SLIP).order_by(PrintJob.id))


def test_each_slip_carries_its_voucher_and_the_household_when_bound(world, sold):
    vouchers = list(Voucher.select().order_by(Voucher.serial))
    slips = [printing.job_document(job) for job in slip_jobs()]
    assert all(isinstance(s, VoucherSlip) for s in slips)
    assert [s.serial for s in slips] == ["0000000001", "0000000002", "0000000003"]
    assert [s.partner for s in slips] == ["老王水果摊", "老王水果摊", "幸福里物业"]
    assert slips[0].household == "张*华 3栋2单元301" and slips[2].household == ""
    assert all(sold.receipt_no not in str(s.to_dict()) for s in slips)  # the receipt number is the receipt's
    for slip, voucher in zip(slips, vouchers):
        assert parse_voucher_payload(slip.payload, "XY", world.card_key, allow_number=False) == voucher.serial


def test_the_printer_gets_the_receipt_then_one_cut_slip_per_voucher(world, sold):
    printer = VirtualPrinter()
    printing.send_due(lambda store_id: printer)
    assert len(printer.jobs) == 4
    jobs = [data for _document, data in printer.jobs]
    assert isinstance(printer.jobs[0][0], Receipt) and all(isinstance(d, VoucherSlip) for d, _ in list(printer.jobs)[1:])
    for data in jobs[1:]:
        assert data.count(b"\x1d\x56\x42\x00") == 1 and b"\x1d(k" in data
        assert "服务券".encode("gb18030") in data
    image = render_paper(jobs[3], PAPER_80)
    (payload,) = decode_qr(image)
    assert parse_voucher_payload(payload, "XY", world.card_key, allow_number=False) == 3


def test_a_reprinted_slip_says_so_with_the_same_number(world, sold):
    voucher = Voucher.get(Voucher.serial == 2)
    job = service.reprint_slip(voucher, world.store)
    slip = printing.job_document(job)
    assert slip.reprint and slip.serial == "0000000002"
    assert slip.payload == printing.job_document(slip_jobs()[1]).payload
    assert (job.document_kind, job.document_id) == (service.SLIP, voucher.id)
