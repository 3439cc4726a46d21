"""Demo data for `kiosk demo`: one 信义积分超市 with goods, households, cards and staff.

Idempotent: a database that already has the demo store is left as it is.
"""
import uuid
from datetime import date, datetime, time, timedelta
from itertools import count
from zoneinfo import ZoneInfo

from kiosk.cards.models import Card
from kiosk.db import database
from kiosk.earning import catalog
from kiosk.earning import service as earning
from kiosk.earning.models import Rule, ServiceRecord
from kiosk.inventory import categories
from kiosk.inventory import service as inventory
from kiosk.inventory.models import GOODS, STOCK_IN, VOUCHER, Product
from kiosk.ledger import service as ledger
from kiosk.ledger.models import OPENING, Account
from kiosk.registry.models import Household, Resident
from kiosk.registry.service import initials
from kiosk.staff.models import CASHIER, MANAGER, OPERATIONS, SERVICE, Staff
from kiosk.staff.service import create_staff
from kiosk.stores.models import Store

STORE_NAME = "幸福里社区信义积分超市"
COMMUNITY = "幸福里社区"
STORE_CODE = "XY"

STAFF = [
    ("王秀英", MANAGER, "1111"),
    ("李建国", OPERATIONS, "2222"),
    ("张桂兰", CASHIER, "3333"),
    ("陈志强", SERVICE, "4444"),
]

# (category, name, unit, points, kind, stock)
PRODUCTS = [
    ("粮油", "东北大米 5kg", "袋", 100, GOODS, 40),
    ("粮油", "金龙鱼食用油 5L", "桶", 100, GOODS, 25),
    ("粮油", "香满园面粉 2.5kg", "袋", 50, GOODS, 30),
    ("粮油", "龙须挂面 1kg", "包", 20, GOODS, 60),
    ("粮油", "黄小米 1kg", "袋", 30, GOODS, 20),
    ("粮油", "花生油 900ml", "瓶", 50, GOODS, 2),
    ("调味", "加碘食盐 400g", "袋", 20, GOODS, 80),
    ("调味", "海天生抽酱油 500ml", "瓶", 20, GOODS, 50),
    ("调味", "山西老陈醋 500ml", "瓶", 20, GOODS, 45),
    ("调味", "绵白糖 500g", "袋", 20, GOODS, 35),
    ("调味", "蚝油 700g", "瓶", 30, GOODS, 20),
    ("调味", "鸡精 200g", "袋", 20, GOODS, 0),
    ("日用", "心相印卫生纸 10卷", "提", 50, GOODS, 40),
    ("日用", "云南白药牙膏", "支", 50, GOODS, 15),
    ("日用", "软毛牙刷 2支装", "盒", 20, GOODS, 30),
    ("日用", "纯棉毛巾", "条", 30, GOODS, 25),
    ("日用", "舒肤佳香皂", "块", 20, GOODS, 30),
    ("日用", "洗发水 400ml", "瓶", 50, GOODS, 12),
    ("日用", "抽纸 3包", "提", 30, GOODS, 40),
    ("清洁", "立白洗洁精 1kg", "瓶", 20, GOODS, 40),
    ("清洁", "雕牌洗衣粉 1.5kg", "袋", 50, GOODS, 20),
    ("清洁", "蓝月亮洗衣液 2kg", "瓶", 100, GOODS, 10),
    ("清洁", "84消毒液 1L", "瓶", 30, GOODS, 15),
    ("清洁", "加厚垃圾袋 5卷", "包", 20, GOODS, 50),
    ("清洁", "百洁布 5片", "包", 20, GOODS, 30),
    ("服务券", "时令水果兑换券", "张", 50, VOUCHER, 30),
    ("服务券", "物业费抵扣券 20元", "张", 100, VOUCHER, 20),
    ("服务券", "社区理发券", "张", 30, VOUCHER, 25),
    ("服务券", "家电清洗券", "张", 100, VOUCHER, 8),
    ("服务券", "老年食堂午餐券", "张", 20, VOUCHER, 60),
    ("文具", "笔记本 2本", "套", 20, GOODS, 30),
    ("文具", "中性笔 10支", "盒", 20, GOODS, 20),
]

# Partners who honour the demo's vouchers (合作商家): (name, contact, what they honour, PIN for
# the partner screen). Their PINs are printed by `kiosk demo` with the staff PINs.
PARTNERS = [
    ("老王水果摊", "王师傅 139 0000 0001", "时令水果", "5555"),
    ("幸福里物业", "物业服务中心 0571-8600 0000", "物业费抵扣、家电清洗", "6666"),
    ("阿芳理发店", "李阿芳 139 0000 0003", "理发", "7777"),
    ("幸福里老年食堂", "食堂 0571-8600 0001", "午餐", "9999"),
]
# Terms of the demo's voucher products: product → (partner, face, face value in fen, days valid,
# holder).
VOUCHER_TERMS = {
    "时令水果兑换券": ("老王水果摊", "时令水果 1 份", 0, 30, "household"),
    "物业费抵扣券 20元": ("幸福里物业", "物业费抵扣 20 元", 2000, 90, "household"),
    "社区理发券": ("阿芳理发店", "理发 1 次", 1000, 60, "bearer"),
    "家电清洗券": ("幸福里物业", "家电清洗 1 台", 0, 90, "household"),
    "老年食堂午餐券": ("幸福里老年食堂", "午餐 1 份", 1200, 30, "bearer"),
}

# Where the goods stand (货架): by category, but the small grain packs share A2 with the
# seasonings, and the vouchers are kept in a drawer (no shelf).
SHELVES = {"粮油": "A1", "调味": "A2", "日用": "B1", "清洁": "B2", "文具": "C1"}
SMALL_GRAIN = {"龙须挂面 1kg", "黄小米 1kg", "花生油 900ml"}


def shelf_of(category, name):
    return "A2" if name in SMALL_GRAIN else SHELVES.get(category, "")


# (building, unit, room, members, holders…, opening balance)
HOUSEHOLDS = [
    ("1", "1", "101", 3, ["张建华"], 860),
    ("1", "1", "302", 2, ["李秀兰", "王德明"], 420),
    ("1", "2", "201", 4, ["刘志强"], 1250),
    ("1", "2", "502", 1, ["陈桂芳"], 90),
    ("2", "1", "102", 3, ["杨玉梅"], 560),
    ("2", "1", "401", 2, ["赵国庆", "孙淑珍"], 730),
    ("2", "2", "301", 5, ["黄丽娟"], 300),
    ("2", "2", "602", 2, ["周文斌"], 45),
    ("3", "1", "201", 3, ["吴海燕"], 980),
    ("3", "1", "303", 4, ["徐长青"], 150),
    ("3", "2", "101", 2, ["孙立新"], 610),
    ("3", "2", "402", 3, ["马秀云"], 270),
    ("4", "1", "202", 1, ["朱红霞"], 820),
    ("4", "1", "501", 3, ["胡建军"], 35),
    ("4", "2", "103", 2, ["郭淑英"], 440),
    ("4", "2", "304", 4, ["何文涛"], 1580),
    ("5", "1", "201", 3, ["高秀珍"], 390),
    ("5", "1", "402", 2, ["林志明"], 700),
    ("5", "2", "101", 3, ["罗桂英"], 120),
    ("5", "2", "603", 2, ["梁晓东"], 520),
    ("6", "1", "301", 4, ["宋玉兰"], 260),
    ("6", "1", "502", 2, ["郑国华", "谢美玲"], 900),
    ("6", "2", "201", 3, ["欧阳娜娜"], 640),
    ("6", "2", "404", 1, ["韩德胜"], 180),
]

FIRST_CARD_NUMBER = 10000001


def ean13(body12):
    """A 13-digit EAN code: ``body12`` plus its check digit."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body12))
    return body12 + str((10 - total % 10) % 10)


# Months of backdated activity (`kiosk demo --activity`), so last month's notice (公示) is full;
# the paper passbooks' balances are carried over the month before.
HISTORY_MONTHS = 3


def _months_back(day, months):
    """The first day of the month ``months`` before ``day``'s month."""
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def _utc(day, hour, tz_name):
    """Naive UTC of ``hour`` o'clock local on ``day``."""
    local = datetime.combine(day, time(hour), ZoneInfo(tz_name))
    return local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def _ticks(start):
    """A clock for ledger.backdated: ``start``, then one second later each call."""
    seconds = count()
    return lambda: start + timedelta(seconds=next(seconds))


def load(timezone="Asia/Shanghai"):
    """Create the demo store (in ``timezone``) unless it exists; returns (store, created).

    The accounts open (with the paper passbooks' balances) on the first day of the month
    HISTORY_MONTHS + 1 months back, so load_activity can backdate months of activity."""
    existing = Store.get_or_none(Store.code == STORE_CODE)
    if existing is not None:
        return existing, False
    today = datetime.now(ZoneInfo(timezone)).date()
    opened = _utc(_months_back(today, HISTORY_MONTHS + 1), 9, timezone)
    with database.atomic(), ledger.backdated(_ticks(opened)):
        store = Store.create(name=STORE_NAME, code=STORE_CODE, timezone=timezone)
        staff = [create_staff(store, name, role, pin) for name, role, pin in STAFF]
        manager = staff[0]
        for order, (category, name, unit, points, kind, stock) in enumerate(PRODUCTS):
            barcode = ean13(f"6901234{order:05d}") if kind == GOODS else None
            product = Product.create(
                store=store, name=name, category=category, unit=unit, points=points,
                kind=kind, barcode=barcode, sort_order=order, shelf=shelf_of(category, name),
            )
            if stock:
                inventory.move(product.id, stock, STOCK_IN, reference="demo", staff_id=manager.id, note="期初入库")
        for name in categories.products_order(store):
            categories.add(store, name, staff=manager)
        _partners(store)
        number = FIRST_CARD_NUMBER
        for building, unit, room, members, holders, opening in HOUSEHOLDS:
            household = Household.create(
                store=store, community=COMMUNITY, building=building, unit=unit, room=room, members=members,
            )
            account = Account.create(store=store, household=household, holder_name=holders[0], created_at=opened)
            ledger.post(account.id, opening, OPENING, reference="demo", staff_id=manager.id, note="纸质存折期初积分")
            for holder in holders:
                resident = Resident.create(
                    store=store, household=household, name=holder, initials=initials(holder),
                    phone=f"139{number % 100000000:08d}",
                )
                Card.create(store=store, number=str(number), account=account, holder_name=holder, resident=resident)
                number += 1
        catalog.install(store)  # the sample rules catalog (积分规则)
    return store, True


def _partners(store):
    """The demo's partners (with their PINs hashed as staff PINs are) and voucher terms."""
    from kiosk.staff.service import hash_pin
    from kiosk.vouchers.models import Partner, VoucherTerms

    partners = {name: Partner.create(store=store, name=name, contact=contact, honours=honours, pin_hash=hash_pin(pin))
                for name, contact, honours, pin in PARTNERS}
    for product_name, (partner, face, fen, days, holder) in VOUCHER_TERMS.items():
        product = Product.get(Product.store == store, Product.name == product_name)
        VoucherTerms.create(product=product, partner=partners[partner], face=face, face_value_fen=fen,
                            valid_days=days, holder=holder)


# Service records for `kiosk demo --activity`, so the review screens have something in them:
# (days ago, rule code, content, residents, minutes, approved by the service desk already)
ACTIVITY = [
    (3, "VOL30", "小区门口文明劝导", ["张建华"], 90, True),
    (2, "ELDER", "探访独居老人陈桂芳，帮忙买菜", ["刘志强"], None, True),
    (1, "CLEAN", "3号楼周边垃圾清理", ["杨玉梅", "赵国庆", "黄丽娟"], None, False),
    (1, "PERFORM", "重阳节文艺汇演", ["吴海燕"], None, False),
    (0, "LITTER", "楼道乱扔垃圾，经劝导未改", ["胡建军"], None, False),
]


# Backdated activity in each of the last HISTORY_MONTHS notice periods: (household index, day of
# the period, products redeemed ten days later). Earnings are 环境卫生清扫 (CLEAN), approved that day.
HISTORY = [(0, 2, ["加碘食盐 400g"]), (1, 3, ["龙须挂面 1kg"]), (2, 4, ["绵白糖 500g", "加碘食盐 400g"]),
           (4, 5, ["立白洗洁精 1kg"]), (5, 6, []), (8, 7, ["加厚垃圾袋 5卷"]), (10, 8, []), (12, 9, ["舒肤佳香皂"])]


def _notice_periods(store, today):
    """(first day, last day) of the last HISTORY_MONTHS monthly notice periods that can be
    published on ``today``, oldest first (by the store's cut-off day)."""
    from kiosk.notice import service as notice

    _label, day_from, day_to = notice.next_month(store, today)
    periods = [(day_from, day_to)]
    while len(periods) < HISTORY_MONTHS:
        year, month = notice.month_covering(store, periods[-1][0] - timedelta(days=1))
        periods.append(notice.month_period(store, year, month))
    return periods[::-1]


def load_history(store, today):
    """Backdate earnings and redemptions in the last HISTORY_MONTHS notice periods, in time
    order through the ledger service, so their notices (公示) have households in them.
    Only when every ledger entry of the store is older than the first backdated one.
    Returns the number of earnings and redemptions added."""
    from kiosk.checkout import service as checkout
    from kiosk.ledger.models import LedgerEntry
    from kiosk.printing.models import PRINTED, PrintJob

    tz_name = store.timezone
    periods = _notice_periods(store, today)
    first = _utc(periods[0][0], 9, tz_name)
    last = (LedgerEntry.select(LedgerEntry.created_at).join(Account)
            .where(Account.store == store).order_by(LedgerEntry.created_at.desc()).scalar())
    if last is not None and last >= first:
        return 0
    recorder = Staff.get(Staff.store == store, Staff.role == OPERATIONS)
    reviewer = Staff.get(Staff.store == store, Staff.role == SERVICE)
    cashier = Staff.get(Staff.store == store, Staff.role == CASHIER)
    rule = Rule.get(Rule.store == store, Rule.code == "CLEAN", Rule.current == True)  # noqa: E712
    households = list(Household.select().where(Household.store == store).order_by(Household.id))
    events = []
    for day_from, day_to in periods:
        for index, offset, goods in HISTORY:
            events.append((min(day_from + timedelta(days=offset), day_to), "earn", index, goods))
            if goods:
                events.append((min(day_from + timedelta(days=offset + 10), day_to), "redeem", index, goods))
    events.sort(key=lambda event: (event[0], event[1]))
    added, on_day = 0, {}
    for day, what, index, goods in events:
        on_day[day] = on_day.get(day, -1) + 1  # a few minutes apart, in order, within the day
        moment = _utc(day, 10, tz_name) + timedelta(minutes=5 * on_day[day])
        household = households[index]
        with ledger.backdated(_ticks(moment)):
            if what == "earn":
                resident = Resident.select().where(Resident.household == household).order_by(Resident.id).first()
                (record,) = earning.record_service(store, resident_ids=[resident.id], rule_id=rule.id,
                                                   content="楼道卫生清扫", service_date=day, staff=recorder, today=today)
                earning.approve(record.id, store, reviewer, today=day)
            else:
                card = Card.select().where(Card.account == Account.get(Account.household == household)).first()
                items = [(Product.get(Product.store == store, Product.name == name).id, 1) for name in goods]
                checkout.checkout(store, card.id, items, cashier.id, str(uuid.uuid4()), now=moment,
                                  tz_name=tz_name)
        added += 1
    # Their receipts were handed out at the time: nothing waits for the printer.
    PrintJob.update(status=PRINTED, printed_at=PrintJob.created_at).where(
        PrintJob.store == store, PrintJob.status != PRINTED).execute()
    return added


def load_activity(store, today):
    """Backdate months of activity (load_history), then record the demo's service records (by
    李建国, operations), the first two approved by 陈志强 (service desk), the rest waiting in his
    review queue. Only for a store without any. Returns (records recorded, records approved)."""
    if ServiceRecord.select().where(ServiceRecord.store == store).exists():
        return 0, 0
    load_history(store, today)
    recorder = Staff.get(Staff.store == store, Staff.role == OPERATIONS)
    reviewer = Staff.get(Staff.store == store, Staff.role == SERVICE)
    count = approved_count = 0
    for days_ago, code, content, names, minutes, approved in ACTIVITY:
        rule = Rule.get(Rule.store == store, Rule.code == code, Rule.current == True)  # noqa: E712
        residents = [Resident.get(Resident.store == store, Resident.name == name).id for name in names]
        records = earning.record_service(store, resident_ids=residents, rule_id=rule.id, content=content,
                                         service_date=today - timedelta(days=days_ago), minutes=minutes,
                                         staff=recorder, today=today)
        for record in records:
            if approved:
                earning.approve(record.id, store, reviewer, today=today)
                approved_count += 1
        count += len(records)
    return count, approved_count
