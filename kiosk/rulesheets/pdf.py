"""A worded sheet as an A4 PDF for the notice board: ``templates/rulesheets/sheet.html`` laid out
by WeasyPrint, so the text is real text (searchable, copyable) set in Noto Sans CJK SC, whose
glyphs WeasyPrint embeds as a subset. Long lists run on over as many pages as they need, the
table's heading repeated on each; every page says which of how many it is.

Nothing is fetched while rendering: the template refers to no file or address, and the URL
fetcher refuses every protocol, so a stray reference fails the render instead of reaching out.

No Flask here: the caller passes the words (``kiosk.rulesheets.words`` builds them).
"""
import os
from dataclasses import dataclass

import jinja2
import markupsafe

TEMPLATES = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                         "templates", "rulesheets")
FONT_FAMILY = "Noto Sans CJK SC"
PANGO_PACKAGES = "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"


class PdfUnavailable(RuntimeError):
    """WeasyPrint cannot run here (its system libraries are missing); the message says what to install."""


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


def _css_string(text):
    """``text`` as a quoted CSS string, safe inside <style>: no quote, newline or "</style" gets out."""
    escaped = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
               .replace("<", "\\3c ").replace(">", "\\3e "))
    return '"' + escaped + '"'


def page_counter(label):
    """A CSS ``content`` value for "Page {page} of {pages}" in any language: the strings
    quoted, the two numbers as CSS counters."""
    parts = []
    rest = label
    while rest:
        at = [(rest.find(key), key) for key in ("{page}", "{pages}") if key in rest]
        if not at:
            parts.append(_css_string(rest))
            break
        index, key = min(at)
        if index:
            parts.append(_css_string(rest[:index]))
        parts.append("counter(page)" if key == "{page}" else "counter(pages)")
        rest = rest[index + len(key):]
    return " ".join(parts) or '""'


def _css(value):
    # Already escaped for CSS by the functions above; Jinja must not HTML-escape it again.
    return markupsafe.Markup(value)


_environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined,
    trim_blocks=True, lstrip_blocks=True,
)
_environment.filters["css_string"] = lambda text: _css(_css_string(text))
_environment.filters["page_counter"] = lambda label: _css(page_counter(label))


def sheet_html(sheet):
    return _environment.get_template("sheet.html").render(sheet=sheet, font_family=FONT_FAMILY)


def sheet_pdf(sheet):
    """The sheet as A4 PDF bytes. Raises PdfUnavailable when WeasyPrint's libraries are missing."""
    try:
        import weasyprint
        from weasyprint.urls import URLFetcher
    except OSError as exc:  # cffi could not load Pango
        raise PdfUnavailable(
            f"A4 sheets need Pango ({exc}). Install it with: sudo apt-get install {PANGO_PACKAGES}") from exc
    except ImportError as exc:
        raise PdfUnavailable(f"A4 sheets need WeasyPrint: pip install weasyprint ({exc})") from exc
    refuse_all = URLFetcher(allowed_protocols=(), fail_on_errors=True)
    html = weasyprint.HTML(string=sheet_html(sheet), base_url=None, url_fetcher=refuse_all)
    return html.write_pdf()
