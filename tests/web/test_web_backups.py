"""Backups on the manager's settings screen: the last copy in the store's time, red when older
than two days or missing; the newest copy to download, for the manager only."""
import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from kiosk.audit import AuditEvent
from kiosk.backup import service
from kiosk.stores.models import Store
from tests.helpers import body

pytestmark = pytest.mark.sqlite_only("backups copy the SQLite file; on PostgreSQL they are pg_dump's (README)")


def utcnow():
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


def make(instance, folder, now):
    # The copy as `kiosk backup` writes it; its verification has tests of its own (tests/cli).
    return service.make(instance / "kiosk.db", instance, folder, now=now, verify=lambda db, keys: []).backup


def status(html):
    """The class and the text of the settings page's backup line."""
    match = re.search(r'<div id="backup-status" class="([^"]*)"[^>]*>(.*?)</div>', html, re.S)
    assert match, "no backup line on the page"
    return match.group(1).split(), " ".join(match.group(2).split())


def test_no_backup_yet_is_shown_in_red(manager):
    classes, text = status(body(manager.get("/settings/")))
    assert "stale" in classes
    assert "最近一次备份" in text and "还没有" in text


def test_a_fresh_backup_shows_its_time_in_the_store_zone_size_and_verified(app, manager, world, instance):
    Store.update(timezone="Asia/Urumqi").where(Store.id == world.store.id).execute()  # UTC+6, not KIOSK_TIMEZONE
    now = utcnow() - timedelta(hours=3)
    copy = make(instance, instance / "backups", now)
    classes, text = status(body(manager.get("/settings/")))
    assert "stale" not in classes
    local = now.replace(tzinfo=timezone.utc).astimezone(ZoneInfo("Asia/Urumqi"))
    assert local.strftime("%Y-%m-%d %H:%M") in text
    assert f"{copy.size / 1024:.1f} KB" in text and "已校验" in text


def test_a_backup_older_than_two_days_is_shown_in_red(manager, instance):
    make(instance, instance / "backups", utcnow() - timedelta(days=2, minutes=5))
    classes, text = status(body(manager.get("/settings/")))
    assert "stale" in classes and "已超过两天" in text


def test_the_screen_reads_the_kiosk_backup_dir_folder(app, manager, instance, tmp_path):
    app.config["BACKUP_DIR"] = str(tmp_path / "usb")
    classes, text = status(body(manager.get("/settings/")))
    assert "stale" in classes and f"找不到备份文件夹 {tmp_path / 'usb'}" in text  # the stick is not plugged in
    make(instance, instance / "backups", utcnow() - timedelta(days=5))  # not the configured folder
    make(instance, tmp_path / "usb", utcnow())
    assert "stale" not in status(body(manager.get("/settings/")))[0]
    page = body(manager.get("/settings/backups/"))
    assert str(tmp_path / "usb") in page


def test_the_manager_downloads_the_newest_copy_and_is_told_it_holds_the_keys(manager, world, instance):
    make(instance, instance / "backups", utcnow() - timedelta(days=1))
    newest = make(instance, instance / "backups", utcnow())
    page = body(manager.get("/settings/backups/"))
    assert "签名密钥" in page and "/settings/backups/download" in page
    response = manager.get("/settings/backups/download")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/zip"
    assert f'filename={newest.path.name}' in response.headers["Content-Disposition"]
    assert response.get_data() == newest.path.read_bytes()
    response.close()
    event = AuditEvent.select().where(AuditEvent.action == "backup_downloaded").get()
    assert event.staff_id == world.staff["manager"].id and newest.path.name in event.detail


def test_download_without_a_backup_says_so(manager):
    response = manager.get("/settings/backups/download", follow_redirects=True)
    assert "还没有备份" in body(response)


@pytest.mark.parametrize("role", ["cashier", "operations"])
def test_only_the_manager_sees_backups_or_downloads_one(request, client, instance, role):
    make(instance, instance / "backups", utcnow())
    request.getfixturevalue(role)
    assert client.get("/settings/backups/").status_code == 403
    response = client.get("/settings/backups/download")
    assert response.status_code == 403 and b"PK" not in response.get_data()[:2]
    assert not AuditEvent.select().where(AuditEvent.action == "backup_downloaded").exists()


def test_on_postgresql_the_screen_points_to_the_database_server(app, manager):
    app.config["DATABASE_URL"] = "postgresql://kiosk@db.example/kiosk"  # only what the backup screens read
    classes, text = status(body(manager.get("/settings/")))
    assert "stale" not in classes and "pg_dump" in text
    response = manager.get("/settings/backups/download", follow_redirects=True)
    assert "还没有备份" in body(response)
