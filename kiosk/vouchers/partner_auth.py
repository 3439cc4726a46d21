"""The partner's session on the partner screen (/partner/), apart from the store staff's
(kiosk.outsiders): it holds ``partner_id`` and ``psv`` (the partner's session version), and
names a partner of the served store only."""
from kiosk.outsiders import OutsiderSession
from kiosk.staff.auth import current_store
from kiosk.vouchers.models import Partner


def _load(partner_id, version):
    store = current_store()
    if store is None:
        return None
    return Partner.get_or_none(Partner.id == partner_id, Partner.store == store, Partner.active == True,  # noqa: E712
                               Partner.session_version == version, Partner.pin_hash != "")


def _end_sessions(partner_id):
    from kiosk.vouchers.partners import end_sessions

    end_sessions(partner_id)


SESSION = OutsiderSession("partner_id", "psv", "partner", load=_load, end_sessions=_end_sessions)
current_partner = SESSION.current
sign_out = SESSION.sign_out
to_partner_screen = SESSION.to_home
init_app = SESSION.init_app


def sign_in(partner):
    SESSION.sign_in(partner, Partner.get_by_id(partner.id).session_version)
