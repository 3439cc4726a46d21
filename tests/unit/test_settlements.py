"""Settlement statements: a partner's used vouchers of a period, each on one statement only;
settling closes a statement for good; `kiosk verify` re-adds them."""
import threading
from datetime import date, datetime

import pytest

from kiosk.audit import AuditEvent
from kiosk.db import database
from kiosk.errors import KioskError
from kiosk.reports import periods
from kiosk.reports.verify import CHECKS, _settlements
from kiosk.staff.models import MANAGER
from kiosk.vouchers import redeem, settlement
from kiosk.vouchers.models import OPEN, SETTLED, Settlement, Voucher
from tests import partner_data
from tests.helpers import run_sql

NOVEMBER = periods.parse("2026-11")
# 2026-11-10 10:00 and 2026-11-30 17:00 in Shanghai (UTC+8), and 2026-12-01 00:30 there.
USED_IN = [datetime(2026, 11, 10, 2, 0), datetime(2026, 11, 30, 9, 0)]
USED_AFTER = datetime(2026, 11, 30, 16, 30)


@pytest.fixture
def fruit(world):
    return partner_data.partner(world.store, "鲜果园", partner_data.FRUIT_PIN)


@pytest.fixture
def used(world, fruit):
    """Three fruit vouchers used: two in November (Shanghai days), one on 1 December; one left unused."""
    out = []
    for when, fen in zip(USED_IN + [USED_AFTER], (1500, 2000, 700)):
        made = partner_data.world_voucher(world, fruit, fen=fen, issued_at=datetime(2026, 11, 1, 1, 0), valid_days=60)
        out.append(redeem.use_voucher(made.id, fruit, now=when))
    partner_data.world_voucher(world, fruit, issued_at=datetime(2026, 11, 1, 1, 0), valid_days=60)
    return out


def code_of(call):
    with pytest.raises(KioskError) as caught:
        call()
    return caught.value.code


def test_a_statement_takes_the_partners_vouchers_used_in_the_period(world, fruit, used):
    lines = settlement.unsettled(world.store, fruit.id, NOVEMBER)
    assert [line.voucher_id for line in lines] == [used[0].id, used[1].id]
    statement = settlement.create_statement(world.store, fruit.id, NOVEMBER, by=world.staff[MANAGER])
    assert (statement.serial, statement.status, statement.count, statement.total_fen) == (1, OPEN, 2, 3500)
    assert (statement.start, statement.end) == (date(2026, 11, 1), date(2026, 11, 30))
    assert [v.id for v in Voucher.select().where(Voucher.settlement == statement.id).order_by(Voucher.id)] == \
        [used[0].id, used[1].id]
    assert [line.used_at for line in settlement.lines_of(statement)] == [datetime(2026, 11, 10, 10, 0),
                                                                       datetime(2026, 11, 30, 17, 0)]
    assert settlement.unsettled(world.store, fruit.id, NOVEMBER) == []
    assert AuditEvent.select().where(AuditEvent.action == "settlement_created").count() == 1


def test_no_voucher_goes_on_two_statements(world, fruit, used):
    settlement.create_statement(world.store, fruit.id, NOVEMBER, by=world.staff[MANAGER])
    assert code_of(lambda: settlement.create_statement(world.store, fruit.id, NOVEMBER,
                                                       by=world.staff[MANAGER])) == "nothing_to_settle"
    december = settlement.create_statement(world.store, fruit.id, periods.parse("2026-11-01..2026-12-31"),
                                           by=world.staff[MANAGER])
    assert (december.serial, december.count, december.total_fen) == (2, 1, 700)


def test_two_statements_made_at_once_share_no_voucher(world, fruit, used):
    gate = threading.Barrier(2)
    outcomes = []

    def make():
        database.connect(reuse_if_open=True)
        try:
            gate.wait()
            outcomes.append(settlement.create_statement(world.store, fruit.id, NOVEMBER, by=world.staff[MANAGER]).id)
        except KioskError as exc:
            outcomes.append(exc.code)
        finally:
            database.close()

    threads = [threading.Thread(target=make) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    made = [o for o in outcomes if isinstance(o, int)]
    assert len(made) == 1 and set(outcomes) - set(made) <= {"statement_changed", "nothing_to_settle"}
    assert Settlement.select().count() == 1
    assert Voucher.select().where(Voucher.settlement == made[0]).count() == 2


def test_settling_closes_a_statement_for_good(world, fruit, used):
    manager = world.staff[MANAGER]
    statement = settlement.create_statement(world.store, fruit.id, NOVEMBER, by=manager)
    settled = settlement.settle_statement(world.store, statement.id, by=manager)
    assert settled.status == SETTLED and settled.settled_by_id == manager.id and settled.settled_at
    assert code_of(lambda: settlement.settle_statement(world.store, statement.id, by=manager)) == "statement_settled"
    assert code_of(lambda: settlement.void_statement(world.store, statement.id, by=manager)) == "statement_settled"
    assert Voucher.select().where(Voucher.settlement == statement.id).count() == 2
    assert AuditEvent.select().where(AuditEvent.action == "settlement_settled").count() == 1


def test_a_voided_statement_frees_its_vouchers_and_keeps_its_number(world, fruit, used):
    manager = world.staff[MANAGER]
    wrong = settlement.create_statement(world.store, fruit.id, NOVEMBER, by=manager)
    voided = settlement.void_statement(world.store, wrong.id, by=manager)
    assert (voided.status, voided.count, voided.total_fen) == (settlement.VOID, 0, 0)
    assert code_of(lambda: settlement.settle_statement(world.store, wrong.id, by=manager)) == "statement_void"
    again = settlement.create_statement(world.store, fruit.id, NOVEMBER, by=manager)
    assert (again.serial, again.count) == (2, 2)
    assert list(_settlements(world.store.id)) == []


def test_an_unknown_partner_or_statement_is_refused(world, fruit):
    assert code_of(lambda: settlement.create_statement(world.store, 98765, NOVEMBER, by=None)) == "unknown_partner"
    assert code_of(lambda: settlement.settle_statement(world.store, 98765, by=None)) == "unknown_statement"
    assert code_of(lambda: settlement.create_statement(world.store, fruit.id, NOVEMBER, by=None)) == "nothing_to_settle"
    assert Settlement.select().count() == 0


def test_verify_finds_a_statement_that_no_longer_adds_up(world, fruit, used):
    assert _settlements in CHECKS
    manager = world.staff[MANAGER]
    statement = settlement.settle_statement(
        world.store, settlement.create_statement(world.store, fruit.id, NOVEMBER, by=manager).id, by=manager)
    assert list(_settlements(world.store.id)) == []
    run_sql("UPDATE voucher SET face_value_fen = 1 WHERE id = ?", (used[0].id,))
    problems = list(_settlements(world.store.id))
    assert len(problems) == 1 and "settlement 1" in problems[0] and "3500" in problems[0]
    run_sql("UPDATE voucher SET face_value_fen = 1500 WHERE id = ?", (used[0].id,))
    run_sql("UPDATE voucher SET settlement_id = ? WHERE id = ?", (statement.id, used[2].id))
    run_sql("UPDATE settlement SET count = 3, total_fen = 4200 WHERE id = ?", (statement.id,))
    problems = list(_settlements(None))
    assert problems == [f"store XY: settlement 1: voucher {used[2].serial:010d} was not used by its partner within "
                        f"the statement's days"]


def test_the_statement_prints_on_a4_and_exports_to_xlsx(world, fruit, used):
    import io

    import openpyxl

    from tests.helpers import pdf_text

    statement = settlement.create_statement(world.store, fruit.id, NOVEMBER, by=world.staff[MANAGER])
    words = {key: key for key in ("title", "partner", "contact", "number", "period", "status", "serial", "product",
                                  "face", "issued", "used", "face_value", "total", "vouchers", "count", "settled_at",
                                  "nothing", "signature_store", "signature_partner", "status_open", "status_settled",
                                  "status_void")}
    words["page"] = "{page}/{pages}"
    text = pdf_text(settlement.pdf(statement, words))
    assert "XY-JS000001" in text and "鲜果园" in text and "35.00" in text and f"{used[0].serial:010d}" in text
    book = openpyxl.load_workbook(io.BytesIO(settlement.xlsx(statement, words)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][0] == "serial" and [row[0] for row in rows[1:3]] == [f"{v.serial:010d}" for v in used[:2]]
    assert rows[-1][-1] == 35.0 and rows[-1][1] == "2 vouchers"
