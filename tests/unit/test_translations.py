"""Chinese is the default language: every UI string in the code has a Chinese translation."""
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]


def test_every_ui_string_has_a_chinese_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l",
         "-k", "lazy_gettext", "-o", str(pot), "--no-location", "kiosk", "templates"],
        cwd=ROOT, check=True, capture_output=True,
    )
    with open(pot, "rb") as fh:
        wanted = {message.id for message in read_po(fh) if message.id}
    with open(ROOT / "kiosk/translations/zh_Hans_CN/LC_MESSAGES/messages.po", "rb") as fh:
        catalog = read_po(fh)
    # A plural message's string is a tuple of forms (Chinese has one): every form must be there.
    translated = {m.id for m in catalog if m.id and "fuzzy" not in m.flags
                  and (all(m.string) if isinstance(m.string, tuple) else m.string)}
    assert len(wanted) > 50
    assert sorted(wanted - translated) == []


def test_the_default_locale_renders_chinese_and_english_is_one_tap_away(app):
    client = app.test_client()
    assert "工作人员登录" in client.get("/signin").get_data(as_text=True)
    with client.session_transaction() as session:
        session["csrf_token"] = "t"
    client.post("/lang/en", data={"csrf_token": "t", "next": "/signin"})
    assert "Staff sign-in" in client.get("/signin").get_data(as_text=True)
