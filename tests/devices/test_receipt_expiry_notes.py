"""What the store says a point is worth, and expiry notices, on receipts and statements."""

import dataclasses
import json
from datetime import date

import pytest

from devices import PAPER_58, PAPER_80, Receipt, Statement, StatementEntry, display_width, preview_lines, render_escpos

NOTICE = "您有120积分将于2026-12-31到期"  # one line on 58 mm paper
FS_AND, FS_DOT = b"\x1c\x26", b"\x1c\x2e"


@pytest.fixture
def noted(small_receipt):
    return dataclasses.replace(small_receipt, balance_value="≈ ￥44.00", notes=(NOTICE,))


@pytest.mark.parametrize("encoding", ["gb18030", "gbk"])
def test_the_expiry_notice_is_sent_as_chinese_text_on_its_own_line(noted, encoding):
    data = render_escpos(noted, encoding=encoding)
    assert FS_AND + NOTICE.encode(encoding) + FS_DOT + b"\n" in data
    assert "44分 ≈ ￥44.00".encode(encoding) in data


def test_the_value_stands_beside_the_balance_now_and_the_notice_after_the_totals(noted):
    lines = preview_lines(noted, PAPER_58)
    balance = next(line for line in lines if line.startswith("剩余积分"))
    assert balance.endswith("44分 ≈ ￥44.00")
    assert lines.index(NOTICE) > lines.index(balance)
    assert next(line for line in lines if line.startswith("原有积分")).endswith("100分")


@pytest.mark.parametrize("profile", [PAPER_58, PAPER_80], ids=lambda p: p.name)
def test_long_values_and_notices_still_fit_the_paper(busy_receipt, profile):
    receipt = dataclasses.replace(
        busy_receipt, balance_value="≈ ￥98,543,000.00",
        notes=("您有 98543 积分将于 2026-12-31 到期", "您有 7 积分将于 2027-01-15 到期"),
    )
    lines = preview_lines(receipt, profile)
    for line in lines:
        assert display_width(line, ambiguous=2) <= profile.columns, line
    assert "≈ ￥98,543,000.00" in "".join(lines)


def test_a_receipt_without_value_or_notes_prints_as_before(small_receipt):
    lines = preview_lines(small_receipt, PAPER_58)
    assert next(line for line in lines if line.startswith("剩余积分")).endswith("44分")
    assert not any("到期" in line for line in lines)


def test_notes_and_value_survive_the_print_queue(noted, small_receipt):
    data = json.loads(json.dumps(noted.to_dict()))
    assert Receipt.from_dict(data) == noted
    # A job queued before the notes existed still prints.
    old = small_receipt.to_dict()
    del old["notes"], old["balance_value"]
    assert Receipt.from_dict(old) == small_receipt


def test_the_statement_shows_the_value_beside_the_closing_balance():
    statement = Statement(
        store_name="阳光积分超市", holder="张*华", household="3栋2单元301", period_from=date(2026, 1, 1),
        period_to=date(2026, 12, 31), opening=100,
        entries=(StatementEntry(date(2026, 6, 1), "S0000001", -10, 90), StatementEntry(date(2027, 1, 1), "2026-12-31 到期未使用", -60, 30, True)),
        closing_value="≈ ￥30.00",
    )
    # Expired points are not "spent": they have a line of their own.
    assert (statement.spent, statement.expired, statement.closing) == (10, 60, 30)
    lines = preview_lines(statement, PAPER_80)
    assert next(line for line in lines if line.startswith("期末余额")).endswith("30分 ≈ ￥30.00")
    assert any(line.startswith("01-01 2026-12-31 到期未使用") and line.endswith("-60     30") for line in lines)
    assert next(line for line in lines if line.startswith("本期使用")).endswith(" 10分")
    assert next(line for line in lines if line.startswith("本期到期")).endswith(" 60分")
    assert any(line.endswith("30分 ≈ ￥30.00") for line in preview_lines(statement, PAPER_58))
    assert "≈ ￥30.00".encode("gb18030") in render_escpos(statement)
    assert Statement.from_dict(json.loads(json.dumps(statement.to_dict()))) == statement


def test_a_statement_without_expiries_has_no_expiry_line():
    statement = Statement(store_name="阳光积分超市", holder="张*华", household="", period_from=date(2026, 1, 1),
                          period_to=date(2026, 1, 31), opening=5, entries=(StatementEntry(date(2026, 1, 2), "S1", -5, 0),))
    assert not any(line.startswith("本期到期") for line in preview_lines(statement, PAPER_58))
    old = statement.to_dict()
    for entry in old["entries"]:
        del entry["expired"]
    del old["labels"]["expired"]
    assert Statement.from_dict(old) == statement  # a statement queued before expiry existed
