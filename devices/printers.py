"""Receipt printers behind one interface, chosen by a URL.

    virtual://                                   in memory (and NNNNNN.bin files); tests, demos
    tcp://192.168.1.50:9100                      raw TCP (port 9100 by default)
    file:///dev/usb/lp0                          a device file (Linux usblp, /dev/lp0)
    usb://0x0416:0x5011?interface=0&in_ep=0x82&out_ep=0x01   pyusb/libusb
    serial:///dev/ttyUSB0?baudrate=9600          pyserial (also serial://COM3); bytesize,
                                                 parity, stopbits, rtscts, dsrdtr, xonxoff
    cups://QueueName                             a CUPS queue, sent raw (pycups)
    win32://Printer%20Name                       a Windows queue, sent raw (pywin32; Windows only)

Any URL may carry options that override the keyword defaults of printer_from_url:
`paper=58|80`, `encoding=gb18030|gbk|big5`, `chinese=1|0` (FS & around Chinese lines),
`qr=native|image`, `timeout=` seconds, `logo=/path/to/logo.png`.

Errors, consistently: a URL that cannot be understood raises ValueError when the printer is
built. A missing optional package (pyusb, pyserial, pycups, pywin32) does not: the printer is
built, and printing raises PrinterError whose message names what to install (status() reports
it as state "error"), so that the kiosk still starts and `kiosk doctor` can explain. Every
transport failure (device missing, permission denied, unplugged mid-job, timeout) is a
PrinterError with a plain reason; each job opens its own connection and closes it, so a
printer unplugged between jobs works again once it is plugged back.
"""

from __future__ import annotations

import abc
import collections
import re
import threading
from pathlib import Path
from typing import Iterable, Optional
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from .escpos_render import QR_MODES, check_encoding, render_escpos, render_items
from .layout import Item
from .paper import render_png
from .profiles import PAPER_80, PaperProfile, profile_for
from .receipt import Receipt
from .status import HINTS, PrinterError, PrinterStatus, status_query
from .testpage import build_test_page
from .transports import (
    CupsTransport,
    FileTransport,
    SerialTransport,
    TcpTransport,
    Transport,
    UsbTransport,
    Win32Transport,
)

__all__ = [
    "PrinterError",
    "PrinterStatus",
    "ReceiptPrinter",
    "VirtualPrinter",
    "NetworkPrinter",
    "FilePrinter",
    "UsbPrinter",
    "SerialPrinter",
    "CupsPrinter",
    "Win32Printer",
    "printer_from_url",
]

DEFAULT_PORT = 9100
MAX_JOBS = 50
# status() waits this long at most for a connection and for each answer, so that asking
# before every job stays cheap even when the printer stays silent.
STATUS_TIMEOUT = 1.0
# The slowest printer the kiosk waits for, in bytes per second: a job's write and
# confirmation time-outs grow by its size at this rate (a serial printer at 9600 baud that
# pauses to print takes about 80 B/s), so a slow printer is never taken for a dead one.
SLOWEST_BYTES_PER_SECOND = 40


def job_timeout(timeout: float, size: int) -> float:
    """The time-out for sending and confirming a job of `size` bytes on a printer whose
    own time-out is `timeout`."""
    return timeout + size / SLOWEST_BYTES_PER_SECOND


def _reason(exc: BaseException) -> str:
    return str(exc).strip() or type(exc).__name__


class ReceiptPrinter(abc.ABC):
    """Renders receipts to ESC/POS and sends them; one job at a time.

    Keeps the rendering options (`profile`, `encoding`, `chinese_mode`, `qr`,
    `logo`) and the transport `timeout` in seconds.
    """

    description: str = "printer"
    # How it is connected (devices.status.PRINTER_KINDS) and its address in that kind's terms
    # ("192.168.1.50:9100", "/dev/usb/lp0"), so a screen can describe the printer in words.
    kind: str = "virtual"
    address: str = ""

    def __init__(
        self,
        profile: PaperProfile = PAPER_80,
        encoding: str = "gb18030",
        chinese_mode: bool = True,
        *,
        qr: str = "native",
        logo: Optional[str] = None,
        timeout: float = 5.0,
        url: Optional[str] = None,
    ) -> None:
        """Raises ValueError for an unsupported encoding, QR mode or timeout."""
        self.profile = profile
        self.encoding = check_encoding(encoding)
        self.chinese_mode = bool(chinese_mode)
        if qr not in QR_MODES:
            raise ValueError(f"unknown QR mode {qr!r}: use native or image")
        self.qr = qr
        self.logo = logo
        if not 0 < timeout <= 600:
            raise ValueError(f"printer timeout must be between 0 and 600 seconds, got {timeout!r}")
        self.timeout = timeout
        self.url = url
        self._lock = threading.Lock()

    def _options(self) -> dict:
        return {"encoding": self.encoding, "chinese_mode": self.chinese_mode, "qr": self.qr, "logo": self.logo}

    def render(self, receipt: Receipt) -> bytes:
        """The bytes this printer would send for `receipt` (or a Statement).

        Raises PrinterError when the logo cannot be read.
        """
        try:
            return render_escpos(receipt, self.profile, **self._options())
        except ValueError as exc:
            raise PrinterError(f"cannot prepare the receipt: {_reason(exc)}", state="error",
                               code="prepare_failed", params=self._params(reason=_reason(exc))) from exc

    def _params(self, **values) -> dict:
        """PrinterError params naming this printer, with `values`."""
        return {"kind": self.kind, "address": self.address, **values}

    def render_items(self, items: Iterable[Item]) -> bytes:
        """The bytes this printer would send for layout `items`. Raises PrinterError like render()."""
        try:
            return render_items(items, self.profile, **self._options())
        except ValueError as exc:
            raise PrinterError(f"cannot prepare the page: {_reason(exc)}", state="error",
                               code="prepare_failed", params=self._params(reason=_reason(exc))) from exc

    def print_receipt(self, receipt: Receipt) -> bytes:
        """Print `receipt` and return the bytes sent. Raises PrinterError."""
        return self._print(receipt, self.render(receipt))

    def deliver(self, document, before_write=None) -> bool:
        """Print `document` (a Receipt, Statement…); True when the printer confirmed that it
        read every byte, False when it cannot tell (the job was sent whole, nothing more is
        known). `before_write()` is called once the printer is reached, just before the first
        byte leaves (the print queue records "sending" there); what it raises propagates and
        nothing is sent. Raises PrinterError, whose `maybe_sent` says whether bytes may have left."""
        data = self.render(document)
        with self._lock:
            confirmed = self._send(data, before_write)
            self._record(document, data)
        return confirmed is not False

    def print_test_page(self, store_name: Optional[str] = None) -> bytes:
        """Print the test page (devices.testpage) and return the bytes sent. Raises PrinterError."""
        items = build_test_page(
            self.profile, url=self.url or self.description, encoding=self.encoding,
            store_name=store_name,
        )
        return self._print(tuple(items), self.render_items(items))

    def _print(self, document, data: bytes) -> bytes:
        with self._lock:
            self._send(data)
            self._record(document, data)
        return data

    def status(self) -> PrinterStatus:
        """What the printer reports now (devices.status); never raises."""
        with self._lock:
            return self._status()

    def _status(self) -> PrinterStatus:
        return PrinterStatus("unknown", "This printer cannot report its status.")

    @abc.abstractmethod
    def _send(self, data: bytes, before_write=None) -> Optional[bool]:
        """Deliver `data` to the printer (calling `before_write()` first, when given); False
        when its arrival is not confirmed. Raises PrinterError."""

    def _record(self, document, data: bytes) -> None:
        """Hook called under the lock after a successful send."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.description} {self.profile.name}>"


class VirtualPrinter(ReceiptPrinter):
    """Keeps printed jobs in memory (and optionally as NNNNNN.bin files, each with a
    NNNNNN.png drawing of the paper when `previews`: virtual://?preview=1).

    `jobs` holds (document, bytes) pairs: the Receipt or Statement, or the
    tuple of layout items of a test page. Set `fail_with` to a message to make
    every job fail with it, or call `simulate("paper_out")` to make the printer
    report that state (jobs then fail as a real printer's would).
    """

    description = "virtual://"

    def __init__(self, *args, directory: Path | str | None = None, previews: bool = False, **kwargs) -> None:
        """Raises ValueError for an unsupported encoding."""
        super().__init__(*args, **kwargs)
        self.previews = previews
        self.jobs: collections.deque[tuple[object, bytes]] = collections.deque(maxlen=MAX_JOBS)
        self.directory = Path(directory) if directory is not None else None
        self.fail_with: str | None = None
        self.simulated_status: PrinterStatus | None = None
        self._counter: int | None = None

    def simulate(self, state: Optional[str], detail: Optional[str] = None) -> None:
        """Report `state` from now on ("paper_out", "cover_open"…); None goes back to normal.

        Raises ValueError for an unknown state.
        """
        if state is None:
            self.simulated_status = None
            return
        default = {
            "paper_out": "The printer is out of paper (simulated).",
            "cover_open": "The printer cover is open (simulated).",
            "paper_low": "The paper roll is nearly finished (simulated).",
            "offline": "The printer is offline (simulated).",
        }.get(state, f"Simulated printer state: {state}.")
        self.simulated_status = PrinterStatus(state, detail or default, HINTS.get(state, ""))

    def _status(self) -> PrinterStatus:
        if self.fail_with is not None:
            return PrinterStatus("error", self.fail_with)
        if self.simulated_status is not None:
            return self.simulated_status
        where = f" and written to {self.directory}" if self.directory is not None else ""
        return PrinterStatus("online", f"Virtual printer: receipts are kept in memory{where}.")

    def _next_path(self) -> Path:
        """Next free job file, continuing after the highest number already there."""
        assert self.directory is not None
        if self._counter is None:
            numbers = [int(p.stem) for p in self.directory.glob("*.bin") if p.stem.isdigit()]
            self._counter = max(numbers, default=0)
        self._counter += 1
        return self.directory / f"{self._counter:06d}.bin"

    def _send(self, data: bytes, before_write=None) -> bool:
        """Raises PrinterError(fail_with) when set, for a simulated unusable state, or if the
        job file cannot be written; True (the virtual paper always confirms) otherwise."""
        if self.fail_with is not None:
            raise PrinterError(self.fail_with, params=self._params(reason=self.fail_with))
        simulated = self.simulated_status
        if simulated is not None and not simulated.usable:
            raise PrinterError(simulated.detail, state=simulated.state, hint=simulated.hint,
                               code=simulated.state, params=self._params())
        if before_write is not None:
            before_write()
        if self.directory is None:
            return True
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            path = self._next_path()
            path.write_bytes(data)
            if self.previews:  # what the paper would look like, beside the bytes (about 16 ms)
                path.with_suffix(".png").write_bytes(render_png(data, self.profile, encoding=self.encoding))
        except OSError as exc:
            raise PrinterError(
                f"virtual printer cannot write to {self.directory}: {exc.strerror or _reason(exc)}",
                code="write_failed", params=self._params(reason=exc.strerror or _reason(exc)),
            ) from exc
        return True

    def _record(self, document, data: bytes) -> None:
        self.jobs.append((document, data))


class _TransportPrinter(ReceiptPrinter):
    """A printer reached through a devices.transports transport, opened afresh for each job."""

    _reports_status = False  # set once the printer has answered a status query

    @abc.abstractmethod
    def _transport(self, timeout: float) -> Transport:
        """A new, unopened transport. Raises PrinterError for a missing optional package."""

    def _send(self, data: bytes, before_write=None) -> bool:
        """Open, write, finish, confirm, close; whether the printer confirmed the job.

        Raises PrinterError; once the connection is open, with `maybe_sent` set, since the
        printer may have read (and printed) part or all of the job. The time-outs grow with
        the job's size (job_timeout), so a slow printer is not taken for a dead one.
        """
        timeout = job_timeout(self.timeout, len(data))
        transport = self._transport(self.timeout)
        try:
            transport.open()
            if before_write is not None:
                before_write()
            try:
                transport.set_write_timeout(timeout)
                transport.write(data)
                transport.finish()
                return self._confirm(transport, timeout)
            except PrinterError as exc:
                exc.maybe_sent = True
                raise
        finally:
            transport.close()

    def _confirm(self, transport: Transport, timeout: float) -> bool:
        """Whether the printer confirmed it read the whole job.

        A write only hands the bytes to the operating system: a printer that stopped reading
        (jammed) or dropped the connection half-way (power cut, cable pulled) still "accepts"
        a receipt-sized job. The printer handles DLE EOT 1 in the order it reads its input,
        so its answer on the same connection, after the job, means it read every byte.
        A printer known to answer (it answered the status query before the job) must answer
        within `timeout`. One never seen answering is not asked: it may not know DLE EOT, and
        the job counts as sent but not confirmed. Raises PrinterError when a printer that
        answers falls silent or drops the line.
        """
        if not (transport.confirms and self._reports_status):
            return False
        if transport.ask(status_query(1), timeout):
            return True
        raise PrinterError(
            f"{self.description} did not confirm the job within {timeout:g} s "
            "(timed out: jammed, hung or switched off?)",
            state="offline", code="not_confirmed", params=self._params(seconds=f"{timeout:g}"), hint="Switch the printer off and on again; then check it with kiosk doctor.",
        )

    def _status(self) -> PrinterStatus:
        """The transport's status; "offline" when a printer that answered before falls silent."""
        timeout = min(self.timeout, STATUS_TIMEOUT)
        transport = None
        try:
            transport = self._transport(timeout)
            transport.open()
            status = transport.status(timeout)
        except PrinterError as exc:
            return exc.status
        finally:
            if transport is not None:
                transport.close()
        if status.reported:
            self._reports_status = True
        elif status.state == "unknown" and self._reports_status:
            # Some printers (or print servers) never answer, and may still print: "unknown".
            # One that answered before and is silent now is jammed or hung: don't send to it.
            return PrinterStatus(
                "offline",
                f"{self.description} answered status queries before but not now "
                f"(timed out after {timeout:g} s): jammed, hung or switched off?",
                "Switch the printer off and on again; then check it with kiosk doctor.",
            )
        return status


class NetworkPrinter(_TransportPrinter):
    """An ESC/POS printer listening on a raw TCP port (usually 9100)."""

    def __init__(self, host: str, port: int = DEFAULT_PORT, *args, **kwargs) -> None:
        """Raises ValueError for an unsupported encoding."""
        super().__init__(*args, **kwargs)
        self.host = host
        self.port = port
        self.description = f"tcp://{host}:{port}"
        self.kind, self.address = "network", f"{host}:{port}"

    def _transport(self, timeout: float) -> Transport:
        return TcpTransport(self.host, self.port, timeout)


class FilePrinter(_TransportPrinter):
    """A printer behind a device file such as /dev/usb/lp0."""

    def __init__(self, path: Path | str, *args, **kwargs) -> None:
        """Raises ValueError for an unsupported encoding."""
        super().__init__(*args, **kwargs)
        self.path = str(path)
        self.description = f"file://{self.path}"
        self.kind, self.address = "file", self.path

    def _transport(self, timeout: float) -> Transport:
        return FileTransport(self.path, timeout)


class UsbPrinter(_TransportPrinter):
    """A USB printer driven directly through pyusb (libusb), by vendor and product id."""

    def __init__(
        self, vendor_id: int, product_id: int, *args, interface: int = 0, in_ep: int = 0x82,
        out_ep: int = 0x01, **kwargs,
    ) -> None:
        """Raises ValueError for an unsupported encoding."""
        super().__init__(*args, **kwargs)
        self.vendor_id, self.product_id = vendor_id, product_id
        self.interface, self.in_ep, self.out_ep = interface, in_ep, out_ep
        self.description = f"usb://0x{vendor_id:04x}:0x{product_id:04x}"
        self.kind, self.address = "usb", f"{vendor_id:04x}:{product_id:04x}"

    def _transport(self, timeout: float) -> Transport:
        return UsbTransport(
            self.vendor_id, self.product_id, interface=self.interface, in_ep=self.in_ep,
            out_ep=self.out_ep, timeout=timeout,
        )


class SerialPrinter(_TransportPrinter):
    """A printer on an RS-232 or USB-serial port, through pyserial."""

    def __init__(
        self, port: str, *args, baudrate: int = 9600, bytesize: int = 8, parity: str = "N",
        stopbits: float = 1, rtscts: bool = False, dsrdtr: bool = False, xonxoff: bool = False,
        **kwargs,
    ) -> None:
        """Raises ValueError for an unsupported encoding."""
        super().__init__(*args, **kwargs)
        self.port = port
        self.serial_options = {
            "baudrate": baudrate, "bytesize": bytesize, "parity": parity, "stopbits": stopbits,
            "rtscts": rtscts, "dsrdtr": dsrdtr, "xonxoff": xonxoff,
        }
        self.description = f"serial://{port}"
        self.kind, self.address = "serial", port

    def _transport(self, timeout: float) -> Transport:
        return SerialTransport(self.port, timeout=timeout, **self.serial_options)


class CupsPrinter(_TransportPrinter):
    """A CUPS queue; jobs are sent raw, so the queue's driver must pass ESC/POS through."""

    def __init__(self, queue: str, *args, **kwargs) -> None:
        """Raises ValueError for an unsupported encoding."""
        super().__init__(*args, **kwargs)
        self.queue = queue
        self.description = f"cups://{quote(queue)}"
        self.kind, self.address = "cups", queue

    def _transport(self, timeout: float) -> Transport:
        return CupsTransport(self.queue, timeout)


class Win32Printer(_TransportPrinter):
    """A Windows printer queue, written raw (Windows only, pywin32)."""

    def __init__(self, name: str, *args, **kwargs) -> None:
        """Raises ValueError for an unsupported encoding."""
        super().__init__(*args, **kwargs)
        self.name = name
        self.description = f"win32://{quote(name)}"
        self.kind, self.address = "windows", name

    def _transport(self, timeout: float) -> Transport:
        return Win32Transport(self.name, timeout)


# --- URLs --------------------------------------------------------------------------------------

_HOST = re.compile(r"^[A-Za-z0-9.-]+$")
_HEX_ID = re.compile(r"^(?:0x)?([0-9A-Fa-f]{1,4})$")
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")
COMMON_OPTIONS = ("paper", "encoding", "chinese", "qr", "timeout", "logo")
SCHEME_OPTIONS = {
    "virtual": ("preview",),
    "usb": ("interface", "in_ep", "out_ep"),
    "serial": ("baudrate", "bytesize", "parity", "stopbits", "rtscts", "dsrdtr", "xonxoff"),
}
PARITIES = {"n": "N", "none": "N", "e": "E", "even": "E", "o": "O", "odd": "O",
            "m": "M", "mark": "M", "s": "S", "space": "S"}
SCHEMES = "virtual://, tcp://host:port, file:///dev/usb/lp0, usb://VID:PID, serial:///dev/ttyUSB0, cups://Queue or win32://Name"


def _bad(url: str, why: str) -> ValueError:
    return ValueError(f"malformed printer URL {url!r}: {why}")


def _bool(url: str, name: str, value: str) -> bool:
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise _bad(url, f"{name} must be 1 or 0, got {value!r}")


def _int(url: str, name: str, value: str, low: int, high: int) -> int:
    """A decimal or 0x-hex whole number in [low, high]."""
    try:
        number = int(value, 0)
    except ValueError:
        raise _bad(url, f"{name} must be a whole number, got {value!r}") from None
    if not low <= number <= high:
        raise _bad(url, f"{name} must be between {low:#x} and {high:#x}, got {value}" if "ep" in name
                   else f"{name} must be between {low} and {high}, got {value}")
    return number


def _query(url: str, query: str, scheme: str) -> dict[str, str]:
    """The URL's options by name. Raises ValueError for an unknown or repeated option."""
    allowed = COMMON_OPTIONS + SCHEME_OPTIONS.get(scheme, ())
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query))
    except ValueError:
        raise _bad(url, f"cannot read the options {query!r} (use name=value&name=value)") from None
    options: dict[str, str] = {}
    for name, value in pairs:
        if name not in allowed:
            raise _bad(url, f"unknown option {name!r} for {scheme}:// (use {', '.join(allowed)})")
        if name in options:
            raise _bad(url, f"option {name!r} is given twice")
        options[name] = value.strip()
    return options


def _common(url: str, options: dict[str, str], defaults: dict) -> dict:
    """Keyword arguments of ReceiptPrinter from the URL's options over `defaults`."""
    result = dict(defaults)
    if "paper" in options:
        raw = options.pop("paper").lower().removesuffix("mm")
        if not raw.isdigit():
            raise _bad(url, f"paper must be 58 or 80, got {raw!r}")
        result["profile"] = profile_for(int(raw))
    if "encoding" in options:
        try:
            result["encoding"] = check_encoding(options.pop("encoding"))
        except ValueError as exc:
            raise _bad(url, str(exc)) from None
    if "chinese" in options:
        result["chinese_mode"] = _bool(url, "chinese", options.pop("chinese"))
    if "qr" in options:
        result["qr"] = options.pop("qr").lower()
        if result["qr"] not in QR_MODES:
            raise _bad(url, f"qr must be native or image, got {result['qr']!r}")
    if "timeout" in options:
        raw = options.pop("timeout")
        try:
            result["timeout"] = float(raw)
        except ValueError:
            raise _bad(url, f"timeout must be a number of seconds, got {raw!r}") from None
        if not 0 < result["timeout"] <= 600:
            raise _bad(url, f"timeout must be between 0 and 600 seconds, got {raw!r}")
    if "logo" in options:
        result["logo"] = options.pop("logo") or None
    return result


def _no_path(url: str, parts, example: str) -> None:
    if parts.path not in ("", "/") or parts.fragment:
        raise _bad(url, f"use {example}")


def printer_from_url(
    url: str,
    *,
    paper_mm: int = 80,
    encoding: str = "gb18030",
    directory: Path | str | None = None,
    timeout: float = 5.0,
    chinese_mode: bool = True,
    qr: str = "native",
    logo: Optional[str] = None,
) -> ReceiptPrinter:
    """The printer a URL names (see the module docstring); its options override the keywords.

    `directory` applies to the virtual printer only. Raises ValueError for an
    unknown scheme, a malformed URL or option, an unsupported paper width or
    encoding; never for a missing optional package (printing reports that).
    """
    text = (url or "").strip()
    try:
        parts = urlsplit(text)
    except (ValueError, AttributeError) as exc:
        raise _bad(url, str(exc)) from None
    scheme = parts.scheme.lower()
    if scheme not in ("virtual", "tcp", "file", "usb", "serial", "cups", "win32"):
        raise ValueError(f"unknown printer URL scheme in {url!r}: use {SCHEMES}")
    options = _query(url, parts.query, scheme)
    kwargs = _common(url, options, {
        "profile": profile_for(paper_mm), "encoding": encoding, "chinese_mode": chinese_mode,
        "qr": qr, "logo": logo, "timeout": timeout, "url": text,
    })

    if scheme == "virtual":
        if parts.netloc:
            raise _bad(url, "use virtual://")
        _no_path(url, parts, "virtual://")
        preview = _bool(url, "preview", options["preview"]) if "preview" in options else False
        return VirtualPrinter(directory=directory, previews=preview, **kwargs)

    if scheme == "tcp":
        try:
            port = parts.port
        except ValueError:
            raise _bad(url, "the port must be a number from 1 to 65535") from None
        host = parts.hostname or ""
        if not _HOST.match(host) or port == 0:
            raise _bad(url, "use tcp://host:port, e.g. tcp://192.168.1.50:9100")
        _no_path(url, parts, "tcp://host:port, e.g. tcp://192.168.1.50:9100")
        return NetworkPrinter(host, port or DEFAULT_PORT, **kwargs)

    if scheme == "file":
        path = unquote(parts.path)
        if parts.netloc not in ("", "localhost") or not path.startswith("/") or parts.fragment:
            raise _bad(url, "use file:///dev/usb/lp0 (three slashes, an absolute path)")
        return FilePrinter(path, **kwargs)

    if scheme == "usb":
        ids = parts.netloc.split(":")
        matches = [_HEX_ID.match(part) for part in ids]
        if len(ids) != 2 or not all(matches) or not all(int(m.group(1), 16) for m in matches):
            raise _bad(url, "use usb://VENDOR:PRODUCT in hex, e.g. usb://0x0416:0x5011")
        _no_path(url, parts, "usb://0x0416:0x5011")
        vendor_id, product_id = (int(m.group(1), 16) for m in matches)
        usb = {}
        if "interface" in options:
            usb["interface"] = _int(url, "interface", options["interface"], 0, 255)
        if "in_ep" in options:
            usb["in_ep"] = _int(url, "in_ep", options["in_ep"], 0x81, 0x8F)
        if "out_ep" in options:
            usb["out_ep"] = _int(url, "out_ep", options["out_ep"], 0x01, 0x0F)
        return UsbPrinter(vendor_id, product_id, **usb, **kwargs)

    if scheme == "serial":
        # serial:///dev/ttyUSB0 on Linux, serial://COM3 on Windows.
        if parts.netloc and parts.path not in ("", "/"):
            raise _bad(url, "use serial:///dev/ttyUSB0 (three slashes) or serial://COM3")
        port = unquote(parts.netloc or parts.path)
        if port in ("", "/") or parts.fragment:
            raise _bad(url, "use serial:///dev/ttyUSB0?baudrate=9600 or serial://COM3")
        return SerialPrinter(port, **_serial_options(url, options), **kwargs)

    if scheme == "cups":
        queue = unquote(parts.netloc)
        if not queue or any(ch in queue for ch in " /#\t"):
            raise _bad(url, "use cups://QueueName (the name `lpstat -e` shows)")
        _no_path(url, parts, "cups://QueueName")
        return CupsPrinter(queue, **kwargs)

    # win32
    name = unquote(parts.netloc + parts.path).rstrip("/")
    if not name or parts.fragment:
        raise _bad(url, "use win32://Printer%20Name (the name in Windows' printer settings)")
    return Win32Printer(name, **kwargs)


def _serial_options(url: str, options: dict[str, str]) -> dict:
    """SerialPrinter keyword arguments from a serial:// URL's options. Raises ValueError."""
    result: dict = {}
    if "baudrate" in options:
        result["baudrate"] = _int(url, "baudrate", options["baudrate"], 50, 4_000_000)
    if "bytesize" in options:
        result["bytesize"] = _int(url, "bytesize", options["bytesize"], 5, 8)
    if "parity" in options:
        parity = PARITIES.get(options["parity"].lower())
        if parity is None:
            raise _bad(url, f"parity must be N, E, O, M or S, got {options['parity']!r}")
        result["parity"] = parity
    if "stopbits" in options:
        if options["stopbits"] not in ("1", "1.5", "2"):
            raise _bad(url, f"stopbits must be 1, 1.5 or 2, got {options['stopbits']!r}")
        result["stopbits"] = float(options["stopbits"]) if options["stopbits"] == "1.5" else int(options["stopbits"])
    for flag in ("rtscts", "dsrdtr", "xonxoff"):
        if flag in options:
            result[flag] = _bool(url, flag, options[flag])
    return result
