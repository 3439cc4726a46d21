"""Shared receipts for the devices tests."""

from datetime import datetime

import pytest

from devices import Receipt, ReceiptLine


@pytest.fixture
def small_receipt() -> Receipt:
    """Two lines, one Chinese and one ASCII name."""
    return Receipt(
        store_name="阳光积分超市",
        receipt_no="R0001",
        issued_at=datetime(2026, 11, 23, 10, 55),
        cashier="王芳",
        holder="张*华",
        household="3栋2单元301",
        lines=(ReceiptLine("大米5kg", 1, 50), ReceiptLine("Soap", 2, 3)),
        total=56,
        balance_before=100,
        balance_after=44,
    )


@pytest.fixture
def busy_receipt() -> Receipt:
    """Long names, ambiguous-width characters, big numbers."""
    return Receipt(
        store_name="幸福里街道阳光社区居民委员会爱心积分超市（第二分店）",
        receipt_no="R20261123-000123",
        issued_at=datetime(2026, 11, 23, 10, 55, 42),
        cashier="欧阳·娜娜",
        holder="阿*·买买提",
        household="幸福里小区12栋3单元1502室（东侧入户，门牌号码以物业登记为准）",
        lines=(
            ReceiptLine("维达抽纸 超韧3层 130抽×6包 家庭装 整箱销售", 2, 25),
            ReceiptLine("金龙鱼优质压榨一级花生油5L装（限购一桶）", 1, 1200),
            ReceiptLine("Colgate Total Advanced Whitening Toothpaste 120g", 12, 15),
            ReceiptLine("𠮷野家牛丼调料包", 3, 9),
            ReceiptLine("可口可乐", 99999, 100000),
        ),
        total=9999900000 + 1200 + 180 + 50 + 27,
        balance_before=10000000000,
        balance_after=98543,
    )
