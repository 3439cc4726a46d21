"""NetworkPrinter against real sockets on 127.0.0.1."""

import socket
import threading
import time

import pytest

from devices import PrinterError
from devices.printers import NetworkPrinter


class OneJobServer:
    """Accepts one connection and keeps everything sent until the client closes."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.received = b""
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        self.sock.settimeout(10)
        conn, _ = self.sock.accept()
        with conn:
            while chunk := conn.recv(65536):
                self.received += chunk

    def wait(self) -> bytes:
        self.thread.join(10)
        self.sock.close()
        return self.received


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_server_receives_exactly_the_rendered_bytes(small_receipt):
    server = OneJobServer()
    printer = NetworkPrinter("127.0.0.1", server.port, timeout=5)
    sent = printer.print_receipt(small_receipt)
    assert server.wait() == sent == printer.render(small_receipt)
    assert printer.description == f"tcp://127.0.0.1:{server.port}"


def test_closed_port_raises_printer_error_quickly(small_receipt):
    port = free_port()
    printer = NetworkPrinter("127.0.0.1", port, timeout=2)
    started = time.monotonic()
    with pytest.raises(PrinterError, match=f"127.0.0.1:{port}") as error:
        printer.print_receipt(small_receipt)
    assert time.monotonic() - started < 2
    assert "refused" in str(error.value).lower()


def test_unanswered_connect_gives_up_after_the_timeout(small_receipt):
    # A listener with a full backlog drops new SYNs, so connect() hangs.
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = server.getsockname()[1]
    fillers = []
    try:
        for _ in range(8):
            filler = socket.socket()
            filler.settimeout(0.2)
            fillers.append(filler)
            try:
                filler.connect(("127.0.0.1", port))
            except TimeoutError:
                break
        else:
            pytest.skip("this kernel does not let the accept backlog fill up")
        printer = NetworkPrinter("127.0.0.1", port, timeout=0.5)
        started = time.monotonic()
        with pytest.raises(PrinterError, match="timed out"):
            printer.print_receipt(small_receipt)
        assert 0.4 < time.monotonic() - started < 3
    finally:
        for filler in fillers:
            filler.close()
        server.close()
