"""FilePrinter writes to a device file such as /dev/usb/lp0."""

import pytest

from devices import PrinterError
from devices.printers import FilePrinter


def test_writes_the_rendered_bytes_to_the_file(small_receipt, tmp_path):
    device = tmp_path / "lp0"
    printer = FilePrinter(device)
    data = printer.print_receipt(small_receipt)
    assert device.read_bytes() == data
    assert printer.description == f"file://{device}"


def test_missing_device_raises_printer_error_naming_it(small_receipt, tmp_path):
    device = tmp_path / "usb" / "lp0"
    with pytest.raises(PrinterError, match="lp0"):
        FilePrinter(device).print_receipt(small_receipt)
