"""Drafts of goods-in and goods-out documents, kept in the signed session cookie until posted.

A draft is the list of lines as typed (raw strings: the service checks them when posting) and
an idempotency key: the document posted with it is one document however often it is submitted.
"""
import hashlib
import json
import secrets

from flask import request, session

GOODS_IN, GOODS_OUT = "goods_in", "goods_out"
# Line fields as the form names them: qty_<n>, batch_<n>, expiry_<n>; product_<n> says which
# product the row showed, so edits from a page showing other lines are not applied.
FIELDS = {GOODS_IN: ("quantity", "batch_no", "expiry"), GOODS_OUT: ("quantity",)}
FORM_NAMES = {"quantity": "qty", "batch_no": "batch", "expiry": "expiry"}
MAX_FIELD = 64


def _fresh():
    return {"key": secrets.token_urlsafe(24), "lines": []}


def load(kind):
    data = session.get(kind)
    if not isinstance(data, dict) or not isinstance(data.get("lines"), list) or "key" not in data:
        data = _fresh()
        save(kind, data)  # the page shows its key: a post from it must find the same one
    return data


def save(kind, data):
    session[kind] = data


def reset(kind):
    data = _fresh()
    save(kind, data)
    return data


def version(data):
    """A digest of the draft's lines (which products, in which order) and its key."""
    blob = json.dumps([data["key"], [line["product_id"] for line in data["lines"]]], separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def apply_form(kind, data):
    """Copy the line fields the form sent into the draft (as typed, cut to a sane length).
    Returns False when the form showed other lines than the draft has (a stale page)."""
    stale = False
    for index, line in enumerate(data["lines"]):
        shown = request.form.get(f"product_{index}")
        if shown is None:
            continue
        if shown != str(line["product_id"]):
            stale = True
            continue
        for field in FIELDS[kind]:
            value = request.form.get(f"{FORM_NAMES[field]}_{index}")
            if value is not None:
                line[field] = value[:MAX_FIELD]
    if request.form.get(f"product_{len(data['lines'])}") is not None:
        stale = True
    return not stale


def add(kind, data, product_id, *, new_batch=False):
    """One more of the product: its last line goes up by one, or a new line (``new_batch``: a
    new line anyway, for another batch or expiry date)."""
    same = [line for line in data["lines"] if line["product_id"] == product_id]
    if same and not new_batch:
        line = same[-1]
        text = str(line.get("quantity", "")).strip()
        line["quantity"] = str(int(text) + 1) if text.isascii() and text.isdigit() and len(text) <= 5 else text
        return
    line = {"product_id": product_id, "quantity": "1"}
    if kind == GOODS_IN:
        line.update(batch_no="", expiry="")
    data["lines"].append(line)


def remove(data, index):
    if 0 <= index < len(data["lines"]):
        del data["lines"][index]
