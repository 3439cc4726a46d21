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
