"""Numbered schema migrations; see kiosk.schema for how they are applied."""
