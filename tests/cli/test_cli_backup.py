"""`kiosk backup` and `kiosk restore` as a technician runs them: the store's database and keys
in an instance folder, the copy in a zip, put back after a disk failure."""
import hashlib
import http.server
import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import zipfile

import pytest

from kiosk import db as kiosk_db
from kiosk.checkout import service as checkout
from kiosk.staff.models import CASHIER


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def env(instance):
    # Only this test's settings: the instance folder (database and keys in it), a port nothing
    # listens on (restore asks whether a kiosk server answers there).
    settings = {name: value for name, value in os.environ.items() if not name.startswith("KIOSK_")}
    return dict(settings, KIOSK_INSTANCE_PATH=str(instance), KIOSK_PORT=str(free_port()))


def kiosk(env, *args):
    return subprocess.run([sys.executable, "-m", "kiosk", *args], env=env, capture_output=True, text=True, timeout=300)


def sell(world, key, product="食盐", quantity=1):
    return checkout.checkout(world.store, world.cards["张建华"].id, [(world.products[product].id, quantity)],
                             world.staff[CASHIER].id, key).sale.id


def sales(path):
    conn = sqlite3.connect(path)
    try:
        return [row[0] for row in conn.execute("SELECT id FROM sale ORDER BY id")]
    finally:
        conn.close()


def backup_file(env, instance, *args):
    result = kiosk(env, "backup", *args)
    assert result.returncode == 0, result.stdout + result.stderr
    copies = sorted((instance / "backups").glob("kiosk-backup-XY-*.zip"))
    assert len(copies) == 1
    return copies[0]


def test_backup_then_restore_brings_back_the_books_and_moves_the_current_ones_aside(world, env, instance):
    first = sell(world, "before-the-backup-0001")
    copy = backup_file(env, instance)
    with zipfile.ZipFile(copy) as archive:
        assert sorted(archive.namelist()) == ["card-signing.key", "kiosk.db", "manifest.json", "secret.key"]
        manifest = json.loads(archive.read("manifest.json"))
        assert archive.read("card-signing.key") == (instance / "card-signing.key").read_bytes()
    assert manifest["format"] == "points-kiosk-backup" and manifest["verified"] is True
    assert manifest["stores"] == ["XY"] and manifest["schema_version"] >= 13
    assert oct(copy.stat().st_mode & 0o777) == "0o600"  # it holds the keys
    later = sell(world, "after-the-backup-0001")
    kiosk_db.database.close()
    # A power cut: the last commit is still in kiosk.db-wal (the process died without closing).
    died = subprocess.run([sys.executable, "-c", "import os, sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
                           "c.execute(\"UPDATE store SET name = '停电前改的名字'\"); c.commit(); os._exit(0)",
                           str(instance / "kiosk.db")], timeout=60)
    assert died.returncode == 0 and (instance / "kiosk.db-wal").stat().st_size > 0
    old_key = (instance / "card-signing.key").read_bytes()

    result = kiosk(env, "restore", str(copy))
    assert result.returncode == 0, result.stdout + result.stderr
    assert sales(instance / "kiosk.db") == [first]  # as it was when the copy was made
    assert (instance / "card-signing.key").read_bytes() == old_key
    # The database it replaced (with the later sale) is not deleted: moved aside with its -wal
    # and -shm files (the old -wal beside the restored database would be replayed into it), and
    # the keys.
    [aside] = instance.glob("before-restore-*")
    assert sorted(path.name for path in aside.iterdir()) == [
        "card-signing.key", "kiosk.db", "kiosk.db-shm", "kiosk.db-wal", "secret.key"]
    assert sales(aside / "kiosk.db") == [first, later]
    with sqlite3.connect(aside / "kiosk.db") as conn:
        assert conn.execute("SELECT name FROM store").fetchone() == ("停电前改的名字",)
    conn.close()
    with sqlite3.connect(instance / "kiosk.db") as conn:
        assert conn.execute("SELECT name FROM store").fetchone() == (world.store.name,)
    conn.close()
    assert f"moved aside: {instance / 'kiosk.db'} -> {aside / 'kiosk.db'}" in result.stdout
    verify = kiosk(env, "verify")
    assert verify.returncode == 0 and verify.stdout.startswith("ok"), verify.stdout + verify.stderr


def test_restore_on_a_new_till_with_no_database_and_no_keys(world, env, instance, tmp_path):
    sale = sell(world, "before-the-disk-failed-01")
    copy = backup_file(env, instance)
    fresh = tmp_path / "new-till" / "instance"
    result = kiosk(dict(env, KIOSK_INSTANCE_PATH=str(fresh)), "restore", str(copy))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "nothing to move aside" in result.stdout
    assert sales(fresh / "kiosk.db") == [sale]
    assert (fresh / "card-signing.key").read_bytes() == (instance / "card-signing.key").read_bytes()
    balance = kiosk(dict(env, KIOSK_INSTANCE_PATH=str(fresh)), "balance", world.payload("张建华"))
    assert balance.returncode == 0 and "balance  480" in balance.stdout  # restored cards scan


def retouch(copy, out, change, rehash=False):
    """A copy of the backup ``copy`` whose database ``change(conn)`` edited; with ``rehash`` the
    manifest's checksum is made to match, as a careful forger would."""
    work = out.parent / "tamper"
    work.mkdir()
    with zipfile.ZipFile(copy) as archive:
        archive.extractall(work)
    with sqlite3.connect(work / "kiosk.db") as conn:
        change(conn)
    conn.close()
    manifest = json.loads((work / "manifest.json").read_text())
    if rehash:
        manifest["sha256"]["kiosk.db"] = hashlib.sha256((work / "kiosk.db").read_bytes()).hexdigest()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("manifest.json", json.dumps(manifest))
        for name in ("kiosk.db", "secret.key", "card-signing.key"):
            archive.write(work / name, name)
    return out


def raise_a_balance(conn):
    conn.execute("UPDATE account SET balance = balance + 1000 WHERE holder_name = '李秀兰'")


@pytest.mark.parametrize("rehash, words", [
    (False, "与校验值不符"),  # the checksum of kiosk.db no longer matches
    (True, "未通过校验"),  # the checksum was forged too: `kiosk verify` finds the balance off its ledger
])
def test_a_tampered_copy_is_refused_and_nothing_changes(world, env, instance, tmp_path, rehash, words):
    sale = sell(world, "the-real-books-000001")
    copy = backup_file(env, instance)
    forged = retouch(copy, tmp_path / "forged.zip", raise_a_balance, rehash=rehash)
    kiosk_db.database.close()
    before = (instance / "kiosk.db").read_bytes()
    result = kiosk(env, "restore", str(forged))
    assert result.returncode == 1
    assert words in result.stderr and "forged.zip" in result.stderr
    if rehash:
        assert "ledger sums to" in result.stderr  # verify's own sentence names the account
    assert (instance / "kiosk.db").read_bytes() == before
    assert not list(instance.glob("before-restore-*")) and sales(instance / "kiosk.db") == [sale]


def zip_of(path, members):
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_restore_refuses_what_is_not_a_kiosk_backup(world, env, instance, tmp_path):
    copy = backup_file(env, instance)
    with zipfile.ZipFile(copy) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        keys = {name: archive.read(name) for name in ("secret.key", "card-signing.key")}
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE store (code TEXT)")
    conn.close()
    other_bytes = other.read_bytes()
    not_kiosk = dict(manifest, sha256=dict(manifest["sha256"], **{"kiosk.db": hashlib.sha256(other_bytes).hexdigest()}))
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0 not a zip at all")
    cases = {
        tmp_path / "photo.jpg": "不是积分超市的备份文件",
        zip_of(tmp_path / "no-db.zip", {"manifest.json": json.dumps(manifest), **keys}): "中没有积分超市数据库",
        zip_of(tmp_path / "no-manifest.zip", {"kiosk.db": b"x", **keys}): "不是积分超市的备份文件",
        zip_of(tmp_path / "other-db.zip", {"manifest.json": json.dumps(not_kiosk), "kiosk.db": other_bytes, **keys}):
            "中的数据库不是积分超市数据库",
        tmp_path / "missing.zip": "不是积分超市的备份文件",
    }
    kiosk_db.database.close()
    before = (instance / "kiosk.db").read_bytes()
    for path, words in cases.items():
        result = kiosk(env, "restore", str(path))
        assert result.returncode == 1, path
        assert words in result.stderr and path.name in result.stderr, (path, result.stderr)
    assert (instance / "kiosk.db").read_bytes() == before
    assert not list(instance.glob("before-restore-*"))


def test_restore_refuses_a_copy_made_by_a_newer_kiosk(world, env, instance, tmp_path):
    copy = backup_file(env, instance)
    newer = retouch(copy, tmp_path / "from-the-future.zip",
                    lambda conn: conn.execute("INSERT INTO schema_version (version, name) VALUES (9999, 'm9999_future')"),
                    rehash=True)
    kiosk_db.database.close()
    result = kiosk(env, "restore", str(newer))
    assert result.returncode == 1
    assert "由较新版本的系统制作" in result.stderr and "9999" in result.stderr
    assert not list(instance.glob("before-restore-*"))


def test_restore_refuses_while_the_kiosk_server_answers(world, env, instance):
    copy = backup_file(env, instance)

    class Health(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"ok": true}')

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", int(env["KIOSK_PORT"])), Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        result = kiosk(env, "restore", str(copy))
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 1
    assert "积分超市服务正在运行" in result.stderr and "systemctl stop points-kiosk" in result.stderr
    assert not list(instance.glob("before-restore-*"))


@pytest.mark.parametrize("where", ["file", "under-a-file"])
def test_a_folder_that_cannot_be_written_is_refused(world, env, instance, where):
    # Tests run as root, whom chmod does not stop: a regular file stands where the folder would.
    folder = instance / "secret.key" if where == "file" else instance / "secret.key" / "backups"
    result = kiosk(env, "backup", str(folder))
    assert result.returncode == 1
    assert f"无法把备份写入 {folder}" in result.stderr
    assert not list(instance.rglob("*.zip"))
    # KIOSK_BACKUP_DIR is refused the same way.
    result = kiosk(dict(env, KIOSK_BACKUP_DIR=str(folder)), "backup")
    assert result.returncode == 1 and "无法把备份写入" in result.stderr


def test_the_backup_folder_is_dir_then_kiosk_backup_dir_then_the_instance(world, env, instance, tmp_path):
    usb, share = tmp_path / "usb", tmp_path / "share"
    assert kiosk(dict(env, KIOSK_BACKUP_DIR=str(share)), "backup", str(usb)).returncode == 0
    assert kiosk(dict(env, KIOSK_BACKUP_DIR=str(share)), "backup").returncode == 0
    assert kiosk(env, "backup").returncode == 0
    for folder in (usb, share, instance / "backups"):
        assert len(list(folder.glob("kiosk-backup-XY-*.zip"))) == 1, folder


def test_a_copy_that_fails_verification_is_not_kept(world, env, instance):
    with sqlite3.connect(instance / "kiosk.db") as conn:
        raise_a_balance(conn)  # the live books are wrong: a copy of them must not pass for good
    conn.close()
    result = kiosk(env, "backup")
    assert result.returncode == 1
    assert "备份副本未通过校验，未保留" in result.stderr and "ledger sums to" in result.stderr
    assert not list((instance / "backups").iterdir())  # nothing kept, no working files left


def test_on_postgresql_backup_points_to_pg_dump_and_does_nothing(env, instance, tmp_path):
    result = kiosk(dict(env, KIOSK_DATABASE_URL="postgresql://kiosk@127.0.0.1:1/kiosk"), "backup", str(tmp_path / "b"))
    assert result.returncode == 1
    assert "pg_dump" in result.stderr
    assert not (tmp_path / "b").exists()
