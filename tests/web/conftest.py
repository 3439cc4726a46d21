"""Fixtures for the web tests: the state of the books, and the forms a page shows.

Test modules cannot import conftest (importlib mode), so the helpers are fixtures.
"""
from html.parser import HTMLParser

import pytest

from kiosk.checkout.models import Refund, Sale
from kiosk.inventory.models import Product, StockMovement
from kiosk.ledger.models import Account, LedgerEntry
from kiosk.printing.models import PrintJob


class Form:
    def __init__(self, attrs):
        self.attrs = attrs
        self.fields = {}  # name -> value of every <input> with a name
        self.buttons = []  # attrs of every <button>

    @property
    def action(self):
        return self.attrs.get("action", "")

    def button(self):
        """The form's first button (the submit button of single-button forms)."""
        return self.buttons[0]


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._current = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._current = Form(attrs)
            self.forms.append(self._current)
        elif self._current is not None and tag == "input" and attrs.get("name"):
            self._current.fields[attrs["name"]] = attrs.get("value") or ""
        elif self._current is not None and tag == "button":
            self._current.buttons.append(attrs)

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def _forms_of(body):
    parser = _FormParser()
    parser.feed(body if isinstance(body, str) else body.get_data(as_text=True))
    return parser.forms


@pytest.fixture
def forms():
    """forms(body_or_response) -> [Form] in page order."""
    return _forms_of


@pytest.fixture
def checkout_form():
    """checkout_form(response) -> the cashier's redeem form (class "checkout-form")."""

    def find(body):
        for form in _forms_of(body):
            if "checkout-form" in form.attrs.get("class", "").split():
                return form
        raise AssertionError("the page shows no checkout form")

    return find


@pytest.fixture
def books(world):
    """books() -> everything a refused request must leave as it was."""

    def snapshot():
        return {
            "balances": {name: Account.get_by_id(a.id).balance for name, a in world.accounts.items()},
            "stock": {name: Product.get_by_id(p.id).quantity for name, p in world.products.items()},
            "sales": Sale.select().count(),
            "refunds": Refund.select().count(),
            "ledger": LedgerEntry.select().count(),
            "movements": StockMovement.select().count(),
            "print_jobs": PrintJob.select().count(),
        }

    return snapshot
