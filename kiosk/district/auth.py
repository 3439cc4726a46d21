"""The street-office session, apart from the store staff's (kiosk.outsiders; see
kiosk.district.service): it holds ``district_user`` and ``dsv`` (the user's session version)."""
from kiosk.district.models import DistrictUser
from kiosk.outsiders import OutsiderSession


def _load(user_id, version):
    return DistrictUser.get_or_none(DistrictUser.id == user_id, DistrictUser.active == True,  # noqa: E712
                                    DistrictUser.session_version == version)


def _end_sessions(user_id):
    from kiosk.district.service import end_sessions

    end_sessions(user_id)


SESSION = OutsiderSession("district_user", "dsv", "district", load=_load, end_sessions=_end_sessions)
current_district_user = SESSION.current
sign_out = SESSION.sign_out
init_app = SESSION.init_app


def sign_in(user):
    SESSION.sign_in(user, DistrictUser.get_by_id(user.id).session_version)
