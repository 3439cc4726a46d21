"""`kiosk rulesheet earning|redemption --out FILE` writes the served store's sheets as A4 PDFs."""
import io
import os
import subprocess
import sys

from pypdf import PdfReader


def kiosk(env, *args):
    return subprocess.run([sys.executable, "-m", "kiosk", *args], env=env, capture_output=True, text=True, timeout=120)


def _env(tmp_path):
    env = dict(os.environ, KIOSK_INSTANCE_PATH=str(tmp_path / "instance"),
               KIOSK_DATABASE_URL="sqlite:///" + str(tmp_path / "kiosk.db"))
    env.pop("KIOSK_STORE", None)
    return env


def _text(path):
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    return "".join("".join(page.extract_text().split()) for page in reader.pages)


def test_rulesheet_commands_write_the_demo_stores_sheets(tmp_path):
    env = _env(tmp_path)
    assert kiosk(env, "init-db").returncode == 0
    assert kiosk(env, "demo").returncode == 0

    earning = kiosk(env, "rulesheet", "earning", "--out", str(tmp_path / "earning.pdf"))
    redemption = kiosk(env, "rulesheet", "redemption", "--out", str(tmp_path / "redemption.pdf"))

    assert earning.returncode == 0, earning.stderr
    assert redemption.returncode == 0, redemption.stderr
    assert "earning.pdf" in earning.stdout
    earning_text, redemption_text = _text(tmp_path / "earning.pdf"), _text(tmp_path / "redemption.pdf")
    assert "积分细则" in earning_text and "志愿服务（每30分钟）" in earning_text and "扣分-10分" in earning_text
    assert "兑换细则" in redemption_text and "随时可兑换" in redemption_text and "金龙鱼食用油5L" in redemption_text


def test_rulesheet_without_a_store_says_so(tmp_path):
    env = _env(tmp_path)
    assert kiosk(env, "init-db").returncode == 0

    result = kiosk(env, "rulesheet", "earning", "--out", str(tmp_path / "earning.pdf"))

    assert result.returncode == 1
    assert "no store yet" in result.stderr
    assert not (tmp_path / "earning.pdf").exists()
