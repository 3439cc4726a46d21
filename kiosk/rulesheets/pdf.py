"""A worded sheet as an A4 PDF for the notice board: ``templates/rulesheets/sheet.html`` (on the
shared A4 page, ``kiosk.a4``) laid out by WeasyPrint. Long lists run on over as many pages as
they need, the table's heading repeated on each; every page says which of how many it is.

No Flask here: the caller passes the words (``kiosk.rulesheets.words`` builds them).
"""
from dataclasses import dataclass

from kiosk import a4
from kiosk.a4 import PdfUnavailable, page_counter  # noqa: F401  (callers import them from here)


@dataclass(frozen=True)
class Row:
    cells: tuple  # one text per column
    deduction: bool = False  # printed with the sheet's ``badge`` (扣分) in the points column


@dataclass(frozen=True)
class Section:
    name: str  # a category
    rows: tuple


@dataclass(frozen=True)
class Sheet:
    """Everything a sheet prints, already in the reader's language."""

    kind: str  # "earning" or "redemption": the template's column widths
    title: str
    store_name: str
    dated: str  # "截至 2026年12月5日"
    columns: tuple
    sections: tuple
    intro: tuple = ()  # (heading, text) pairs printed above the table
    empty: str = "Nothing to list."
    badge: str = "Deduction"
    points_column: int = 1
    page: str = "Page {page} of {pages}"
    language: str = "zh-CN"


def sheet_html(sheet):
    return a4.html("rulesheets/sheet.html", sheet=sheet)


def sheet_pdf(sheet):
    """The sheet as A4 PDF bytes. Raises PdfUnavailable when WeasyPrint's libraries are missing."""
    return a4.pdf("rulesheets/sheet.html", sheet=sheet)
