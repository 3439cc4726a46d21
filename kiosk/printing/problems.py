"""Printer faults in words a cashier can act on.

Jobs keep the printer's own error text (English, for whoever fixes the printer); screens show
one of these sentences next to it.
"""
import re

from flask_babel import lazy_gettext as _l

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


def printer_problem(error):
    """A sentence for a printer error text, or "" when there is none."""
    if not error:
        return ""
    for _code, pattern, sentence in PROBLEMS:
        if pattern.search(error):
            return str(sentence)
    return str(OTHER)
