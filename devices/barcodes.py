"""Linear barcodes for shelf labels: which symbology a code gets, its bars, and a picture.

A 13-digit code whose check digit is right is a retail EAN-13 code (the one on the package) and
is printed as EAN-13; anything else (a store's own code, an EAN-8, a code with letters) as
Code 128. The bars come from python-barcode (a dependency of python-escpos); drawing them is
ours, so that every bar is a whole number of pixels or printer dots and stays readable.
"""

from __future__ import annotations

import re

from PIL import Image

__all__ = ["EAN13", "CODE128", "symbology", "modules", "is_ean13", "barcode_image", "QUIET_MODULES"]

EAN13, CODE128 = "EAN13", "CODE128"
QUIET_MODULES = 10  # white on each side, as both standards ask (EAN-13 wants 11 left, 7 right)
_PRINTABLE = re.compile(r"[\x20-\x7e]+")


def is_ean13(code: str) -> bool:
    """Whether `code` is 13 digits with a correct EAN-13 check digit."""
    if len(code) != 13 or not code.isascii() or not code.isdigit():
        return False
    digits = [int(ch) for ch in code]
    weighted = sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits[:12]))
    return (10 - weighted % 10) % 10 == digits[12]


def symbology(code: str) -> str:
    """EAN13 or CODE128 for `code`. Raises ValueError for a code Code 128 cannot hold."""
    if is_ean13(code):
        return EAN13
    if not code or not _PRINTABLE.fullmatch(code):
        raise ValueError(f"a barcode is printable ASCII, got {code!r}")
    return CODE128


def modules(code: str) -> str:
    """The bars of `code` as "1" (bar) and "0" (space) modules, without quiet zones.

    Raises ValueError as `symbology` does.
    """
    import barcode

    kind = symbology(code)
    if kind == EAN13:
        return barcode.EAN13(code[:12]).build()[0]
    return barcode.Code128(code).build()[0]


def barcode_image(code: str, *, module: int = 2, height: int = 80, quiet: int = QUIET_MODULES) -> Image.Image:
    """A 1-bit image of `code`'s bars, `module` pixels per module, `height` pixels tall, with
    `quiet` modules of white on each side. Raises ValueError as `symbology` does."""
    if module < 1 or height < 1:
        raise ValueError("module and height are at least one pixel")
    bars = modules(code)
    image = Image.new("1", ((len(bars) + 2 * quiet) * module, height), 1)
    x = quiet * module
    for run in re.finditer(r"1+", bars):
        image.paste(0, (x + run.start() * module, 0, x + run.end() * module, height))
    return image
