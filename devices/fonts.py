"""Find a CJK font (Noto Sans CJK) for raster text and the paper preview."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from pathlib import Path

from PIL import ImageFont

__all__ = ["FontNotFoundError", "find_cjk_font", "cjk_font"]

FAMILY = "Noto Sans CJK SC"
# Debian/Ubuntu's fonts-noto-cjk. In the .ttc collections face 2 is SC
# (the order is JP, KR, SC, TC, HK).
DEBIAN_FONTS = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Medium.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2),
    ("/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf", 0),
)
ENV_VAR = "DEVICES_CJK_FONT"  # "path" or "path:index" overrides the search


class FontNotFoundError(LookupError):
    """No CJK font is installed."""


def _fc_match() -> tuple[str, int] | None:
    """fontconfig's file and face index for FAMILY, or None if it only offers a fallback."""
    if shutil.which("fc-match") is None:
        return None
    try:
        result = subprocess.run(
            ["fc-match", "-f", "%{file}\n%{index}\n%{family}", FAMILY],
            capture_output=True, text=True, timeout=10, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    parts = result.stdout.split("\n")
    if result.returncode != 0 or len(parts) < 3 or "CJK" not in parts[2]:
        return None  # fontconfig always answers; DejaVu is not a CJK font
    try:
        return parts[0], int(parts[1] or 0)
    except ValueError:
        return parts[0], 0


@functools.cache
def find_cjk_font() -> tuple[str, int]:
    """(path, face index) of a CJK font: $DEVICES_CJK_FONT, fc-match, then Debian paths.

    Raises FontNotFoundError with an install hint when none is found.
    """
    override = os.environ.get(ENV_VAR, "").strip()
    if override:
        path, index = override, 0
        head, sep, tail = override.rpartition(":")
        if sep and tail.isdigit():
            path, index = head, int(tail)
        if Path(path).is_file():
            return path, index
        raise FontNotFoundError(f"{ENV_VAR}={override!r} is not a font file")
    found = _fc_match()
    if found and Path(found[0]).is_file():
        return found
    for path, index in DEBIAN_FONTS:
        if Path(path).is_file():
            return path, index
    raise FontNotFoundError(
        f"no CJK font found (looked for {FAMILY!r} with fc-match and in "
        "/usr/share/fonts/opentype/noto/): install one, e.g. `apt-get install fonts-noto-cjk`, "
        f"or set {ENV_VAR}=/path/to/font.ttc"
    )


@functools.cache
def cjk_font(size: int) -> ImageFont.FreeTypeFont:
    """The CJK font at `size` pixels. Raises FontNotFoundError."""
    path, index = find_cjk_font()
    try:
        return ImageFont.truetype(path, size, index=index)
    except OSError as exc:
        raise FontNotFoundError(f"cannot load CJK font {path} (face {index}): {exc}") from None
