"""VirtualPrinter: kept jobs, job files, simulated failures, thread safety."""

import dataclasses
import threading

import pytest

from devices import PAPER_58, PrinterError, VirtualPrinter, render_escpos


def test_keeps_each_job_with_its_receipt_and_bytes(small_receipt):
    printer = VirtualPrinter(profile=PAPER_58)
    data = printer.print_receipt(small_receipt)
    assert data == render_escpos(small_receipt, PAPER_58)
    assert list(printer.jobs) == [(small_receipt, data)]
    assert printer.description == "virtual://"


def test_keeps_only_the_last_fifty_jobs(small_receipt):
    printer = VirtualPrinter()
    for n in range(60):
        printer.print_receipt(dataclasses.replace(small_receipt, receipt_no=f"R{n}"))
    assert len(printer.jobs) == 50
    assert printer.jobs[0][0].receipt_no == "R10"


def test_fail_with_raises_printer_error_and_records_nothing(small_receipt, tmp_path):
    printer = VirtualPrinter(directory=tmp_path)
    printer.fail_with = "打印机未连接"
    with pytest.raises(PrinterError, match="打印机未连接"):
        printer.print_receipt(small_receipt)
    assert not printer.jobs and not list(tmp_path.iterdir())
    printer.fail_with = None
    printer.print_receipt(small_receipt)
    assert len(printer.jobs) == 1


def test_writes_numbered_job_files_and_continues_numbering(small_receipt, tmp_path):
    first = VirtualPrinter(directory=tmp_path)
    data = first.print_receipt(small_receipt)
    first.print_receipt(small_receipt)
    second = VirtualPrinter(directory=tmp_path)
    second.print_receipt(small_receipt)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["000001.bin", "000002.bin", "000003.bin"]
    assert (tmp_path / "000001.bin").read_bytes() == data


def test_unwritable_directory_raises_printer_error(small_receipt, tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    printer = VirtualPrinter(directory=blocker / "jobs")
    with pytest.raises(PrinterError, match="cannot write"):
        printer.print_receipt(small_receipt)
    assert not printer.jobs


def test_concurrent_prints_keep_every_job_and_file(small_receipt, tmp_path):
    printer = VirtualPrinter(directory=tmp_path)
    receipts = [dataclasses.replace(small_receipt, receipt_no=f"R{n:03d}") for n in range(20)]
    threads = [threading.Thread(target=printer.print_receipt, args=(r,)) for r in receipts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.receipt_no for r, _ in printer.jobs) == [r.receipt_no for r in receipts]
    assert len(list(tmp_path.glob("*.bin"))) == 20
    files = {p.read_bytes() for p in tmp_path.glob("*.bin")}
    assert files == {data for _, data in printer.jobs}


def test_unknown_encoding_is_rejected_up_front():
    with pytest.raises(ValueError, match="encoding"):
        VirtualPrinter(encoding="no-such-codec")


def test_each_job_file_has_a_paper_preview_png_whose_qr_decodes(small_receipt, tmp_path):
    """virtual://?preview=1 (off by default: drawing costs the server CPU)."""
    import zxingcpp
    from PIL import Image

    from devices import printer_from_url

    printer_from_url("virtual://?preview=1", directory=tmp_path).print_receipt(small_receipt)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["000001.bin", "000001.png"]
    image = Image.open(tmp_path / "000001.png")
    assert image.width > 576
    assert small_receipt.receipt_no in [code.text for code in zxingcpp.read_barcodes(image)]
