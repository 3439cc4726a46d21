"""The receipts of sales and returns (小票), as checkout hands them to the print queue.

Checkout renders the receipt (a devices.Receipt) inside the sale's transaction and queues it
with :data:`SALE` or :data:`REFUND` and the record's id (kiosk.printing.service.enqueue): the
queue prints what it is given and knows no sale. Plain values, no Flask: the screens pass
labels in the store's language (kiosk.checkout.views.sale_receipt).
"""
from devices import Receipt, ReceiptLabels, ReceiptLine
from kiosk.printing.service import local_time
from kiosk.privacy import mask_name

# Whose receipt a print job is (PrintJob.document_kind), with the sale's or the return's id.
SALE, REFUND = "sale", "refund"


def _holder(sale):
    card = sale.card
    household = card.account.household
    return mask_name(card.holder_name), household.label if household else ""


def _lines_in_order(lines):
    """A document's lines in the order they were added, sorted by the id field itself: a column
    name given as a string would be sent as a constant, which SQLite ignores and PostgreSQL
    refuses."""
    return lines.order_by(lines.model.id)


def receipt_for_sale(sale, *, tz_name="Asia/Shanghai", labels=None):
    """The Receipt value of a committed sale."""
    holder, household = _holder(sale)
    return Receipt(
        store_name=sale.store.name, receipt_no=sale.receipt_no,
        issued_at=local_time(sale.created_at, tz_name), cashier=sale.staff.name,
        holder=holder, household=household,
        lines=tuple(ReceiptLine(line.name, line.quantity, line.points) for line in _lines_in_order(sale.lines)),
        total=sale.total, balance_before=sale.balance_before, balance_after=sale.balance_after,
        labels=labels or ReceiptLabels(),
    )


def receipt_for_refund(refund, *, tz_name="Asia/Shanghai", labels=None):
    """The Receipt value of a committed return (退货小票)."""
    holder, household = _holder(refund.sale)
    return Receipt(
        store_name=refund.store.name, receipt_no=refund.receipt_no,
        issued_at=local_time(refund.created_at, tz_name), cashier=refund.staff.name,
        holder=holder, household=household,
        lines=tuple(ReceiptLine(rl.sale_line.name, rl.quantity, rl.points) for rl in _lines_in_order(refund.lines)),
        total=refund.total, balance_before=refund.balance_before, balance_after=refund.balance_after,
        kind="refund", original_receipt_no=refund.sale.receipt_no, labels=labels or ReceiptLabels(),
    )
