"""A till in a process of its own for the kill -9 test: it checks out one cart after another
(each sale and its receipt job in one transaction) and prints the receipts to a network
printer, saying on stdout what it is doing; the test kills it at random moments.

    python tests/devices/killable_till.py '{"url": ..., "printer": ..., "store": 1, ...}'
"""
import json
import sys


def main(settings):
    from devices import printer_from_url
    from kiosk import db
    from kiosk.checkout import service as checkout
    from kiosk.printing import service as printing
    from kiosk.stores.models import Store

    db.connect(settings["url"])
    db.database.connect()
    store = Store.get_by_id(settings["store"])
    printer = printer_from_url(settings["printer"])
    number = settings["start"]
    while True:
        key = f"kill-test-{number:014d}"
        print("checkout", key, flush=True)
        sale = checkout.checkout(store, settings["card"], [(settings["product"], 1)], settings["staff"], key).sale
        print("committed", key, sale.id, flush=True)
        print("printing", flush=True)
        printing.send_due(lambda store_id: printer)
        print("printed", flush=True)
        number += 1


if __name__ == "__main__":
    sys.path.insert(0, sys.argv[2])
    main(json.loads(sys.argv[1]))
