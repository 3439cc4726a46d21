"""A PrinterError carries a machine code and params besides its English message, so the kiosk
can word it in the screen's language (devices never translates)."""
import socket

import pytest

from devices import ERROR_CODES, PrinterError, VirtualPrinter
from devices.printers import FilePrinter, NetworkPrinter


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def a_job(printer):
    with pytest.raises(PrinterError) as caught:
        printer.print_test_page(store_name="幸福里")
    return caught.value


def test_a_refused_connection_is_code_refused_with_the_address():
    port = free_port()
    error = a_job(NetworkPrinter("127.0.0.1", port, timeout=2))
    assert (error.code, error.params) == ("refused", {"kind": "network", "address": f"127.0.0.1:{port}"})
    assert "refused the connection" in str(error)  # the English text stays for the technician
    assert error.status.code == "refused" and error.status.params == error.params


def test_a_missing_device_file_is_code_not_found(tmp_path):
    path = tmp_path / "no-such-dir" / "lp0"
    error = a_job(FilePrinter(path))
    assert (error.code, error.params["kind"], error.params["address"]) == ("not_found", "file", str(path))


def test_a_simulated_state_is_its_own_code():
    printer = VirtualPrinter()
    printer.simulate("paper_out")
    assert a_job(printer).code == "paper_out"


def test_an_unknown_code_is_other_and_empty_params_are_dropped():
    error = PrinterError("strange", code="no-such-code", params={"kind": "usb", "address": None})
    assert (error.code, error.params) == ("other", {"kind": "usb"})
    assert set(ERROR_CODES) >= {"refused", "timeout", "not_found", "permission", "other"}


def test_the_printers_say_what_kind_they_are():
    assert (NetworkPrinter("10.0.0.5", 9100).kind, NetworkPrinter("10.0.0.5", 9100).address) == ("network", "10.0.0.5:9100")
    assert (FilePrinter("/dev/usb/lp0").kind, FilePrinter("/dev/usb/lp0").address) == ("file", "/dev/usb/lp0")
    assert VirtualPrinter().kind == "virtual"
