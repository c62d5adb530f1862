"""The README is the front door; every relative link in it, in docs/ and in bench/ leads to a file that
exists, and to a heading that exists when it names one."""

import re
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "bench" / "README.md"]
LINK = re.compile(r"\]\(([^)#\s]*)(?:#([^)\s]*))?\)")
FENCED = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t]*$", re.MULTILINE)


def anchors(page: Path) -> set[str]:
    """The anchors GitHub gives a page's headings: lower case, punctuation other than hyphens and
    underscores dropped, spaces to hyphens; a repeated heading gets -1, -2, …"""
    seen: Counter[str] = Counter()
    found = set()
    for heading in HEADING.findall(FENCED.sub("", page.read_text())):
        slug = re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        found.add(f"{slug}-{seen[slug]}" if seen[slug] else slug)
        seen[slug] += 1
    return found


@pytest.mark.parametrize("page", PAGES, ids=[p.relative_to(ROOT).as_posix() for p in PAGES])
def test_relative_links_resolve(page):
    for target, anchor in LINK.findall(page.read_text()):
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        resolved = page.parent / target if target else page
        assert resolved.exists(), f"{page.name}: {target}"
        if anchor and resolved.suffix == ".md":
            assert anchor in anchors(resolved), f"{page.name}: {target}#{anchor}"


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        pytest.param("## What it costs", "what-it-costs", id="words"),
        pytest.param(
            "## A 500-account organization's daily cost (`bench/org_cost.py`)",
            "a-500-account-organizations-daily-cost-benchorg_costpy",
            id="punctuation-and-code",
        ),
        pytest.param(
            '## Issue "Performance": where each goal stands',
            "issue-performance-where-each-goal-stands",
            id="quotes-and-colon",
        ),
    ],
)
def test_anchors_are_slugged_as_github_does(tmp_path, heading, anchor):
    page = tmp_path / "page.md"
    page.write_text(f"{heading}\n\n```\n# not a heading\n```\n{heading}\n")
    assert anchors(page) == {anchor, f"{anchor}-1"}


def test_the_readme_stays_the_front_door_and_links_every_reference_page():
    readme = (ROOT / "README.md").read_text()
    assert len(readme.encode()) < 20_000
    for page in (ROOT / "docs").glob("*.md"):
        assert f"docs/{page.name}" in readme, page.name
