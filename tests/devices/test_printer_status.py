"""Printer status: DLE EOT bytes per the Epson spec, fake printers on 127.0.0.1, the virtual one."""

import socket
import threading
import time

import pytest

from devices import PrinterError, PrinterStatus, VirtualPrinter, printer_from_url
from devices.status import is_status_byte, parse_status, query_status, status_query

OK = 0x12  # fixed bits only: online, cover closed, paper present
OFFLINE = 0x12 | 0x08
COVER_OPEN = 0x12 | 0x04
PAPER_END_STOP = 0x12 | 0x20
ERROR = 0x12 | 0x40
PAPER_OUT = 0x12 | 0x60
NEAR_END = 0x12 | 0x0C


class FakePrinter:
    """A TCP printer on 127.0.0.1 that answers `DLE EOT n` with answers[n] (missing: silence).

    Keeps everything each connection sent, in `connections`.
    """

    def __init__(self, answers=None):
        self.answers = dict(answers or {})
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.05)
        self.port = self.sock.getsockname()[1]
        self.url = f"tcp://127.0.0.1:{self.port}"
        self.connections = []
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, socket.timeout):
                continue
            with conn:
                conn.settimeout(5)
                data = bytearray()
                self.connections.append(data)
                scanned = 0
                try:
                    while chunk := conn.recv(65536):
                        data += chunk
                        while (at := data.find(b"\x10\x04", scanned)) != -1 and at + 2 < len(data):
                            scanned = at + 3
                            answer = self.answers.get(data[at + 2])
                            if answer is not None:
                                conn.sendall(bytes([answer]))
                except OSError:
                    pass

    def received(self):
        """Everything sent over every connection, once the client has gone."""
        return b"".join(bytes(data) for data in self.connections)

    def close(self):
        self._stop.set()
        self.thread.join(10)
        self.sock.close()


@pytest.fixture
def fake_printer():
    servers = []

    def start(answers=None):
        server = FakePrinter(answers)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- parsing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, valid",
    [(0x12, True), (0x16, True), (0x7E, True), (0x00, False), (0x13, False), (0x92, False),
     (0x10, False), (ord("8"), False)],
)
def test_status_bytes_need_the_fixed_bits(value, valid):
    assert is_status_byte(value) is valid


@pytest.mark.parametrize(
    "answers, state",
    [
        ((OK, OK, OK), "online"),
        ((OK, OK, NEAR_END), "paper_low"),
        ((OK, OK, 0x12 | 0x20), "paper_out"),  # one of the two paper-end bits is enough
        ((OFFLINE, OK, PAPER_OUT), "paper_out"),
        ((OFFLINE, PAPER_END_STOP, OK), "paper_out"),
        ((OFFLINE, COVER_OPEN, OK), "cover_open"),
        ((OFFLINE, COVER_OPEN | PAPER_END_STOP, PAPER_OUT), "cover_open"),
        ((OFFLINE, ERROR, OK), "error"),
        ((OFFLINE, OK, OK), "offline"),
        ((OFFLINE, 0x12 | 0x08, OK), "offline"),  # FEED button held
        ((OK | 0x04, OK, OK), "online"),  # bit 2 of n=1 is the drawer sensor, not a fault
    ],
)
def test_parse_status_per_the_epson_bits(answers, state):
    status = parse_status(*answers)
    assert status.state == state
    assert status.detail


def test_error_cause_from_dle_eot_3_is_named():
    status = parse_status(OFFLINE, ERROR, OK, 0x12 | 0x08)
    assert status.state == "error" and "autocutter" in status.detail


def test_parse_status_rejects_a_byte_without_the_fixed_bits():
    with pytest.raises(ValueError, match="not a DLE EOT status byte"):
        parse_status(0x08)


def test_query_status_asks_1_2_4_then_3_on_error():
    asked = []
    answers = {1: OFFLINE, 2: ERROR, 4: OK, 3: 0x12 | 0x20}

    def ask(request):
        asked.append(request)
        return bytes([answers[request[2]]])

    status = query_status(ask)
    assert asked == [status_query(1), status_query(2), status_query(4), status_query(3)]
    assert status.state == "error" and "unrecoverable" in status.detail


def test_query_status_silence_and_garbage_are_unknown():
    assert query_status(lambda request: None).state == "unknown"
    garbage = query_status(lambda request: b"8")  # escpos's CUPS "offline" marker, not ESC/POS
    assert garbage.state == "unknown" and "0x38" in garbage.detail


def test_printer_status_rejects_unknown_states_and_says_what_is_usable():
    with pytest.raises(ValueError, match="unknown printer state"):
        PrinterStatus("jammed")
    assert [s for s in ("online", "paper_low", "unknown", "offline", "paper_out", "cover_open", "error")
            if PrinterStatus(s).usable] == ["online", "paper_low", "unknown"]


# --- over TCP --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "answers, state, words",
    [
        ({1: OK, 2: OK, 4: OK}, "online", "ready"),
        ({1: OFFLINE, 2: PAPER_END_STOP, 4: PAPER_OUT}, "paper_out", "out of paper"),
        ({1: OFFLINE, 2: COVER_OPEN, 4: OK}, "cover_open", "cover is open"),
        ({1: OK, 2: OK, 4: NEAR_END}, "paper_low", "nearly finished"),
    ],
)
def test_tcp_printer_status_from_its_answers(fake_printer, answers, state, words):
    server = fake_printer(answers)
    status = printer_from_url(server.url).status()
    assert (status.state, words in status.detail) == (state, True)
    assert server.received() == b"\x10\x04\x01\x10\x04\x02\x10\x04\x04"


def test_a_printer_that_never_answers_is_unknown_after_a_short_wait(fake_printer):
    server = fake_printer({})
    printer = printer_from_url(server.url + "?timeout=0.3")
    started = time.monotonic()
    status = printer.status()
    assert time.monotonic() - started < 2
    assert status.state == "unknown" and status.usable
    assert "does not report" in status.detail


def test_status_waits_at_most_a_second_even_with_a_long_print_timeout(fake_printer):
    server = fake_printer({})
    printer = printer_from_url(server.url + "?timeout=30")
    started = time.monotonic()
    assert printer.status().state == "unknown"
    assert time.monotonic() - started < 2.5


def test_refused_connection_is_offline_with_a_hint():
    port = free_port()
    status = printer_from_url(f"tcp://127.0.0.1:{port}").status()
    assert status.state == "offline" and not status.usable
    assert "refused" in status.detail and f"127.0.0.1:{port}" in status.detail
    assert "IP address" in status.hint


def test_printing_then_status_then_printing_each_use_their_own_connection(fake_printer, small_receipt):
    server = fake_printer({1: OK, 2: OK, 4: OK})
    printer = printer_from_url(server.url)
    first = printer.print_receipt(small_receipt)
    assert printer.status().state == "online"
    printer.print_receipt(small_receipt)
    deadline = time.monotonic() + 5
    while len(server.connections) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.05)
    # Once the printer has answered a status query, each job ends by asking DLE EOT 1 on its
    # own connection: the answer confirms the printer read the whole job.
    assert [bytes(data) for data in server.connections] == [
        first, b"\x10\x04\x01\x10\x04\x02\x10\x04\x04", first + b"\x10\x04\x01",
    ]


def test_a_printer_that_reports_status_must_confirm_each_job(fake_printer, small_receipt):
    """A job whose confirmation never comes (the printer stopped reading) is an error, so the
    queue keeps it; a printer never seen answering is trusted, as before."""
    silent = fake_printer({})
    printer_from_url(silent.url + "?timeout=1").print_receipt(small_receipt)  # no answer asked for

    server = fake_printer({1: OK, 2: OK, 4: OK})
    printer = printer_from_url(server.url + "?timeout=1")
    assert printer.status().state == "online"
    server.answers.clear()  # jammed: reads, never answers
    with pytest.raises(PrinterError, match="did not confirm"):
        printer.print_receipt(small_receipt)


# --- other printers --------------------------------------------------------------------------


def test_file_printer_status_is_unknown_when_it_can_be_written(tmp_path):
    status = printer_from_url(f"file://{tmp_path}/lp0").status()
    assert status.state == "unknown" and status.usable


def test_file_printer_status_is_offline_when_the_device_is_missing(tmp_path):
    status = printer_from_url(f"file://{tmp_path}/usb/lp0").status()
    assert status.state == "offline" and "not found" in status.detail


def test_virtual_printer_is_online_or_reports_fail_with():
    printer = VirtualPrinter()
    assert printer.status().state == "online"
    printer.fail_with = "printer unplugged"
    assert printer.status() == PrinterStatus("error", "printer unplugged")


def test_virtual_printer_can_simulate_paper_out(small_receipt):
    printer = VirtualPrinter()
    printer.simulate("paper_out")
    status = printer.status()
    assert status.state == "paper_out" and "out of paper" in status.detail and status.hint
    with pytest.raises(PrinterError, match="out of paper") as error:
        printer.print_receipt(small_receipt)
    assert error.value.state == "paper_out" and not printer.jobs
    printer.simulate("paper_low")
    printer.print_receipt(small_receipt)  # low paper still prints
    printer.simulate(None)
    assert printer.status().state == "online" and len(printer.jobs) == 1


def test_a_printer_that_answered_before_and_falls_silent_is_offline(fake_printer):
    server = fake_printer({1: OK, 2: OK, 4: OK})
    printer = printer_from_url(server.url + "?timeout=0.3")
    assert printer.status().state == "online"
    server.answers.clear()  # hung: the connection is accepted, queries go unanswered
    status = printer.status()
    assert status.state == "offline" and "answered status queries before" in status.detail
    server.answers.update({1: OK, 2: OK, 4: OK})
    assert printer.status().state == "online"
