"""A notice as a printable A4 PDF: ``templates/a4/notice.html`` laid out by WeasyPrint
(``kiosk.a4``), real text in Noto Sans CJK SC embedded as a subset, so it can be searched, copied
and read by a screen reader. No Flask here: the caller passes the words (``NoticeLabels``).
"""
from dataclasses import dataclass

from kiosk import a4


@dataclass
class NoticeLabels:
    title: str = "Points public notice"
    period: str = "Period"
    published: str = "Published"
    columns: tuple = ("Rank", "Household", "Head of household", "Earned", "Spent", "Balance")
    totals: str = "Total"
    households: str = "households"
    chain: str = "Ledger chain head"
    chain_note: str = "after entry {entry}, {length} entries"
    empty_chain: str = "no ledger entries yet"
    stars_title: str = "Star household candidates"
    stars_note: str = "By points earned in the year"
    deducted: str = "deduction in the year"
    no_stars: str = "No household earned points in the year."
    empty: str = "No household had a points account in this period: this notice lists nobody."
    page: str = "Page {number} of {pages}"


def notice_pdf(store_name, notice, lines, labels, *, candidates=None, published_at="", rows_per_page=36):
    """The notice as A4 PDF bytes: a title on every page, ``rows_per_page`` households a page,
    the totals and the ledger chain head at the end (and the star-household candidates of a
    yearly notice on pages of their own). Raises a4.PdfUnavailable without WeasyPrint's libraries."""
    chunks = [lines[i:i + rows_per_page] for i in range(0, len(lines), rows_per_page)] or [[]]
    star_chunks = []
    if candidates is not None:
        star_chunks = [candidates[i:i + rows_per_page] for i in range(0, len(candidates), rows_per_page)] or [[]]
    return a4.pdf("a4/notice.html", store_name=store_name, notice=notice, labels=labels, chunks=chunks,
                  star_chunks=star_chunks, published_at=published_at)
