"""Import python-escpos without letting it configure the root logger.

escpos.capabilities calls logging.basicConfig() at import time, which would
make the application's own logging.basicConfig() a silent no-op.
"""

import logging

_root = logging.getLogger()
_before = list(_root.handlers)

from escpos import exceptions as escpos_exceptions  # noqa: E402
from escpos.printer import Dummy, File, Network  # noqa: E402

for _handler in list(_root.handlers):
    if _handler not in _before:
        _root.removeHandler(_handler)

__all__ = ["Dummy", "File", "Network", "escpos_exceptions"]
