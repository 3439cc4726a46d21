"""Paper widths the kiosk supports."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "PaperProfile", "PAPER_58", "PAPER_80", "FONT_A_WIDTH", "FONT_HEIGHT", "LINE_SPACING",
    "profile_for",
]


FONT_A_WIDTH = 12  # dots per column; a double-byte character is 24×24 dots
FONT_HEIGHT = 24
# Default line spacing (ESC 2) of these printers: 30 dots, 3.75 mm at 203 dpi.
# A line feed advances by this, or by the tallest character on the line if taller.
LINE_SPACING = 30


@dataclass(frozen=True)
class PaperProfile:
    """A paper roll: text columns in font A, the native QR dot size, printable dots.

    `dots` is the printable width in dots (384 on 58 mm, 576 on 80 mm at
    203 dpi); 0 means "columns × 12", the width of font A (12×24 dots).
    """

    name: str
    columns: int
    qr_size: int
    dots: int = 0

    def __post_init__(self) -> None:
        """Raises ValueError for a layout the renderer cannot fill."""
        if self.columns < 24:
            raise ValueError(f"paper needs at least 24 columns, got {self.columns}")
        if not 1 <= self.qr_size <= 16:
            raise ValueError(f"QR dot size must be 1-16, got {self.qr_size}")
        if self.dots == 0:
            object.__setattr__(self, "dots", self.columns * FONT_A_WIDTH)
        if not isinstance(self.dots, int) or self.dots < self.columns * FONT_A_WIDTH:
            raise ValueError(
                f"{self.columns} columns need at least {self.columns * FONT_A_WIDTH} dots, "
                f"got {self.dots!r}"
            )


PAPER_58 = PaperProfile("58mm", 32, 5, 384)
PAPER_80 = PaperProfile("80mm", 48, 6, 576)

_BY_WIDTH = {58: PAPER_58, 80: PAPER_80}


def profile_for(width_mm: int) -> PaperProfile:
    """The profile for a 58 or 80 mm roll. Raises ValueError for other widths."""
    try:
        return _BY_WIDTH[width_mm]
    except (KeyError, TypeError):
        raise ValueError(
            f"unsupported paper width {width_mm!r} mm (use 58 or 80)"
        ) from None
