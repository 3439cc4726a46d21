"""The reports' charts, drawn on the server by matplotlib as SVG, so that the same picture is on
the screen (an <img> of the SVG as a data: URL, which the Content-Security-Policy allows) and on
the A4 report (the SVG inline, laid out by WeasyPrint).

Text stays text (``svg.fonttype = "none"``): titles and labels are <text> elements set in Noto
Sans CJK SC (Debian's fonts-noto-cjk), which matplotlib registers from its font file here so that
it measures the Chinese the way the browser and WeasyPrint then draw it. The SVGs are
deterministic (no date, a fixed id salt): the same figures give the same bytes.

No Flask: callers pass every word, already in the reader's language. Each function returns the
SVG document as text; ``inline`` strips its XML prologue to embed it in HTML.
"""
import base64
import io
import os
import re
import threading

from kiosk.a4 import FONT_DIR, FONT_FAMILY

FONT_FILE = os.path.join(FONT_DIR, "NotoSansCJK-Regular.ttc")
COLORS = {"earn": "#2e7d32", "redeem": "#c62828", "people": "#1565c0", "stock": "#6a1b9a", "goods": "#ef6c00"}
WIDTH, HEIGHT = 7.2, 3.2  # inches at 100 dpi: 720 x 320 user units, scaled by the page
_lock = threading.Lock()  # pyplot's state is global: one chart at a time
_ready = False


def _pyplot():
    """pyplot on the Agg backend with Noto Sans CJK SC as the font, set up once."""
    global _ready
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib import font_manager, pyplot

    if not _ready:
        if os.path.exists(FONT_FILE):
            font_manager.fontManager.addfont(FONT_FILE)
        matplotlib.rcParams.update({
            "font.family": "sans-serif",
            "font.sans-serif": [FONT_FAMILY, "Noto Sans CJK JP", "DejaVu Sans"],
            "svg.fonttype": "none",
            "svg.hashsalt": "kiosk-reports",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titlesize": 14,
            "font.size": 11,
        })
        _ready = True
    return pyplot


def _svg(figure, pyplot):
    out = io.StringIO()
    figure.savefig(out, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    pyplot.close(figure)
    return out.getvalue()


def _figure(pyplot, title):
    figure, axes = pyplot.subplots(figsize=(WIDTH, HEIGHT), dpi=100)
    axes.set_title(title, loc="left")
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.grid(axis="y", color="#dddddd", linewidth=0.8)
    axes.set_axisbelow(True)
    return figure, axes


def _empty(axes, words):
    axes.text(0.5, 0.5, words, ha="center", va="center", transform=axes.transAxes, color="#777777")
    axes.set_xticks([])
    axes.set_yticks([])
    axes.grid(False)


def bars(title, labels, series, *, empty="", horizontal=False):
    """A bar chart: ``series`` is [(name, color key, values)], drawn side by side per label."""
    with _lock:
        pyplot = _pyplot()
        figure, axes = _figure(pyplot, title)
        if not labels or not any(any(values) for _n, _c, values in series):
            _empty(axes, empty)
        else:
            count = len(series)
            width = 0.8 / count
            positions = range(len(labels))
            for index, (name, color, values) in enumerate(series):
                offsets = [p - 0.4 + width * (index + 0.5) for p in positions]
                draw = axes.barh if horizontal else axes.bar
                draw(offsets, values, width * 0.95, label=name, color=COLORS.get(color, color))
            pad = max(0.0, (4 - len(labels)) / 2)  # a bar or two stay bar-sized, centred
            if horizontal:
                axes.set_yticks(list(positions), labels)
                axes.set_ylim(-0.5 - pad, len(labels) - 0.5 + pad)
                axes.invert_yaxis()
                axes.grid(axis="x", color="#dddddd", linewidth=0.8)
                axes.grid(axis="y", visible=False)
            else:
                axes.set_xticks(list(positions), labels)
                axes.set_xlim(-0.5 - pad, len(labels) - 0.5 + pad)
                if len(labels) > 8:
                    axes.tick_params(axis="x", labelsize=9)
            if count > 1:
                axes.legend(frameon=False, loc="upper right", ncols=count)
        return _svg(figure, pyplot)


def line(title, labels, values, *, color="stock", empty=""):
    """A line chart of one series, with its points marked."""
    with _lock:
        pyplot = _pyplot()
        figure, axes = _figure(pyplot, title)
        if not labels:
            _empty(axes, empty)
        else:
            axes.plot(range(len(labels)), values, marker="o", color=COLORS.get(color, color), linewidth=2)
            axes.set_xticks(range(len(labels)), labels)
            axes.set_ylim(bottom=0)
            if len(labels) > 8:
                axes.tick_params(axis="x", labelsize=9)
        return _svg(figure, pyplot)


_PROLOGUE = re.compile(r"\A\s*<\?xml[^>]*\?>\s*(<!DOCTYPE[^>]*>\s*)?", re.S)


def inline(svg):
    """The SVG without its XML declaration and DOCTYPE, to sit inside an HTML page."""
    return _PROLOGUE.sub("", svg)


def data_url(svg):
    """The SVG as a data: URL for an <img> (allowed by the pages' img-src)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
