"""Find the printers and scanners attached to this machine, and check configured ones.

Discovery reads Linux's /sys and /proc directly, so it needs no optional
package; pyusb, pyserial's list_ports and CUPS's `lpstat` add what they know
when available. The roots are parameters so that tests can build a fake tree.
Nothing here raises for a missing, unreadable or odd device: it is left out.
"""

from __future__ import annotations

import importlib
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from .printers import ReceiptPrinter, printer_from_url
from .status import PrinterError, PrinterStatus
from .transports import SerialTransport

__all__ = [
    "Found",
    "find_printers",
    "find_scanners",
    "usb_printers",
    "usb_lp_devices",
    "serial_ports",
    "cups_queues",
    "keyboard_scanners",
    "PrinterCheck",
    "check_printer",
    "ScannerCheck",
    "check_scanner",
]

USB_CLASS_PRINTER = "07"
DEFAULT_IN_EP, DEFAULT_OUT_EP = 0x82, 0x01
SERIAL_BAUDRATE = 9600  # the usual factory setting; the printer's self-test page shows its own
# Words in an input device's name that suggest a barcode scanner (keyboard wedge).
SCANNER_NAME = re.compile(
    r"scan|barcode|bar code|\bkbw\b|honeywell|metrologic|symbol|zebra|datalogic|newland|netum|"
    r"opticon|zebex|inateck|eyoyo|tera\b|\b[12]d\b",
    re.I,
)
URL_EXAMPLES = (
    "tcp://192.168.1.50:9100, usb://0x0416:0x5011, file:///dev/usb/lp0, "
    "serial:///dev/ttyUSB0?baudrate=9600, cups://QueueName or virtual://"
)


@dataclass(frozen=True)
class Found:
    """A device found: `kind` ("usb", "lp", "serial", "cups", "keyboard"), the URL to
    configure it with ("" for a keyboard-wedge scanner) and a plain description."""

    kind: str
    url: str
    description: str


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return ""


def _usb_name(device: Path) -> str:
    """"Maker Product (USB 0416:5011)" from a sysfs USB device directory."""
    vendor, product = _read(device / "idVendor"), _read(device / "idProduct")
    name = " ".join(part for part in (_read(device / "manufacturer"), _read(device / "product")) if part)
    return f"{name or 'USB device'} (USB {vendor}:{product})"


def _usb_device_of(path: Path) -> Optional[Path]:
    """The USB device directory (with idVendor) at or above `path`, resolving symlinks."""
    try:
        current = path.resolve()
    except OSError:
        return None
    for _ in range(4):
        if (current / "idVendor").is_file():
            return current
        current = current.parent
    return None


def usb_printers(sysfs_root: str | os.PathLike = "/sys") -> list[Found]:
    """USB devices with a printer-class interface (07), from sysfs; needs no pyusb."""
    base = Path(sysfs_root) / "bus" / "usb" / "devices"
    found = []
    try:
        entries = sorted(base.iterdir())
    except OSError:
        return []
    for device in entries:
        if ":" in device.name or not (device / "idVendor").is_file():
            continue
        for interface in sorted(base.glob(f"{device.name}:*")):
            if _read(interface / "bInterfaceClass").lower() != USB_CLASS_PRINTER:
                continue
            try:
                vendor = int(_read(device / "idVendor"), 16)
                product = int(_read(device / "idProduct"), 16)
                number = int(_read(interface / "bInterfaceNumber") or "0", 16)
            except ValueError:
                continue
            found.append(Found("usb", _usb_url(vendor, product, number, interface), _usb_name(device)))
            break
    return found


def _usb_url(vendor: int, product: int, number: int, interface: Path) -> str:
    """usb://0xVVVV:0xPPPP with ?interface=&in_ep=&out_ep= where they differ from the defaults."""
    in_ep = out_ep = None
    for endpoint in sorted(interface.glob("ep_*")):
        if _read(endpoint / "type").lower() != "bulk":
            continue
        try:
            address = int(_read(endpoint / "bEndpointAddress"), 16)
        except ValueError:
            continue
        if address & 0x80 and in_ep is None:
            in_ep = address
        elif not address & 0x80 and out_ep is None:
            out_ep = address
    options = []
    if number:
        options.append(f"interface={number}")
    if in_ep is not None and in_ep != DEFAULT_IN_EP:
        options.append(f"in_ep=0x{in_ep:02x}")
    if out_ep is not None and out_ep != DEFAULT_OUT_EP:
        options.append(f"out_ep=0x{out_ep:02x}")
    url = f"usb://0x{vendor:04x}:0x{product:04x}"
    return url + ("?" + "&".join(options) if options else "")


def _pyusb_printers() -> list[Found]:
    """Printer-class USB devices pyusb sees (where there is no sysfs, e.g. Windows, macOS)."""
    try:
        core = importlib.import_module("usb.core")
        devices = list(core.find(find_all=True))
    except Exception:  # noqa: BLE001 - no pyusb, no libusb backend, no permission
        return []
    found = []
    for device in devices:
        try:
            classes = {interface.bInterfaceClass for config in device for interface in config}
        except Exception:  # noqa: BLE001 - a device that cannot be described is skipped
            continue
        if 7 in classes:
            vendor, product = device.idVendor, device.idProduct
            found.append(Found("usb", f"usb://0x{vendor:04x}:0x{product:04x}",
                               f"USB printer (USB {vendor:04x}:{product:04x})"))
    return found


def usb_lp_devices(dev_root: str | os.PathLike = "/dev", sysfs_root: str | os.PathLike = "/sys") -> list[Found]:
    """/dev/usb/lp* device files (the Linux usblp driver), named after their USB device."""
    found = []
    for path in sorted(Path(dev_root).glob("usb/lp*")):
        device = _usb_device_of(Path(sysfs_root) / "class" / "usbmisc" / path.name / "device")
        name = _usb_name(device) if device else "USB printer"
        where = "/dev/usb/" + path.name if str(dev_root) == "/dev" else str(path)
        found.append(Found("lp", f"file://{where}", f"{name}, device file {where}"))
    return found


def serial_ports(
    dev_root: str | os.PathLike = "/dev", sysfs_root: str | os.PathLike = "/sys", *, system: bool = False
) -> list[Found]:
    """USB-serial ports (/dev/ttyUSB*, /dev/ttyACM*), plus pyserial's list when `system`."""
    found: dict[str, Found] = {}
    for pattern in ("ttyUSB*", "ttyACM*"):
        for path in sorted(Path(dev_root).glob(pattern)):
            device = _usb_device_of(Path(sysfs_root) / "class" / "tty" / path.name / "device")
            name = _usb_name(device) if device else "serial port"
            where = "/dev/" + path.name if str(dev_root) == "/dev" else str(path)
            found[where] = Found("serial", f"serial://{where}?baudrate={SERIAL_BAUDRATE}", f"{name}, port {where}")
    if system:
        try:
            list_ports = importlib.import_module("serial.tools.list_ports")
            ports = list(list_ports.comports())
        except Exception:  # noqa: BLE001 - pyserial missing or the listing failed
            ports = []
        for port in ports:
            if port.device in found or re.match(r"/dev/ttyS\d+$", port.device):
                continue
            url = f"serial://{port.device}" if port.device.startswith("/") else f"serial://{quote(port.device)}"
            found[port.device] = Found(
                "serial", f"{url}?baudrate={SERIAL_BAUDRATE}", f"{port.description or 'serial port'}, port {port.device}"
            )
    return list(found.values())


def cups_queues(lpstat: Optional[str] = None) -> list[Found]:
    """CUPS queues `lpstat -e` lists; none when lpstat is missing or CUPS does not answer."""
    lpstat = lpstat or shutil.which("lpstat")
    if not lpstat:
        return []
    try:
        result = subprocess.run(
            [lpstat, "-e"], capture_output=True, text=True, timeout=5, stdin=subprocess.DEVNULL
        )
    except (OSError, subprocess.SubprocessError):
        return []
    if result.returncode != 0:
        return []
    names = [line.strip() for line in result.stdout.splitlines() if line.strip()]
    return [Found("cups", f"cups://{quote(name)}", f"CUPS queue {name}") for name in names]


def _use_system(system: Optional[bool], *roots: tuple[str | os.PathLike, str]) -> bool:
    """`system`, or by default: True when every root is the real one."""
    if system is not None:
        return system
    return all(str(root) == real for root, real in roots)


def find_printers(
    *,
    sysfs_root: str | os.PathLike = "/sys",
    dev_root: str | os.PathLike = "/dev",
    system: Optional[bool] = None,
) -> list[Found]:
    """Printers attached here: USB (printer class), /dev/usb/lp*, serial ports, CUPS queues.

    `system` also asks pyusb, pyserial and lpstat; by default only when the
    roots are the real /sys and /dev. A serial port may hold a printer or a
    scanner: it is listed here and by find_scanners.
    """
    system = _use_system(system, (sysfs_root, "/sys"), (dev_root, "/dev"))
    found = usb_printers(sysfs_root)
    if system:
        seen = {item.url.split("?")[0] for item in found}
        found += [item for item in _pyusb_printers() if item.url not in seen]
    found += usb_lp_devices(dev_root, sysfs_root)
    found += serial_ports(dev_root, sysfs_root, system=system)
    if system:
        found += cups_queues()
    return found


def _input_devices(text: str) -> list[dict[str, str]]:
    """The blocks of /proc/bus/input/devices as {"I": …, "N": …, "H": …} dicts."""
    devices = []
    for block in re.split(r"\n\s*\n", text):
        fields: dict[str, str] = {}
        for line in block.splitlines():
            key, sep, value = line.partition(": ")
            if sep and len(key) == 1:
                fields[key] = (fields[key] + " " + value) if key in fields else value
        if fields:
            devices.append(fields)
    return devices


def keyboard_scanners(proc_root: str | os.PathLike = "/proc") -> list[Found]:
    """Keyboard-like input devices whose name suggests a barcode scanner (keyboard wedge)."""
    text = _read(Path(proc_root) / "bus" / "input" / "devices")
    found = []
    for device in _input_devices(text):
        handlers = device.get("H", "")
        name_match = re.search(r'Name="(.*)"', device.get("N", ""))
        name = name_match.group(1) if name_match else ""
        if "kbd" not in handlers.split("=", 1)[-1].split() or not SCANNER_NAME.search(name):
            continue
        ids = dict(re.findall(r"(\w+)=(\w+)", device.get("I", "")))
        event = next((h for h in handlers.split("=", 1)[-1].split() if h.startswith("event")), "")
        usb = f"USB {ids['Vendor']}:{ids['Product']}, " if "Vendor" in ids and "Product" in ids else ""
        found.append(Found(
            "keyboard", "", f"{name} ({usb}keyboard input {event or '?'}): a keyboard-wedge scanner; leave KIOSK_SCANNER empty"
        ))
    return found


def find_scanners(
    *,
    proc_root: str | os.PathLike = "/proc",
    sysfs_root: str | os.PathLike = "/sys",
    dev_root: str | os.PathLike = "/dev",
    system: Optional[bool] = None,
) -> list[Found]:
    """Scanners that may be attached: keyboard-wedge ones by name, and serial ports."""
    system = _use_system(system, (proc_root, "/proc"), (sysfs_root, "/sys"), (dev_root, "/dev"))
    return keyboard_scanners(proc_root) + serial_ports(dev_root, sysfs_root, system=system)


# --- checking configured devices ---------------------------------------------------------------


@dataclass(frozen=True)
class PrinterCheck:
    """What `check_printer` learnt: the printer (None for a bad URL), its status, the test page."""

    url: str
    printer: Optional[ReceiptPrinter]
    status: PrinterStatus
    test_page_bytes: Optional[int] = None  # bytes sent, when a test page was printed

    @property
    def usable(self) -> bool:
        return self.status.usable


def check_printer(
    url: str,
    *,
    paper_mm: int = 80,
    encoding: str = "gb18030",
    test_page: bool = False,
    store_name: Optional[str] = None,
    printer: Optional[ReceiptPrinter] = None,
) -> PrinterCheck:
    """Build the printer for `url`, ask its status, and print the test page if asked and usable.

    `printer` skips building (a printer object the caller already has). Never
    raises: a bad URL, a missing package or a failed test page become the status.
    """
    if printer is None:
        try:
            printer = printer_from_url(url, paper_mm=paper_mm, encoding=encoding)
        except ValueError as exc:
            return PrinterCheck(url, None, PrinterStatus(
                "error", f"The printer URL cannot be used: {exc}", f"Printer URLs look like {URL_EXAMPLES}."
            ))
    try:
        printer.render_items([])  # reads the logo, if the URL names one
    except PrinterError as exc:
        return PrinterCheck(url, printer, exc.status)
    status = printer.status()
    if not test_page or not status.usable:
        return PrinterCheck(url, printer, status)
    try:
        sent = printer.print_test_page(store_name)
    except PrinterError as exc:
        return PrinterCheck(url, printer, exc.status)
    return PrinterCheck(url, printer, status, len(sent))


@dataclass(frozen=True)
class ScannerCheck:
    """Whether the configured scanner's connection opens: ok True, False, or None (not checked)."""

    url: str
    ok: Optional[bool]
    message: str
    hint: str = field(default="")


def check_scanner(url: str, *, timeout: float = 1.0) -> ScannerCheck:
    """Check a scanner setting: "" (keyboard wedge) needs nothing; serial:// must open. Never raises."""
    url = (url or "").strip()
    if not url:
        return ScannerCheck(url, True, "keyboard-wedge scanner (KIOSK_SCANNER is empty): nothing to open; "
                                       "scan into the kiosk's scan box to test it")
    parts = urlsplit(url)
    if parts.scheme != "serial":
        return ScannerCheck(url, None, f"not checked: doctor only opens serial:// scanners, not {parts.scheme or url}://")
    port = unquote(parts.netloc or parts.path)
    try:
        options = dict(parse_qsl(parts.query))
        baudrate = int(options.get("baudrate", SERIAL_BAUDRATE))
    except ValueError:
        return ScannerCheck(url, False, f"the scanner URL {url!r} has a bad baudrate",
                            "Use e.g. serial:///dev/ttyACM0?baudrate=9600")
    if port in ("", "/"):
        return ScannerCheck(url, False, f"the scanner URL {url!r} names no port",
                            "Use e.g. serial:///dev/ttyACM0?baudrate=9600")
    transport = None
    try:
        transport = SerialTransport(port, baudrate=baudrate, timeout=timeout, label="scanner")
        transport.open()
    except PrinterError as exc:
        return ScannerCheck(url, False, str(exc), exc.hint)
    finally:
        if transport is not None:
            transport.close()
    return ScannerCheck(url, True, f"serial port {port} opens at {baudrate} baud")
