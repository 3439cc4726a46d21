"""Backups: a verified copy of the database and the instance keys, kept 7 daily + 12 monthly."""
