"""The shape of the code, kept by tests: small rooms, pure steps, one door to the wiki.

- no module over 600 lines, no class over 300, no function over 80;
- every query of the wiki or a Wikibase is built in ``bots/wiki/`` (the dev
  wiki's own tooling in ``bots/dev/`` talks to its own wiki);
- the pure steps (``pipeline``, ``followup``, ``reports``) import no I/O: not
  the wiki client, the state store, the network or the jobs (records of what
  the wiki said, ``bots.wiki.records``, are data and may be imported);
- no decision by a class's name, no salted ``hash()``, no validation by
  ``assert`` (``python -O`` strips it).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

BOTS = Path(__file__).resolve().parents[2] / "bots"
MODULES = sorted(BOTS.rglob("*.py"))
PURE = ("pipeline", "followup", "reports")
IO_PACKAGES = ("bots.wiki", "bots.store", "bots.net", "bots.jobs", "bots.dev", "bots.sources")
ALLOWED_FROM_IO = ("bots.wiki.records",)


def relative(path: Path) -> str:
    return str(path.relative_to(BOTS.parent))


def tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def test_the_package_has_the_layout_the_readme_describes() -> None:
    packages = {p.parent.name for p in BOTS.glob("*/__init__.py")}
    assert {
        "pipeline",
        "sources",
        "wiki",
        "store",
        "jobs",
        "reports",
        "followup",
        "net",
        "dev",
    } <= (packages)


@pytest.mark.parametrize("path", MODULES, ids=relative)
def test_rooms_stay_small(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= 600, f"{relative(path)} has {lines} lines"
    for node in ast.walk(tree(path)):
        size = (node.end_lineno or node.lineno) - node.lineno + 1 if hasattr(node, "lineno") else 0
        if isinstance(node, ast.ClassDef):
            assert size <= 300, f"class {node.name} in {relative(path)} has {size} lines"
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            assert size <= 80, f"{node.name} in {relative(path)} has {size} lines"


def api_queries(path: Path) -> list[int]:
    """Lines that build an API request: an ``action`` parameter with an API module's name."""
    found = []
    for node in ast.walk(tree(path)):
        if isinstance(node, ast.keyword) and node.arg == "action":
            if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                if node.value.value not in ("store_true", "version"):  # argparse
                    found.append(node.lineno)
        if isinstance(node, ast.Dict):
            for key in node.keys:
                if isinstance(key, ast.Constant) and key.value == "action":
                    found.append(node.lineno)
    return found


@pytest.mark.parametrize(
    "path", [p for p in MODULES if p.parent.name not in ("wiki", "dev")], ids=relative
)
def test_every_wiki_query_is_built_in_the_wiki_package(path: Path) -> None:
    assert api_queries(path) == [], f"{relative(path)} builds API requests"


@pytest.mark.parametrize("path", [p for p in MODULES if p.parent.name in PURE], ids=relative)
def test_pure_steps_import_no_io(path: Path) -> None:
    for node in ast.walk(tree(path)):
        if isinstance(node, ast.ImportFrom) and node.module:
            module = node.module
            inside = any(module == p or module.startswith(p + ".") for p in IO_PACKAGES)
            if inside and module not in ALLOWED_FROM_IO:
                pytest.fail(f"{relative(path)} imports {module}, which does I/O")


@pytest.mark.parametrize("path", MODULES, ids=relative)
def test_no_class_names_salted_hashes_or_asserts_decide(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"__class__\.__name__\s*==", text), "a decision by a class's name"
    for node in ast.walk(tree(path)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id != "hash", f"{relative(path)}:{node.lineno} uses salted hash()"
        assert not isinstance(node, ast.Assert), (
            f"{relative(path)}:{node.lineno} validates by assert"
        )


def test_the_rule_against_queries_can_fail() -> None:
    """The query finder sees the forms a query is written in."""
    sample = BOTS.parent / "tests" / "unit" / "_query_sample.py"
    sample.write_text('call(action="query", titles="x")\nparams = {"action": "edit"}\n')
    try:
        assert sorted(api_queries(sample)) == [1, 2]
    finally:
        sample.unlink()
