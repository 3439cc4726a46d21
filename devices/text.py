"""Column layout for receipt text where a CJK character takes two columns."""

from __future__ import annotations

import unicodedata

__all__ = ["display_width", "pad_right", "pad_left", "center", "wrap", "columns"]


def char_width(ch: str, ambiguous: int = 1) -> int:
    """Columns one character takes: 2 for wide/full-width, 0 for combining marks, else 1.

    East Asian "ambiguous" characters (×, ·, —, “, é, ①) take `ambiguous`
    columns: a GB18030 printer in Chinese mode prints them full width (2).
    """
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    kind = unicodedata.east_asian_width(ch)
    if kind in ("W", "F"):
        return 2
    return ambiguous if kind == "A" else 1


def display_width(s: str, *, ambiguous: int = 1) -> int:
    """Columns `s` takes; see `char_width` for `ambiguous`."""
    return sum(char_width(ch, ambiguous) for ch in s)


def pad_right(s: str, width: int, *, ambiguous: int = 1) -> str:
    """Left-align `s` in `width` columns (never truncates)."""
    return s + " " * max(0, width - display_width(s, ambiguous=ambiguous))


def pad_left(s: str, width: int, *, ambiguous: int = 1) -> str:
    """Right-align `s` in `width` columns (never truncates)."""
    return " " * max(0, width - display_width(s, ambiguous=ambiguous)) + s


def center(s: str, width: int, *, ambiguous: int = 1) -> str:
    """Center `s` in `width` columns; an odd spare column goes to the right."""
    spare = max(0, width - display_width(s, ambiguous=ambiguous))
    left = spare // 2
    return " " * left + s + " " * (spare - left)


def wrap(s: str, width: int, *, ambiguous: int = 1) -> list[str]:
    """Break `s` into lines of at most `width` columns, preferring spaces.

    Never splits a character; newlines in `s` start new lines. Always
    returns at least one line. Raises ValueError if `width` < 2 (a wide
    character would not fit).
    """
    if width < 2:
        raise ValueError(f"wrap width must be at least 2, got {width}")
    lines: list[str] = []
    for paragraph in s.split("\n"):
        line, used = "", 0
        for ch in paragraph:
            w = char_width(ch, ambiguous)
            if used + w <= width:
                line, used = line + ch, used + w
                continue
            if ch == " ":
                lines.append(line.rstrip())
                line, used = "", 0
                continue
            cut = line.rfind(" ")
            if cut > 0 and line[:cut].strip():
                lines.append(line[:cut].rstrip())
                line = line[cut + 1 :]
            else:
                lines.append(line)
                line = ""
            line += ch
            used = display_width(line, ambiguous=ambiguous)
        lines.append(line)
    return lines


def columns_lines(left: str, right: str, width: int, *, ambiguous: int = 1) -> list[str]:
    """Lines for `left` with `right` right-aligned; see `columns`."""
    amb = {"ambiguous": ambiguous}
    if not right:
        return wrap(left, width, **amb)
    right_w = display_width(right, **amb)
    if display_width(left, **amb) + 1 + right_w <= width:
        return [left + pad_left(right, width - display_width(left, **amb), **amb)]
    lines = wrap(left, width, **amb) if left else []
    if lines and display_width(lines[-1], **amb) + 1 + right_w <= width:
        last = lines.pop()
        return lines + [last + pad_left(right, width - display_width(last, **amb), **amb)]
    return lines + [pad_left(part, width, **amb) for part in wrap(right, width, **amb)]


def columns(left: str, right: str, width: int, *, ambiguous: int = 1) -> str:
    """`left` text and `right` text right-aligned on one `width`-column line.

    If they do not fit, `left` is wrapped and `right` goes on its last line,
    or on a line of its own; the lines are joined with "\\n". Raises
    ValueError if `width` < 2.
    """
    return "\n".join(columns_lines(left, right, width, ambiguous=ambiguous))
