"""Exact ESC/POS bytes for a small receipt at both paper widths."""

from devices import PAPER_58, PAPER_80, render_escpos


def zh(line: str) -> bytes:
    """A non-ASCII line as sent in Chinese mode: FS & … FS . then newline."""
    return b"\x1c\x26" + line.encode("gb18030") + b"\x1c\x2e\n"


INIT = b"\x1b\x40"
CENTER = b"\x1b\x61\x01"
LEFT = b"\x1b\x61\x00"
BIG = b"\x1d\x21\x11" + b"\x1c\x21\x0c"  # GS ! double w+h, FS ! the same for Chinese
NORMAL = b"\x1d\x21\x00" + b"\x1c\x21\x00"
FEED_3_AND_CUT = b"\x1b\x64\x03" + b"\x1d\x56\x42\x00"  # ESC d 3, GS V 66 0


def qr_r0001(size: bytes) -> bytes:
    """Native QR (GS ( k) for "R0001": model 2, dot size, EC level L, store, print."""
    return (
        b"\x1d(k\x04\x001A2\x00"
        + b"\x1d(k\x03\x001C" + size
        + b"\x1d(k\x03\x001E0"
        + b"\x1d(k\x08\x001P0R0001"
        + b"\x1d(k\x03\x001Q0"
    )


HEAD = (
    INIT
    + CENTER + BIG + zh("阳光积分超市")
    + NORMAL + zh("兑换小票")
    + LEFT
    + zh("小票号：R0001")
    + zh("时间：2026-11-23 10:55")
    + zh("收银员：王芳")
    + b"\x1c\x26" + "持卡人：张*华".encode("gb18030") + b"\x1c\x2e\n"
    + zh("户：3栋2单元301")
)


def test_small_receipt_at_80mm_renders_exact_bytes(small_receipt):
    expected = (
        HEAD
        + b"-" * 48 + b"\n"
        + zh("商品" + " " * 28 + "数量" + " " * 8 + "积分")
        + zh("大米5kg" + " " * 28 + "1" + " " * 10 + "50")
        + b"Soap" + b" " * 31 + b"2" + b" " * 11 + b"6\n"
        + b"-" * 48 + b"\n"
        + zh("合计扣除" + " " * 36 + "56分")
        + zh("原有积分" + " " * 35 + "100分")
        + zh("剩余积分" + " " * 36 + "44分")
        + CENTER + qr_r0001(b"\x06")
        + zh("谢谢惠顾，欢迎再来")
        + FEED_3_AND_CUT
    )
    assert render_escpos(small_receipt, PAPER_80) == expected


def test_small_receipt_at_58mm_renders_exact_bytes(small_receipt):
    expected = (
        HEAD
        + b"-" * 32 + b"\n"
        + zh("商品" + " " * 14 + "数量" + " " * 6 + "积分")
        + zh("大米5kg" + " " * 14 + "1" + " " * 8 + "50")
        + b"Soap" + b" " * 17 + b"2" + b" " * 9 + b"6\n"
        + b"-" * 32 + b"\n"
        + zh("合计扣除" + " " * 20 + "56分")
        + zh("原有积分" + " " * 19 + "100分")
        + zh("剩余积分" + " " * 20 + "44分")
        + CENTER + qr_r0001(b"\x05")
        + zh("谢谢惠顾，欢迎再来")
        + FEED_3_AND_CUT
    )
    assert render_escpos(small_receipt, PAPER_58) == expected


def test_default_profile_is_80mm(small_receipt):
    assert render_escpos(small_receipt) == render_escpos(small_receipt, PAPER_80)
