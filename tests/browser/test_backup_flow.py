"""A backup made while the kiosk serves shows on the manager's settings screen; the manager
downloads it from the backups page, told that it holds the keys."""
import zipfile
from pathlib import Path

from playwright.sync_api import expect

from tests.helpers import cli, open_screen, sign_in


def test_the_manager_sees_the_last_backup_and_downloads_it(server, page, shot, tmp_path):
    url, env = server
    sign_in(page, url, "王秀英", "1111")
    open_screen(page, "超市设置")
    status = page.locator("#backup-status")
    status.scroll_into_view_if_needed()
    # The server is shared by both screen sizes: only the first run finds no backup yet.
    if not list((Path(env["KIOSK_INSTANCE_PATH"]) / "backups").glob("*.zip")):
        expect(status).to_contain_text("还没有")
        expect(status).to_have_class("backup-status stale")

    written = cli(env, "backup")  # the server is running: the online backup API copies it as it is
    page.reload()
    expect(status).to_contain_text("已校验")
    expect(status).to_have_class("backup-status")
    status.scroll_into_view_if_needed()
    shot("backup-settings")

    page.get_by_role("link", name="备份", exact=True).tap()
    expect(page.get_by_text("签名密钥")).to_be_visible()
    shot("backup-page")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载最新备份").tap()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name in written
    with zipfile.ZipFile(saved) as archive:
        assert sorted(archive.namelist()) == ["card-signing.key", "kiosk.db", "manifest.json", "secret.key"]
