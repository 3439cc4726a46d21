"""The receipt printer the app sends jobs to, chosen by the KIOSK_PRINTER URL.

Views and services never open a printer themselves: they ask :func:`printer` for it.
"""
import os

from flask import current_app

from devices import printer_from_url
from devices.profiles import profile_for


def init_app(app):
    # Tests may hand over a printer object (PRINTER); otherwise it is built from the URL.
    if app.config.get("PRINTER") is None:
        app.config["PRINTER"] = printer_from_url(
            app.config["PRINTER_URL"],
            paper_mm=app.config["PAPER_WIDTH"],
            encoding=app.config["PRINTER_ENCODING"],
            directory=os.path.join(app.instance_path, "virtual-printer"),
        )
    app.config.setdefault("PAPER_PROFILE", profile_for(app.config["PAPER_WIDTH"]))


def printer():
    return current_app.config["PRINTER"]
