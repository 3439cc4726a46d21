"""The nightly expiry marks vouchers past their last valid day expired, once."""
from datetime import datetime, timedelta

import pytest
from click.testing import CliRunner

from kiosk.cli import main
from kiosk.db import utcnow
from kiosk.reports.verify import verify
from kiosk.vouchers import service
from kiosk.vouchers.models import EXPIRED, ISSUED, USED, Voucher, VoucherEvent
from tests.voucher_world import give_terms, mark_used, sell


@pytest.fixture
def terms(world):
    return give_terms(world)


def test_vouchers_past_their_last_day_expire_with_an_event_and_a_second_run_does_nothing(world, terms):
    # Fruit: 7 days from 2026-12-05 (Shanghai) → valid until 2026-12-11 24:00 local = 16:00 UTC.
    sell(world, [("水果券", 2), ("物业费抵扣券", 1)], now=datetime(2026, 12, 5, 2, 0))
    assert service.expire_due(world.store, now=datetime(2026, 12, 11, 15, 59)) == 0
    assert service.expire_due(world.store, now=datetime(2026, 12, 11, 16, 0), dry_run=True) == 2
    assert Voucher.select().where(Voucher.status == EXPIRED).count() == 0
    assert service.expire_due(world.store, now=datetime(2026, 12, 11, 16, 0)) == 2
    assert [v.status for v in Voucher.select().order_by(Voucher.serial)] == [EXPIRED, EXPIRED, ISSUED]
    assert VoucherEvent.select().where(VoucherEvent.kind == EXPIRED).count() == 2
    assert service.expire_due(world.store, now=datetime(2026, 12, 12)) == 0
    assert VoucherEvent.select().where(VoucherEvent.kind == EXPIRED).count() == 2
    assert verify(world.store.timezone) == []


def test_a_used_voucher_never_expires(world, terms):
    sell(world, [("水果券", 1)], now=utcnow() - timedelta(days=10))
    mark_used(Voucher.get(), terms.fruit_stall, when=utcnow() - timedelta(days=9))
    assert service.expire_due(world.store) == 0
    assert Voucher.get().status == USED


def test_kiosk_expire_expires_the_vouchers_too(world, terms, instance, database_url, monkeypatch):
    sell(world, [("水果券", 1)], now=utcnow() - timedelta(days=10))
    monkeypatch.setenv("KIOSK_INSTANCE_PATH", str(instance))
    monkeypatch.setenv("KIOSK_DATABASE_URL", database_url)
    result = CliRunner().invoke(main, ["expire", "--store", "XY"])
    assert result.exit_code == 0, result.output
    assert "1 voucher(s) past their last valid day expired" in result.output
    assert Voucher.get().status == EXPIRED
