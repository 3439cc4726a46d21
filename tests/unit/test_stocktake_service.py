"""Stock-taking while sales go on: the expected quantity is the book quantity at the moment each
product is counted, so a sale before or after counting never becomes a false variance."""
import threading

import pytest

from kiosk.checkout import service as checkout
from kiosk.db import database
from kiosk.errors import KioskError
from kiosk.inventory.models import StockMovement
from kiosk.reports.verify import verify
from kiosk.staff.models import CASHIER, MANAGER, OPERATIONS, SERVICE
from kiosk.stocktake import service
from kiosk.stocktake.models import FINISHED, StockTakeCount
from tests.helpers import stock


def sell(world, name, quantity=1, key=None):
    key = key or f"sale-{name}-{quantity}-{StockMovement.select().count():06d}".encode().hex()[:40]
    items = [(world.products[name].id, quantity)]
    return checkout.checkout(world.store, world.cards["张建华"].id, items, world.staff[CASHIER].id, key).sale


def line_of(stocktake, world, name):
    return next(line for line in service.lines(stocktake) if line.product_id == world.products[name].id)


def count(stocktake, world, name, quantity, role=CASHIER):
    line = line_of(stocktake, world, name)
    return service.record_count(stocktake, line.id, quantity, world.staff[role], seen=line.counts)


def finalize(stocktake, world):
    return service.finalize(service.get(world.store, stocktake.id), world.staff[MANAGER],
                            revision=service.get(world.store, stocktake.id).revision)


def test_a_count_lists_the_category_with_book_quantities(world):
    stocktake = service.start(world.store, world.staff[OPERATIONS], category="粮油")
    assert [(line.name, line.start_quantity) for line in service.lines(stocktake)] == [("食用油", 10), ("大米", 20)]
    every = service.start(world.store, world.staff[MANAGER], category="调味")
    assert [line.name for line in service.lines(every)] == ["食盐", "酱油"]


def test_a_sale_between_the_start_and_the_count_is_not_a_shortage(world):
    stocktake = service.start(world.store, world.staff[MANAGER], category="粮油", blind=True)
    sell(world, "大米", 3)  # 20 -> 17 on the books, and on the shelf
    line = count(stocktake, world, "大米", 17)
    assert (line.expected, line.counted, line.variance) == (17, 17, 0)
    variances = service.Variances(service.get(world.store, stocktake.id))
    assert variances.shortage == [] and variances.surplus == []
    finalize(stocktake, world)
    assert stock(world, "大米") == 17
    assert not StockMovement.select().where(StockMovement.kind == "stocktake").exists()
    assert verify() == []


def test_a_sale_after_the_count_before_finalizing_keeps_both(world):
    stocktake = service.start(world.store, world.staff[MANAGER], category="粮油")
    line = count(stocktake, world, "大米", 18)  # two bags missing from the shelf
    assert (line.expected, line.variance) == (20, -2)
    sell(world, "大米", 5)  # books 15, shelf 13
    row = next(r for r in service.Variances(service.get(world.store, stocktake.id)).rows if r["line"].id == line.id)
    assert (row["variance"], row["value"], row["since"]) == (-2, -100, -5)
    finalize(stocktake, world)
    assert stock(world, "大米") == 13  # the shelf: 18 counted, 5 sold since
    (movement,) = StockMovement.select().where(StockMovement.kind == "stocktake")
    assert (movement.delta, movement.quantity_after, movement.reference) == (-2, 13, f"stocktake:{stocktake.id}")
    assert movement.staff_id == world.staff[MANAGER].id
    assert verify() == []


def test_surplus_and_shortage_with_their_points_value(world):
    stocktake = service.start(world.store, world.staff[MANAGER])
    count(stocktake, world, "食用油", 12)  # +2 x 100
    count(stocktake, world, "食盐", 47)  # -3 x 20
    count(stocktake, world, "大米", 20)
    variances = service.Variances(service.get(world.store, stocktake.id))
    assert [(r["line"].name, r["variance"], r["value"]) for r in variances.surplus] == [("食用油", 2, 200)]
    assert [(r["line"].name, r["variance"], r["value"]) for r in variances.shortage] == [("食盐", -3, -60)]
    assert (variances.surplus_value, variances.shortage_value, variances.net_value) == (200, -60, 140)
    assert {r["line"].name for r in variances.uncounted} == {"酱油", "洗洁精", "水果券"}
    done = finalize(stocktake, world)
    assert done.status == FINISHED and done.finished_by_id == world.staff[MANAGER].id
    assert (stock(world, "食用油"), stock(world, "食盐"), stock(world, "大米"), stock(world, "酱油")) == (12, 47, 20, 1)
    finished = service.Variances(done)
    assert (finished.surplus_value, finished.shortage_value) == (200, -60)
    assert [line.adjustment for line in service.lines(done) if line.name in ("食用油", "食盐", "大米")] == [2, 0, -3]
    assert verify() == []


def test_the_variance_is_valued_at_the_price_when_finalized_and_kept(world):
    from kiosk.inventory.models import Product

    stocktake = service.start(world.store, world.staff[MANAGER], category="调味")
    count(stocktake, world, "食盐", 45)
    finalize(stocktake, world)
    Product.update(points=99).where(Product.id == world.products["食盐"].id).execute()
    assert service.Variances(service.get(world.store, stocktake.id)).shortage_value == -100


def test_a_finished_count_cannot_change(world):
    stocktake = service.start(world.store, world.staff[MANAGER], category="粮油")
    line = count(stocktake, world, "大米", 19)
    seen = service.get(world.store, stocktake.id).revision
    finalize(stocktake, world)
    with pytest.raises(KioskError) as refused:
        service.finalize(service.get(world.store, stocktake.id), world.staff[MANAGER], revision=seen)
    assert refused.value.code == "stocktake_finished"
    with pytest.raises(KioskError) as refused:
        service.record_count(stocktake, line.id, 5, world.staff[CASHIER], seen=1)
    assert refused.value.code == "stocktake_finished"
    with pytest.raises(KioskError) as refused:
        service.cancel(stocktake, world.staff[MANAGER])
    assert refused.value.code == "stocktake_finished"
    assert stock(world, "大米") == 19
    assert StockMovement.select().where(StockMovement.kind == "stocktake").count() == 1


def test_two_finalizes_at_the_same_moment_post_once(world, instance):
    """Two taps of 完成盘点 on two threads with their own connections: one finishes, the other is
    refused, and the adjustment is posted once."""
    from kiosk import db as kiosk_db

    stocktake = service.start(world.store, world.staff[MANAGER], category="粮油")
    count(stocktake, world, "大米", 15)
    revision = service.get(world.store, stocktake.id).revision
    database.close()
    barrier = threading.Barrier(2)
    results = []

    def tap():
        kiosk_db.database.connect(reuse_if_open=True)
        try:
            barrier.wait()
            found = service.get(world.store, stocktake.id)
            results.append(service.finalize(found, world.staff[MANAGER], revision=revision).status)
        except KioskError as exc:
            results.append(exc.code)
        finally:
            kiosk_db.database.close()

    threads = [threading.Thread(target=tap) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    database.connect(reuse_if_open=True)
    assert sorted(results) == ["finished", "stocktake_finished"]
    assert stock(world, "大米") == 15
    assert StockMovement.select().where(StockMovement.kind == "stocktake").count() == 1


def test_a_count_entered_after_the_list_was_shown_is_not_finalized_unseen(world):
    stocktake = service.start(world.store, world.staff[MANAGER], category="粮油")
    count(stocktake, world, "大米", 15)
    seen = service.get(world.store, stocktake.id).revision
    count(stocktake, world, "食用油", 3)
    with pytest.raises(KioskError) as refused:
        service.finalize(service.get(world.store, stocktake.id), world.staff[MANAGER], revision=seen)
    assert refused.value.code == "stocktake_changed"
    assert (stock(world, "大米"), stock(world, "食用油")) == (20, 10)
    assert finalize(stocktake, world).status == FINISHED
    assert (stock(world, "大米"), stock(world, "食用油")) == (15, 3)


def test_two_people_counting_one_item_the_last_wins_and_both_are_kept(world):
    stocktake = service.start(world.store, world.staff[MANAGER], category="粮油")
    first = line_of(stocktake, world, "大米")
    service.record_count(stocktake, first.id, 18, world.staff[CASHIER], seen=0)
    # The second person's page still showed the item uncounted: refused, naming the first count.
    with pytest.raises(KioskError) as refused:
        service.record_count(stocktake, first.id, 17, world.staff[OPERATIONS], seen=0)
    assert refused.value.code == "counted_meanwhile"
    assert refused.value.params == {"name": "大米", "by": "张收银", "quantity": 18}
    # Having seen it, they count again: the last count wins, both stay on record.
    line = service.record_count(stocktake, first.id, 17, world.staff[OPERATIONS], seen=1)
    assert (line.counted, line.counted_by_id, line.counts) == (17, world.staff[OPERATIONS].id, 2)
    assert [(c.quantity, c.staff_id) for c in StockTakeCount.select().order_by(StockTakeCount.id)] == [
        (18, world.staff[CASHIER].id), (17, world.staff[OPERATIONS].id)]


def test_the_same_count_sent_twice_is_recorded_once(world):
    stocktake = service.start(world.store, world.staff[MANAGER], category="粮油")
    line = line_of(stocktake, world, "大米")
    service.record_count(stocktake, line.id, 18, world.staff[CASHIER], seen=0)
    again = service.record_count(stocktake, line.id, 18, world.staff[CASHIER], seen=0)
    assert again.counts == 1 and StockTakeCount.select().count() == 1


@pytest.mark.parametrize("bad", ["-1", "10" + "0" * 12, "1e3", "abc", "", " ", "3.5", "１２", None, "1000000"])
def test_absurd_counts_are_refused_and_change_nothing(world, bad):
    stocktake = service.start(world.store, world.staff[MANAGER], category="粮油")
    line = line_of(stocktake, world, "大米")
    with pytest.raises(KioskError) as refused:
        service.record_count(stocktake, line.id, bad, world.staff[CASHIER], seen=0)
    assert refused.value.code == "bad_count" and refused.value.params == {"max": service.MAX_COUNT}
    assert line_of(stocktake, world, "大米").counts == 0 and not StockTakeCount.select().exists()


def test_zero_and_the_largest_count_are_accepted(world):
    stocktake = service.start(world.store, world.staff[MANAGER], category="粮油")
    assert count(stocktake, world, "大米", "0").counted == 0
    assert count(stocktake, world, "食用油", str(service.MAX_COUNT)).counted == service.MAX_COUNT


def test_more_sold_after_counting_than_counted_asks_for_a_recount(world):
    stocktake = service.start(world.store, world.staff[MANAGER], category="粮油")
    count(stocktake, world, "食用油", 0)  # expected 10: -10
    sell(world, "食用油", 4)  # books 6: -10 would leave -4
    with pytest.raises(KioskError) as refused:
        finalize(stocktake, world)
    assert refused.value.code == "stocktake_recount" and refused.value.params == {"name": "食用油"}
    assert service.get(world.store, stocktake.id).status == "open" and stock(world, "食用油") == 6
    count(stocktake, world, "食用油", 6)
    finalize(stocktake, world)
    assert stock(world, "食用油") == 6 and verify() == []


def test_overlapping_counts_are_refused(world):
    stocktake = service.start(world.store, world.staff[MANAGER], category="粮油")
    for category in ("粮油", ""):
        with pytest.raises(KioskError) as refused:
            service.start(world.store, world.staff[MANAGER], category=category)
        assert refused.value.code == "stocktake_overlap" and refused.value.params == {"number": stocktake.number}
    service.start(world.store, world.staff[MANAGER], category="调味")  # another shelf is fine
    service.cancel(stocktake, world.staff[MANAGER])
    with pytest.raises(KioskError) as refused:
        service.start(world.store, world.staff[MANAGER])
    assert refused.value.code == "stocktake_overlap"


def test_who_may_start_and_finalize(world):
    for role in (CASHIER, SERVICE):
        with pytest.raises(KioskError) as refused:
            service.start(world.store, world.staff[role])
        assert refused.value.code == "forbidden"
    stocktake = service.start(world.store, world.staff[OPERATIONS], category="粮油")
    for role in (CASHIER, OPERATIONS, SERVICE):
        with pytest.raises(KioskError) as refused:
            service.finalize(stocktake, world.staff[role], revision=0)
        assert refused.value.code == "not_a_manager_stocktake"
    with pytest.raises(KioskError) as refused:
        service.start(world.store, world.staff[MANAGER], category="没有的分类")
    assert refused.value.code == "unknown_category"


def test_a_cancelled_count_posts_nothing(world):
    stocktake = service.start(world.store, world.staff[MANAGER], category="粮油")
    count(stocktake, world, "大米", 1)
    assert service.cancel(stocktake, world.staff[MANAGER]).status == "cancelled"
    with pytest.raises(KioskError) as refused:
        count(stocktake, world, "食用油", 1)
    assert refused.value.code == "stocktake_cancelled"
    assert stock(world, "大米") == 20 and not StockMovement.select().where(StockMovement.kind == "stocktake").exists()


def test_a_scanned_barcode_finds_its_line(world):
    stocktake = service.start(world.store, world.staff[MANAGER], category="粮油")
    assert service.find_barcode(stocktake, " 6901234000024\n").product_id == world.products["大米"].id
    for code, expected in (("6901234000031", "not_in_stocktake"), ("0000000000000", "unknown_barcode"),
                           ("", "unknown_barcode"), ("\x00garbage" * 20, "unknown_barcode")):
        with pytest.raises(KioskError) as refused:
            service.find_barcode(stocktake, code)
        assert refused.value.code == expected


def test_a_product_added_after_the_start_is_counted_when_scanned(world):
    from kiosk.inventory.models import Product

    stocktake = service.start(world.store, world.staff[MANAGER], category="粮油")
    Product.create(store=world.store, name="小米", category="粮油", points=30, barcode="6901234000099", sort_order=9)
    line = service.find_barcode(stocktake, "6901234000099")
    assert (line.name, line.start_quantity) == ("小米", 0)
    assert len(service.lines(stocktake)) == 3


def test_verify_matches_stocktake_movements_to_their_counts(world):
    stocktake = service.start(world.store, world.staff[MANAGER], category="粮油")
    count(stocktake, world, "大米", 18)
    finalize(stocktake, world)
    assert verify() == []
    database.execute_sql("UPDATE stocktake_line SET adjustment = -1 WHERE adjustment = -2")
    assert any(f"stock-take {stocktake.id}: product {world.products['大米'].id} moved -2 but its count adjusts -1" in p
               for p in verify())


def test_a_count_waits_for_a_sale_in_flight_and_includes_it(world):
    """A sale committing on another kiosk while the product is being counted: the count's
    expected quantity is never taken from before that sale commits."""
    from kiosk import db as kiosk_db
    from kiosk.inventory import service as inventory

    stocktake = service.start(world.store, world.staff[MANAGER], category="粮油")
    line = line_of(stocktake, world, "大米")
    database.close()
    moved, done = threading.Event(), threading.Event()

    def other_kiosk():
        kiosk_db.database.connect(reuse_if_open=True)
        try:
            with kiosk_db.database.atomic():
                inventory.move(world.products["大米"].id, -3, "sale", reference="in-flight")
                moved.set()
                done.wait(0.5)  # still uncommitted while the count is being entered
        finally:
            kiosk_db.database.close()

    thread = threading.Thread(target=other_kiosk)
    thread.start()
    moved.wait(5)
    database.connect(reuse_if_open=True)
    counted = service.record_count(stocktake, line.id, 17, world.staff[CASHIER], seen=0)
    thread.join()
    assert (counted.expected, counted.variance) == (17, 0)
    assert counted.movement_mark == StockMovement.get(StockMovement.reference == "in-flight").id


# ----------------------------------------------------------------------------- counts by shelf

def put_on_shelves(world, shelves):
    from kiosk.inventory.models import Product

    for name, shelf in shelves.items():
        Product.update(shelf=shelf).where(Product.id == world.products[name].id).execute()


def test_a_count_of_one_shelf_takes_the_goods_on_it_whatever_their_category(world):
    put_on_shelves(world, {"大米": "A1", "食用油": "A2", "食盐": "A2", "酱油": "B1"})
    assert service.shelves(world.store) == ["A1", "A2", "B1"]
    stocktake = service.start(world.store, world.staff[OPERATIONS], shelf="a2")  # typed in lower case
    assert stocktake.shelf == "A2" and stocktake.category == ""
    assert [line.name for line in service.lines(stocktake)] == ["食用油", "食盐"]
    count(stocktake, world, "食盐", 48)
    finalize(stocktake, world)
    assert stock(world, "食盐") == 48 and stock(world, "大米") == 20
    assert verify() == []


def test_a_scan_of_goods_on_another_shelf_is_refused_and_new_goods_on_the_shelf_are_added(world):
    from kiosk.inventory.models import Product

    put_on_shelves(world, {"大米": "A1", "食盐": "A2"})
    stocktake = service.start(world.store, world.staff[OPERATIONS], shelf="A1")
    with pytest.raises(KioskError) as refused:
        service.find_barcode(stocktake, "6901234000031")  # 食盐 stands on A2
    assert (refused.value.code, refused.value.params["scope"]) == ("not_in_stocktake", "A1")
    Product.create(store=world.store, name="小米", category="粮油", points=30, barcode="6901234000099", shelf="A1")
    assert service.find_barcode(stocktake, "6901234000099").name == "小米"


def test_counts_that_share_goods_cannot_be_open_together(world):
    put_on_shelves(world, {"大米": "A1", "食用油": "A2", "食盐": "A2", "酱油": "B1"})
    service.start(world.store, world.staff[OPERATIONS], category="粮油")
    for shelf in ("A1", "A2"):  # both hold grain that is being counted
        with pytest.raises(KioskError) as refused:
            service.start(world.store, world.staff[OPERATIONS], shelf=shelf)
        assert refused.value.code == "stocktake_overlap"
    by_shelf = service.start(world.store, world.staff[OPERATIONS], shelf="B1")  # only seasoning there
    assert [line.name for line in service.lines(by_shelf)] == ["酱油"]
    for category in ("调味", ""):  # 酱油 is being counted on B1; all goods takes everything
        with pytest.raises(KioskError) as refused:
            service.start(world.store, world.staff[OPERATIONS], category=category)
        assert refused.value.code == "stocktake_overlap"


@pytest.mark.parametrize("scope, code", [({"shelf": "Z9"}, "unknown_shelf"),
                                         ({"shelf": "A1", "category": "粮油"}, "stocktake_scope")])
def test_an_unknown_shelf_or_a_shelf_and_a_category_at_once_is_refused(world, scope, code):
    put_on_shelves(world, {"大米": "A1"})
    with pytest.raises(KioskError) as refused:
        service.start(world.store, world.staff[OPERATIONS], **scope)
    assert refused.value.code == code
    assert service.history(world.store) == []
