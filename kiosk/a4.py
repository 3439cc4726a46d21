"""A4 documents (notices, statements, stock-take sheets, letters, card and label sheets, the rule
sheets): HTML templates in ``templates/a4/`` laid out by WeasyPrint, so the text is real text
(searchable, copyable) set in Noto Sans CJK SC, whose glyphs WeasyPrint embeds as a subset.

Every document extends ``a4/base.html`` (the page, its footer, the shared CSS in ``a4/a4.css``).
QR codes and barcodes are inline SVG drawn from their modules: sharp at any printer resolution.
``cjk_font`` loads the same Noto face with Pillow, to fit a text to its space before layout (and
for the one picture left, the single card PNG of kiosk.cards.render).

Nothing is fetched while rendering: the templates refer to no file or address, and the URL
fetcher refuses every protocol, so a stray reference fails the render instead of reaching out.

No Flask here: callers pass every word, already in the reader's language.
"""
import os
import re
from functools import lru_cache

import jinja2
import markupsafe
from PIL import ImageFont

TEMPLATES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "templates")
FONT_FAMILY = "Noto Sans CJK SC"
PANGO_PACKAGES = "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"
FONT_DIR = "/usr/share/fonts/opentype/noto"  # Debian's fonts-noto-cjk
FONT_FILES = {False: "NotoSansCJK-Regular.ttc", True: "NotoSansCJK-Bold.ttc"}
SIMPLIFIED_CHINESE = 2  # the face index of Noto Sans CJK SC in the collections (0 is Japanese)


class PdfUnavailable(RuntimeError):
    """WeasyPrint cannot run here (its system libraries are missing); the message says what to install."""


class FetchRefused(RuntimeError):
    """A template referred to a file or an address; nothing is fetched, so the render stops."""


def css_string(text):
    """``text`` as a quoted CSS string, safe inside <style>: no quote, newline or "</style" gets out."""
    escaped = (str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
               .replace("<", "\\3c ").replace(">", "\\3e "))
    return '"' + escaped + '"'


def page_counter(label):
    """A CSS ``content`` value for "Page {page} of {pages}" in any language: the strings
    quoted, the two numbers as CSS counters. ``{number}`` is taken as ``{page}``."""
    parts = []
    rest = str(label).replace("{number}", "{page}")
    while rest:
        at = [(rest.find(key), key) for key in ("{page}", "{pages}") if key in rest]
        if not at:
            parts.append(css_string(rest))
            break
        index, key = min(at)
        if index:
            parts.append(css_string(rest[:index]))
        parts.append("counter(page)" if key == "{page}" else "counter(pages)")
        rest = rest[index + len(key):]
    return " ".join(parts) or '""'


def qr_path(matrix):
    """SVG path data for a QR code's ``matrix`` (rows of booleans, quiet zone included), one unit
    a module: scale it to the module size, and it prints as crisp squares at any resolution."""
    return "".join(f"M{x},{y}h1v1h-1z" for y, row in enumerate(matrix) for x, dark in enumerate(row) if dark)


def bars_path(bars, quiet):
    """SVG path data for linear barcode ``bars`` ("1" bar, "0" space) one unit a module and one
    unit tall, after ``quiet`` white modules: scale it to the module width and the bar height."""
    runs = []
    for match in re.finditer("1+", bars):
        runs.append(f"M{quiet + match.start()},0h{len(match.group())}v1h-{len(match.group())}z")
    return "".join(runs)


@lru_cache(maxsize=64)
def cjk_font(size, bold=False):
    """Noto Sans CJK SC at ``size`` pixels (bold falls back to regular if only that is installed).

    Raises RuntimeError when Debian's fonts-noto-cjk is not installed.
    """
    path = os.path.join(FONT_DIR, FONT_FILES[bold])
    if bold and not os.path.exists(path):
        path = os.path.join(FONT_DIR, FONT_FILES[False])
    if not os.path.exists(path):
        raise RuntimeError(f"install fonts-noto-cjk (sudo apt-get install fonts-noto-cjk): {path} is missing")
    return ImageFont.truetype(path, size, index=SIMPLIFIED_CHINESE)


def _measuring_font(bold):
    return cjk_font(1000, bold)


def text_width(text, size_mm, bold=False):
    """How wide ``text`` sets in Noto Sans CJK SC at ``size_mm`` (em size), in millimetres."""
    return _measuring_font(bold).getlength(text) * size_mm / 1000


def fit(text, max_mm, size_mm, bold=False, smallest=0.6):
    """(size in mm, text) to set ``text`` within ``max_mm``: a smaller size, then an ellipsis."""
    size = size_mm
    for step in range(int((1 - smallest) * 20) + 1):
        size = size_mm * (1 - step / 20)
        if text_width(text, size, bold) <= max_mm:
            return size, text
    while len(text) > 1 and text_width(text + "…", size, bold) > max_mm:
        text = text[:-1]
    return size, text + "…"


_environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined,
    trim_blocks=True, lstrip_blocks=True,
)
# Already escaped for CSS by the functions above; Jinja must not HTML-escape them again.
_environment.filters["css_string"] = lambda text: markupsafe.Markup(css_string(text))
_environment.filters["page_counter"] = lambda label: markupsafe.Markup(page_counter(label))
_environment.filters["mm"] = lambda value: f"{value:.3f}mm"


def html(template, **context):
    """The document's HTML (``template`` under templates/, e.g. "a4/notice.html")."""
    return _environment.get_template(template).render(font_family=FONT_FAMILY, **context)


def pdf(template, **context):
    """The document as PDF bytes. Raises PdfUnavailable when WeasyPrint's libraries are missing,
    FetchRefused when the page refers to any file or address."""
    try:
        import weasyprint
        from weasyprint.urls import URLFetcher
    except OSError as exc:  # cffi could not load Pango
        raise PdfUnavailable(
            f"A4 documents need Pango ({exc}). Install it with: sudo apt-get install {PANGO_PACKAGES}") from exc
    except ImportError as exc:
        raise PdfUnavailable(f"A4 documents need WeasyPrint: pip install weasyprint ({exc})") from exc
    refuse_all = URLFetcher(allowed_protocols=(), fail_on_errors=True)
    document = weasyprint.HTML(string=html(template, **context), base_url=None, url_fetcher=refuse_all)
    try:
        return document.write_pdf()
    except weasyprint.urls.FatalURLFetchingError as exc:  # a BaseException: turn it into an ordinary error
        raise FetchRefused(f"{template}: {exc}") from exc
