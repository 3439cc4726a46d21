"""The header's printer badge names the printer's state in words, never an icon alone:
打印机正常 with an empty queue, 打印机离线 once a receipt met a printer that did not answer."""
import json

import pytest

from kiosk.printing.models import PrintJob
from kiosk.printing.problems import printer_state
from tests.helpers import body
from tests.web.test_web_printer_errors_chinese import failed_sale, refusing  # noqa: F401 (fixtures)


def test_an_empty_queue_reads_printer_ready(cashier):
    html = body(cashier.get("/receipts/badge", htmx=True))
    assert '<span class="badge-state" data-state="online">打印机正常</span>' in html


def test_the_page_names_the_printer_before_the_badge_has_loaded(cashier):
    html = body(cashier.get("/cashier/"))
    badge = html.split('id="printer-badge"', 1)[1].split("</a>", 1)[0]
    assert '<span class="badge-state">打印机</span>' in badge


def test_a_refused_connection_reads_printer_offline_with_the_queue(cashier, failed_sale):  # noqa: F811
    html = body(cashier.get("/receipts/badge", htmx=True))
    assert '<span class="badge-state" data-state="offline">打印机离线</span>' in html
    assert "1张等待打印" in html


@pytest.mark.parametrize("stored, state", [
    (json.dumps({"code": "refused", "params": {}, "text": "x"}), "offline"),
    (json.dumps({"code": "paper_out", "params": {}, "text": "x"}), "paper_out"),
    (json.dumps({"code": "cover_open", "params": {}, "text": "x"}), "cover_open"),
    (json.dumps({"code": "write_failed", "params": {}, "text": "x"}), "error"),
    ("receipt printer at 127.0.0.1:9 refused the connection", "offline"),  # stored before the codes
    ("paper end sensor", "paper_out"),
    ("something odd", "error"),
    ("", ""),
])
def test_a_stored_printer_error_names_a_state(stored, state):
    assert printer_state(stored) == state


def test_a_held_receipt_without_an_error_names_no_state_but_the_queue(cashier, world):
    PrintJob.create(store=world.store, kind="receipt", receipt="{}", status="held")
    html = body(cashier.get("/receipts/badge", htmx=True))
    assert "badge-state" not in html and "printer-badge bad" in html
