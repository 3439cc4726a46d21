"""Rows for the report tests, written with chosen times around the edges of November 2024 in
Asia/Shanghai ([2024-10-31 16:00, 2024-11-30 16:00) in UTC), and a list of what was written, so
that a test can sum it independently of the report's queries.

The rows go in directly (not through the services), because a report is about when things
happened; the ledger rows are outside the hash chain, which the reports do not read.
"""
import itertools
from dataclasses import dataclass, field
from datetime import date, datetime

from kiosk.checkout.models import Refund, RefundLine, Sale, SaleLine
from kiosk.db import database, insert_rows
from kiosk.earning.models import APPROVED, PENDING, REJECTED, Rule, ServiceRecord
from kiosk.goods.models import DONATION, PURCHASE, StockReceipt, StockReceiptLine, WriteOff, WriteOffLine
from kiosk.inventory.models import RETURN, SALE, STOCK_IN, STOCKTAKE, WRITE_OFF, Product, StockMovement
from kiosk.ledger.models import ADJUST, DEDUCT, EARN, EXPIRE, OPENING, REDEEM, REFUND, Account, LedgerEntry
from kiosk.registry.models import Household, Resident
from kiosk.staff.models import MANAGER
from kiosk.stores import numbering
from kiosk.stocktake.models import FINISHED, StockTake, StockTakeLine

START, END = datetime(2024, 10, 31, 16, 0), datetime(2024, 11, 30, 16, 0)
BEFORE, FIRST, LAST, AFTER = (datetime(2024, 10, 31, 15, 59, 59), START, datetime(2024, 11, 30, 15, 59, 59), END)
MID = datetime(2024, 11, 15, 4, 0)
_keys = itertools.count(1)


@dataclass
class Written:
    ledger: list = field(default_factory=list)  # (store_id, account_id, delta, kind, at, reference)
    records: list = field(default_factory=list)  # (resident_id, household_id, rule, day, minutes, points, status, posted at)
    movements: list = field(default_factory=list)  # (product_id, delta, kind, at, price)
    receipts: list = field(default_factory=list)  # (kind, donor, units, points, at)
    write_offs: list = field(default_factory=list)  # (reason, units, points, at)
    sales: list = field(default_factory=list)  # (product_id, quantity, points, at)
    refunds: list = field(default_factory=list)  # (quantity, points, at)
    households: dict = field(default_factory=dict)  # id -> (building, unit, created_at)

    def ledger_sum(self, store_id, kind=None, start=None, end=None):
        return sum(delta for sid, _a, delta, k, at, _r in self.ledger
                   if sid == store_id and (kind is None or k == kind)
                   and (start is None or at >= start) and (end is None or at < end))


def entry(written, store, account_id, delta, kind, at, reference=""):
    entry_id = insert_rows(LedgerEntry, [{
        "store_id": store.id, "account_id": account_id, "delta": delta, "kind": kind, "reference": reference, "staff_id": None,
        "note": "", "balance_after": 0, "created_at": at, "hash": "",
    }], returning="id")[0]
    written.ledger.append((store.id, account_id, delta, kind, at, reference))
    return entry_id


def build(world, other_store=None):
    """November 2024 of the world's store (and some rows of ``other_store``, which must never
    count). Returns Written."""
    w = Written()
    store = world.store
    manager = world.staff[MANAGER]
    with database.atomic():
        database.execute_sql("UPDATE household SET created_at = %s" % database.param, (datetime(2024, 1, 1),))
        for household in Household.select().where(Household.store == store):
            w.households[household.id] = (household.building, household.unit, datetime(2024, 1, 1))
        # Two more households in building 5: one registered during November, one after it.
        residents = {name: Resident.get(Resident.name == name) for name in world.accounts}
        for room, name, created in (("101", "赵一", datetime(2024, 11, 10)), ("102", "钱二", datetime(2024, 12, 2))):
            household = Household.create(store=store, building="5", unit="1", room=room, created_at=created)
            w.households[household.id] = ("5", "1", created)
            residents[name] = Resident.create(store=store, household=household, name=name)
            world.accounts[name] = Account.create(store=store, household=household, holder_name=name)
        clean = Rule.create(store=store, code="R001", name="清扫街道", category="环境", points=10, unit="half_hour")
        visit = Rule.create(store=store, code="R002", name="探访老人", category="关爱", points=20)
        parking = Rule.create(store=store, code="D001", name="违规停车", category="文明", points=-10)
        acc = {name: account.id for name, account in world.accounts.items()}

        def service(name, rule, day, points, at, minutes=None, status=APPROVED, content="活动"):
            kind = DEDUCT if points < 0 else EARN
            entry_id = None
            if status == APPROVED:
                entry_id = entry(w, store, acc[name], points, kind, at)
            record = ServiceRecord.create(
                store=store, resident=residents[name], account=acc[name], rule=rule, content=content,
                service_date=day, minutes=minutes, units=1, points=points, status=status, recorded_by=manager,
                ledger_entry=entry_id)
            if entry_id:
                database.execute_sql("UPDATE ledger_entry SET reference = %s WHERE id = %s"
                                     .replace("%s", database.param), (f"service:{record.id}", entry_id))
            w.records.append((residents[name].id, residents[name].household_id, rule, day, minutes, points, status, at))
            return record

        # Opening balances long before.
        for name, points in (("张建华", 400), ("李秀兰", 100), ("王德明", 50)):
            entry(w, store, acc[name], points, OPENING, datetime(2024, 3, 1))
        # One activity (same day, rule and content) with three people, on the first local day.
        for name in ("张建华", "李秀兰", "赵一"):
            service(name, clean, date(2024, 11, 1), 20, FIRST, minutes=60, content="清扫3栋")
        service("张建华", visit, date(2024, 11, 20), 20, MID)
        service("王德明", visit, date(2024, 11, 30), 20, LAST)
        # Outside the period: served on 31 October, approved on 1 November (counts in points,
        # not in participation), and the other way round at the end.
        service("李秀兰", visit, date(2024, 10, 31), 20, MID)
        service("李秀兰", visit, date(2024, 12, 1), 20, AFTER)
        service("王德明", clean, date(2024, 10, 31), 10, BEFORE, minutes=30)
        # Not approved: never counted.
        service("王德明", visit, date(2024, 11, 5), 20, MID, status=PENDING)
        service("赵一", visit, date(2024, 11, 6), 20, MID, status=REJECTED)
        # A deduction in force, and a linked share.
        service("王德明", parking, date(2024, 11, 8), -10, MID)
        entry(w, store, acc["王德明"], 4, EARN, MID, reference="linked:1")
        # A correction each way, redemptions, a return, expired points.
        entry(w, store, acc["张建华"], 5, ADJUST, MID)
        entry(w, store, acc["李秀兰"], -3, ADJUST, MID)
        entry(w, store, acc["张建华"], -120, REDEEM, MID)
        entry(w, store, acc["李秀兰"], -50, REDEEM, LAST)
        entry(w, store, acc["张建华"], 20, REFUND, MID)
        entry(w, store, acc["王德明"], -7, EXPIRE, FIRST)
        entry(w, store, acc["张建华"], -30, REDEEM, AFTER)
        entry(w, store, acc["张建华"], -40, REDEEM, BEFORE)

        if other_store is not None:
            other_account = Account.select().where(Account.store == other_store).first()
            for kind, delta in ((EARN, 999), (REDEEM, -77), (OPENING, 500)):
                entry(w, other_store, other_account.id, delta, kind, MID)
            other_household = Household.select().where(Household.store == other_store).first()
            other_resident = Resident.create(store=other_store, household=other_household, name="孙外店")
            other_rule = Rule.create(store=other_store, code="R001", name="清扫", category="环境", points=10)
            ServiceRecord.create(store=other_store, resident=other_resident, account=other_account, rule=other_rule,
                                 content="活动", service_date=date(2024, 11, 3), units=1, points=10, status=APPROVED,
                                 recorded_by=manager)
        _goods(world, w, store, manager, other_store)
    return w


def _goods(world, w, store, manager, other_store):
    oil, rice, salt = (world.products[name] for name in ("食用油", "大米", "食盐"))

    def move(product, delta, kind, at):
        insert_rows(StockMovement, [{"product_id": product.id, "delta": delta, "kind": kind, "reference": "t",
                                     "staff_id": None, "note": "", "quantity_after": 0, "created_at": at}])
        w.movements.append((product.id, delta, kind, at, product.points))

    # Opening stock long before (the world's own stock-in is at the test's wall-clock time).
    for product, quantity in ((oil, 30), (rice, 40), (salt, 60)):
        move(product, quantity, STOCK_IN, datetime(2024, 3, 1))

    def serial(kind):
        """The store's next document number, taken as the services take it."""
        with database.atomic():
            return numbering.next_number(store.id, kind)

    def receive(kind, donor, lines, at, public=True, expiry=None):
        units = sum(q for _p, q in lines)
        points = sum(p.points * q for p, q in lines)
        receipt = StockReceipt.create(store=store, serial=serial(numbering.STOCK_RECEIPT), kind=kind, idempotency_key=f"r{next(_keys)}", donor_name=donor,
                                      thank_publicly=public, total_units=units, total_points=points, staff=manager,
                                      created_at=at)
        for product, quantity in lines:
            StockReceiptLine.create(receipt=receipt, product=product, quantity=quantity, points=product.points,
                                    expiry=expiry)
            move(product, quantity, STOCK_IN, at)
        w.receipts.append((kind, donor, units, points, at))

    receive(PURCHASE, "", [(oil, 5), (rice, 10)], FIRST)
    # A batch that expires ten days after November (the store warns 30 days ahead).
    receive(DONATION, "爱心企业张记", [(salt, 20)], MID, expiry=date(2024, 12, 10))
    receive(DONATION, "爱心企业张记", [(oil, 2)], LAST)
    receive(DONATION, "李某某", [(rice, 3)], MID, public=False)
    receive(DONATION, "王外月", [(rice, 4)], AFTER)

    def write_off(reason, lines, at):
        units = sum(q for _p, q in lines)
        points = sum(p.points * q for p, q in lines)
        record = WriteOff.create(store=store, serial=serial(numbering.WRITE_OFF), reason=reason, idempotency_key=f"w{next(_keys)}", total_units=units,
                                 total_points=points, staff=manager, created_at=at)
        for product, quantity in lines:
            WriteOffLine.create(write_off=record, product=product, quantity=quantity, points=product.points)
            move(product, -quantity, WRITE_OFF, at)
        w.write_offs.append((reason, units, points, at))

    write_off("expired", [(salt, 3)], MID)
    write_off("damaged", [(oil, 1), (rice, 2)], LAST)
    write_off("damaged", [(rice, 1)], BEFORE)

    card = world.cards["张建华"]

    def sell(lines, at):
        total = sum(p.points * q for p, q in lines)
        sale = Sale.create(store=store, serial=serial(numbering.SALE), idempotency_key=f"s{next(_keys)}", account=card.account_id, card=card,
                           staff=manager, total=total, balance_before=1000, balance_after=1000 - total, created_at=at)
        made = []
        for product, quantity in lines:
            made.append(SaleLine.create(sale=sale, product=product, name=product.name, points=product.points,
                                        quantity=quantity))
            move(product, -quantity, SALE, at)
            w.sales.append((product.id, quantity, product.points, at))
        return sale, made

    sell([(oil, 1), (salt, 2)], FIRST)
    sale, lines = sell([(rice, 2), (salt, 5)], MID)
    sell([(oil, 4)], AFTER)
    refund = Refund.create(store=store, serial=serial(numbering.REFUND), sale=sale, idempotency_key=f"t{next(_keys)}", staff=manager,
                           approved_by=manager, total=rice.points, balance_before=0, balance_after=rice.points,
                           created_at=LAST)
    RefundLine.create(refund=refund, sale_line=lines[0], quantity=1, points=rice.points)
    move(rice, 1, RETURN, LAST)
    w.refunds.append((1, rice.points, LAST))

    take = StockTake.create(store=store, serial=serial(numbering.STOCKTAKE), status=FINISHED, started_by=manager, finished_by=manager,
                            started_at=MID, finished_at=MID, category="粮油")
    for product, adjustment in ((oil, -2), (rice, 3)):
        StockTakeLine.create(stocktake=take, product=product, name=product.name, category=product.category,
                             unit=product.unit, start_quantity=10, counted=10 + adjustment, expected=10,
                             points=product.points, adjustment=adjustment)
        move(product, adjustment, STOCKTAKE, MID)

    if other_store is not None:
        soap = Product.select().where(Product.store == other_store).first()
        insert_rows(StockMovement, [{"product_id": soap.id, "delta": 100, "kind": STOCK_IN, "reference": "t",
                                     "staff_id": None, "note": "", "quantity_after": 0, "created_at": MID}])
