"""The printer test page: shows at a glance whether Chinese text, width, QR and cutter work."""

from __future__ import annotations

from typing import Optional

from . import text
from .layout import AMBIGUOUS, Cut, Feed, Item, QrCode, TextLine
from .profiles import PaperProfile

__all__ = ["build_test_page", "COMMON_CHINESE", "PUNCTUATION", "RARE_CHARACTERS", "QR_DATA"]

COMMON_CHINESE = "积分超市收银小票打印测试"
PUNCTUATION = "：，。￥"  # full-width, alone on their line: each must take two columns
RARE_CHARACTERS = "䶮 𠮷"  # outside GBK: drawn as an image, or "?" without a CJK font
QR_DATA = "POINTS-KIOSK TEST PAGE"
FEED_LINES = 3


def _wrapped(content: str, cols: int, **style) -> list[TextLine]:
    return [TextLine(part, **style) for part in text.wrap(content, cols, ambiguous=AMBIGUOUS)]


def build_test_page(
    profile: PaperProfile, *, url: str, encoding: str, store_name: Optional[str] = None
) -> list[Item]:
    """Layout items of the test page for a printer at `url` speaking `encoding`."""
    cols = profile.columns
    items: list[Item] = [TextLine("测试页 TEST PAGE", "center", bold=True, big=True)]
    if store_name:
        items += _wrapped(store_name, cols // 2, align="center", big=True)
    items += _wrapped(f"打印机 Printer: {url}", cols)
    items += _wrapped(f"编码 Encoding: {encoding}", cols)
    items += _wrapped(f"纸宽 Paper: {profile.name}, {cols} columns, {profile.dots} dots", cols)
    items.append(TextLine("-" * cols))
    # A full ruler: the last digit must sit at the right edge, nothing wraps.
    items.append(TextLine(("1234567890" * (cols // 10 + 1))[:cols]))
    items += _wrapped(COMMON_CHINESE, cols)
    items.append(TextLine(PUNCTUATION))
    items.append(TextLine(RARE_CHARACTERS))
    items += _wrapped("粗体 Bold", cols, bold=True)
    items.append(TextLine("-" * cols))
    items.append(QrCode(QR_DATA, profile.qr_size))
    items += _wrapped("扫码应显示 The scan reads: " + QR_DATA, cols, align="center")
    items += [Feed(FEED_LINES), Cut()]
    return items
