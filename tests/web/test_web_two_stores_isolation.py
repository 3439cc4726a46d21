"""Two stores in one database (a district server): this kiosk serves XY, and nothing of the other
store AB reaches any of its screens, lists or exports: cards and residents, receipts and their
numbers, staff, public notices, the donor list, the restock CSV, the audit log, print jobs, and
`verify` of one store. Each check also shows XY's own row, so that an empty page cannot pass."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from kiosk.cards.service import card_payload
from kiosk.checkout import service as checkout
from kiosk.goods import service as goods
from kiosk.inventory.models import Product
from kiosk.notice import service as notices
from kiosk.registry.models import Resident
from kiosk.reports.verify import verify
from kiosk.staff.models import CASHIER, MANAGER, OPERATIONS, Staff
from tests.helpers import body, run_sql, second_store

TZ = "Asia/Shanghai"
# What only AB has: its name, its people (full and masked), its goods, donor and document numbers.
AB_TEXTS = ("二店积分超市", "周桂英", "周*英", "钱收银", "孙店长", "肥皂", "赵善人", "ABS", "ABT", "ABRK", "20000001")


def only_xy(html, *expected):
    """Assert that ``html`` shows XY's ``expected`` texts and nothing of AB's."""
    for text in expected:
        assert text in html, text
    leaked = [text for text in AB_TEXTS if text in html]
    assert not leaked, leaked


def test_nothing_of_one_store_reaches_the_other(manager, client, world):
    today = datetime.now(ZoneInfo(TZ)).date()
    other, other_cashier, other_account, other_card, soap, other_sale = second_store()
    other_manager = Staff.create(store=other, name="孙店长", role=MANAGER, pin_hash="unused")
    Resident.create(store=other, household=other_account.household_id, name="周桂英", initials="ZGY",
                    phone="13900009999")
    Product.update(low_stock=10).where(Product.id == soap.id).execute()
    goods.receive(other, kind="donation", donor_name="赵善人", lines=[{"product_id": soap.id, "quantity": "1"}],
                  staff=other_manager, key="isolation-ab-gift-0001", today=today)
    line = other_sale.lines.first()
    checkout.refund(other, other_sale.id, {line.id: 1}, other_cashier.id, other_manager.id, "isolation-ab-return-01")

    # XY's own rows of each kind, to be seen where AB's are not.
    soy = world.products["酱油"]
    Product.update(low_stock=5).where(Product.id == soy.id).execute()
    goods.receive(world.store, kind="donation", donor_name="钱善人", lines=[{"product_id": soy.id, "quantity": "1"}],
                  staff=world.staff[OPERATIONS], key="isolation-xy-gift-0001", today=today)
    sale = checkout.checkout(world.store, world.cards["张建华"].id, [(world.products["食盐"].id, 1)],
                             world.staff[CASHIER].id, "isolation-xy-sale-0001").sale
    receipt_no = sale.receipt_no
    assert (receipt_no, other_sale.receipt_no) == ("XYS0000001", "ABS0000001")  # each store counts from 1
    for store in (other, world.store):
        year, month = notices.month_covering(store, today)
        _, day_to = notices.month_period(store, year, month)
        notice = notices.publish_month(store, f"{year}-{month:02d}", today=day_to + timedelta(days=1), tz_name=TZ)
    other_notice = notices.latest(other)

    # Cards and residents: AB's card does not scan here, its residents are not found.
    for code in (card_payload(other.code, other_card.number, world.card_key), other_card.number):
        only_xy(body(client.post("/passbook/scan", data={"code": code})))
        only_xy(body(manager.post("/cashier/scan", {"code": code})))
    only_xy(body(manager.get("/registry/?q=ZGY")))
    only_xy(body(manager.get("/registry/?q=周")))
    only_xy(body(manager.get("/registry/?q=ZJH")), "张建华")
    assert manager.get(f"/registry/households/{other_account.household_id}").status_code == 404

    # Receipts: AB's receipt number finds nothing here; the receipts screen lists XY's print jobs only.
    only_xy(body(manager.get(f"/returns/?receipt={other_sale.receipt_no}")))
    only_xy(body(manager.get(f"/returns/?receipt={receipt_no}")), receipt_no)
    only_xy(body(manager.get("/receipts/")), receipt_no)

    # Staff: the sign-in list and the staff screen show XY's people only.
    only_xy(body(client.get("/signin")), world.staff[CASHIER].name)
    only_xy(body(manager.get("/settings/staff/")), world.staff[CASHIER].name)
    only_xy(body(manager.get(f"/settings/staff/{other_manager.id}", follow_redirects=True)), world.staff[CASHIER].name)

    # Notices: the list, the published notice and the public display are XY's.
    only_xy(body(manager.get("/notice/")), notice.period)
    only_xy(body(manager.get(f"/notice/{notice.id}")), "张*华")
    assert manager.get(f"/notice/{other_notice.id}").status_code == 404
    only_xy(body(client.get("/notice/display")), "张*华")

    # Reports: the donor list, the restock CSV, the audit log, the goods-in documents.
    only_xy(body(manager.get("/stock/donors")), "钱善人")
    only_xy(manager.get("/stock/restock.csv").get_data().decode("utf-8-sig"), "酱油")
    only_xy(body(manager.get("/settings/audit/")), "入库")
    only_xy(body(manager.get("/stock/in/")), "XYRK0000001")

    # kiosk verify --store: AB's broken books are AB's problem only.
    run_sql('UPDATE "account" SET "balance" = "balance" + 1 WHERE "id" = ?', (other_account.id,))
    assert verify(store_id=world.store.id) == []
    assert verify(store_id=other.id) and all("ABS" not in p and "XYS" not in p for p in verify(store_id=world.store.id))
