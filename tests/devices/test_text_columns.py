"""Column helpers where a CJK character takes two columns."""

import pytest

from devices.text import center, columns, display_width, pad_left, pad_right, wrap


@pytest.mark.parametrize(
    ("text", "width"),
    [("", 0), ("abc", 3), ("积分", 4), ("ＡＢ", 4), ("大米5kg", 7), ("e\u0301", 1), ("×", 1)],
)
def test_display_width_counts_wide_characters_twice(text, width):
    assert display_width(text) == width


def test_ambiguous_characters_can_count_double():
    assert display_width("130抽×6包", ambiguous=2) == 10
    assert display_width("·", ambiguous=2) == 2


def test_padding_and_centering_use_display_width():
    assert pad_right("积分", 6) == "积分  "
    assert pad_left("积分", 6) == "  积分"
    assert center("积分", 9) == "  积分   "
    assert pad_right("积分积分", 4) == "积分积分"  # never truncates


def test_wrap_never_exceeds_width_or_splits_characters():
    text = "金龙鱼优质压榨一级花生油5L装（限购一桶）"
    for width in range(2, 30):
        lines = wrap(text, width)
        assert "".join(lines) == text
        assert all(display_width(line) <= width for line in lines)


def test_wrap_does_not_put_a_wide_character_across_the_edge():
    assert wrap("a积分", 2) == ["a", "积", "分"]


def test_wrap_prefers_spaces_and_keeps_newlines():
    assert wrap("Total Advanced Whitening", 12) == ["Total", "Advanced", "Whitening"]
    assert wrap("ab\ncd", 10) == ["ab", "cd"]
    assert wrap("", 10) == [""]


def test_wrap_keeps_combining_marks_with_their_letter():
    assert wrap("abce\u0301f", 4) == ["abce\u0301", "f"]


def test_wrap_rejects_width_below_two():
    with pytest.raises(ValueError):
        wrap("积分", 1)


def test_columns_puts_right_text_at_the_right_edge():
    assert columns("合计扣除", "56分", 16) == "合计扣除    56分"


def test_columns_wraps_left_and_keeps_right_on_last_line_when_it_fits():
    assert columns("abcdefgh ij", "99", 10) == "abcdefgh\nij      99"


def test_columns_puts_right_on_its_own_line_when_it_does_not_fit():
    assert columns("abcdefghij", "99", 10) == "abcdefghij\n        99"
