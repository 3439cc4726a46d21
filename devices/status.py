"""What a receipt printer says about itself: DLE EOT real-time status, in plain words.

ESC/POS printers answer `DLE EOT n` (0x10 0x04 n) with one status byte, even
while offline. Per the Epson ESC/POS reference every answer has bits 1 and 4
set and bits 0 and 7 clear (`byte & 0x93 == 0x12`); the other bits mean:

- n=1 printer status: bit 3 offline.
- n=2 offline cause: bit 2 cover open, bit 3 paper being fed by the FEED
  button, bit 5 printing stopped at the paper end, bit 6 an error occurred.
- n=3 error cause: bit 2 recoverable (mechanical) error, bit 3 autocutter
  error, bit 5 unrecoverable error, bit 6 auto-recoverable error (head too hot).
- n=4 roll paper sensor: bits 2-3 paper near its end, bits 5-6 paper out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

__all__ = [
    "ERROR_CODES",
    "PRINTER_KINDS",
    "PrinterError",
    "PrinterStatus",
    "STATES",
    "USABLE_STATES",
    "DLE_EOT",
    "status_query",
    "is_status_byte",
    "parse_status",
    "query_status",
]

STATES = ("online", "offline", "cover_open", "paper_out", "paper_low", "error", "unknown")
# A job sent in these states should print ("unknown": the printer was reached or cannot tell).
USABLE_STATES = frozenset({"online", "paper_low", "unknown"})

# What went wrong, for a PrinterError's `code` (the kiosk words each one in its own language).
ERROR_CODES = (
    "refused",            # the printer refused the connection (off, wrong address or port)
    "timeout",            # no answer within `seconds`
    "unknown_host",       # the host name `host` is unknown
    "connection_closed",  # the printer dropped the connection
    "no_route",           # the network has no way to the printer
    "unreachable",        # another network failure (`reason`)
    "not_found",          # device, port or queue not found (unplugged, switched off)
    "permission",         # the kiosk's user may not use the printer
    "disconnected",       # unplugged or switched off during the job
    "busy",               # another program holds the printer
    "write_failed",       # the operating system refused the data (`reason`)
    "missing_package",    # a Python package is missing (`package`, `command`)
    "windows_only",       # win32:// off Windows
    "no_libusb",          # pyusb cannot find libusb
    "server_unreachable", # the CUPS server does not answer (`reason`)
    "job_refused",        # the queue refused the job (`reason`)
    "not_confirmed",      # a printer that answers did not confirm the job within `seconds`
    "prepare_failed",     # the receipt could not be turned into printer bytes (`reason`)
    "bad_setting",        # the printer setting (URL) cannot be used (`reason`)
    "offline", "cover_open", "paper_out", "error",  # the printer's own state (simulated or reported)
    "other",              # anything else (`reason`)
)
# How a printer is connected, for the `kind` param and a printer's `kind` attribute.
PRINTER_KINDS = ("network", "file", "usb", "serial", "cups", "windows", "virtual")

DLE_EOT = b"\x10\x04"
FIXED_MASK, FIXED_BITS = 0x93, 0x12

# n=1
OFFLINE = 0x08
# n=2
COVER_OPEN, FEED_BUTTON, PAPER_END_STOP, ERROR = 0x04, 0x08, 0x20, 0x40
# n=3
ERROR_CAUSES = (
    (0x08, "the autocutter is jammed or faulty"),
    (0x04, "a mechanical error (paper jam or print head lever up)"),
    (0x20, "an unrecoverable error (switch the printer off and on; if it stays, it needs repair)"),
    (0x40, "the print head is too hot or the voltage is wrong (it recovers by itself)"),
)
# n=4
PAPER_NEAR_END, PAPER_OUT = 0x0C, 0x60

HINTS = {
    "cover_open": "Close the printer cover firmly until it clicks.",
    "paper_out": "Load a new paper roll (thermal side facing the print head) and close the cover.",
    "paper_low": "The paper roll is nearly finished: have a new roll at hand.",
    "error": "Switch the printer off and on again; check for jammed paper.",
    "offline": "Check that the printer is switched on and its cable is plugged in.",
}


@dataclass(frozen=True)
class PrinterStatus:
    """A printer's state (one of STATES), a plain English detail and what to do about it."""

    state: str
    detail: str = ""
    hint: str = ""
    # True when the printer itself answered (DLE EOT), not a guess from the connection.
    reported: bool = field(default=False, compare=False, repr=False)
    # For a status that stands for a PrinterError: its code and params (see PrinterError).
    code: str = field(default="", compare=False, repr=False)
    params: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        """Raises ValueError for a state outside STATES."""
        if self.state not in STATES:
            raise ValueError(f"unknown printer state {self.state!r}: use one of {', '.join(STATES)}")

    @property
    def usable(self) -> bool:
        """Whether a job sent now should print: online, paper low, or cannot tell."""
        return self.state in USABLE_STATES

    def __str__(self) -> str:
        return f"{self.state}: {self.detail}" if self.detail else self.state


class PrinterError(Exception):
    """A receipt could not be printed (offline, unplugged, out of paper, bad setting).

    `state` is the PrinterStatus state the failure amounts to ("offline" for a
    refused connection or an unplugged device, "error" for a missing package
    or a permission problem…) and `hint` says what to do, when known.
    `maybe_sent` says whether bytes of the job may have left before the failure.

    The message is plain English, for logs and whoever fixes the printer. A screen shows
    `code` (one of ERROR_CODES) with `params` instead, in its own language: `params` hold
    the printer's `kind` (one of PRINTER_KINDS) and `address` when known, and values the
    code names (`seconds`, `reason`, `package`…). devices never translates.
    """

    def __init__(self, message: str, *, state: str = "error", hint: str = "", maybe_sent: bool = False,
                 code: str = "other", params: Optional[dict] = None) -> None:
        super().__init__(message)
        self.code = code if code in ERROR_CODES else "other"
        self.params = {key: value for key, value in (params or {}).items() if value is not None}
        self.state = state if state in STATES else "error"
        self.hint = hint
        # True when some of the job's bytes may have reached the printer before the failure
        # (so the job may be on paper, whole or in part); False when nothing was sent.
        self.maybe_sent = maybe_sent

    @property
    def status(self) -> PrinterStatus:
        """This failure as a printer status."""
        return PrinterStatus(self.state, str(self), self.hint, code=self.code, params=self.params)


def status_query(n: int) -> bytes:
    """The `DLE EOT n` real-time status request."""
    return DLE_EOT + bytes([n])


def is_status_byte(value: int) -> bool:
    """Whether `value` has the fixed bits of a DLE EOT answer (bits 1, 4 set; 0, 7 clear)."""
    return value & FIXED_MASK == FIXED_BITS


def _status(state: str, detail: str) -> PrinterStatus:
    return PrinterStatus(state, detail, HINTS.get(state, ""), reported=True)


def parse_status(
    printer: int, offline: Optional[int] = None, paper: Optional[int] = None, error: Optional[int] = None
) -> PrinterStatus:
    """The status for the answers to DLE EOT 1 (`printer`), 2, 4 and 3 (None: not asked).

    Worst first: cover open, paper out, error, offline, paper low, online.
    Raises ValueError when an answer lacks the fixed bits (not a status byte).
    """
    for value in (printer, offline, paper, error):
        if value is not None and not is_status_byte(value):
            raise ValueError(f"0x{value:02x} is not a DLE EOT status byte")
    is_offline = bool(printer & OFFLINE)
    cause = offline or 0
    if cause & COVER_OPEN:
        return _status("cover_open", "The printer cover is open.")
    if (paper or 0) & PAPER_OUT or cause & PAPER_END_STOP:
        return _status("paper_out", "The printer is out of paper (paper end).")
    if cause & ERROR:
        reasons = [text for bit, text in ERROR_CAUSES if (error or 0) & bit]
        detail = "The printer reports an error" + (f": {'; '.join(reasons)}." if reasons else ".")
        return _status("error", detail)
    if is_offline:
        if cause & FEED_BUTTON:
            return _status("offline", "The printer is offline while its FEED button is pressed.")
        return _status("offline", "The printer is offline.")
    if (paper or 0) & PAPER_NEAR_END:
        return _status("paper_low", "The paper roll is nearly finished (paper near end).")
    return _status("online", "The printer is ready.")


def query_status(ask: Callable[[bytes], Optional[bytes]]) -> PrinterStatus:
    """Ask DLE EOT 1, 2 and 4 (and 3 when an error is reported) through `ask`.

    `ask(request)` sends one request and returns the answer, or None/b"" when
    the printer did not answer in time; whatever it raises propagates. A
    printer that stays silent, or answers with something that is not a status
    byte, gives "unknown".
    """
    answers: dict[int, int] = {}
    for n in (1, 2, 4):
        answer = ask(status_query(n))
        if not answer:
            if n == 1:
                return PrinterStatus(
                    "unknown", "The printer was reached but does not report its status."
                )
            return _status_from(answers)
        value = answer[-1]  # a late answer to an earlier query may come first
        if not is_status_byte(value):
            return PrinterStatus(
                "unknown", f"The printer answered 0x{value:02x} to a status query (not ESC/POS?)."
            )
        answers[n] = value
    if answers[2] & ERROR:
        answer = ask(status_query(3))
        if answer and is_status_byte(answer[-1]):
            answers[3] = answer[-1]
    return _status_from(answers)


def _status_from(answers: dict[int, int]) -> PrinterStatus:
    return parse_status(answers[1], answers.get(2), answers.get(4), answers.get(3))
