"""How text is encoded: GB18030, Chinese mode framing, plain ASCII lines, rare characters."""

import dataclasses

import pytest

from devices import ReceiptLine, render_escpos

FS_AND = b"\x1c\x26"
FS_DOT = b"\x1c\x2e"
GS_V0 = b"\x1d\x76\x30\x00"


def test_character_outside_gbk_is_sent_as_an_image_not_as_gb18030_bytes(small_receipt):
    # A "GB18030" printer's font only holds the two-byte (GBK) part.
    receipt = dataclasses.replace(small_receipt, lines=(ReceiptLine("𠮷野家", 1, 5),))
    data = render_escpos(receipt)
    assert "𠮷".encode("gb18030") == b"\x95\x34\xb2\x35"
    assert "野家".encode("gb18030") not in data  # the whole line is an image
    assert data.count(GS_V0) == 1


def test_unencodable_character_never_prints_as_question_mark(small_receipt):
    receipt = dataclasses.replace(small_receipt, lines=(ReceiptLine("𠮷野家", 1, 5),))
    data = render_escpos(receipt, encoding="gbk")
    assert b"?" + "野家".encode("gbk") not in data and "野家".encode("gbk") not in data
    assert data.count(GS_V0) == 1


def test_ascii_lines_are_not_wrapped_in_chinese_mode(small_receipt):
    data = render_escpos(small_receipt)
    rule = b"-" * 48 + b"\n"
    soap = b"Soap" + b" " * 31 + b"2" + b" " * 11 + b"6\n"
    for line in (rule, soap):
        index = data.index(line)
        assert not data[:index].endswith(FS_AND)
        assert data[index - 1 : index] == b"\n"


def test_every_chinese_mode_start_is_closed_on_the_same_line(small_receipt):
    data = render_escpos(small_receipt)
    assert data.count(FS_AND) == data.count(FS_DOT) > 0
    for chunk in data.split(FS_AND)[1:]:
        assert FS_DOT + b"\n" in chunk
        assert b"\n" not in chunk[: chunk.index(FS_DOT)]


def test_chinese_mode_off_sends_no_fs_commands(small_receipt):
    data = render_escpos(small_receipt, chinese_mode=False)
    assert FS_AND not in data and FS_DOT not in data
    assert "持卡人：张*华".encode("gb18030") + b"\n" in data


def test_unsupported_encoding_is_rejected(small_receipt):
    with pytest.raises(ValueError, match="encoding"):
        render_escpos(small_receipt, encoding="utf-8")
