"""The nightly backup's log carries each store's chain head out of the database;
`kiosk verify --head LOG` then catches a ledger rewritten with a recomputed chain."""
import os
import subprocess
import sys

import pytest

from kiosk import db as kiosk_db
from tests.unit.test_chain_anchor import rewrite_with_a_recomputed_chain


@pytest.fixture
def env(instance):
    settings = {name: value for name, value in os.environ.items() if not name.startswith("KIOSK_")}
    return dict(settings, KIOSK_INSTANCE_PATH=str(instance))


def kiosk(env, *args):
    return subprocess.run([sys.executable, "-m", "kiosk", *args], env=env, capture_output=True, text=True, timeout=300)


def test_the_backup_log_anchors_the_chain_and_verify_head_checks_it(world, env, instance, tmp_path):
    kiosk_db.database.close()
    backup = kiosk(env, "backup")
    assert backup.returncode == 0, backup.stdout + backup.stderr
    log = tmp_path / "nightly.log"
    log.write_text(backup.stdout)
    assert "chain-head XY entry=" in backup.stdout
    heads = kiosk(env, "chain-head")
    assert heads.stdout.split(" at=")[0] == [line for line in backup.stdout.splitlines()
                                             if line.startswith("chain-head")][0].split(" at=")[0]

    good = kiosk(env, "verify", "--head", str(log))
    assert good.returncode == 0, good.stdout + good.stderr

    kiosk_db.database.connect(reuse_if_open=True)
    with kiosk_db.database.atomic():
        rewrite_with_a_recomputed_chain(world.store.id)
    kiosk_db.database.close()
    assert kiosk(env, "verify").returncode == 0  # the rewrite is invisible inside the database
    caught = kiosk(env, "verify", "--head", str(log))
    assert caught.returncode == 1
    assert "nightly.log line" in caught.stdout and "the ledger was rewritten" in caught.stdout


def test_a_file_without_heads_is_refused(world, env, tmp_path):
    kiosk_db.database.close()
    empty = tmp_path / "empty.log"
    empty.write_text("nothing here\n")
    result = kiosk(env, "verify", "--head", str(empty))
    assert result.returncode != 0 and "holds no chain-head line" in result.stderr
