"""Small helpers shared by test modules (fixtures live in conftest.py files)."""
import re
import subprocess
import sys

from kiosk.cards.models import Account
from kiosk.inventory.models import Product


def body(response):
    return response.get_data(as_text=True)


def balance(world, name):
    return Account.get_by_id(world.accounts[name].id).balance


def stock(world, name):
    return Product.get_by_id(world.products[name].id).quantity


def cli(env, *args):
    """Run the `kiosk` command in ``env``; returns its standard output (raises on failure)."""
    return subprocess.run([sys.executable, "-m", "kiosk", *args], env=env, capture_output=True, text=True, check=True).stdout


def balance_of(env, number):
    """The balance `kiosk balance` reports for a card number."""
    return int(re.search(r"balance\s+(\d+)", cli(env, "balance", number)).group(1))
