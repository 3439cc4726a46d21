"""`kiosk store numbers`: each store's last receipt and document numbers, saved before a
PostgreSQL dump is restored (pg_restore) and given back with --at-least afterwards, so that no
number issued after the dump is issued again."""
import json
import subprocess
import sys

from kiosk.audit import AuditEvent
from kiosk.checkout.models import Sale
from kiosk.stores import numbering
from tests.cli.test_cli_backup import env, kiosk, sell  # noqa: F401 - env is a fixture
from tests.helpers import run_sql, second_store


def test_numbers_saved_before_a_restore_raise_the_counters_after_it(world, env, tmp_path):  # noqa: F811
    second_store()
    sell(world, "store-numbers-sale-0001")
    sell(world, "store-numbers-sale-0002")
    listed = kiosk(env, "store", "numbers")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines() == [
        "numbers AB sale=1 refund=0 stock_receipt=0 write_off=0 stocktake=0 voucher=0 settlement=0",
        "numbers XY sale=2 refund=0 stock_receipt=0 write_off=0 stocktake=0 voucher=0 settlement=0",
    ]
    saved = tmp_path / "numbers.txt"
    saved.write_text(listed.stdout, encoding="utf-8")

    # The dump restored was made after XY's first sale: its counter is behind the second's receipt.
    run_sql('UPDATE "document_counter" SET "last" = 1 WHERE "store_id" = ? AND "kind" = ?', (world.store.id, "sale"))
    raised = kiosk(env, "store", "numbers", "--at-least", str(saved))
    assert raised.returncode == 0, raised.stderr
    assert raised.stdout.splitlines() == ["AB: already at or above those numbers", "XY: sale raised to 2"]
    assert numbering.last_numbers(world.store.id) == {"sale": 2}
    event = AuditEvent.get(AuditEvent.action == "document_numbers_raised")
    assert event.store_id == world.store.id and json.loads(event.detail) == {"via": "cli", "sale": 2}
    # The next sale is numbered after every number issued before the restore.
    sale_id = sell(world, "store-numbers-sale-0003")
    assert Sale.get_by_id(sale_id).receipt_no == "XYS0000003"

    again = kiosk(env, "store", "numbers", "--at-least", str(saved))
    assert again.stdout.splitlines() == ["AB: already at or above those numbers", "XY: already at or above those numbers"]


def test_a_file_that_is_not_this_commands_output_changes_nothing(world, env, tmp_path):  # noqa: F811
    sell(world, "store-numbers-sale-0009")
    for text, reason in (("numbers XY sale=x\n", "line 1"), ("numbers XY invoice=3\n", "line 1"),
                         ("numbers XY sale=-1\n", "line 1"), ("numbers ZZ sale=5\n", "no store with the code ZZ"),
                         ("hello\n", "holds no `numbers` line")):
        bad = tmp_path / "bad.txt"
        bad.write_text(text, encoding="utf-8")
        result = kiosk(env, "store", "numbers", "--at-least", str(bad))
        assert result.returncode == 1 and reason in result.stderr, result.stderr
    assert numbering.last_numbers(world.store.id) == {"sale": 1}


def test_several_saved_files_on_standard_input_raise_to_the_highest_of_each(world, env):  # noqa: F811
    sell(world, "store-numbers-sale-0010")
    saved = "numbers XY sale=7 refund=1\nnumbers XY sale=4 refund=3 stocktake=2\n"
    result = subprocess.run([sys.executable, "-m", "kiosk", "store", "numbers", "--at-least", "-"], env=env,
                            input=saved, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert numbering.last_numbers(world.store.id) == {"sale": 7, "refund": 3, "stocktake": 2}
