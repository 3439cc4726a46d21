"""How big a request may be: 1 MB for every form, more only for the screens that take a file.

The limit is checked against the request's declared length before anything is read (an
anonymous 100 MB POST is refused at once with 413), and werkzeug enforces the same limit while
reading a body sent without a length. An upload screen marks its view with ``upload_limit(mb)``:
the request may then be twice the screen's own file limit, so that a file just over it still
reaches the screen and gets its specific message (the file is too big: at most N MB).
"""
import functools

from flask import current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

MEGABYTE = 1024 * 1024
MAX_REQUEST_BYTES = 1 * MEGABYTE


def upload_limit(megabytes):
    """Mark a view that takes a file of up to ``megabytes`` MB."""

    def decorator(view):
        view.max_request_bytes = 2 * megabytes * MEGABYTE + 64 * 1024
        return view

    return decorator


def _limit():
    view = current_app.view_functions.get(request.endpoint)
    return getattr(view, "max_request_bytes", None) or current_app.config["MAX_CONTENT_LENGTH"]


def init_app(app):
    """Register before the CSRF check, which reads the form."""
    if app.config.get("MAX_CONTENT_LENGTH") is None:  # Flask's default: no limit
        app.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES

    @app.before_request
    def _refuse_big_requests():
        limit = _limit()
        request.max_content_length = limit
        if (request.content_length or 0) > limit:
            raise RequestEntityTooLarge()

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(error):
        from flask import render_template
        from flask_babel import gettext

        megabytes = max(1, _limit() // MEGABYTE)
        text = gettext("The request is too big: at most %(max)s MB.", max=megabytes)
        return render_template("error.html", message=text), 413
