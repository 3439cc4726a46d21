"""The day close (交班 / 日结): per-cashier figures of a shift or a day, stored once and never changed."""
