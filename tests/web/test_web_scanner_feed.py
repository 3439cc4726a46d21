"""The serial scanner's feed is for the screen on this box only."""
from kiosk.scanning.feed import ScanFeed


def test_no_serial_scanner_no_feed(client):
    assert client.get("/scanner/feed").status_code == 404


def test_the_local_screen_collects_new_scans(app, client):
    feed = app.extensions["scan_feed"] = ScanFeed()
    feed.push("before the page")
    first = client.get("/scanner/feed").get_json()
    assert first == {"last": 1, "codes": [], "error": ""}
    feed.push("JF:XY:10000001:abc")
    assert client.get("/scanner/feed?after=1").get_json()["codes"] == ["JF:XY:10000001:abc"]
    assert client.get("/scanner/feed?after=abc").get_json()["codes"] == []


def test_another_computer_cannot_read_the_scans(app, client):
    app.extensions["scan_feed"] = ScanFeed()
    response = client.get("/scanner/feed", environ_base={"REMOTE_ADDR": "192.168.1.23"})
    assert response.status_code == 404
