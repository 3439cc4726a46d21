"""Receipt numbers never repeat, even after `kiosk restore` of an older copy: the numbers issued
after the copy was made (by the database moved aside, or as recorded in the instance folder's
receipt-numbers.json) are skipped by the next sale and return."""
import json

from kiosk import db as kiosk_db
from kiosk.checkout import service as checkout
from kiosk.checkout.models import Refund, Sale
from kiosk.reports.verify import verify
from kiosk.staff.models import CASHIER, MANAGER
from kiosk.stores.models import Store
from tests.cli.test_cli_backup import backup_file, env, kiosk, sell  # noqa: F401 - env is a fixture


def reopen(instance):
    kiosk_db.database.close()
    kiosk_db.connect("sqlite:///" + str(instance / "kiosk.db"))
    kiosk_db.database.connect(reuse_if_open=True)


def refund_one(world, sale_id, key):
    line = Sale.get_by_id(sale_id).lines.first()
    return checkout.refund(Store.get_by_id(world.store.id), sale_id, {line.id: 1}, world.staff[CASHIER].id,
                           world.staff[MANAGER].id, key).id


def serial(model, row_id):
    return model.get_by_id(row_id).serial


def test_after_restoring_an_older_copy_the_next_numbers_are_new(world, env, instance):  # noqa: F811
    first = sell(world, "numbers-before-copy-01")
    copy = backup_file(env, instance)
    printed_after_copy = [sell(world, f"numbers-after-copy-{i:02d}") for i in range(2)]
    refunded_after_copy = refund_one(world, printed_after_copy[0], "numbers-refund-after-1")
    highest_sale, highest_refund = serial(Sale, printed_after_copy[-1]), serial(Refund, refunded_after_copy)
    assert (highest_sale, highest_refund) == (3, 1)
    kiosk_db.database.close()

    result = kiosk(env, "restore", str(copy))
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads((instance / "receipt-numbers.json").read_text()) == {
        "stores": {"XY": {"sale": highest_sale, "refund": highest_refund}}}
    reopen(instance)
    assert [s.id for s in Sale.select()] == [first]
    world.store = Store.get_by_id(world.store.id)
    new_sale = sell(world, "numbers-after-restore-1")
    assert serial(Sale, new_sale) == highest_sale + 1
    new_refund = refund_one(world, new_sale, "numbers-refund-after-2")
    assert serial(Refund, new_refund) == highest_refund + 1
    assert verify() == []

    # Restoring the same old copy again (the database now holds only the one new sale above the
    # copy): the counters carried by the database and the file still skip every number issued.
    kiosk_db.database.close()
    result = kiosk(env, "restore", str(copy))
    assert result.returncode == 0, result.stdout + result.stderr
    reopen(instance)
    world.store = Store.get_by_id(world.store.id)
    assert serial(Sale, sell(world, "numbers-after-restore-2")) == highest_sale + 2


def test_numbers_recorded_before_per_store_numbering_still_count_for_every_store(world, env, instance):  # noqa: F811
    """A receipt-numbers.json written before m0017 holds one pair of database-wide numbers:
    restoring raises every store's sale and return counters above them."""
    sell(world, "numbers-old-file-01")
    copy = backup_file(env, instance)
    kiosk_db.database.close()
    (instance / "receipt-numbers.json").write_text(json.dumps({"sale": 40, "refund": 7}))
    (instance / "kiosk.db").unlink()  # nothing to read the numbers from but the file

    result = kiosk(env, "restore", str(copy))
    assert result.returncode == 0, result.stdout + result.stderr
    reopen(instance)
    world.store = Store.get_by_id(world.store.id)
    new_sale = sell(world, "numbers-old-file-02")
    assert serial(Sale, new_sale) == 41
    assert serial(Refund, refund_one(world, new_sale, "numbers-old-file-03")) == 8
    assert verify() == []
