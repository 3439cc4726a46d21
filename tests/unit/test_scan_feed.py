"""The serial scanner feed: the screen collects codes after the last one it saw; stale ones
are dropped."""
from kiosk.scanning.feed import MAX_AGE_SECONDS, ScanFeed


class Clock:
    now = 100.0

    def __call__(self):
        return self.now


def test_codes_after_the_last_seen_in_order():
    feed = ScanFeed()
    assert feed.since(0) == (0, [])
    feed.push("A")
    feed.push("B")
    assert feed.since(0) == (2, ["A", "B"])
    assert feed.since(1) == (2, ["B"])
    assert feed.since(2) == (2, [])


def test_a_scan_nobody_collected_in_time_is_dropped():
    clock = Clock()
    feed = ScanFeed(clock)
    feed.push("old")
    clock.now += MAX_AGE_SECONDS + 1
    feed.push("new")
    assert feed.since(0) == (2, ["new"])


def test_a_scan_clears_the_port_error():
    feed = ScanFeed()
    feed.failed("cannot open scanner port /dev/ttyACM0")
    assert feed.error
    feed.push("A")
    assert feed.error == ""
