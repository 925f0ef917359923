"""The README is the front door and docs/ holds the rest: every relative link in them leads
somewhere, the README's folder map names every top-level folder, and the README stays short.

Standard library and pytest only: no server, no project imports."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from urllib.parse import unquote

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
MAX_README_LINES = 250

# [text](target) and ![alt](target), with an optional "title"; the target has no spaces
LINK = re.compile(r"!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
FENCE = re.compile(r"^\s*(```|~~~)")
INLINE_CODE = re.compile(r"(`+).*?\1")
HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
FOLDER_MAP_ITEM = re.compile(r"^- `([^`/]+)/`")
EXTERNAL = ("http:", "https:", "mailto:")


def markdown_files() -> list[Path]:
    return [README, *sorted((ROOT / "docs").glob("*.md"))]


def prose_lines(path: Path) -> list[tuple[int, str]]:
    """The lines outside fenced code blocks, numbered from 1, with inline code blanked out."""
    lines, fenced = [], False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            lines.append((number, INLINE_CODE.sub("", line)))
    return lines


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: its text as rendered, lowercased, punctuation other than
    hyphens and spaces removed, spaces made hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link shows its text
    text = re.sub(r"<[^>]+>", "", text)  # inline HTML
    text = text.lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every anchor the headings of a markdown file give (a repeated slug gets -1, -2, ...)."""
    seen: dict[str, int] = {}
    found = set()
    fenced = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if FENCE.match(line):
            fenced = not fenced
            continue
        match = None if fenced else HEADING.match(line)
        if not match:
            continue
        base = slug(match.group(2))
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def broken_links(path: Path, root: Path | None = None) -> list[str]:
    root = root or ROOT
    problems = []
    for number, line in prose_lines(path):
        for target in LINK.findall(line):
            if target.startswith(EXTERNAL) or target.startswith("#"):
                continue
            file_part, _, anchor = target.partition("#")
            resolved = (path.parent / unquote(file_part)).resolve()
            where = f"{path.relative_to(root)}:{number}: {target}"
            if not resolved.exists():
                problems.append(f"{where}: no such file")
            elif anchor and resolved.suffix == ".md" and unquote(anchor) not in anchors(resolved):
                problems.append(f"{where}: no heading gives #{anchor}")
    return problems


def test_slug_follows_githubs_rules():
    assert slug("Commissioner records (`004`)") == "commissioner-records-004"
    assert slug("Limits and failure behaviour") == "limits-and-failure-behaviour"
    assert slug("Accounts, roles, tokens, the API and the access log") == "accounts-roles-tokens-the-api-and-the-access-log"
    assert slug("Sign-in and sessions") == "sign-in-and-sessions"


def test_markdown_files_exist():
    assert README.exists()
    assert len(markdown_files()) > 1, "docs/ holds no markdown file"


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_lead_to_files_and_headings_that_exist(path):
    assert broken_links(path) == []


def test_the_link_check_finds_a_broken_link(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("# Here\n\n[ok](#here) [gone](nowhere.md) [web](https://example.org/x.md)\n"
                    "[self](page.md#here) [bad anchor](page.md#there)\n```\n[in code](missing.md)\n```\n")
    assert broken_links(page, root=tmp_path) == ["page.md:3: nowhere.md: no such file",
                                  "page.md:4: page.md#there: no heading gives #there"]


def top_level_folders() -> set[str]:
    """The top-level folders git tracks (hidden ones left out, except .ci)."""
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    folders = {path.split("/", 1)[0] for path in listed.splitlines() if "/" in path}
    return {f for f in folders if not f.startswith(".") or f == ".ci"}


def folder_map() -> set[str]:
    return {m.group(1) for line in README.read_text(encoding="utf-8").splitlines()
            if (m := FOLDER_MAP_ITEM.match(line))}


def test_readme_maps_every_top_level_folder():
    folders = top_level_folders()
    assert folders, "git ls-files listed no folder"
    assert sorted(folders - folder_map()) == []


def test_readme_is_at_most_250_lines():
    lines = len(README.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_README_LINES, f"README.md has {lines} lines: move detail into docs/"


def test_the_readme_makes_env_owner_only_before_writing_to_it():
    """.env may hold secrets (a mail password, keys): a command that writes it makes it owner-only first
    (found by a fresh-clone trial: `printf ... >> .env` left a new .env readable by everyone, 0644)."""
    lines = README.read_text(encoding="utf-8").splitlines()
    writes = [n for n, line in enumerate(lines) if re.search(r">>?\s*\.env\b", line)]
    assert writes
    for n in writes:
        before = " ".join(lines[max(0, n - 3):n + 1])
        assert re.search(r"umask 0?77|chmod (600|0600|go-rwx) \.env", before), lines[n]

