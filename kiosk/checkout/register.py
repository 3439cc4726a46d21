"""The cashier's register: the scanned card and the cart, kept in the signed session cookie.

The cart is a draft; nothing is reserved until checkout, which re-checks everything in one
transaction. Each cart carries an idempotency key: the checkout made with it is one sale
however many times it is submitted.
"""
import hashlib
import json
import secrets

from flask import session

KEY = "register"
# The register as it was before the last 取消, with the token its 撤销 button carries.
UNDO_KEY = "register_undo"


def _fresh():
    # pickup: the resident picking up for the card holder (代领), None for the holder.
    return {"card_id": None, "items": [], "key": secrets.token_urlsafe(24), "done": None, "pickup": None}


def state():
    data = session.get(KEY)
    if not isinstance(data, dict) or "key" not in data:
        data = _fresh()
    return data


def save(data):
    session[KEY] = data


def reset(card_id=None):
    """Start a new cart (and so a new idempotency key), optionally for a card."""
    data = _fresh()
    data["card_id"] = card_id
    save(data)
    return data


def items(data):
    """[(product_id, quantity)] in the order they were added."""
    return [(int(pid), int(qty)) for pid, qty in data["items"]]


def set_quantity(data, product_id, quantity):
    rows = [[pid, qty] for pid, qty in data["items"] if pid != product_id]
    if quantity > 0:
        existing = [i for i, (pid, _) in enumerate(data["items"]) if pid == product_id]
        position = existing[0] if existing else len(rows)
        rows.insert(position, [product_id, quantity])
    data["items"] = rows
    save(data)


def quantity_of(data, product_id):
    return next((qty for pid, qty in data["items"] if pid == product_id), 0)


def version(data):
    """A digest of the cart as shown; a checkout from a page showing another cart is stale."""
    blob = json.dumps([data["card_id"], data["items"], data.get("pickup")], separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def is_empty(data):
    """No card, no goods and no finished sale: the register 取消 leaves behind."""
    return data["card_id"] is None and not data["items"] and not data.get("done")


def cancel():
    """Clear the card and the cart, keeping what they were so that 撤销 can bring them back.
    Returns the undo token (None when there was nothing to clear)."""
    data = state()
    session.pop(UNDO_KEY, None)
    token = None
    if not is_empty(data) and not data.get("done"):
        token = secrets.token_urlsafe(12)
        session[UNDO_KEY] = {"token": token, "data": data}
    reset()
    return token


def undo_token():
    """The token of the 取消 that can still be undone, or None."""
    kept = session.get(UNDO_KEY)
    return kept.get("token") if isinstance(kept, dict) else None


def forget_undo():
    session.pop(UNDO_KEY, None)


def undo(token):
    """Bring back the register the 取消 with ``token`` cleared, exactly as it was.
    Only once, only with the latest 取消's token, and only while the register is still empty
    (a card scanned since then starts a register of its own). Returns the restored register
    or None, changing nothing."""
    kept = session.get(UNDO_KEY)
    if not isinstance(kept, dict) or not token or kept.get("token") != token or not is_empty(state()):
        return None
    session.pop(UNDO_KEY, None)
    save(kept["data"])
    return kept["data"]
