"""A checkout that finds the database busy (another connection holds the write lock) is tried
again inside the server, a bounded number of times; then it says plainly to try again later,
with the cart and its key kept, so the next tap finds the sale or makes it once. 查看结果
asks the server what became of a checkout whose answer never arrived."""
import sqlite3
import threading
import time

import pytest

from kiosk.checkout.models import Sale
from kiosk.printing.models import PrintJob
from kiosk.reports.verify import verify
from tests.helpers import balance, body

# The write lock is held through a second SQLite connection; PostgreSQL locks rows, and a
# checkout there waits on the row (retried on deadlock by kiosk.db.retry_on_conflict).
pytestmark = pytest.mark.sqlite_only("holds SQLite's database-wide write lock from a second connection")


@pytest.fixture
def busy_app(app, instance):
    """The app with a short busy time-out (200 ms) and two retries."""
    from kiosk import db

    app.config.update(BUSY_TIMEOUT_MS=200, BUSY_RETRIES=2)
    db.database.close()
    db.connect("sqlite:///" + str(instance / "kiosk.db"), busy_timeout_ms=200)
    db.database.connect(reuse_if_open=True)
    return app


def hold_write_lock(instance, seconds):
    """A second connection takes the write lock and keeps it for ``seconds``; returns its thread."""
    ready = threading.Event()

    def hold():
        conn = sqlite3.connect(str(instance / "kiosk.db"), isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        ready.set()
        time.sleep(seconds)
        conn.execute("ROLLBACK")
        conn.close()

    thread = threading.Thread(target=hold)
    thread.start()
    ready.wait(5)
    return thread


def cart(cashier, world, checkout_form):
    cashier.post("/cashier/scan", {"code": world.payload("张建华")})
    form = checkout_form(cashier.post("/cashier/cart/add", {"product_id": str(world.products["食盐"].id)}))
    return {k: v for k, v in form.fields.items() if k != "csrf_token"}


def test_a_lock_released_while_the_server_retries_lets_the_checkout_through(busy_app, cashier, world, checkout_form,
                                                                                instance):
    fields = cart(cashier, world, checkout_form)
    holder = hold_write_lock(instance, 0.35)  # longer than the busy time-out, shorter than the retries
    response = cashier.post("/cashier/checkout", fields)
    holder.join()
    assert response.status_code == 200 and "兑换成功" in body(response)
    assert Sale.select().count() == 1 and PrintJob.select().count() == 1
    assert verify() == []


def test_a_lock_held_past_every_retry_says_try_later_and_the_next_tap_makes_one_sale(busy_app, cashier, world,
                                                                                       checkout_form, instance):
    before = balance(world, "张建华")
    fields = cart(cashier, world, checkout_form)
    holder = hold_write_lock(instance, 2.0)
    response = cashier.post("/cashier/checkout", fields)
    assert response.status_code == 422
    assert "收银服务器正忙，请稍后再试" in body(response)
    assert f'value="{fields["key"]}"' in body(response)  # the same cart, the same key
    holder.join()
    assert Sale.select().count() == 0 and balance(world, "张建华") == before
    again = cashier.post("/cashier/checkout", fields)
    assert again.status_code == 200 and "兑换成功" in body(again)
    third = cashier.post("/cashier/checkout", fields)
    assert "这笔兑换已经完成" in body(third)
    assert Sale.select().count() == 1 and PrintJob.select().count() == 1
    assert balance(world, "张建华") == before - Sale.get().total
    assert verify() == []


def test_see_the_result_shows_the_sale_whose_answer_was_lost(cashier, world, checkout_form):
    fields = cart(cashier, world, checkout_form)
    cashier.post("/cashier/checkout", fields)  # went through; pretend the answer never arrived
    response = cashier.get(f"/cashier/outcome?key={fields['key']}")
    html = body(response)
    assert "这笔兑换已经完成：已扣除 20 积分" in html
    assert Sale.get().receipt_no in html


def test_see_the_result_says_plainly_that_no_sale_was_made(cashier, world, checkout_form):
    fields = cart(cashier, world, checkout_form)
    html = body(cashier.get(f"/cashier/outcome?key={fields['key']}"))
    assert "没有兑换成功，积分没有扣除" in html
    assert f'value="{fields["key"]}"' in html  # the cart is still there, with its key
    again = cashier.post("/cashier/checkout", fields)
    assert "兑换成功" in body(again) and Sale.select().count() == 1


def test_the_checkout_form_offers_see_the_result_when_its_answer_is_lost(cashier, world, checkout_form):
    cashier.post("/cashier/scan", {"code": world.payload("张建华")})
    html = body(cashier.post("/cashier/cart/add", {"product_id": str(world.products["食盐"].id)}))
    assert 'data-outcome-url="/cashier/outcome"' in html and "查看结果" in html
    page = body(cashier.get("/cashier/"))
    assert "未做任何更改" not in page and "刚才的操作可能已经保存" in page
