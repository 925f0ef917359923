"""`assert_plain(html)`: what a person reads on a page has none of the engine's words. Fails if the
visible text (tags, scripts, styles and attributes left out, and the collapsed "technical details"
parts, which are meant for engineers) holds a raw name from the pathway, the threshold tools or the
concern (snake_case, with an underscore: field names, step ids, choice values, role slugs), a fact
type's class name, a seed's file name or "Seed 00N"."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from functools import lru_cache
from html.parser import HTMLParser

import domain
from domain.access import ROLES
from domain.concern import REPORTER_KINDS, SOURCE_KINDS, ConcernBody
from domain.facts import Fact
from domain.pathway import current_pathway
from domain.threshold.registry import load_profile, profile_names

SEED_FILE = re.compile(r"\b\d{3}_[0-9a-f]{8,}")
SEED_NUMBER = re.compile(r"\bSeed 00\d\b")
_HIDDEN = {"script", "style", "template", "noscript"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Visible(HTMLParser):
    """The text a person sees: no tag, attribute, script or style, and no technical details part."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.stack: list[tuple[str, bool]] = []  # (tag, hides what it holds)

    def handle_starttag(self, tag, attrs):
        if tag in _VOID:
            return
        classes = dict(attrs).get("class") or ""
        hides = tag in _HIDDEN or (tag == "details" and "technical" in classes) or dict(attrs).get("hidden") is not None
        self.stack.append((tag, hides))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):  # close up to the matching tag (forgives unclosed ones)
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        if not any(hides for _, hides in self.stack):
            self.text.append(data)


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    parser.close()
    return re.sub(r"\s+", " ", " ".join(parser.text))


@lru_cache(maxsize=1)
def raw_names() -> frozenset[str]:
    """The engine's snake_case names a page could leak: record fields, step ids and choice values of
    the current pathway, the threshold tools' facts, categories and choices, the concern's fields and
    kinds, and role slugs."""
    names: set[str] = set()
    for s in current_pathway().steps:
        names.add(s.id)
        for f in s.record:
            names.add(f.name)
            names.update(f.choices)
    for n in profile_names():
        for c in load_profile(n).categories:
            names.add(c.key)
            for f in c.facts:
                names.add(f.name)
                names.update(f.choices)
    names.update(ConcernBody.model_fields, SOURCE_KINDS, REPORTER_KINDS, ROLES)
    return frozenset(n for n in names if "_" in n)


@lru_cache(maxsize=1)
def fact_types() -> frozenset[str]:
    """Every fact type's class name (subclasses of domain.facts.Fact in any domain module), where it
    is not also an ordinary word (CamelCase: 'ConcernRaised', not 'Grant')."""
    for m in pkgutil.walk_packages(domain.__path__, "domain."):
        importlib.import_module(m.name)
    found: set[str] = set()
    todo = [Fact]
    while todo:
        for sub in todo.pop().__subclasses__():
            if inspect.isclass(sub) and sub.__module__.startswith("domain."):
                found.add(sub.__name__)
            todo.append(sub)
    return frozenset(n for n in found if len(re.findall(r"[A-Z]", n)) >= 2)


@lru_cache(maxsize=1)
def _engine_words() -> re.Pattern[str]:
    words = sorted(raw_names() | fact_types(), key=len, reverse=True)
    return re.compile(r"(?<![\w/.-])(" + "|".join(map(re.escape, words)) + r")(?![\w/-])")


def engine_words(html: str) -> list[str]:
    """Each of the engine's words the page shows, with a little of the text around it."""
    text = visible_text(html)
    found = []
    for pattern in (_engine_words(), SEED_FILE, SEED_NUMBER):
        for m in pattern.finditer(text):
            found.append(f"{m.group(0)!r} in '...{text[max(0, m.start() - 40):m.end() + 40]}...'")
    return found


def assert_plain(html: str, where: str = "the page") -> None:
    found = engine_words(html)
    assert not found, f"{where} shows the engine's words:\n  " + "\n  ".join(found)
