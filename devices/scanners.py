"""Serial QR scanners: a reader thread turns each line the scanner sends into a scan.

A keyboard-wedge (USB HID) scanner needs nothing here: it types into the page. A scanner in
serial mode (USB CDC "virtual COM port" or RS-232) sends the code followed by CR and/or LF;
``SerialScanner`` reads those lines and hands each code to a callback. When the port goes
away (cable pulled) it reports the error and keeps trying to open it again, so plugging the
scanner back in is enough.
"""

from __future__ import annotations

import threading
import time
from typing import Callable, Optional
from urllib.parse import parse_qsl, unquote, urlsplit

__all__ = ["SerialScanner", "ScannerError", "parse_scanner_url"]

MAX_CODE = 512  # longer "lines" are noise (a scanner in the wrong mode, a modem), not codes


class ScannerError(Exception):
    """The scanner setting or port cannot be used."""


def _serial_module():
    try:
        import serial  # noqa: F401
    except ImportError:
        raise ScannerError(
            'serial:// scanners need the Python package pyserial, which is not installed: '
            'pip install "points-kiosk[serial]" (or pip install pyserial)'
        ) from None
    return serial


def parse_scanner_url(url: str) -> dict:
    """Port and settings from ``serial:///dev/ttyACM0?baudrate=9600`` (also ``serial://COM3``).

    Raises ScannerError for anything else.
    """
    parts = urlsplit((url or "").strip())
    if parts.scheme != "serial":
        raise ScannerError(f"unknown scanner URL {url!r}: use serial:///dev/ttyACM0?baudrate=9600 "
                           "(leave it empty for a keyboard-wedge scanner)")
    port = unquote(parts.netloc + parts.path)
    if not port:
        raise ScannerError(f"scanner URL {url!r} names no port: use serial:///dev/ttyACM0")
    options = {"port": port, "baudrate": 9600}
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if name != "baudrate":
            raise ScannerError(f"unknown option {name!r} in scanner URL {url!r} (only baudrate)")
        if not value.isdigit() or not 300 <= int(value) <= 4_000_000:
            raise ScannerError(f"baudrate in scanner URL {url!r} must be a number such as 9600")
        options["baudrate"] = int(value)
    return options


class SerialScanner:
    """Reads codes from a serial scanner in a daemon thread and passes each to ``on_scan``.

    ``on_error(message)`` hears about a port that cannot be opened or went away (once per
    outage); the reader retries every ``retry_seconds``. Raises ScannerError from the
    constructor for a bad URL or when pyserial is missing.
    """

    def __init__(
        self,
        url: str,
        on_scan: Callable[[str], None],
        on_error: Optional[Callable[[str], None]] = None,
        retry_seconds: float = 2.0,
    ) -> None:
        self.options = parse_scanner_url(url)
        self.serial = _serial_module()
        self.url = url
        self.on_scan = on_scan
        self.on_error = on_error or (lambda message: None)
        self.retry_seconds = retry_seconds
        self.connected = False
        self.last_error = ""
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None

    def start(self) -> "SerialScanner":
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="serial-scanner", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = 5) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                port = self.serial.Serial(self.options["port"], self.options["baudrate"], timeout=0.2)
            except (self.serial.SerialException, OSError, ValueError) as exc:
                self._failed(f"cannot open scanner port {self.options['port']}: {exc}")
                self._stop.wait(self.retry_seconds)
                continue
            try:
                self.connected, self.last_error = True, ""
                self._read(port)
            except (self.serial.SerialException, OSError) as exc:
                self._failed(f"scanner on {self.options['port']} went away: {exc}")
            finally:
                self.connected = False
                port.close()
            self._stop.wait(self.retry_seconds)

    def _failed(self, message: str) -> None:
        if message != self.last_error:
            self.on_error(message)
        self.last_error = message

    def _read(self, port) -> None:
        buffer, last_byte = b"", time.monotonic()
        while not self._stop.is_set():
            chunk = port.read(256)
            if not chunk:
                if buffer and time.monotonic() - last_byte > 0.5:
                    buffer = self._emit(buffer)  # a scanner configured without a suffix
                continue
            last_byte = time.monotonic()
            buffer += chunk
            while True:
                cut = min((i for i in (buffer.find(b"\r"), buffer.find(b"\n")) if i >= 0), default=-1)
                if cut < 0:
                    break
                self._emit(buffer[:cut])
                buffer = buffer[cut + 1:]
            if len(buffer) > MAX_CODE:
                buffer = b""

    def _emit(self, raw: bytes) -> bytes:
        code = raw.decode("utf-8", errors="replace").strip()
        if code and len(code) <= MAX_CODE:
            self.on_scan(code)
        return b""
