"""Expiry notices and point values as screens and receipts show them (Flask side).

Every screen and the receipt ask :func:`kiosk.expiry.service.upcoming`, the same function
that plays the nightly `kiosk expire` forward, so they all say the same thing.
"""
from flask import current_app
from flask_babel import force_locale, gettext

from kiosk.expiry import service


def _tz_name():
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def upcoming(account_id, store):
    """[Expiring] of the account within the store's announcement period ([] for no account)."""
    if account_id is None or store is None or store.expiry_mode == service.NONE:
        return []
    return service.upcoming(account_id, store, tz_name=_tz_name())


# Lines of notice at most: with expiry by months, points earned on many days can expire on
# many days of the announcement period.
SCREEN_LINES, RECEIPT_LINES = 3, 2


def notice(item):
    """"您有120积分将于2026-12-31到期" for an Expiring, in the current language."""
    return gettext("You have %(points)s points that expire on %(day)s", points=item.points, day=item.day.isoformat())


def notices(items, limit):
    """Sentences for [Expiring], at most ``limit``: the earliest ones, then one line for the
    rest ("另有…积分将于…前陆续到期")."""
    if len(items) <= limit:
        return [notice(item) for item in items]
    rest = items[limit - 1:]
    return [notice(item) for item in items[:limit - 1]] + [gettext(
        "And %(points)s more points expire by %(day)s", points=sum(item.points for item in rest),
        day=rest[-1].day.isoformat(),
    )]


def receipt_extras(store, account_id, balance):
    """The fields a Receipt takes for the value of ``balance`` (the balance it prints) and the
    account's expiry notices, in the store's language like the rest of the receipt: {} when
    the store shows neither."""
    extras = {}
    if store.point_value_fen is not None:
        extras["balance_value"] = service.value_text(balance, store, printed=True)
    soon = upcoming(account_id, store)
    if soon:
        with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
            extras["notes"] = tuple(notices(soon, RECEIPT_LINES))
    return extras


def init_app(app):
    """Template helpers: point_value(points) and expiry_notices(account)."""
    from kiosk.staff.auth import current_store

    app.jinja_env.globals.update(
        point_value=lambda points: service.value_text(points, current_store()) if current_store() else "",
        expiry_notices=lambda account: notices(upcoming(account.id if account else None, current_store()), SCREEN_LINES),
    )
