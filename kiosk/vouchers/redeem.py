"""Checking and using (核销) a voucher on the partner screen.

Using a voucher is one conditional UPDATE: ``SET status = used … WHERE id = ? AND status =
issued AND partner = ? AND valid_until > now``. Only the request whose UPDATE changed the row
appends the USED event (and the unique (voucher, kind) index would refuse a second one), so two
partners or two taps at the same moment make one 核销, and the other is told why not from the
row as it now is. A partner sees only their own vouchers: another partner's is "not yours",
without its details.
"""
from dataclasses import dataclass
from typing import Optional

from kiosk import audit
from kiosk.db import database, utcnow
from kiosk.errors import KioskError
from kiosk.privacy import mask_name
from kiosk.reports.periods import local_time
from kiosk.vouchers.codes import serial_text
from kiosk.vouchers.models import BEARER, CANCELLED, EXPIRED, ISSUED, USED, Partner, Voucher, VoucherEvent
from kiosk.vouchers.slips import valid_until_text

# What the partner screen says of a voucher (beside the four statuses, a voucher still ISSUED
# after its last valid day is EXPIRED to the partner: the nightly expiry may not have run yet).
VALID = "valid"


@dataclass
class VoucherView:
    """What the partner screen shows of one of the partner's own vouchers."""

    voucher: Voucher
    state: str  # VALID, USED, EXPIRED or CANCELLED
    serial: str
    holder: str  # the masked household name, or "" for a bearer voucher
    valid_until: str  # the last valid day, in the store's zone
    used_at: str = ""
    used_by: Optional[str] = None
    used_by_you: bool = False


def _when(moment, tz_name):
    return local_time(moment, tz_name).strftime("%Y-%m-%d %H:%M") if moment else ""


def state_of(voucher, now=None):
    """VALID, USED, EXPIRED or CANCELLED at ``now`` (naive UTC)."""
    now = now or utcnow()
    if voucher.status == ISSUED:
        return VALID if voucher.valid_until > now else EXPIRED  # valid_until: the midnight after its last day
    return voucher.status


def _holder(voucher):
    if voucher.holder == BEARER or voucher.account_id is None:
        return ""
    return mask_name(voucher.account.holder_name)


def view(voucher, partner, tz_name, now=None):
    """The partner's view of their own ``voucher``. Raises KioskError("not_your_voucher") for a
    voucher another partner honours (nothing about it is shown) or another store's."""
    if voucher.partner_id != partner.id or voucher.store_id != partner.store_id:
        raise KioskError("not_your_voucher")
    used_by = Partner.get_by_id(voucher.used_by_id) if voucher.used_by_id else None
    return VoucherView(
        voucher=voucher, state=state_of(voucher, now), serial=serial_text(voucher.serial), holder=_holder(voucher),
        valid_until=valid_until_text(voucher, tz_name), used_at=_when(voucher.used_at, tz_name),
        used_by=used_by.name if used_by else None, used_by_you=used_by is not None and used_by.id == partner.id,
    )


def use_voucher(voucher_id, partner, now=None, *, tz_name="Asia/Shanghai"):
    """Use (核销) the partner's voucher ``voucher_id`` once, at ``now`` (naive UTC).

    Returns the used Voucher. Raises KioskError: unknown_voucher, not_your_voucher, voucher_used
    (``when``, ``partner``), voucher_expired (``until``), voucher_cancelled; nothing changes then.
    """
    now = now or utcnow()
    partner_id = getattr(partner, "id", partner)
    if not isinstance(voucher_id, int):
        raise KioskError("unknown_voucher")
    with database.atomic():
        changed = Voucher.update(status=USED, used_at=now, used_by=partner_id).where(
            Voucher.id == voucher_id,
            Voucher.status == ISSUED,
            Voucher.partner == partner_id,
            Voucher.store == partner.store_id,
            Voucher.valid_until > now,
        ).execute()
        if changed == 1:
            VoucherEvent.create(voucher=voucher_id, kind=USED, partner=partner_id, created_at=now)
            voucher = Voucher.get_by_id(voucher_id)
            audit.record("voucher_used", store=voucher.store_id, partner=partner_id, partner_name=partner.name,
                         voucher=voucher.id, serial=serial_text(voucher.serial), face=voucher.face,
                         face_value_fen=voucher.face_value_fen)
            return voucher
    voucher = Voucher.get_or_none(Voucher.id == voucher_id, Voucher.store == partner.store_id)
    if voucher is None:
        raise KioskError("unknown_voucher")
    if voucher.partner_id != partner_id:
        raise KioskError("not_your_voucher")
    state = state_of(voucher, now)
    if state == USED:
        by = Partner.get_by_id(voucher.used_by_id)
        raise KioskError("voucher_used", when=_when(voucher.used_at, tz_name), partner=by.name)
    if state == CANCELLED:
        raise KioskError("voucher_cancelled")
    if state == EXPIRED:
        raise KioskError("voucher_expired", until=valid_until_text(voucher, tz_name))
    raise KioskError("stale_page")  # the row changed between the UPDATE and this read: look again
