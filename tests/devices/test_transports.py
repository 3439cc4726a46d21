"""Transports end to end: serial through a pseudo-terminal, USB and CUPS and Windows with fakes,
and the guards that name what to install when an optional package is missing."""

import errno
import os
import select
import sys
import threading
import time
import types

import pytest

from devices import PrinterError, printer_from_url

OK, OFFLINE, PAPER_END_STOP, PAPER_OUT = 0x12, 0x1A, 0x32, 0x72


class PtyPrinter:
    """The far end of a pseudo-terminal: keeps what arrives, answers DLE EOT n with answers[n]."""

    def __init__(self, answers=None):
        self.answers = dict(answers or {})
        self.master, self.slave = os.openpty()
        self.path = os.ttyname(self.slave)
        self.received = bytearray()
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        scanned = 0
        while not self._stop.is_set():
            readable, _, _ = select.select([self.master], [], [], 0.05)
            if not readable:
                continue
            try:
                self.received += os.read(self.master, 65536)
            except OSError:
                return
            while (at := self.received.find(b"\x10\x04", scanned)) != -1 and at + 2 < len(self.received):
                scanned = at + 3
                answer = self.answers.get(self.received[at + 2])
                if answer is not None:
                    os.write(self.master, bytes([answer]))

    def wait_for(self, size, seconds=5):
        deadline = time.monotonic() + seconds
        while len(self.received) < size and time.monotonic() < deadline:
            time.sleep(0.01)
        return bytes(self.received)

    def close(self):
        self._stop.set()
        self.thread.join(5)
        os.close(self.master)
        os.close(self.slave)


@pytest.fixture
def pty_printer():
    made = []

    def start(answers=None):
        made.append(PtyPrinter(answers))
        return made[-1]

    yield start
    for printer in made:
        printer.close()


# --- serial ----------------------------------------------------------------------------------


def test_serial_printer_sends_the_exact_receipt_bytes(pty_printer, small_receipt):
    far_end = pty_printer()
    printer = printer_from_url(f"serial://{far_end.path}?baudrate=19200&parity=N&stopbits=1&bytesize=8")
    sent = printer.print_receipt(small_receipt)
    assert far_end.wait_for(len(sent)) == sent == printer.render(small_receipt)


def test_serial_printer_prints_again_after_each_job_closed_the_port(pty_printer, small_receipt):
    far_end = pty_printer()
    printer = printer_from_url(f"serial://{far_end.path}")
    first = printer.print_receipt(small_receipt)
    second = printer.print_receipt(small_receipt)
    assert far_end.wait_for(len(first) + len(second)) == first + second


@pytest.mark.parametrize("answers, state", [
    ({1: OK, 2: OK, 4: OK}, "online"),
    ({1: OFFLINE, 2: PAPER_END_STOP, 4: PAPER_OUT}, "paper_out"),
    ({}, "unknown"),
])
def test_serial_printer_status(pty_printer, answers, state):
    far_end = pty_printer(answers)
    status = printer_from_url(f"serial://{far_end.path}?timeout=0.3").status()
    assert status.state == state
    if state == "unknown":
        assert "baud rate" in status.detail


def test_missing_serial_port_is_a_plain_printer_error(tmp_path, small_receipt):
    printer = printer_from_url(f"serial://{tmp_path}/ttyUSB9")
    with pytest.raises(PrinterError, match="not found") as error:
        printer.print_receipt(small_receipt)
    assert error.value.state == "offline"


def test_a_file_that_is_not_a_serial_port_is_a_printer_error(tmp_path, small_receipt):
    plain = tmp_path / "not-a-tty"
    plain.write_bytes(b"")
    with pytest.raises(PrinterError, match="serial printer on"):
        printer_from_url(f"serial://{plain}").print_receipt(small_receipt)


# --- USB -------------------------------------------------------------------------------------


class FakeUsbDevice:
    """Enough of a pyusb device: keeps writes, answers reads with `answers`, can fail on demand."""

    def __init__(self, answers=(), fail=None):
        self.answers = list(answers)
        self.fail = fail
        self.written = []
        self.detached = self.attached = False

    def is_kernel_driver_active(self, interface):
        return True

    def detach_kernel_driver(self, interface):
        self.detached = True

    def attach_kernel_driver(self, interface):
        self.attached = True

    def set_configuration(self):
        if self.fail == "config":
            import usb.core

            raise usb.core.USBError("Access denied (insufficient permissions)", errno=errno.EACCES)

    def write(self, endpoint, data, timeout):
        import usb.core

        if self.fail == "unplug":
            raise usb.core.USBError("No such device (it may have been disconnected)", errno=errno.ENODEV)
        self.written.append((endpoint, bytes(data)))
        return len(data)

    def read(self, endpoint, size, timeout):
        import usb.core

        if not self.answers:
            raise usb.core.USBTimeoutError("Operation timed out", errno=errno.ETIMEDOUT)
        return bytearray([self.answers.pop(0)])


@pytest.fixture
def fake_usb(monkeypatch):
    core = pytest.importorskip("usb.core")
    util = pytest.importorskip("usb.util")
    found = {}
    monkeypatch.setattr(core, "find", lambda **ids: found.get((ids["idVendor"], ids["idProduct"])))
    monkeypatch.setattr(util, "claim_interface", lambda device, interface: None)
    monkeypatch.setattr(util, "dispose_resources", lambda device: None)
    return found


def test_usb_printer_writes_the_receipt_to_its_out_endpoint(fake_usb, small_receipt):
    device = fake_usb[(0x0416, 0x5011)] = FakeUsbDevice()
    printer = printer_from_url("usb://0x0416:0x5011?out_ep=0x02")
    sent = printer.print_receipt(small_receipt)
    assert device.written == [(0x02, sent)]
    assert device.detached and device.attached  # usblp gets the printer back after the job


def test_usb_printer_status_reads_its_in_endpoint(fake_usb):
    device = fake_usb[(0x0416, 0x5011)] = FakeUsbDevice(answers=[OFFLINE, PAPER_END_STOP, PAPER_OUT])
    assert printer_from_url("usb://0416:5011?in_ep=0x81").status().state == "paper_out"
    assert [data for _, data in device.written] == [b"\x10\x04\x01", b"\x10\x04\x02", b"\x10\x04\x04"]


def test_usb_permission_problem_says_how_to_fix_it(fake_usb, small_receipt):
    fake_usb[(0x0416, 0x5011)] = FakeUsbDevice(fail="config")
    with pytest.raises(PrinterError, match="permission denied") as error:
        printer_from_url("usb://0x0416:0x5011").print_receipt(small_receipt)
    assert 'ATTR{idVendor}=="0416"' in error.value.hint


def test_usb_unplugged_mid_job_is_a_plain_printer_error(fake_usb, small_receipt):
    fake_usb[(0x0416, 0x5011)] = FakeUsbDevice(fail="unplug")
    with pytest.raises(PrinterError, match="unplugged") as error:
        printer_from_url("usb://0x0416:0x5011").print_receipt(small_receipt)
    assert error.value.state == "offline"


def test_usb_printer_not_plugged_in_with_real_pyusb(small_receipt):
    pytest.importorskip("usb.core")
    printer = printer_from_url("usb://0xfffe:0xfffd")
    # Without a matching device (or without libusb) the message says so plainly.
    with pytest.raises(PrinterError, match="USB printer fffe:fffd not found|libusb"):
        printer.print_receipt(small_receipt)
    assert printer.status().state in ("offline", "error")


# --- missing optional packages ---------------------------------------------------------------


@pytest.mark.parametrize("url, blocked, install", [
    ("usb://0x0416:0x5011", ("usb", "usb.core", "usb.util"), 'pip install "points-kiosk[usb]"'),
    ("serial:///dev/ttyUSB0", ("serial",), 'pip install "points-kiosk[serial]"'),
    ("cups://POS80", ("cups",), "pip install pycups"),
])
def test_missing_package_names_what_to_install(monkeypatch, small_receipt, url, blocked, install):
    for name in blocked:
        monkeypatch.setitem(sys.modules, name, None)
    printer = printer_from_url(url)  # building works: the kiosk still starts
    with pytest.raises(PrinterError, match="not installed") as error:
        printer.print_receipt(small_receipt)
    assert install in str(error.value)
    status = printer.status()
    assert status.state == "error" and install in status.detail


def test_win32_printer_needs_pywin32_on_windows(monkeypatch, small_receipt):
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setitem(sys.modules, "win32print", None)
    with pytest.raises(PrinterError, match="pip install pywin32"):
        printer_from_url("win32://POS-80C").print_receipt(small_receipt)


def test_win32_printer_says_windows_only_elsewhere(monkeypatch, small_receipt):
    monkeypatch.setattr(sys, "platform", "linux")
    with pytest.raises(PrinterError, match="Windows only"):
        printer_from_url("win32://POS-80C").print_receipt(small_receipt)


# --- CUPS and Windows with fake modules ------------------------------------------------------


@pytest.fixture
def fake_cups(monkeypatch):
    cups = types.ModuleType("cups")
    cups.CUPS_FORMAT_RAW = "application/vnd.cups-raw"
    cups.queues = {"POS80": {"printer-state": 3, "printer-is-accepting-jobs": True}}
    cups.jobs = []

    class IPPError(Exception):
        pass

    class Connection:
        def getPrinters(self):
            return cups.queues

        def printFile(self, name, path, title, options):
            with open(path, "rb") as file:
                cups.jobs.append((name, file.read(), options["document-format"]))
            return len(cups.jobs)

    cups.IPPError, cups.Connection = IPPError, Connection
    monkeypatch.setitem(sys.modules, "cups", cups)
    return cups


def test_cups_queue_gets_the_receipt_raw(fake_cups, small_receipt):
    sent = printer_from_url("cups://POS80").print_receipt(small_receipt)
    assert fake_cups.jobs == [("POS80", sent, "application/vnd.cups-raw")]


def test_cups_status_from_the_queue(fake_cups, small_receipt):
    printer = printer_from_url("cups://POS80")
    assert printer.status().state == "unknown"
    fake_cups.queues["POS80"].update({"printer-state": 5, "printer-state-message": "Paused"})
    status = printer.status()
    assert status.state == "offline" and "Paused" in status.detail and "cupsenable" in status.hint
    missing = printer_from_url("cups://Nowhere").status()
    assert missing.state == "error" and "not found" in missing.detail


def test_win32_queue_gets_the_receipt_raw(monkeypatch, small_receipt):
    calls = []
    win32print = types.ModuleType("win32print")
    win32print.OpenPrinter = lambda name: calls.append(("open", name)) or "handle"
    win32print.StartDocPrinter = lambda handle, level, info: calls.append(("doc", info[2]))
    win32print.StartPagePrinter = lambda handle: calls.append(("page",))
    win32print.WritePrinter = lambda handle, data: calls.append(("write", data))
    win32print.EndPagePrinter = lambda handle: calls.append(("end page",))
    win32print.EndDocPrinter = lambda handle: calls.append(("end doc",))
    win32print.ClosePrinter = lambda handle: calls.append(("close",))
    win32print.GetPrinter = lambda handle, level: {"Status": 0x10, "Attributes": 0}
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setitem(sys.modules, "win32print", win32print)
    printer = printer_from_url("win32://POS-80C%20Printer")
    sent = printer.print_receipt(small_receipt)
    assert calls == [("open", "POS-80C Printer"), ("doc", "RAW"), ("page",), ("write", sent),
                     ("end page",), ("end doc",), ("close",)]
    assert printer.status().state == "paper_out"


# --- device files ----------------------------------------------------------------------------


def test_file_printer_never_creates_a_missing_dev_file(small_receipt):
    path = "/dev/usb/lp97"
    with pytest.raises(PrinterError, match="not found"):
        printer_from_url(f"file://{path}").print_receipt(small_receipt)
    assert not os.path.exists(path)


def test_unwritable_device_file_names_the_lp_group(tmp_path, monkeypatch, small_receipt):
    device = str(tmp_path / "lp0")
    real_open = os.open

    def deny(path, *args, **kwargs):
        # chmod does not stop root, who may run these tests; refuse the way the kernel would.
        if path == device:
            raise PermissionError(errno.EACCES, "Permission denied", path)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", deny)
    with pytest.raises(PrinterError, match="permission denied") as error:
        printer_from_url(f"file://{device}").print_receipt(small_receipt)
    assert "usermod -aG lp" in error.value.hint


def test_device_file_status_is_read_when_the_device_answers(pty_printer, small_receipt):
    # A pseudo-terminal is a character device that can answer, like a bidirectional usblp.
    import tty

    far_end = pty_printer({1: OFFLINE, 2: PAPER_END_STOP, 4: PAPER_OUT})
    tty.setraw(far_end.slave)
    printer = printer_from_url(f"file://{far_end.path}?timeout=0.5")
    assert printer.status().state == "paper_out"
    far_end.answers = {}
    silent = printer_from_url(f"file://{far_end.path}?timeout=0.5").status()
    assert silent.state == "unknown" and "does not report" in silent.detail
    assert printer.status().state == "offline"  # it answered before: now it is hung
    # A device file is written write-only, so the printer cannot confirm the job there.
    start = len(far_end.received)
    sent = printer.print_receipt(small_receipt)
    assert far_end.wait_for(start + len(sent))[start:] == sent
