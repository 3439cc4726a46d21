"""Opening a store: the first run (kiosk setup and its screen) and further stores."""
