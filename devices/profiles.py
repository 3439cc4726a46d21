"""Paper widths the kiosk supports."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PaperProfile", "PAPER_58", "PAPER_80", "profile_for"]


@dataclass(frozen=True)
class PaperProfile:
    """A paper roll: text columns in font A and the native QR dot size."""

    name: str
    columns: int
    qr_size: int

    def __post_init__(self) -> None:
        """Raises ValueError for a layout the renderer cannot fill."""
        if self.columns < 24:
            raise ValueError(f"paper needs at least 24 columns, got {self.columns}")
        if not 1 <= self.qr_size <= 16:
            raise ValueError(f"QR dot size must be 1-16, got {self.qr_size}")


PAPER_58 = PaperProfile("58mm", 32, 5)
PAPER_80 = PaperProfile("80mm", 48, 6)

_BY_WIDTH = {58: PAPER_58, 80: PAPER_80}


def profile_for(width_mm: int) -> PaperProfile:
    """The profile for a 58 or 80 mm roll. Raises ValueError for other widths."""
    try:
        return _BY_WIDTH[width_mm]
    except (KeyError, TypeError):
        raise ValueError(
            f"unsupported paper width {width_mm!r} mm (use 58 or 80)"
        ) from None
