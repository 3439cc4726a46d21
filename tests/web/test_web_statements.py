"""Statements from the household page: an A4 PDF, or printed on the receipt printer."""
from tests.helpers import body, pdf_page_sizes_mm, pdf_text


def test_a4_statement_pdf(client, operations, world):
    account = world.accounts["张建华"]
    response = operations.post(f"/registry/accounts/{account.id}/statement.pdf", {"period": "this_month"}, htmx=False)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert pdf_page_sizes_mm(response.data) == [(210.0, 297.0)]
    assert "积分对账单" in pdf_text(response.data)


def test_statement_printed_on_the_receipt_printer(client, operations, world, printer):
    account = world.accounts["张建华"]
    response = operations.post(f"/registry/accounts/{account.id}/statement/print", {"period": "this_year"}, htmx=False)
    assert response.status_code == 302
    statement, data = printer.jobs[-1]
    assert statement.closing == 500 and "积分对账单".encode("gb18030") in data
    assert "对账单已打印" in body(client.get(response.headers["Location"]))


def test_a_bad_period_is_refused_with_a_message(client, operations, world, printer):
    account = world.accounts["张建华"]
    for form in ({"period": "custom", "from": "2026-13-01", "to": "2026-01-01"}, {"period": "custom"},
                 {"period": "custom", "from": "2026-05-01", "to": "2026-04-01"}, {}):
        response = operations.post(f"/registry/accounts/{account.id}/statement.pdf", form, htmx=False)
        assert response.status_code == 422 and "请选择期间" in body(response)
    assert len(printer.jobs) == 0


def test_another_stores_or_unknown_account_is_404(operations):
    assert operations.post("/registry/accounts/999/statement.pdf", {"period": "this_month"}, htmx=False).status_code == 404


def test_a_computer_without_pango_gets_a_sentence_for_any_a4_document(operations, world, monkeypatch):
    from kiosk import a4

    def missing(template, **context):
        raise a4.PdfUnavailable("A4 documents need Pango. Install it with: sudo apt-get install libpango-1.0-0")
    monkeypatch.setattr(a4, "html", missing)
    account = world.accounts["张建华"]
    response = operations.post(f"/registry/accounts/{account.id}/statement.pdf", {"period": "this_month"}, htmx=False)
    assert response.status_code == 500
    assert "本机无法生成 PDF" in body(response) and "libpango-1.0-0" in body(response)
