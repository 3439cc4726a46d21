"""printer_from_url and paper profiles."""

import pytest

from devices import PAPER_58, PAPER_80, VirtualPrinter, printer_from_url
from devices.printers import FilePrinter, NetworkPrinter
from devices.profiles import profile_for


def test_virtual_url_passes_the_directory_through(tmp_path):
    printer = printer_from_url("virtual://", directory=tmp_path)
    assert isinstance(printer, VirtualPrinter)
    assert printer.directory == tmp_path and printer.profile == PAPER_80


def test_tcp_url_with_port_and_options():
    printer = printer_from_url("tcp://192.168.1.50:9101", paper_mm=58, encoding="gbk", timeout=2.5)
    assert isinstance(printer, NetworkPrinter)
    assert (printer.host, printer.port, printer.timeout) == ("192.168.1.50", 9101, 2.5)
    assert printer.profile == PAPER_58 and printer.encoding == "gbk"
    assert printer.description == "tcp://192.168.1.50:9101"


def test_tcp_url_defaults_to_port_9100():
    printer = printer_from_url("tcp://printer.local")
    assert (printer.host, printer.port) == ("printer.local", 9100)


def test_file_url_gives_the_device_path():
    printer = printer_from_url("file:///dev/usb/lp0")
    assert isinstance(printer, FilePrinter) and printer.path == "/dev/usb/lp0"
    assert printer.description == "file:///dev/usb/lp0"


@pytest.mark.parametrize("url", ["usb://04b8:0202", "lp0", "", "http://printer/"])
def test_unknown_scheme_is_rejected(url):
    with pytest.raises(ValueError, match="scheme"):
        printer_from_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "tcp://",
        "tcp://:9100",
        "tcp://printer:abc",
        "tcp://printer:99999",
        "tcp://printer:9100/queue",
        "file://relative/lp0",
        "file://",
        "virtual://somewhere",
    ],
)
def test_malformed_url_is_rejected(url):
    with pytest.raises(ValueError, match="malformed printer URL"):
        printer_from_url(url)


def test_unsupported_paper_width_is_rejected():
    with pytest.raises(ValueError, match="paper width"):
        printer_from_url("virtual://", paper_mm=76)


def test_profile_for_known_widths():
    assert profile_for(58) is PAPER_58 and profile_for(80) is PAPER_80
    assert (PAPER_58.columns, PAPER_58.qr_size, PAPER_80.columns, PAPER_80.qr_size) == (32, 5, 48, 6)
