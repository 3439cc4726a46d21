"""A restore from an older copy never issues a voucher number again: the voucher counter of the
database being replaced is read with the other document counters (slips with those numbers are
in people's hands)."""
import pytest

from kiosk.backup.service import _highest_numbers
from kiosk.db import database
from tests.voucher_world import give_terms, sell

pytestmark = pytest.mark.sqlite_only("restores read the SQLite file they replace; on PostgreSQL they are pg_restore's (README)")


def test_the_replaced_databases_voucher_number_is_read(world):
    give_terms(world)
    sell(world, [("水果券", 3)])
    assert _highest_numbers(database.database) == {"XY": {"sale": 1, "voucher": 3}}
