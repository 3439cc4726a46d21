"""What a restore reads from the database it replaces: each store's highest receipt and document
numbers, from its counters, or (a database older than m0017) from its ids and the floors an
earlier restore had set."""
import pytest

from kiosk.backup.service import _highest_numbers
from kiosk.checkout import service as checkout
from kiosk.db import database
from kiosk.staff.models import CASHIER, MANAGER
from tests.helpers import run_sql, second_store, undo_m0017

pytestmark = pytest.mark.sqlite_only("restores read the SQLite file they replace; on PostgreSQL they are pg_restore's (README)")


def sell(world, key):
    return checkout.checkout(world.store, world.cards["张建华"].id, [(world.products["食盐"].id, 1)],
                             world.staff[CASHIER].id, key).sale


def test_the_replaced_databases_numbers_are_read_per_store(world):
    second_store()
    first = sell(world, "restore-numbers-sale-01")
    sell(world, "restore-numbers-sale-02")
    checkout.refund(world.store, first.id, {first.lines.first().id: 1}, world.staff[CASHIER].id,
                    world.staff[MANAGER].id, "restore-numbers-ret-01")
    assert _highest_numbers(database.database) == {"AB": {"sale": 1}, "XY": {"sale": 2, "refund": 1}}


def test_a_database_from_before_m0017_gives_its_ids_and_floors(world):
    other_sale = second_store()[-1]
    sales = [sell(world, f"restore-numbers-old-{i:02d}") for i in range(2)]
    undo_m0017()
    run_sql('UPDATE "store" SET "refund_number_floor" = 9 WHERE "id" = ?', (world.store.id,))
    assert _highest_numbers(database.database) == {
        "AB": {"sale": other_sale.id}, "XY": {"sale": sales[-1].id, "refund": 9}}


def test_no_database_or_one_that_is_not_a_kiosks_gives_nothing(tmp_path):
    assert _highest_numbers(tmp_path / "missing.db") == {}
    (tmp_path / "junk.db").write_bytes(b"not a database at all" * 100)
    assert _highest_numbers(tmp_path / "junk.db") == {}
