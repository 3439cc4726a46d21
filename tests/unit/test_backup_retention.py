"""Which copies `kiosk backup` keeps: the newest of each of the last 7 days and of each of the
last 12 months that have one, days and months in the store's time zone; nothing else deleted."""
from datetime import datetime

import pytest

from kiosk.backup import service


def no_verify(db_path, instance_path):
    # Retention is about the copies' names and times; verification has its own tests.
    return []


@pytest.mark.sqlite_only("copies the SQLite file; on PostgreSQL backups are pg_dump's (README)")
def test_seven_daily_and_twelve_monthly_copies_are_kept(world, instance, tmp_path):
    folder = tmp_path / "usb"
    folder.mkdir()
    (folder / "notes.txt").write_text("the technician's notes")  # not a copy: never touched
    other_store = folder / "kiosk-backup-AB-20250101T000000Z.zip"  # another kiosk's copy on a shared folder
    other_store.write_bytes(b"")
    monthly = [datetime(2025, month, 15, 4) for month in (9, 10, 11, 12)] + [datetime(2026, month, 15, 4) for month in range(1, 11)]
    # The nightly run at 00:10 Shanghai time is 16:10 UTC the day before.
    nightly = [datetime(2026, 11, day, 16, 10) for day in range(20, 31)]
    by_hand = datetime(2026, 11, 30, 2, 0)  # 10:00 on 30 November in Shanghai, after that night's copy
    for now in sorted(monthly + nightly + [by_hand]):
        made = service.make(instance / "kiosk.db", instance, folder, now=now, tz_name="Asia/Shanghai", verify=no_verify)
        assert made.backup.path.exists()

    kept = sorted(path.name for path in folder.iterdir())
    expected = sorted(
        # 7 days (Shanghai): 25 November to 1 December, the newest copy of each; 30 November had two.
        [f"kiosk-backup-XY-202611{day}T161000Z.zip" for day in (24, 25, 26, 27, 28)]
        + ["kiosk-backup-XY-20261130T020000Z.zip", "kiosk-backup-XY-20261130T161000Z.zip"]
        # 12 months: December and November 2026 are the copies above; then October to January.
        + [f"kiosk-backup-XY-2026{month:02d}15T040000Z.zip" for month in range(1, 11)]
        + ["notes.txt", other_store.name]
    )
    assert kept == expected


def test_a_month_without_copies_does_not_use_up_the_twelve(tmp_path):
    # A till switched off for the summer: the twelve months are the last twelve that have copies.
    stamps = [datetime(2025, month, 1, 12) for month in range(1, 6)] + [datetime(2025, month, 1, 12) for month in range(9, 13)]
    stamps += [datetime(2026, month, 1, 12) for month in range(1, 6)]
    keep = service.to_keep(stamps, tz_name="Asia/Shanghai", keep_daily=0, keep_monthly=12)
    assert sorted(keep) == sorted(stamps)[-12:]
    assert datetime(2025, 2, 1, 12) not in keep and datetime(2025, 3, 1, 12) in keep


def test_days_are_counted_in_the_store_time_zone():
    late, next_morning = datetime(2026, 3, 1, 15, 30), datetime(2026, 3, 1, 17, 0)
    # In UTC both are 1 March; in Shanghai the first is 23:30 on 1 March, the second 01:00 on 2 March.
    assert service.to_keep([late, next_morning], tz_name="Asia/Shanghai", keep_daily=7, keep_monthly=0) == {late, next_morning}
    assert service.to_keep([late, next_morning], tz_name="UTC", keep_daily=7, keep_monthly=0) == {next_morning}
