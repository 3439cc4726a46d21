"""Printer faults in words a cashier can act on, in the screen's language.

devices raises PrinterError with a machine `code` and `params` (and an English message for
whoever fixes the printer); this module words each code through gettext. A print job keeps
its error as `stored_error(exc)`: the code, params and English text, so a screen words it
later in the language of the day. Jobs stored before the codes hold the English text only;
those are worded by the patterns in PROBLEMS.
"""
import re

from flask_babel import lazy_gettext as _l

from kiosk.printing.faults import detail as printer_detail  # noqa: F401 (a template global)
from kiosk.printing.faults import parts as _parts
from kiosk.printing.faults import shorten, stored_error  # noqa: F401

PROBLEMS = (
    ("paper_out", re.compile(r"paper (out|end)|out of paper|no paper", re.I),
     _l("The printer is out of paper. Load a new roll.")),
    ("cover_open", re.compile(r"cover", re.I), _l("The printer cover is open. Close it.")),
    ("permission", re.compile(r"permission|access denied|not permitted", re.I),
     _l("The kiosk may not use the printer. Ask the administrator (kiosk doctor).")),
    ("missing", re.compile(r"not found|no such (file|device)|unplugged|disconnected|no device", re.I),
     _l("The printer cannot be found. Check its USB cable and power.")),
    ("unreachable", re.compile(r"refused|not reachable|unreachable|timed? ?out|no route|reset|broken pipe|closed", re.I),
     _l("The printer does not answer. Check its power and network cable.")),
    ("install", re.compile(r"pip install|not installed", re.I),
     _l("The printer setting needs software that is not installed. Ask the administrator (kiosk doctor).")),
    ("offline", re.compile(r"offline", re.I), _l("The printer is offline. Check its power and lid.")),
)
OTHER = _l("The printer reported a fault.")

# The printer in words, by devices.PRINTER_KINDS (the address follows).
KINDS = {
    "network": _l("Network printer %(address)s"),
    "file": _l("Printer %(address)s"),
    "usb": _l("USB printer %(address)s"),
    "serial": _l("Serial printer %(address)s"),
    "cups": _l("Printer queue %(address)s"),
    "windows": _l("Windows printer %(address)s"),
    "virtual": _l("Virtual printer"),
}
PRINTER = _l("The printer")

# A sentence for each devices.ERROR_CODES code; %(printer)s is the printer in words (KINDS).
CODES = {
    "refused": _l("%(printer)s refused the connection. Check that it is switched on and that its address is right."),
    "timeout": _l("%(printer)s did not answer within %(seconds)s seconds. Check its power and cable."),
    "unknown_host": _l("The printer address %(host)s is unknown. Use the printer's IP address (on its self-test page)."),
    "connection_closed": _l("%(printer)s broke off the connection. Check its power and network cable."),
    "no_route": _l("%(printer)s cannot be reached on the network. Check the network cable."),
    "unreachable": _l("%(printer)s cannot be reached. Check its power and network cable."),
    "not_found": _l("%(printer)s cannot be found. Check its cable and power."),
    "permission": _l("The kiosk may not use %(printer)s. Ask the administrator (kiosk doctor)."),
    "disconnected": _l("%(printer)s was unplugged or switched off. Check its cable and power."),
    "busy": _l("%(printer)s is in use by another program. Close that program."),
    "write_failed": _l("%(printer)s did not take the receipt. Switch it off and on again."),
    "missing_package": _l("The printer setting needs software that is not installed (%(package)s). "
                          "Ask the administrator (kiosk doctor)."),
    "windows_only": _l("This printer setting works on Windows only. Choose another printer in the settings."),
    "no_libusb": _l("The USB printer software (libusb) is not installed. Ask the administrator (kiosk doctor)."),
    "server_unreachable": _l("The printing service of this computer (CUPS) does not answer. Ask the administrator."),
    "job_refused": _l("%(printer)s refused the receipt. Check the printer queue."),
    "not_confirmed": _l("%(printer)s did not confirm the receipt within %(seconds)s seconds. "
                        "Check whether it printed; switch the printer off and on again."),
    "prepare_failed": _l("The receipt cannot be prepared for the printer. Ask the administrator."),
    "bad_setting": _l("The printer setting cannot be used. Check the printer in the settings."),
    "offline": _l("The printer is offline. Check its power and lid."),
    "cover_open": _l("The printer cover is open. Close it."),
    "paper_out": _l("The printer is out of paper. Load a new roll."),
}  # "error" and "other": the English text is matched against PROBLEMS

def describe_printer(kind, address=""):
    """A printer in words ("Network printer 192.168.1.50:9100"), by its kind and address."""
    words = KINDS.get(kind)
    if words is None or (not address and kind != "virtual"):
        return str(PRINTER)
    return str(words) % {"address": address}


def printer_problem(error):
    """The sentence for a printer error (a PrinterError, a ValueError from a printer URL, or a
    job's stored error, old English text included), or "" when there is none."""
    if not error:
        return ""
    code, params, text = _parts(error)
    sentence = CODES.get(code)
    if sentence is None:
        for _code, pattern, words in PROBLEMS:
            if pattern.search(text):
                return str(words)
        return str(OTHER)
    values = {key: str(value) for key, value in params.items()}
    values["printer"] = describe_printer(params.get("kind", ""), params.get("address", ""))
    values.setdefault("seconds", "?")
    values.setdefault("host", values.get("address", ""))
    values.setdefault("package", "")
    return str(sentence) % values


# The printer's state in one word for the header's badge (kiosk.web.PRINTER_STATE_NAMES), by
# the fault a job that did not print met: a printer that does not answer is offline.
OFFLINE_CODES = ("refused", "timeout", "unknown_host", "connection_closed", "no_route", "unreachable", "not_found",
                 "disconnected", "server_unreachable", "offline")
OFFLINE_PATTERNS = ("missing", "unreachable", "offline")


def printer_state(error):
    """"offline", "paper_out", "cover_open" or "error" for a job's stored printer error (or a
    PrinterError); "" when there is none."""
    if not error:
        return ""
    code, _params, text = _parts(error)
    if code in ("paper_out", "cover_open"):
        return code
    if code in OFFLINE_CODES:
        return "offline"
    if code not in CODES:
        for key, pattern, _words in PROBLEMS:
            if pattern.search(text):
                return key if key in ("paper_out", "cover_open") else ("offline" if key in OFFLINE_PATTERNS else "error")
    return "error"
