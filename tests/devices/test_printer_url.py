"""printer_from_url and paper profiles."""

import pytest

from devices import PAPER_58, PAPER_80, VirtualPrinter, printer_from_url
from devices.printers import (
    CupsPrinter,
    FilePrinter,
    NetworkPrinter,
    SerialPrinter,
    UsbPrinter,
    Win32Printer,
)
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


@pytest.mark.parametrize("url", ["lp0", "", "http://printer/", "bluetooth://00:11:22:33:44:55"])
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


def test_usb_url_with_ids_and_endpoints():
    printer = printer_from_url("usb://0x0416:0x5011?interface=1&in_ep=0x81&out_ep=0x02")
    assert isinstance(printer, UsbPrinter)
    assert (printer.vendor_id, printer.product_id) == (0x0416, 0x5011)
    assert (printer.interface, printer.in_ep, printer.out_ep) == (1, 0x81, 0x02)
    assert printer.description == "usb://0x0416:0x5011"


def test_usb_url_defaults_and_lsusb_style_ids():
    printer = printer_from_url("usb://04b8:0202")
    assert (printer.vendor_id, printer.product_id) == (0x04B8, 0x0202)
    assert (printer.interface, printer.in_ep, printer.out_ep) == (0, 0x82, 0x01)


def test_serial_url_with_every_option():
    printer = printer_from_url(
        "serial:///dev/ttyUSB0?baudrate=115200&bytesize=7&parity=even&stopbits=2&rtscts=1&dsrdtr=0&xonxoff=yes"
    )
    assert isinstance(printer, SerialPrinter) and printer.port == "/dev/ttyUSB0"
    assert printer.serial_options == {
        "baudrate": 115200, "bytesize": 7, "parity": "E", "stopbits": 2,
        "rtscts": True, "dsrdtr": False, "xonxoff": True,
    }
    assert printer.description == "serial:///dev/ttyUSB0"


def test_serial_url_defaults_and_windows_ports():
    printer = printer_from_url("serial://COM3")
    assert printer.port == "COM3"
    assert printer.serial_options["baudrate"] == 9600 and printer.serial_options["parity"] == "N"
    assert printer_from_url("serial:///dev/ttyS0?stopbits=1.5").serial_options["stopbits"] == 1.5


def test_cups_and_win32_urls_give_the_queue_name():
    cups = printer_from_url("cups://POS80")
    assert isinstance(cups, CupsPrinter) and cups.queue == "POS80"
    win = printer_from_url("win32://POS-80C%20Printer")
    assert isinstance(win, Win32Printer) and win.name == "POS-80C Printer"
    assert win.description == "win32://POS-80C%20Printer"


def test_common_options_override_the_keywords(tmp_path):
    logo = tmp_path / "logo.png"
    printer = printer_from_url(
        f"tcp://printer.local?paper=58&encoding=big5&chinese=0&qr=image&timeout=2.5&logo={logo}",
        paper_mm=80, encoding="gb18030", timeout=9,
    )
    assert printer.profile == PAPER_58 and printer.encoding == "big5"
    assert (printer.chinese_mode, printer.qr, printer.timeout, printer.logo) == (False, "image", 2.5, str(logo))
    assert printer.url.startswith("tcp://printer.local?")
    assert printer.description == "tcp://printer.local:9100"


def test_keyword_defaults_apply_without_options():
    printer = printer_from_url("file:///dev/usb/lp0", encoding="gbk", chinese_mode=False, qr="image")
    assert (printer.encoding, printer.chinese_mode, printer.qr, printer.logo) == ("gbk", False, "image", None)


@pytest.mark.parametrize("option", ["paper=80", "encoding=GB18030", "chinese=1", "qr=native", "timeout=1"])
def test_common_options_work_on_every_scheme(option):
    for url in ("virtual://", "tcp://p", "file:///dev/usb/lp0", "usb://1:2", "serial:///dev/ttyS0",
                "cups://Q", "win32://Q"):
        sep = "&" if "?" in url else "?"
        printer_from_url(f"{url}{sep}{option}")


def test_the_printer_renders_with_its_options(small_receipt):
    from devices import render_escpos

    printer = printer_from_url("virtual://?paper=58&encoding=gbk&chinese=0&qr=image")
    assert printer.render(small_receipt) == render_escpos(
        small_receipt, PAPER_58, encoding="gbk", chinese_mode=False, qr="image"
    )


@pytest.mark.parametrize(
    "url, words",
    [
        ("usb://", "usb://VENDOR:PRODUCT"),
        ("usb://0416", "usb://VENDOR:PRODUCT"),
        ("usb://0x0416:0x5011:1", "usb://VENDOR:PRODUCT"),
        ("usb://xyz:5011", "usb://VENDOR:PRODUCT"),
        ("usb://0x0000:0x5011", "usb://VENDOR:PRODUCT"),
        ("usb://0x10416:0x5011", "usb://VENDOR:PRODUCT"),
        ("usb://0416:5011/x", "usb://0x0416:0x5011"),
        ("usb://0416:5011?in_ep=0x01", "in_ep must be between 0x81 and 0x8f"),
        ("usb://0416:5011?out_ep=0x81", "out_ep must be between"),
        ("usb://0416:5011?interface=x", "interface must be a whole number"),
        ("usb://0416:5011?baudrate=9600", "unknown option 'baudrate'"),
        ("serial://", "serial:///dev/ttyUSB0"),
        ("serial:///", "serial:///dev/ttyUSB0"),
        ("serial://COM3/x", "three slashes"),
        ("serial:///dev/ttyUSB0?baudrate=fast", "baudrate must be a whole number"),
        ("serial:///dev/ttyUSB0?baudrate=0", "baudrate must be between"),
        ("serial:///dev/ttyUSB0?parity=X", "parity must be"),
        ("serial:///dev/ttyUSB0?stopbits=3", "stopbits must be"),
        ("serial:///dev/ttyUSB0?bytesize=9", "bytesize must be between 5 and 8"),
        ("serial:///dev/ttyUSB0?rtscts=maybe", "rtscts must be 1 or 0"),
        ("serial:///dev/ttyUSB0?interface=0", "unknown option 'interface'"),
        ("cups://", "cups://QueueName"),
        ("cups://Q/extra", "cups://QueueName"),
        ("win32://", "win32://Printer%20Name"),
        ("tcp://p?paper=76", "paper width"),
        ("tcp://p?paper=wide", "paper must be 58 or 80"),
        ("tcp://p?encoding=utf-8", "unsupported printer encoding"),
        ("tcp://p?chinese=maybe", "chinese must be 1 or 0"),
        ("tcp://p?qr=svg", "qr must be native or image"),
        ("tcp://p?timeout=soon", "timeout must be a number"),
        ("tcp://p?timeout=0", "timeout must be between"),
        ("tcp://p?timeout=-1", "timeout must be between"),
        ("tcp://p?speed=1", "unknown option 'speed'"),
        ("tcp://p?paper=58&paper=80", "given twice"),
        ("tcp://p?paper", "cannot read the options"),
        ("virtual://?directory=/tmp", "unknown option 'directory'"),
    ],
)
def test_bad_urls_say_what_is_wrong(url, words):
    with pytest.raises(ValueError) as error:
        printer_from_url(url)
    assert words in str(error.value)


def test_building_never_needs_the_optional_packages(monkeypatch):
    import sys

    for name in ("usb", "usb.core", "usb.util", "serial", "cups", "win32print"):
        monkeypatch.setitem(sys.modules, name, None)
    for url in ("usb://0416:5011", "serial:///dev/ttyUSB0", "cups://Q", "win32://Q"):
        assert printer_from_url(url).url == url
