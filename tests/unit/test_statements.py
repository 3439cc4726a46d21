"""Account statements: the period's entries, opening and closing balances, on paper and on A4."""
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from devices import PAPER_58, VirtualPrinter, preview_lines, render_escpos
from devices.statement import Statement
from kiosk.checkout import service as checkout
from kiosk.errors import KioskError
from kiosk.ledger.statement import period_bounds, statement_for, statement_pdf
from kiosk.staff.models import CASHIER
from tests.helpers import pdf_page_sizes_mm, pdf_text

# The statements' day is the store's (Asia/Shanghai), not the machine's: from 16:00 UTC on
# they differ.
TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date()


@pytest.fixture
def account(world):
    for n in range(3):
        checkout.checkout(world.store, world.cards["张建华"].id, [(world.products["食盐"].id, 1)],
                          world.staff[CASHIER].id, f"statement-key-{n:04d}")
    return world.accounts["张建华"]


def test_a_statement_lists_the_periods_entries_with_opening_and_closing(world, account):
    statement = statement_for(account, world.store, TODAY - timedelta(days=1), TODAY + timedelta(days=1),
                              names=checkout.document_names)
    assert statement.opening == 0 and statement.closing == 440
    assert [e.delta for e in statement.entries] == [500, -20, -20, -20]
    # Each sale named by its receipt number, the store's own count.
    assert [e.what for e in statement.entries[1:]] == ["XYS0000001", "XYS0000002", "XYS0000003"]
    assert (statement.earned, statement.spent) == (500, 60)
    assert statement.holder == "张*华"


def test_a_period_after_the_entries_opens_with_the_balance_and_lists_nothing(world, account):
    later = statement_for(account, world.store, TODAY + timedelta(days=2), TODAY + timedelta(days=3))
    assert later.entries == () and later.opening == later.closing == 440


def test_the_statement_prints_as_gb18030_escpos_and_round_trips_through_the_queue(world, account):
    statement = statement_for(account, world.store, TODAY, TODAY)
    data = render_escpos(statement, PAPER_58)
    assert "积分对账单".encode("gb18030") in data and "期末余额".encode("gb18030") in data
    lines = preview_lines(statement, PAPER_58)
    assert all(len(line.encode("gb18030")) <= 32 for line in lines)
    assert Statement.from_dict(statement.to_dict()) == statement
    printer = VirtualPrinter()
    printer.print_receipt(statement)
    assert printer.jobs[-1][0] == statement


def test_the_a4_pdf_runs_on_over_as_many_pages_as_its_entries_need(world, account):
    statement = statement_for(account, world.store, TODAY, TODAY)
    data = statement_pdf(statement)
    assert pdf_page_sizes_mm(data) == [(210.0, 297.0)]
    text = pdf_text(data)
    assert "积分对账单" in text and "期初余额" in text and "期末余额" in text and "张*华" in text
    many = Statement(**{**statement.__dict__, "entries": statement.entries * 20})  # 80 rows
    pages = pdf_text(statement_pdf(many)).split("\f")
    # Real text now (it was a picture a page): the page count follows the layout, 30-odd rows a page.
    assert len(pages) == 3 and pages[-1].rstrip().endswith("3 / 3") and "期末余额" in pages[-1]


def test_period_names(world):
    day = date(2026, 3, 15)
    assert period_bounds("this_month", day) == (date(2026, 3, 1), day)
    assert period_bounds("last_month", day) == (date(2026, 2, 1), date(2026, 2, 28))
    assert period_bounds("this_year", day) == (date(2026, 1, 1), day)
    assert period_bounds("custom", day, date(2025, 1, 1), date(2025, 6, 30)) == (date(2025, 1, 1), date(2025, 6, 30))
    for bad in [("custom", day, None, None), ("decade", day)]:
        with pytest.raises(KioskError, match="bad_period"):
            period_bounds(*bad)


def test_a_reversed_or_endless_period_is_refused(world, account):
    with pytest.raises(KioskError, match="bad_period"):
        statement_for(account, world.store, TODAY, TODAY - timedelta(days=1))
    with pytest.raises(KioskError, match="bad_period"):
        statement_for(account, world.store, date(1900, 1, 1), TODAY)
