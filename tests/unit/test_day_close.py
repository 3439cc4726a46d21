"""The day close (kiosk.dayclose.service): figures per cashier against sales and returns made
at known times, time-zone day boundaries, immutability, corrections on the next day's close,
shift closes and the nightly close of days nobody closed."""
import json
from datetime import date, datetime

import pytest

from kiosk.audit import AuditEvent
from kiosk.cards.service import issue_card
from kiosk.checkout import service as checkout
from kiosk.checkout.models import Refund, SaleLine
from kiosk.dayclose import service
from kiosk.dayclose.models import DAY, SHIFT, DayClose
from kiosk.errors import KioskError
from kiosk.ledger import chain
from kiosk.ledger.models import AppendOnlyError
from kiosk.printing.models import PRINTED, PrintJob
from kiosk.staff.models import CASHIER, MANAGER

D = date(2026, 11, 10)  # Shanghai is UTC+8 all year: local midnight is 16:00 UTC the day before


def utc(text):
    return datetime.fromisoformat(text)


def sell(world, role, items, at, holder="张建华"):
    """A sale by ``role`` at naive-UTC ``at`` of {product name: quantity}."""
    card = world.cards[holder]
    cart = [(world.products[name].id, quantity) for name, quantity in items.items()]
    key = f"dc-{at:%Y%m%d%H%M%S}-{role}-{world.cards[holder].number}"
    return checkout.checkout(world.store, card.id, cart, world.staff[role].id, key, now=at).sale


def give_back(world, role, sale, quantities, at):
    """A return by ``role`` at ``at`` of {product name: quantity} of ``sale``."""
    lines = {line.name: line.id for line in SaleLine.select().where(SaleLine.sale == sale)}
    record = checkout.refund(world.store, sale.id, {lines[name]: q for name, q in quantities.items()},
                             world.staff[role].id, world.staff[MANAGER].id, f"dcr-{sale.id}-{at:%Y%m%d%H%M%S}")
    Refund.update(created_at=at).where(Refund.id == record.id).execute()
    return Refund.get_by_id(record.id)


def by_name(data):
    return {row["name"]: row for row in data["staff"]}


def test_figures_per_cashier_count_only_the_day_and_each_cashier_own_records(world):
    before = sell(world, CASHIER, {"食盐": 1}, utc("2026-11-09T15:59:59"))  # 23:59:59 on the 9th
    first = sell(world, CASHIER, {"食用油": 1, "食盐": 2}, utc("2026-11-09T16:00:00"))  # 00:00 on the 10th
    sell(world, CASHIER, {"大米": 1}, utc("2026-11-10T03:00:00"))
    sell(world, MANAGER, {"食盐": 3}, utc("2026-11-10T05:00:00"))
    give_back(world, CASHIER, first, {"食盐": 1}, utc("2026-11-10T06:00:00"))
    sell(world, CASHIER, {"大米": 2}, utc("2026-11-10T16:00:00"))  # 00:00 on the 11th

    data = service.preview_day(world.store, D, now=utc("2026-11-12T00:00:00"))

    rows = by_name(data)
    assert set(rows) == {"张收银", "王店长"}
    cashier, manager = rows["张收银"], rows["王店长"]
    assert (cashier["sales"], cashier["sale_points"]) == (2, 100 + 40 + 50)
    assert (cashier["returns"], cashier["return_points"]) == (1, 20)
    assert cashier["categories"] == [{"category": "粮油", "issued": 2, "returned": 0},
                                     {"category": "调味", "issued": 2, "returned": 1}]
    assert (manager["sales"], manager["sale_points"], manager["returns"]) == (1, 60, 0)
    assert manager["categories"] == [{"category": "调味", "issued": 3, "returned": 0}]
    assert data["totals"]["sales"] == 3 and data["totals"]["sale_points"] == 250
    assert data["categories"] == [{"category": "粮油", "issued": 2, "returned": 0},
                                  {"category": "调味", "issued": 5, "returned": 1}]
    assert data["corrections"] == []
    assert data["reconciliation"] == {"redeemed": 250, "refunded": 20, "net": 230, "goods_value": 230, "ok": True}
    # The 9th's last sale belongs to the 9th.
    assert service.preview_day(world.store, date(2026, 11, 9), now=utc("2026-11-12T00:00:00"))["totals"] == {
        "sales": 1, "sale_points": before.total, "returns": 0, "return_points": 0, "cards_issued": 0,
        "cards_reissued": 0}


def test_days_are_the_store_time_zone_days(world):
    world.store.timezone = "America/New_York"  # UTC-5 in November
    world.store.save()
    sell(world, CASHIER, {"食盐": 1}, utc("2026-11-10T04:59:00"))  # 23:59 on the 9th in New York
    sell(world, CASHIER, {"大米": 1}, utc("2026-11-10T05:00:00"))  # 00:00 on the 10th
    sell(world, CASHIER, {"食用油": 1}, utc("2026-11-11T04:59:00"))  # 23:59 on the 10th

    start, end = service.day_bounds(D, "America/New_York")
    assert (start, end) == (utc("2026-11-10T05:00:00"), utc("2026-11-11T05:00:00"))
    data = service.preview_day(world.store, D, now=utc("2026-11-12T00:00:00"))
    assert data["totals"]["sales"] == 2 and data["totals"]["sale_points"] == 150


def test_a_day_where_the_clocks_change_is_25_hours_long():
    start, end = service.day_bounds(date(2026, 11, 1), "America/New_York")
    assert (end - start).total_seconds() == 25 * 3600


def test_a_closed_day_is_stored_and_a_second_close_is_refused(world):
    sell(world, CASHIER, {"食用油": 1}, utc("2026-11-10T02:00:00"))
    manager = world.staff[MANAGER]
    record = service.close_day(world.store, D, staff=manager, now=utc("2026-11-11T01:00:00"))
    assert (record.kind, record.closed_by_id, record.day) == (DAY, manager.id, D)
    assert (record.chain_head, record.chain_entry_id, record.chain_length) == chain.head(world.store.id)

    with pytest.raises(KioskError) as refused:
        service.close_day(world.store, D, staff=manager, now=utc("2026-11-11T02:00:00"))
    assert refused.value.code == "day_already_closed"
    assert refused.value.params["when"] == "2026-11-11 09:00"
    with pytest.raises(KioskError) as again:
        service.preview_day(world.store, D, now=utc("2026-11-11T02:00:00"))
    assert again.value.code == "day_already_closed"
    with pytest.raises(AppendOnlyError):
        DayClose.update(figures="{}").execute()
    with pytest.raises(AppendOnlyError):
        record.delete_instance()
    with pytest.raises(AppendOnlyError):
        record.save()
    stored = json.loads(DayClose.get_by_id(record.id).figures)
    assert stored["totals"]["sale_points"] == 100
    assert DayClose.select().count() == 1


def test_a_day_not_begun_cannot_be_closed_nor_one_before_a_closed_day(world):
    with pytest.raises(KioskError) as future:
        service.close_day(world.store, date(2026, 11, 12), now=utc("2026-11-11T01:00:00"))
    assert future.value.code == "close_day_future"
    service.close_day(world.store, D, now=utc("2026-11-11T01:00:00"))
    with pytest.raises(KioskError) as earlier:
        service.close_day(world.store, date(2026, 11, 9), now=utc("2026-11-11T01:00:00"))
    assert earlier.value.code == "later_day_closed"
    with pytest.raises(KioskError) as bad:
        service.parse_day("2026-13-01")
    assert bad.value.code == "bad_close_day"


def test_records_after_an_early_close_show_on_the_next_day_naming_their_day(world):
    manager = world.staff[MANAGER]
    sold = sell(world, CASHIER, {"食用油": 1}, utc("2026-11-10T01:00:00"))  # 09:00 on the 10th
    early = service.close_day(world.store, D, staff=manager, now=utc("2026-11-10T02:00:00"))  # 10:00
    late = sell(world, CASHIER, {"大米": 1}, utc("2026-11-10T03:00:00"))  # 11:00 on the 10th, after the close
    today = sell(world, CASHIER, {"食盐": 1}, utc("2026-11-11T01:00:00"))  # 09:00 on the 11th
    # A return on the 11th of the sale of the 10th.
    back = give_back(world, CASHIER, sold, {"食用油": 1}, utc("2026-11-11T02:00:00"))

    assert json.loads(early.figures)["totals"]["sales"] == 1  # the close never changes
    next_day = service.close_day(world.store, date(2026, 11, 11), staff=manager, now=utc("2026-11-12T01:00:00"))
    data = service.stored_figures(next_day)
    assert data["totals"]["sales"] == 2 and data["totals"]["sale_points"] == 50 + 20
    assert data["totals"]["returns"] == 1 and data["totals"]["return_points"] == 100
    assert data["corrections"] == [
        {"kind": "sale", "receipt_no": late.receipt_no, "staff": "张收银", "points": 50, "day": "2026-11-10",
         "late": True},
        {"kind": "return", "receipt_no": back.receipt_no, "staff": "张收银", "points": 100, "day": "2026-11-10",
         "late": False, "sale_no": sold.receipt_no},
    ]
    assert today.receipt_no not in json.dumps(data["corrections"])
    assert data["reconciliation"]["ok"] and data["reconciliation"]["net"] == 70 - 100
    assert next_day.covered_from == early.covered_until == utc("2026-11-10T02:00:00")


def test_closing_a_day_closes_the_days_missed_since_the_last_close_first(world):
    service.close_day(world.store, date(2026, 11, 7), now=utc("2026-11-08T01:00:00"))
    sell(world, CASHIER, {"食盐": 1}, utc("2026-11-08T03:00:00"))
    record = service.close_day(world.store, D, staff=world.staff[MANAGER], now=utc("2026-11-11T01:00:00"))
    days = {c.day: c for c in DayClose.select()}
    assert sorted(days) == [date(2026, 11, 7), date(2026, 11, 8), date(2026, 11, 9), D]
    assert days[date(2026, 11, 8)].closed_by_id is None
    assert json.loads(days[date(2026, 11, 8)].figures)["totals"]["sales"] == 1
    assert record.closed_by_id == world.staff[MANAGER].id


def test_the_nightly_run_closes_unclosed_past_days_only(world):
    now = utc("2026-11-12T16:30:00")  # 00:30 on the 13th
    # The first night: only yesterday (the store's days before its first close are not closed).
    first = service.close_unclosed(world.store, now=utc("2026-11-09T16:30:00"))
    assert [c.day for c in first] == [date(2026, 11, 9)]
    service.close_day(world.store, D, staff=world.staff[MANAGER], now=utc("2026-11-10T12:00:00"))
    sell(world, CASHIER, {"食盐": 1}, utc("2026-11-11T03:00:00"))
    written = service.close_unclosed(world.store, now=now)
    assert [(c.day, c.closed_by_id) for c in written] == [(date(2026, 11, 11), None), (date(2026, 11, 12), None)]
    assert json.loads(written[0].figures)["totals"]["sales"] == 1
    assert service.close_unclosed(world.store, now=now) == []
    assert DayClose.select().where(DayClose.day == date(2026, 11, 13)).count() == 0  # today stays open
    assert DayClose.select().where(DayClose.day == D).get().closed_by_id == world.staff[MANAGER].id


def test_a_shift_covers_the_cashier_own_records_since_their_last_shift_close(world):
    cashier = world.staff[CASHIER]
    sell(world, CASHIER, {"食用油": 1}, utc("2026-11-10T01:00:00"))
    sell(world, MANAGER, {"大米": 1}, utc("2026-11-10T01:30:00"))
    first = service.close_shift(world.store, cashier, now=utc("2026-11-10T02:00:00"))
    sell(world, CASHIER, {"食盐": 2}, utc("2026-11-10T03:00:00"))
    preview = service.preview_shift(world.store, cashier, now=utc("2026-11-10T04:00:00"))
    second = service.close_shift(world.store, cashier, now=utc("2026-11-10T04:00:00"))

    assert (first.kind, first.number, second.number) == (SHIFT, 1, 2)
    assert [r["name"] for r in json.loads(first.figures)["staff"]] == ["张收银"]
    assert json.loads(first.figures)["totals"]["sale_points"] == 100
    assert json.loads(second.figures)["totals"]["sale_points"] == 40 == preview["totals"]["sale_points"]
    assert second.covered_from == first.covered_until
    # The day close still covers everything.
    day = service.close_day(world.store, D, staff=world.staff[MANAGER], now=utc("2026-11-10T05:00:00"))
    assert json.loads(day.figures)["totals"]["sale_points"] == 190
    with pytest.raises(KioskError) as closed:
        service.close_shift(world.store, cashier, now=utc("2026-11-10T06:00:00"))
    assert closed.value.code == "day_already_closed"


def test_receipts_not_printed_and_cards_issued_and_reissued(world):
    printed = sell(world, CASHIER, {"食盐": 1}, utc("2026-11-10T01:00:00"))
    waiting = sell(world, CASHIER, {"大米": 1}, utc("2026-11-10T02:00:00"))
    PrintJob.update(status=PRINTED).where((PrintJob.document_kind == "sale") & (PrintJob.document_id == printed.id)).execute()
    resident = world.cards["王德明"].resident
    new = issue_card(world.store, resident, world.accounts["王德明"], staff=world.staff[CASHIER])
    issue_card(world.store, resident, world.accounts["王德明"], staff=world.staff[CASHIER], replaces=new)
    issue_card(world.store, resident, world.accounts["王德明"], staff=world.staff[MANAGER])
    issue_card(world.store, resident, world.accounts["王德明"])  # from the command line: nobody signed in
    AuditEvent.update(created_at=utc("2026-11-10T03:00:00")).where(AuditEvent.action == "issue_card").execute()

    data = service.preview_day(world.store, D, now=utc("2026-11-11T00:00:00"))
    assert data["unprinted"] == [{"receipt_no": waiting.receipt_no, "status": "pending", "error": ""}]
    rows = by_name(data)
    assert (rows["张收银"]["cards_issued"], rows["张收银"]["cards_reissued"]) == (1, 1)
    assert (rows["王店长"]["cards_issued"], rows["王店长"]["cards_reissued"]) == (1, 0)
    assert (rows[""]["staff_id"], rows[""]["cards_issued"]) == (0, 1)
    assert (data["totals"]["cards_issued"], data["totals"]["cards_reissued"]) == (3, 1)


def test_a_ledger_that_does_not_match_the_goods_is_reported(world):
    sale = sell(world, CASHIER, {"食用油": 1}, utc("2026-11-10T01:00:00"))
    SaleLine.update(points=90).where(SaleLine.sale == sale.id).execute()  # a line changed behind the ledger
    data = service.preview_day(world.store, D, now=utc("2026-11-11T00:00:00"))
    assert data["reconciliation"] == {"redeemed": 100, "refunded": 0, "net": 100, "goods_value": 90, "ok": False}


def test_two_stores_never_see_each_other(world):
    from tests.helpers import second_store

    second_store()
    sell(world, CASHIER, {"食用油": 1}, utc("2026-11-10T01:00:00"))
    from kiosk.stores.models import Store

    other = Store.get(Store.code != world.store.code)
    data = service.preview_day(other, D, now=utc("2026-11-11T00:00:00"))
    assert data["staff"] == [] and data["totals"]["sales"] == 0
    record = service.close_day(world.store, D, now=utc("2026-11-11T00:00:00"))
    with pytest.raises(KioskError):
        service.find_close(other, record.id)


def test_a_sale_stamped_before_a_close_but_committed_after_it_is_on_the_next_close(world):
    """A checkout in flight while the manager closes the day: stamped a moment before the close,
    committed a moment after. The close could not see it; the next one counts it, late."""
    manager = world.staff[MANAGER]
    early = service.close_day(world.store, D, staff=manager, now=utc("2026-11-10T07:00:00"))
    in_flight = sell(world, CASHIER, {"食盐": 1}, utc("2026-11-10T06:59:59"))
    assert json.loads(early.figures)["totals"]["sales"] == 0
    data = service.stored_figures(
        service.close_day(world.store, date(2026, 11, 11), staff=manager, now=utc("2026-11-12T01:00:00")))
    assert data["totals"]["sales"] == 1
    assert [(c["receipt_no"], c["day"]) for c in data["corrections"]] == [(in_flight.receipt_no, "2026-11-10")]
    # And the close after that does not count it again.
    third = service.close_day(world.store, date(2026, 11, 12), now=utc("2026-11-13T01:00:00"))
    assert service.stored_figures(third)["totals"]["sales"] == 0


def test_two_tills_closing_the_same_day_at_once_make_one_close(world):
    from tests.helpers import race

    outcomes = race(4, lambda i: service.close_day(world.store, D, staff=world.staff[MANAGER],
                                                   now=utc("2026-11-11T01:00:00")).id)
    assert sorted(map(str, outcomes)).count("day_already_closed") == 3
    assert DayClose.select().count() == 1


def test_the_preview_of_a_day_after_missed_days_shows_what_its_close_will_store(world):
    service.close_day(world.store, date(2026, 11, 7), now=utc("2026-11-08T01:00:00"))
    sell(world, CASHIER, {"食盐": 1}, utc("2026-11-08T03:00:00"))
    sell(world, CASHIER, {"大米": 1}, utc("2026-11-10T03:00:00"))
    now = utc("2026-11-11T01:00:00")
    preview = service.preview_day(world.store, D, now=now)
    assert preview["missed_days"] == ["2026-11-08", "2026-11-09"]
    stored = service.stored_figures(service.close_day(world.store, D, now=now))
    assert preview["totals"] == stored["totals"] and stored["totals"]["sale_points"] == 50
    assert preview["corrections"] == stored["corrections"] == []
