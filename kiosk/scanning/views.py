"""The serial scanner's feed for the screen on this kiosk box (see kiosk.scanning.feed)."""
from flask import Blueprint, abort, current_app, jsonify, request

from kiosk.staff.auth import background

bp = Blueprint("scanning", __name__, url_prefix="/scanner")
LOCAL = ("127.0.0.1", "::1")


@bp.get("/feed")
@background
def feed():
    """{"last": n, "codes": [...]} after ``?after=n``; only for a screen on this box, because
    the scanner is plugged into it (and card codes are not for other computers to read)."""
    scans = current_app.extensions.get("scan_feed")
    if scans is None or request.remote_addr not in LOCAL:
        abort(404)
    after = request.args.get("after", "")
    if not (after.isascii() and after.isdigit() and len(after) < 12):
        last, codes = scans.since(scans.last)
    else:
        last, codes = scans.since(int(after))
    return jsonify(last=last, codes=codes, error=scans.error)
