"""Receipt printers: a virtual one for tests and demos, network and device-file ones."""

from __future__ import annotations

import abc
import codecs
import collections
import re
import socket
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ._escpos import File, Network, escpos_exceptions
from .escpos_render import render_escpos
from .profiles import PAPER_80, PaperProfile, profile_for
from .receipt import Receipt

__all__ = [
    "PrinterError",
    "ReceiptPrinter",
    "VirtualPrinter",
    "NetworkPrinter",
    "FilePrinter",
    "printer_from_url",
]

DEFAULT_PORT = 9100
MAX_JOBS = 50


class PrinterError(Exception):
    """A receipt could not be printed (offline, unplugged, out of paper, bad setting)."""


def _reason(exc: BaseException) -> str:
    """The underlying OS error text, not escpos's "Device not found (…)" wrapper."""
    cause = exc.__cause__ or exc.__context__
    if isinstance(exc, escpos_exceptions.Error) and isinstance(cause, OSError):
        exc = cause
    return str(exc).strip() or type(exc).__name__


class ReceiptPrinter(abc.ABC):
    """Renders receipts to ESC/POS and sends them; one job at a time."""

    description: str = "printer"

    def __init__(
        self,
        profile: PaperProfile = PAPER_80,
        encoding: str = "gb18030",
        chinese_mode: bool = True,
    ) -> None:
        """Raises ValueError for an unknown encoding."""
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise ValueError(f"unknown printer encoding {encoding!r}") from None
        self.profile = profile
        self.encoding = encoding
        self.chinese_mode = chinese_mode
        self._lock = threading.Lock()

    def render(self, receipt: Receipt) -> bytes:
        """The bytes this printer would send for `receipt`."""
        return render_escpos(
            receipt, self.profile, encoding=self.encoding, chinese_mode=self.chinese_mode
        )

    def print_receipt(self, receipt: Receipt) -> bytes:
        """Print `receipt` and return the bytes sent. Raises PrinterError."""
        data = self.render(receipt)
        with self._lock:
            self._send(data)
            self._record(receipt, data)
        return data

    @abc.abstractmethod
    def _send(self, data: bytes) -> None:
        """Deliver `data` to the printer. Raises PrinterError."""

    def _record(self, receipt: Receipt, data: bytes) -> None:
        """Hook called under the lock after a successful send."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.description} {self.profile.name}>"


class VirtualPrinter(ReceiptPrinter):
    """Keeps printed jobs in memory (and optionally as NNNNNN.bin files)."""

    description = "virtual://"

    def __init__(self, *args, directory: Path | str | None = None, **kwargs) -> None:
        """Raises ValueError for an unknown encoding."""
        super().__init__(*args, **kwargs)
        self.jobs: collections.deque[tuple[Receipt, bytes]] = collections.deque(maxlen=MAX_JOBS)
        self.directory = Path(directory) if directory is not None else None
        self.fail_with: str | None = None
        self._counter: int | None = None

    def _next_path(self) -> Path:
        """Next free job file, continuing after the highest number already there."""
        assert self.directory is not None
        if self._counter is None:
            numbers = [int(p.stem) for p in self.directory.glob("*.bin") if p.stem.isdigit()]
            self._counter = max(numbers, default=0)
        self._counter += 1
        return self.directory / f"{self._counter:06d}.bin"

    def _send(self, data: bytes) -> None:
        """Raises PrinterError(fail_with) when set, or if the job file cannot be written."""
        if self.fail_with is not None:
            raise PrinterError(self.fail_with)
        if self.directory is None:
            return
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._next_path().write_bytes(data)
        except OSError as exc:
            raise PrinterError(
                f"virtual printer cannot write to {self.directory}: {_reason(exc)}"
            ) from exc

    def _record(self, receipt: Receipt, data: bytes) -> None:
        self.jobs.append((receipt, data))


class _Network(Network):
    """escpos Network whose open() closes the socket when connecting fails.

    escpos 3.1 leaks the socket on a failed connect (a ResourceWarning) and
    hides the OSError inside DeviceNotFoundError.
    """

    def open(self, raise_not_found: bool = True) -> None:
        """Raises OSError (e.g. ConnectionRefusedError, TimeoutError)."""
        self.close()
        self.device = socket.create_connection((self.host, self.port), timeout=self.timeout)


class NetworkPrinter(ReceiptPrinter):
    """An ESC/POS printer listening on a raw TCP port (usually 9100)."""

    def __init__(
        self, host: str, port: int = DEFAULT_PORT, *args, timeout: float = 5.0, **kwargs
    ) -> None:
        """Raises ValueError for an unknown encoding."""
        super().__init__(*args, **kwargs)
        self.host = host
        self.port = port
        self.timeout = timeout
        self.description = f"tcp://{host}:{port}"

    def _send(self, data: bytes) -> None:
        """Connect, send, close. Raises PrinterError on any socket or escpos error."""
        printer = _Network(self.host, self.port, timeout=self.timeout)
        try:
            printer.open()
            printer._raw(data)
        except (OSError, escpos_exceptions.Error) as exc:
            raise PrinterError(
                f"receipt printer at {self.host}:{self.port} is not reachable: {_reason(exc)}"
            ) from exc
        finally:
            try:
                printer.close()
            except OSError:
                pass


class FilePrinter(ReceiptPrinter):
    """A printer behind a device file such as /dev/usb/lp0."""

    def __init__(self, path: Path | str, *args, **kwargs) -> None:
        """Raises ValueError for an unknown encoding."""
        super().__init__(*args, **kwargs)
        self.path = str(path)
        self.description = f"file://{self.path}"

    def _send(self, data: bytes) -> None:
        """Open, write, close. Raises PrinterError on any OS or escpos error."""
        printer = File(self.path)
        try:
            printer.open()
            printer._raw(data)
        except (OSError, escpos_exceptions.Error) as exc:
            raise PrinterError(
                f"cannot write to receipt printer {self.path}: {_reason(exc)}"
            ) from exc
        finally:
            try:
                printer.close()
            except OSError:
                pass


_HOST = re.compile(r"^[A-Za-z0-9.-]+$")


def printer_from_url(
    url: str,
    *,
    paper_mm: int = 80,
    encoding: str = "gb18030",
    directory: Path | str | None = None,
    timeout: float = 5.0,
) -> ReceiptPrinter:
    """A printer for "virtual://", "tcp://host[:port]" or "file:///path".

    `directory` applies to the virtual printer only. Raises ValueError for an
    unknown scheme, a malformed URL, an unsupported paper width or encoding.
    """
    profile = profile_for(paper_mm)
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except (ValueError, AttributeError) as exc:
        raise ValueError(f"malformed printer URL {url!r}: {exc}") from None
    options = {"profile": profile, "encoding": encoding}

    if parts.scheme == "virtual":
        if parts.netloc or parts.path not in ("", "/") or parts.query:
            raise ValueError(f"malformed printer URL {url!r}: use virtual://")
        return VirtualPrinter(directory=directory, **options)

    if parts.scheme == "tcp":
        host = parts.hostname or ""
        if not _HOST.match(host) or parts.path not in ("", "/") or parts.query:
            raise ValueError(f"malformed printer URL {url!r}: use tcp://host:port")
        return NetworkPrinter(host, port or DEFAULT_PORT, timeout=timeout, **options)

    if parts.scheme == "file":
        path = unquote(parts.path)
        if parts.netloc not in ("", "localhost") or not path.startswith("/") or parts.query:
            raise ValueError(f"malformed printer URL {url!r}: use file:///dev/usb/lp0")
        return FilePrinter(path, **options)

    raise ValueError(
        f"unknown printer URL scheme in {url!r}: use virtual://, tcp://host:port "
        "or file:///path"
    )
