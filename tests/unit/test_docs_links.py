"""Every relative link and image in README.md and docs/*.md points to a file that exists, and a
link to a heading (#anchor) names a heading of that file, as GitHub spells its anchors. Links to
other sites are not followed; code blocks and inline code are not links."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.M | re.S)
INLINE_CODE = re.compile(r"`[^`\n]*`")
# [text](target) and ![alt](target), with an optional "title"; <img src="…">.
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
IMG = re.compile(r"<img\b[^>]*\bsrc=[\"']([^\"']+)[\"']", re.I)
HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$", re.M)


def documents():
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def prose(text):
    """The text without fenced code blocks and inline code."""
    return INLINE_CODE.sub("", FENCE.sub("", text))


def slug(heading):
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link in a heading: its text
    text = text.replace("`", "").strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path):
    found, seen = set(), {}
    for match in HEADING.finditer(FENCE.sub("", path.read_text(encoding="utf-8"))):
        base = slug(match.group(1))
        count = seen.get(base, 0)
        found.add(base if count == 0 else f"{base}-{count}")
        seen[base] = count + 1
    return found


def broken_links(path):
    """["file: target (why)"] for each relative link or image of ``path`` that leads nowhere."""
    text = prose(path.read_text(encoding="utf-8"))
    broken = []
    for target in LINK.findall(text) + IMG.findall(text):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):  # https:, mailto:
            continue
        file_part, _, anchor = target.partition("#")
        destination = (path.parent / file_part).resolve() if file_part else path
        name = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
        if not destination.exists():
            broken.append(f"{name}: {target} (no such file)")
        elif anchor and destination.suffix == ".md" and anchor not in anchors(destination):
            broken.append(f"{name}: {target} (no such heading)")
    return broken


def test_every_relative_link_and_image_of_the_documentation_exists():
    assert (ROOT / "docs" / "manual-zh.md").exists()
    problems = [problem for path in documents() for problem in broken_links(path)]
    assert problems == []


def test_the_documentation_links_to_screenshots_and_to_each_other():
    # The check above would pass on pages without links; these pages have many.
    readme = prose((ROOT / "README.md").read_text(encoding="utf-8"))
    for page in ("docs/manual-zh.md", "docs/admin-guide.md", "docs/architecture.md"):
        assert f"]({page}" in readme
    manual = prose((ROOT / "docs" / "manual-zh.md").read_text(encoding="utf-8"))
    assert len(re.findall(r"!\[[^\]]*\]\([^)]+\.png\)", manual)) >= 10


def test_a_missing_file_a_missing_heading_and_a_missing_image_are_found(tmp_path):
    (tmp_path / "there.png").write_bytes(b"")
    (tmp_path / "other.md").write_text("# Backups (备份)\n\n## Shift and day close (交班 / 日结)\n", encoding="utf-8")
    page = tmp_path / "page.md"
    page.write_text(
        "[ok](other.md#backups-备份) [ok](other.md#shift-and-day-close-交班--日结) ![ok](there.png)\n"
        "[gone](missing.md) ![gone](gone.png) [bad anchor](other.md#nowhere) <img src=\"nope.png\">\n"
        "[web](https://example.org/x) `[code](not-a-link.md)`\n\n```sh\n[also code](no.md)\n```\n",
        encoding="utf-8",
    )
    assert broken_links(page) == [
        "page.md: missing.md (no such file)",
        "page.md: gone.png (no such file)",
        "page.md: other.md#nowhere (no such heading)",
        "page.md: nope.png (no such file)",
    ]


def test_anchors_follow_github():
    assert slug("The `kiosk` command") == "the-kiosk-command"
    assert slug("Points expiry and a point's value (积分到期与价值)") == "points-expiry-and-a-points-value-积分到期与价值"
    assert slug("一、开店（只做一次）") == "一开店只做一次"
