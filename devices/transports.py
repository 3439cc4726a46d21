"""One connection to a receipt printer for one job, over python-escpos's transports.

Each transport subclasses the python-escpos printer class for its connection
(Network, File, Usb, Serial, CupsPrinter, Win32Raw) and keeps its `_raw`, but
replaces `open`/`close`: escpos's own versions log through the root logger
(configuring it as a side effect), leak the socket or file when opening fails,
and hide the operating system's reason inside DeviceNotFoundError.

Every transport has the same small interface, used by devices.printers:

- `open()` connects; `write(data)` sends; `finish()` completes the job (CUPS
  and Windows spool it there); `close()` releases everything and never raises.
- `status(timeout)` says what the printer reports: DLE EOT for two-way
  transports (tcp, usb, serial, and a readable device file), the queue state
  for CUPS and Windows.

`open`, `write`, `finish` raise devices.status.PrinterError with a plain
reason; a missing optional package (pyusb, pyserial, pycups, pywin32) is
reported when the transport is built, as a PrinterError naming what to install.
"""

from __future__ import annotations

import errno
import importlib
import io
import os
import select
import socket
import stat
import sys
import tempfile
from types import ModuleType
from typing import Optional

# Importing the devices package has already imported python-escpos through devices._escpos,
# which keeps it from configuring the root logger.
from escpos.escpos import Escpos
from escpos.printer import CupsPrinter, File, Network, Serial, Usb, Win32Raw

from .status import PrinterError, PrinterStatus, query_status

__all__ = [
    "Transport",
    "TcpTransport",
    "FileTransport",
    "UsbTransport",
    "SerialTransport",
    "CupsTransport",
    "Win32Transport",
    "require",
    "INSTALL_HINTS",
]

# What to install for each optional dependency: (module, pip package, message).
INSTALL_HINTS = {
    "usb": ("usb", "pyusb", 'pip install "points-kiosk[usb]" (or: pip install pyusb)'),
    "serial": ("serial", "pyserial", 'pip install "points-kiosk[serial]" (or: pip install pyserial)'),
    "cups": (
        "cups", "pycups",
        "pip install pycups (it builds against the CUPS headers: apt install libcups2-dev)",
    ),
    "win32": ("win32print", "pywin32", "pip install pywin32"),
}

LP_GROUP_HINT = (
    "Let the kiosk's user write to the printer: sudo usermod -aG lp $USER, then log out and in "
    "(or add a udev rule giving the device to group lp)."
)


def require(kind: str, *submodules: str) -> ModuleType:
    """Import the optional package behind `kind` ("usb", "serial", "cups", "win32").

    Returns the top-level module (after importing `submodules` of it).
    Raises PrinterError naming what to install when it is missing.
    """
    module, package, command = INSTALL_HINTS[kind]
    if kind == "win32" and sys.platform != "win32":
        raise PrinterError(
            "win32:// printers work on Windows only; here use usb://, file:///dev/usb/lp0 or cups://",
            state="error", code="windows_only", params={"kind": "windows"},
            hint="Choose another printer URL (kiosk doctor lists the printers it finds).",
        )
    try:
        top = importlib.import_module(module)
        for name in submodules:
            importlib.import_module(f"{module}.{name}")
    except ImportError:
        raise PrinterError(
            f"{kind}:// printers need the Python package {package}, which is not installed: {command}",
            state="error", code="missing_package", params={"package": package, "command": command},
        ) from None
    return top


def _seconds(value: float) -> str:
    return f"{value:g} s"


class Transport:
    """The interface every transport offers; see the module docstring."""

    where = "printer"
    # How the printer is connected (devices.status.PRINTER_KINDS) and its address in that
    # kind's terms, for PrinterError params (a screen describes the printer in its own words).
    kind = "file"
    address = ""
    # Whether ask() works on the job's own open connection, so that the printer can confirm
    # it read a whole job (tcp, usb, serial); a device file is opened write-only for the job.
    confirms = False

    def _params(self, **values) -> dict:
        """PrinterError params naming this printer, with `values`."""
        return {"kind": self.kind, "address": self.address, **values}

    def open(self) -> None:
        raise NotImplementedError

    def write(self, data: bytes) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        """Complete the job once everything is written (a no-op for direct connections)."""

    def close(self) -> None:
        raise NotImplementedError

    def ask(self, request: bytes, timeout: float) -> Optional[bytes]:
        """Send a real-time request; its answer, or None if none came within `timeout`."""
        return None

    def set_write_timeout(self, seconds: float) -> None:
        """Allow `seconds` for the writes of an opened connection (a big job on a slow printer
        takes longer than connecting); transports without a write time-out ignore it."""

    def status(self, timeout: float) -> PrinterStatus:
        """What the (opened) printer reports; "unknown" when it cannot tell."""
        return PrinterStatus("unknown", f"The {self.where} cannot report its status.")


# --- tcp://host:port ---------------------------------------------------------------------------


class TcpTransport(Transport, Network):
    """A raw TCP port, usually 9100 ("JetDirect"/"AppSocket")."""

    confirms = True

    def __init__(self, host: str, port: int, timeout: float) -> None:
        Network.__init__(self, host, port, timeout=timeout)
        self.where = f"receipt printer at {host}:{port}"
        self.kind, self.address = "network", f"{host}:{port}"

    def _error(self, exc: OSError, doing: str) -> PrinterError:
        where = self.where
        if isinstance(exc, ConnectionRefusedError):
            return PrinterError(
                f"{where} refused the connection", state="offline", code="refused", params=self._params(),
                hint="Check that the printer is switched on and that its IP address and port are right.",
            )
        if isinstance(exc, (TimeoutError, socket.timeout)):
            return PrinterError(
                f"{where} is not reachable: timed out after {_seconds(self.timeout)} {doing}",
                state="offline", code="timeout", params=self._params(seconds=f"{self.timeout:g}"),
                hint="Check the printer's power and network cable, and that its IP address is right.",
            )
        if isinstance(exc, socket.gaierror):
            return PrinterError(
                f"{where} is not reachable: unknown host name {self.host!r}", state="error",
                code="unknown_host", params=self._params(host=self.host),
                hint="Use the printer's IP address (printed on its self-test page) in the URL.",
            )
        if isinstance(exc, (BrokenPipeError, ConnectionResetError, ConnectionAbortedError)):
            return PrinterError(f"{where} closed the connection {doing}", state="offline",
                                code="connection_closed", params=self._params(),
                                hint="Check the printer's power and network cable.")
        if exc.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EHOSTDOWN):
            return PrinterError(f"{where} is not reachable: no route to it", state="offline",
                                code="no_route", params=self._params(),
                                hint="Check the network cable and that the printer is on the kiosk's network.")
        reason = exc.strerror or str(exc) or type(exc).__name__
        return PrinterError(f"{where} is not reachable: {reason}", state="offline",
                            code="unreachable", params=self._params(reason=reason))

    def open(self) -> None:
        self.close()
        try:
            self._device = socket.create_connection((self.host, self.port), timeout=self.timeout)
        except OSError as exc:
            raise self._error(exc, "while connecting") from exc

    def write(self, data: bytes) -> None:
        try:
            self._raw(data)
        except OSError as exc:
            raise self._error(exc, "while printing") from exc

    def set_write_timeout(self, seconds: float) -> None:
        self.timeout = seconds
        if self._device:
            self._device.settimeout(seconds)

    def ask(self, request: bytes, timeout: float) -> Optional[bytes]:
        sock = self._device
        try:
            sock.sendall(request)
            sock.settimeout(timeout)
            return sock.recv(16) or None
        except (TimeoutError, socket.timeout):
            return None
        except OSError as exc:
            raise self._error(exc, "while asking its status") from exc
        finally:
            sock.settimeout(self.timeout)

    def status(self, timeout: float) -> PrinterStatus:
        return query_status(lambda request: self.ask(request, timeout))

    def close(self) -> None:
        sock, self._device = self._device, False
        if not sock:
            return
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()


# --- file:///dev/usb/lp0 -----------------------------------------------------------------------


class FileTransport(Transport, File):
    """A device file such as /dev/usb/lp0 (Linux usblp) or /dev/lp0.

    A path under /dev is never created: printing to an unplugged /dev/usb/lp0
    as root would otherwise fill a plain file and look like success. Other
    paths are created (or truncated), which tests and "print to file" use.
    """

    def __init__(self, path: str, timeout: float) -> None:
        File.__init__(self, path)
        self.timeout = timeout
        self.where = f"receipt printer {path}"
        self.address = path

    def _error(self, exc: OSError, doing: str) -> PrinterError:
        path = self.devfile
        if isinstance(exc, FileNotFoundError) or exc.errno in (errno.ENODEV, errno.ENXIO):
            return PrinterError(
                f"cannot write to receipt printer {path}: not found (unplugged or switched off?)",
                state="offline", code="not_found", params=self._params(),
                hint="Check the printer's USB cable and power; `kiosk doctor` lists the printers it sees.",
            )
        if isinstance(exc, PermissionError):
            return PrinterError(
                f"cannot write to receipt printer {path}: permission denied", state="error", hint=LP_GROUP_HINT,
                code="permission", params=self._params(),
            )
        if exc.errno in (errno.EIO, errno.EPIPE):
            return PrinterError(f"receipt printer {path} was disconnected {doing}", state="offline",
                                code="disconnected", params=self._params(),
                                hint="Check the printer's USB cable and power.")
        reason = exc.strerror or str(exc) or type(exc).__name__
        return PrinterError(f"cannot write to receipt printer {path}: {reason}", state="error",
                            code="write_failed", params=self._params(reason=reason))

    def open(self) -> None:
        self.close()
        path = self.devfile
        flags = os.O_WRONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOCTTY", 0)
        if not os.path.abspath(path).startswith("/dev/"):
            flags |= os.O_CREAT  # truncated by write(), so that status() leaves a file as it is
        try:
            fd = os.open(path, flags, 0o666)
        except OSError as exc:
            raise self._error(exc, "while opening") from exc
        self._device = os.fdopen(fd, "wb")

    def write(self, data: bytes) -> None:
        try:
            if stat.S_ISREG(os.fstat(self._device.fileno()).st_mode):
                self._device.truncate(0)
            self._raw(data)  # escpos File: write, then flush
        except OSError as exc:
            raise self._error(exc, "while printing") from exc

    def status(self, timeout: float) -> PrinterStatus:
        """DLE EOT through a bidirectional character device (usblp supports reading)."""
        # open() showed the device can be written to; usblp allows one open at a time, so the
        # write-only handle goes before the device is opened for reading and writing.
        self.close()
        unknown = PrinterStatus(
            "unknown", f"{self.devfile} can be written to, but the printer does not report its status."
        )
        if os.name != "posix":
            return unknown
        try:
            if not stat.S_ISCHR(os.stat(self.devfile).st_mode):
                return unknown
            fd = os.open(self.devfile, os.O_RDWR | os.O_NONBLOCK | os.O_NOCTTY)
        except OSError:
            return unknown

        def ask(request: bytes) -> Optional[bytes]:
            try:
                os.write(fd, request)
                readable, _, _ = select.select([fd], [], [], timeout)
                return os.read(fd, 16) if readable else None
            except OSError:
                return None

        try:
            answered = query_status(ask)
        finally:
            os.close(fd)
        return answered if answered.state != "unknown" else unknown

    def close(self) -> None:
        file, self._device = self._device, False
        if not file:
            return
        try:
            file.close()
        except OSError:
            pass


# --- usb://0x0416:0x5011 -----------------------------------------------------------------------


def _usb_rule(vendor_id: int, product_id: int) -> str:
    return (
        "Give the kiosk's user the printer with a udev rule, e.g. in /etc/udev/rules.d/60-receipt-printer.rules: "
        f'SUBSYSTEM=="usb", ATTR{{idVendor}}=="{vendor_id:04x}", ATTR{{idProduct}}=="{product_id:04x}", '
        'MODE="0660", GROUP="lp"  then: sudo udevadm control --reload && sudo udevadm trigger, '
        "and add the user to group lp (sudo usermod -aG lp $USER)."
    )


class UsbTransport(Transport, Usb):
    """A USB printer driven through pyusb/libusb (detaching the usblp kernel driver meanwhile)."""

    confirms = True

    def __init__(
        self, vendor_id: int, product_id: int, *, interface: int = 0, in_ep: int = 0x82,
        out_ep: int = 0x01, timeout: float = 5.0,
    ) -> None:
        """Raises PrinterError when pyusb is not installed."""
        self._usb = require("usb", "core", "util")
        # Usb.__init__ itself needs no pyusb (only escpos's open and close check for it).
        Usb.__init__(self, vendor_id, product_id, timeout=max(1, int(timeout * 1000)), in_ep=in_ep, out_ep=out_ep)
        self.vendor_id, self.product_id, self.interface = vendor_id, product_id, interface
        self.seconds = timeout
        self.where = f"USB printer {vendor_id:04x}:{product_id:04x}"
        self.kind, self.address = "usb", f"{vendor_id:04x}:{product_id:04x}"
        self._detached = False

    def _error(self, exc: Exception, doing: str) -> PrinterError:
        where = self.where
        code = getattr(exc, "errno", None)
        if isinstance(exc, self._usb.core.NoBackendError):
            return PrinterError(
                "pyusb cannot find the libusb library", state="error", code="no_libusb", params=self._params(),
                hint="Install libusb: apt install libusb-1.0-0 (Windows: install the printer's libusb driver with Zadig).",
            )
        if code == errno.EACCES:
            return PrinterError(f"{where}: permission denied {doing}", state="error",
                                code="permission", params=self._params(),
                                hint=_usb_rule(self.vendor_id, self.product_id))
        if code in (errno.ENODEV, errno.ENOENT, errno.EIO, errno.EPIPE):
            return PrinterError(f"{where} was unplugged or switched off {doing}", state="offline",
                                code="disconnected", params=self._params(),
                                hint="Check the printer's USB cable and power.")
        if code == errno.EBUSY:
            return PrinterError(
                f"{where} is in use by another program or driver {doing}", state="error",
                code="busy", params=self._params(),
                hint="Close other programs using the printer, or use file:///dev/usb/lp0 instead of usb://.",
            )
        if isinstance(exc, self._usb.core.USBTimeoutError) or code == errno.ETIMEDOUT:
            return PrinterError(
                f"{where} did not take the data: timed out after {_seconds(self.seconds)} {doing}",
                state="offline", code="timeout", params=self._params(seconds=f"{self.seconds:g}"), hint="Check the paper, the cover and that the printer is switched on.",
            )
        reason = str(getattr(exc, "strerror", None) or exc)
        return PrinterError(f"{where}: {reason} {doing}".strip(), state="error",
                            code="write_failed", params=self._params(reason=reason))

    def open(self) -> None:
        self.close()
        core, util = self._usb.core, self._usb.util
        try:
            device = core.find(idVendor=self.vendor_id, idProduct=self.product_id)
        except (core.NoBackendError, core.USBError) as exc:
            raise self._error(exc, "while looking for it") from exc
        if device is None:
            raise PrinterError(
                f"{self.where} not found (unplugged or switched off?)", state="offline",
                code="not_found", params=self._params(),
                hint="Check the printer's USB cable and power; `kiosk doctor` lists the USB printers it sees.",
            )
        self._device = device
        try:
            try:
                if device.is_kernel_driver_active(self.interface):
                    device.detach_kernel_driver(self.interface)
                    self._detached = True
            except NotImplementedError:  # libusb0/openusb backends, Windows
                pass
            try:
                device.set_configuration()
            except core.USBError as exc:
                if exc.errno != errno.EBUSY:  # already configured by the system
                    raise
            util.claim_interface(device, self.interface)
        except core.USBError as exc:
            self.close()
            raise self._error(exc, "while opening it") from exc

    def set_write_timeout(self, seconds: float) -> None:
        self.timeout, self.seconds = max(1, int(seconds * 1000)), seconds

    def write(self, data: bytes) -> None:
        try:
            self._raw(data)  # escpos Usb: device.write(out_ep, data, timeout in ms)
        except self._usb.core.USBError as exc:
            raise self._error(exc, "while printing") from exc

    def ask(self, request: bytes, timeout: float) -> Optional[bytes]:
        core = self._usb.core
        try:
            self._device.write(self.out_ep, request, self.timeout)
            return bytes(self._device.read(self.in_ep, 16, max(1, int(timeout * 1000)))) or None
        except core.USBTimeoutError:
            return None
        except core.USBError as exc:
            if exc.errno == errno.ETIMEDOUT:
                return None
            raise self._error(exc, "while asking its status") from exc

    def status(self, timeout: float) -> PrinterStatus:
        return query_status(lambda request: self.ask(request, timeout))

    def close(self) -> None:
        device, self._device = self._device, False
        if not device:
            return
        try:
            self._usb.util.dispose_resources(device)
            if self._detached:
                device.attach_kernel_driver(self.interface)  # give /dev/usb/lp0 back
        except Exception:  # noqa: BLE001 - closing must not hide the job's own outcome
            pass
        self._detached = False


# --- serial:///dev/ttyUSB0?baudrate=9600 -------------------------------------------------------


class SerialTransport(Transport, Serial):
    """An RS-232 or USB-serial port through pyserial."""

    confirms = True

    def __init__(
        self, port: str, *, baudrate: int = 9600, bytesize: int = 8, parity: str = "N",
        stopbits: float = 1, xonxoff: bool = False, rtscts: bool = False, dsrdtr: bool = False,
        timeout: float = 5.0, label: str = "serial printer",
    ) -> None:
        """Raises PrinterError when pyserial is not installed. `label` names the device in messages."""
        self._serial = require("serial")
        # escpos Serial.__init__ is wrapped in its own import-time dependency check; ours is above.
        Escpos.__init__(self)
        self.devfile, self.baudrate, self.bytesize, self.parity = port, baudrate, bytesize, parity
        self.stopbits, self.xonxoff, self.rtscts, self.dsrdtr = stopbits, xonxoff, rtscts, dsrdtr
        self.timeout = timeout
        self._device = False
        self.where = f"{label} on {port}"
        self.kind, self.address = "serial", port

    def _error(self, exc: Exception, doing: str) -> PrinterError:
        where = self.where
        if isinstance(exc, self._serial.SerialTimeoutException):
            return PrinterError(
                f"{where} did not take the data: timed out after {_seconds(self.timeout)} {doing}",
                state="offline", code="timeout", params=self._params(seconds=f"{self.timeout:g}"),
                hint="Check the paper, the cover, that the printer is on, and the flow control setting.",
            )
        code = getattr(exc, "errno", None)
        if code == errno.ENOENT:
            return PrinterError(f"{where}: port not found (unplugged?)", state="offline",
                                code="not_found", params=self._params(),
                                hint="Check the cable; `kiosk doctor` lists the serial ports it sees.")
        if code == errno.EACCES:
            return PrinterError(
                f"{where}: permission denied", state="error", code="permission", params=self._params(),
                hint="Add the kiosk's user to group dialout: sudo usermod -aG dialout $USER, then log out and in.",
            )
        if code == errno.EBUSY:
            return PrinterError(f"{where}: port in use by another program", state="error",
                                code="busy", params=self._params(),
                                hint="Close the other program (or the scanner) using this port.")
        text = str(exc)
        if code in (errno.EIO, errno.ENXIO, errno.ENODEV) or "Input/output" in text or "disconnected" in text:
            return PrinterError(f"{where} was disconnected {doing}", state="offline",
                                code="disconnected", params=self._params(),
                                hint="Check the printer's cable and power.")
        return PrinterError(f"{where}: {text or type(exc).__name__}", state="error",
                            code="write_failed", params=self._params(reason=text or type(exc).__name__))

    def open(self) -> None:
        self.close()
        serial = self._serial
        try:
            self._device = serial.Serial(
                port=self.devfile, baudrate=self.baudrate, bytesize=self.bytesize,
                parity=self.parity, stopbits=self.stopbits, timeout=self.timeout,
                write_timeout=self.timeout, xonxoff=self.xonxoff, rtscts=self.rtscts,
                dsrdtr=self.dsrdtr,
            )
        except (ValueError, OSError) as exc:  # SerialException is an OSError
            raise self._error(exc, "while opening") from exc

    def write(self, data: bytes) -> None:
        try:
            # escpos Serial: device.write(data), bounded by write_timeout. No flush(): its
            # tcdrain() could wait forever on a printer holding CTS low (paper out).
            self._raw(data)
        except (OSError, self._serial.SerialException) as exc:
            raise self._error(exc, "while printing") from exc

    def ask(self, request: bytes, timeout: float) -> Optional[bytes]:
        port = self._device
        try:
            port.reset_input_buffer()
            port.write(request)
            port.timeout = timeout
            return port.read(1) or None
        except (OSError, self._serial.SerialException) as exc:
            raise self._error(exc, "while asking its status") from exc
        finally:
            port.timeout = self.timeout

    def status(self, timeout: float) -> PrinterStatus:
        answered = query_status(lambda request: self.ask(request, timeout))
        if answered.state == "unknown" and "does not report" in answered.detail:
            return PrinterStatus(
                "unknown",
                f"No status answer on {self.devfile} (printer off, wrong baud rate or cable?).",
                "Check the printer's power, cable and baud rate (its self-test page shows it).",
            )
        return answered

    def close(self) -> None:
        port, self._device = self._device, False
        if not port:
            return
        try:
            port.close()
        except Exception:  # noqa: BLE001 - an unplugged port may fail to close cleanly
            pass


# --- cups://QueueName --------------------------------------------------------------------------

CUPS_IDLE, CUPS_PRINTING, CUPS_STOPPED = 3, 4, 5


class CupsTransport(Transport, CupsPrinter):
    """A CUPS queue; the job is sent raw (application/vnd.cups-raw) when finished."""

    def __init__(self, queue: str, timeout: float = 5.0) -> None:
        """Raises PrinterError when pycups is not installed."""
        self._cups = require("cups")
        Escpos.__init__(self)  # not CupsPrinter.__init__: it opens a temporary file right away
        self.printer_name = queue
        self.timeout = timeout
        self._device = False
        self._buffer = io.BytesIO()
        self.where = f"CUPS queue {queue}"
        self.kind, self.address = "cups", queue

    def open(self) -> None:
        self.close()
        cups = self._cups
        try:
            connection = cups.Connection()
            printers = connection.getPrinters()
        except (RuntimeError, cups.IPPError) as exc:
            raise PrinterError(
                f"cannot reach the CUPS server for {self.where}: {exc}", state="offline",
                code="server_unreachable", params=self._params(reason=str(exc)),
                hint="Start CUPS: sudo systemctl start cups",
            ) from exc
        if self.printer_name not in printers:
            raise PrinterError(
                f"{self.where} not found", state="error", code="not_found", params=self._params(),
                hint="Use one of the queues `lpstat -e` lists (kiosk doctor shows them too).",
            )
        self._device = connection
        self._attributes = printers[self.printer_name]
        self._buffer = io.BytesIO()

    def write(self, data: bytes) -> None:
        self._buffer.write(data)

    def finish(self) -> None:
        cups = self._cups
        with tempfile.NamedTemporaryFile(prefix="receipt-", suffix=".bin") as job:
            job.write(self._buffer.getvalue())
            job.flush()
            try:
                self._device.printFile(
                    self.printer_name, job.name, "points-kiosk receipt",
                    {"document-format": getattr(cups, "CUPS_FORMAT_RAW", "application/vnd.cups-raw")},
                )
            except cups.IPPError as exc:
                raise PrinterError(f"{self.where} refused the job: {exc}", state="error",
                                   code="job_refused", params=self._params(reason=str(exc))) from exc

    def status(self, timeout: float) -> PrinterStatus:
        attributes = self._attributes
        state = attributes.get("printer-state")
        message = attributes.get("printer-state-message") or ""
        reasons = [r for r in attributes.get("printer-state-reasons", ()) if r != "none"]
        said = f" ({message})" if message else (f" ({', '.join(reasons)})" if reasons else "")
        if not attributes.get("printer-is-accepting-jobs", True):
            return PrinterStatus("offline", f"{self.where} is not accepting jobs{said}.",
                                 f"Enable it: cupsenable {self.printer_name} && cupsaccept {self.printer_name}")
        if state == CUPS_STOPPED:
            return PrinterStatus("offline", f"{self.where} is stopped{said}.",
                                 f"Check the printer, then: cupsenable {self.printer_name}")
        if any(r.startswith("media-empty") for r in reasons):
            return PrinterStatus("paper_out", f"{self.where} reports the printer is out of paper.")
        return PrinterStatus(
            "unknown",
            f"{self.where} is {'printing' if state == CUPS_PRINTING else 'idle'}; "
            "CUPS does not ask the printer itself.",
        )

    def close(self) -> None:
        self._device = False
        self._buffer = io.BytesIO()


# --- win32://Printer%20Name --------------------------------------------------------------------

# win32print PRINTER_INFO_2 "Status" bits, worst first.
WIN32_STATUS = (
    (0x00400000, "cover_open", "The printer's cover is open."),  # PRINTER_STATUS_DOOR_OPEN
    (0x00000010, "paper_out", "The printer is out of paper."),  # PRINTER_STATUS_PAPER_OUT
    (0x00000008, "error", "The paper is jammed."),  # PRINTER_STATUS_PAPER_JAM
    (0x00000002, "error", "The printer reports an error."),  # PRINTER_STATUS_ERROR
    (0x00000080, "offline", "The printer is offline."),  # PRINTER_STATUS_OFFLINE
    (0x00001000, "offline", "The printer is not available."),  # PRINTER_STATUS_NOT_AVAILABLE
    (0x00000001, "offline", "The print queue is paused."),  # PRINTER_STATUS_PAUSED
)
WIN32_WORK_OFFLINE = 0x00000400  # PRINTER_ATTRIBUTE_WORK_OFFLINE


class Win32Transport(Transport, Win32Raw):
    """A Windows printer queue, written raw (the driver must be "Generic / Text Only" or similar)."""

    def __init__(self, name: str, timeout: float = 5.0) -> None:
        """Raises PrinterError off Windows or when pywin32 is not installed."""
        self._win32print = require("win32")
        Escpos.__init__(self)  # not Win32Raw.__init__: it checks pywin32 at escpos's import time
        self.printer_name = name
        self.job_name = "points-kiosk receipt"
        self.timeout = timeout
        self._device = False
        self._in_job = False
        self.where = f"Windows printer {name!r}"
        self.kind, self.address = "windows", name

    def _error(self, exc: Exception) -> PrinterError:
        reason = str(getattr(exc, "strerror", None) or exc)
        return PrinterError(f"{self.where}: {reason}", state="error",
                            code="write_failed", params=self._params(reason=reason),
                            hint="Check the name in Settings > Printers (it must match exactly).")

    def open(self) -> None:
        self.close()
        try:
            self._device = self._win32print.OpenPrinter(self.printer_name)
        except Exception as exc:  # pywintypes.error
            raise self._error(exc) from exc

    def write(self, data: bytes) -> None:
        win32print = self._win32print
        try:
            if not self._in_job:
                win32print.StartDocPrinter(self._device, 1, (self.job_name, None, "RAW"))
                win32print.StartPagePrinter(self._device)
                self._in_job = True
            win32print.WritePrinter(self._device, data)
        except Exception as exc:  # pywintypes.error
            raise self._error(exc) from exc

    def finish(self) -> None:
        if self._in_job:
            try:
                self._win32print.EndPagePrinter(self._device)
                self._win32print.EndDocPrinter(self._device)
            except Exception as exc:  # pywintypes.error
                raise self._error(exc) from exc
            finally:
                self._in_job = False

    def status(self, timeout: float) -> PrinterStatus:
        try:
            info = self._win32print.GetPrinter(self._device, 2)
        except Exception as exc:  # pywintypes.error
            raise self._error(exc) from exc
        flags = info.get("Status", 0)
        for bit, state, detail in WIN32_STATUS:
            if flags & bit:
                return PrinterStatus(state, detail)
        if info.get("Attributes", 0) & WIN32_WORK_OFFLINE:
            return PrinterStatus("offline", "Windows has set the printer to work offline (unplugged?).",
                                 "Check the cable, then untick 'Use printer offline' in its print queue.")
        return PrinterStatus("unknown", f"Windows reports no problem with {self.where}.")

    def close(self) -> None:
        handle, self._device = self._device, False
        if not handle:
            return
        try:
            if self._in_job:
                self._win32print.EndDocPrinter(handle)
            self._win32print.ClosePrinter(handle)
        except Exception:  # noqa: BLE001 - closing must not hide the job's own outcome
            pass
        self._in_job = False
