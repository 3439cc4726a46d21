"""The goods categories screen (商品类别) of the store manager: add, rename, reorder, retire.

Each action answers an htmx request with the list again (#category-list), and a plain form
post with a redirect to the page, so the screen works without JavaScript too.
"""
from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext

from kiosk.errors import KioskError
from kiosk.inventory import categories
from kiosk.messages import message
from kiosk.staff.auth import current_staff, current_store, requires_role
from kiosk.staff.models import MANAGER
from kiosk.web import is_htmx, render

bp = Blueprint("categories", __name__, url_prefix="/categories")
manager_only = requires_role(MANAGER)


def _page(level=None, text=None, status=200, values=None):
    return render("categories/page.html", "categories/_list.html", entries=categories.entries(current_store()),
                  level=level, text=text, values=values or {}), status


def _done(text, error=None, values=None):
    """The list with ``text`` (or the refusal ``error``) for htmx, else back to the page."""
    if error is not None:
        if is_htmx():
            return _page("error", message(error), 422, values)
        flash(message(error), "error")
        return redirect(url_for("categories.page"), 303)
    if is_htmx():
        return _page("success", text)
    flash(text, "success")
    return redirect(url_for("categories.page"), 303)


def _id():
    raw = request.form.get("category_id", "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 11 else None


@bp.get("/")
@manager_only
def page():
    return _page()


@bp.post("/add")
@manager_only
def add():
    try:
        category = categories.add(current_store(), request.form.get("name", ""), staff=current_staff())
    except KioskError as error:
        return _done(None, error, values={"name": request.form.get("name", "")})
    return _done(gettext("Category %(name)s added.", name=category.name))


@bp.post("/rename")
@manager_only
def rename():
    try:
        old = request.form.get("old_name", "")
        category = categories.rename(current_store(), _id(), request.form.get("name", ""), staff=current_staff())
    except KioskError as error:
        return _done(None, error)
    return _done(gettext("Category %(old)s renamed %(new)s, with its goods.", old=old, new=category.name))


@bp.post("/move")
@manager_only
def move():
    try:
        categories.move(current_store(), _id(), request.form.get("direction"), staff=current_staff())
    except KioskError as error:
        return _done(None, error)
    return _done(gettext("Order saved."))


@bp.post("/retire")
@manager_only
def retire():
    try:
        category = categories.retire(current_store(), _id(), staff=current_staff())
    except KioskError as error:
        return _done(None, error)
    return _done(gettext("Category %(name)s retired.", name=category.name))
