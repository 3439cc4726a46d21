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


# ---------------------------------------------------------------------------------------------
# The same rules for Excel workbooks (.xlsx, openpyxl): text is always a text cell, never a formula.

DATE_FORMAT, TIME_FORMAT = "yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss"


def xlsx_bytes(sheets):
    """A workbook as .xlsx bytes. ``sheets``: [(title, header, rows, widths, formats)], where
    ``widths`` (characters) and ``formats`` (Excel number formats, e.g. "0.0%") are per column and
    may be None or shorter than the header. Each sheet gets a bold header row, frozen below it.

    Numbers stay numbers, dates and times are dates (shown as yyyy-mm-dd [hh:mm:ss]), None is
    an empty cell, and every other value is a text cell, so that text starting with = + - @ is
    shown as typed and never run as a formula. Rows may be an iterator (written as they come)."""
    from datetime import date, datetime

    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, header, rows, widths, formats in sheets:
        sheet = book.create_sheet(_sheet_title(title))
        for index, width in enumerate(widths or (), start=1):
            if width:
                sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "A2"
        cells = []
        for text in header:
            cell = WriteOnlyCell(sheet, value=str(text))
            cell.data_type = "s"
            cell.font = bold
            cells.append(cell)
        sheet.append(cells)
        formats = list(formats or ())
        for row in rows:
            out = []
            for index, value in enumerate(row):
                if value is None:
                    out.append(None)
                    continue
                cell = WriteOnlyCell(sheet, value=value if isinstance(value, (int, float, date)) and not
                                     isinstance(value, bool) else str(value))
                if isinstance(value, datetime):
                    cell.number_format = TIME_FORMAT
                elif isinstance(value, date):
                    cell.number_format = DATE_FORMAT
                elif isinstance(value, (int, float)) and not isinstance(value, bool):
                    if index < len(formats) and formats[index]:
                        cell.number_format = formats[index]
                else:
                    cell.data_type = "s"  # text, never a formula
                out.append(cell)
            sheet.append(out)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_title(title):
    """A sheet name Excel accepts: at most 31 characters, none of []:*?/\\."""
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in str(title)).strip("' ")
    return cleaned[:31] or "Sheet"
