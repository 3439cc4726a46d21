"""Every CSV file the kiosk hands out is written here, so that none can carry a formula.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in some, a tab or a
carriage return) as a formula: a name typed as ``=HYPERLINK(…)`` in a form or an imported file
would become a link, or worse, in the office's Excel. Such text cells get a leading ``'``, which
Excel shows as text and the kiosk's own importers remove. Numbers stay numbers.
"""
import csv
import io

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """``value`` as a CSV cell that no spreadsheet runs: None is empty, text that starts like a
    formula gets a leading "'", whole numbers stay as they are."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_bytes(header, rows):
    """The rows as CSV bytes for Excel: UTF-8 with a byte-order mark (so the Chinese opens
    intact), CRLF line ends, every cell through ``safe_cell``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(value) for value in header])
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return out.getvalue().encode("utf-8-sig")
