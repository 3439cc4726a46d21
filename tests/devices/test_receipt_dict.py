"""Receipt.to_dict / from_dict: JSON round trip and defaults."""

import dataclasses
import json
from datetime import datetime

import pytest

from devices import Receipt, ReceiptLabels, ReceiptLine


def through_json(receipt: Receipt) -> Receipt:
    return Receipt.from_dict(json.loads(json.dumps(receipt.to_dict(), ensure_ascii=False)))


def test_sale_round_trips_through_json(small_receipt):
    assert through_json(small_receipt) == small_receipt


def test_refund_reprint_with_custom_labels_round_trips_through_json(small_receipt):
    receipt = dataclasses.replace(
        small_receipt,
        kind="refund",
        original_receipt_no="R0000",
        issued_at=datetime(2026, 1, 2, 3, 4, 5, 678),
        labels=ReceiptLabels(title_refund="Refund", unit=" pts"),
    ).as_reprint()
    again = through_json(receipt)
    assert again == receipt
    assert again.reprint and again.labels.title_refund == "Refund"


def test_to_dict_uses_plain_json_types(small_receipt):
    data = small_receipt.to_dict()
    assert data["issued_at"] == "2026-11-23T10:55:00"
    assert data["lines"] == [
        {"name": "大米5kg", "quantity": 1, "points": 50},
        {"name": "Soap", "quantity": 2, "points": 3},
    ]
    assert data["labels"]["holder"] == "持卡人"
    assert data["kind"] == "sale" and data["reprint"] is False


def test_from_dict_fills_missing_optional_fields(small_receipt):
    data = small_receipt.to_dict()
    for key in ("kind", "original_receipt_no", "reprint", "labels"):
        del data[key]
    data["lines"][0] = {"name": "大米5kg", "quantity": 1, "points": 50}
    assert Receipt.from_dict(data) == small_receipt


def test_from_dict_rejects_missing_required_field(small_receipt):
    data = small_receipt.to_dict()
    del data["receipt_no"]
    with pytest.raises(TypeError):
        Receipt.from_dict(data)


def test_as_reprint_only_sets_the_reprint_flag(small_receipt):
    reprint = small_receipt.as_reprint()
    assert reprint.reprint and not small_receipt.reprint
    assert dataclasses.replace(reprint, reprint=False) == small_receipt


def test_lines_given_as_list_become_a_tuple(small_receipt):
    receipt = dataclasses.replace(small_receipt, lines=list(small_receipt.lines))
    assert receipt.lines == small_receipt.lines and isinstance(receipt.lines, tuple)


def test_unknown_kind_is_rejected(small_receipt):
    with pytest.raises(ValueError, match="kind"):
        dataclasses.replace(small_receipt, kind="gift")


def test_line_total_is_quantity_times_points():
    assert ReceiptLine("米", 3, 25).total == 75
