"""Finding a CJK font for raster lines and the paper preview, and the error without one."""

from pathlib import Path

import pytest

from devices import fonts, raster


@pytest.fixture(autouse=True)
def fresh_search():
    fonts.find_cjk_font.cache_clear()
    fonts.cjk_font.cache_clear()
    yield
    fonts.find_cjk_font.cache_clear()
    fonts.cjk_font.cache_clear()


def test_finds_an_installed_noto_sans_cjk(monkeypatch):
    monkeypatch.delenv(fonts.ENV_VAR, raising=False)
    path, index = fonts.find_cjk_font()
    assert Path(path).is_file() and index >= 0
    assert fonts.cjk_font(24).getbbox("䶮")[2] > 10


def test_environment_variable_names_the_font_and_face(monkeypatch):
    path, index = fonts.find_cjk_font()
    fonts.find_cjk_font.cache_clear()
    monkeypatch.setenv(fonts.ENV_VAR, f"{path}:{index}")
    assert fonts.find_cjk_font() == (path, index)


def test_a_wrong_environment_variable_is_reported(monkeypatch, tmp_path):
    monkeypatch.setenv(fonts.ENV_VAR, str(tmp_path / "nope.ttc"))
    with pytest.raises(fonts.FontNotFoundError, match=fonts.ENV_VAR):
        fonts.find_cjk_font()


def test_without_any_cjk_font_the_error_says_what_to_install(monkeypatch):
    monkeypatch.delenv(fonts.ENV_VAR, raising=False)
    monkeypatch.setattr(fonts, "_fc_match", lambda: None)
    monkeypatch.setattr(fonts, "DEBIAN_FONTS", ())
    with pytest.raises(fonts.FontNotFoundError, match="fonts-noto-cjk"):
        raster.text_image("䶮", 384)
