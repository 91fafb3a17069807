#!/usr/bin/env python3
"""Run the upload fault suites and write RELIABILITY.md from what they saw.

    python scripts/reliability.py                    # 200 kills, a 2 GiB file
    python scripts/reliability.py --kills 50 --large-mib 256   # the CI sizes

Every row of the report comes from a test that ran just now against a real
local MediaWiki (started by the test session, as in CI), some through the
loopback fault proxy. After each fault a test asks the wiki itself, by
SHA-1, what it holds; the three numbers per row (files lost, duplicated,
wrongly uploaded) are those answers, and the test fails unless all are 0.
Codes the dev wiki cannot produce are listed with the table-tested decision
the bot takes for them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

ATTACKS = "Approval, stop-page and injection attacks"
ATTACK_SUITES = sorted(str(p.relative_to(REPO)) for p in REPO.glob("tests/wiki/test_attack_*.py"))

SUITES = [
    *ATTACK_SUITES,
    "tests/wiki/test_upload_warnings.py",
    "tests/wiki/test_upload_media.py",
    "tests/wiki/test_upload_chunked.py",
    "tests/wiki/test_upload_pacing.py",
    "tests/faults/test_proxy_faults.py",
    "tests/faults/test_wikibase_faults.py",
    "tests/faults/test_large_file.py",
    "tests/faults/test_kill.py",
    "tests/wiki/test_batch_edit.py",
    "tests/wiki/test_undo.py",
    "tests/faults/test_kill_edits.py",
    "tests/faults/test_item_faults.py",
    "tests/faults/test_kill_items.py",
]

SECTIONS = {
    **dict.fromkeys(ATTACK_SUITES, ATTACKS),
    "tests/wiki/test_upload_warnings.py": "Upload warnings and errors, produced by the real wiki",
    "tests/wiki/test_upload_media.py": "Media types and bad media",
    "tests/wiki/test_upload_chunked.py": "Chunked uploads and the upload stash",
    "tests/wiki/test_upload_pacing.py": "Pacing and the wiki's own refusals",
    "tests/faults/test_proxy_faults.py": "Faults from the loopback proxy",
    "tests/faults/test_wikibase_faults.py": "Structured data: faults of the Wikibase edit",
    "tests/faults/test_kill.py": "kill -9 at random moments",
    "tests/faults/test_large_file.py": "A large file and memory",
    "tests/wiki/test_batch_edit.py": "Batch edits and undo",
    "tests/wiki/test_undo.py": "Batch edits and undo",
    "tests/faults/test_kill_edits.py": "Batch edits and undo",
    "tests/faults/test_item_faults.py": "Wikidata items: creations whose answer is lost",
    "tests/faults/test_kill_items.py": "Wikidata items: kill -9 during item creation",
}


def run_suites(kills: int, large_mib: int, seed: int | None, rows_path: Path, junit: Path) -> int:
    env = dict(os.environ)
    env.update(
        HUBBOT_RELIABILITY_JSON=str(rows_path),
        HUBBOT_KILLS=str(kills),
        HUBBOT_ITEM_KILLS=str(max(15, kills // 4)),
        HUBBOT_LARGE_MIB=str(large_mib),
    )
    if seed is not None:
        env["HUBBOT_KILL_SEED"] = str(seed)
    command = [
        sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
        f"--junitxml={junit}", *SUITES,
    ]  # fmt: skip
    print("running:", " ".join(command[2:]), flush=True)
    return subprocess.run(command, cwd=REPO, env=env, check=False).returncode


def test_results(junit: Path) -> dict[str, str]:
    """pytest node id -> passed, failed or skipped."""
    results: dict[str, str] = {}
    if not junit.exists():
        return results
    for case in ET.parse(junit).getroot().iter("testcase"):
        path = case.get("classname", "").replace(".", "/") + ".py"
        node = f"{path}::{case.get('name')}"
        outcome = "passed"
        for child in case:
            if child.tag in ("failure", "error"):
                outcome = "failed"
            elif child.tag == "skipped":
                outcome = "skipped"
        results[node] = outcome
    return results


def read_rows(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def untested_codes(texts: list[str]) -> list[tuple[str, str]]:
    """Codes the bot decides that no row's fault or answer names, with the decision."""
    from bots.wiki import upload_policy as wiki

    def seen(code: str) -> bool:
        return any(code in text for text in texts)

    out = []
    for code, meaning in wiki.UPLOAD_WARNINGS.items():
        if not seen(code):
            out.append((f"warning `{code}`", meaning))
    for code, meaning in wiki.UPLOAD_ERRORS.items():
        if not seen(code):
            out.append((f"error `{code}`", f"failed: {meaning}"))
    for code, meaning in wiki.WHOLE_RUN_UPLOAD_ERRORS.items():
        if not seen(code):
            out.append((f"error `{code}`", f"the run stops: {meaning}"))
    for code in sorted(wiki.STASH_GONE):
        if not seen(code):
            out.append((f"stash error `{code}`", "the stash is started again once, then failed"))
    from bots.wiki import wikibase

    for code, meaning in wikibase.ENTITY_REFUSALS.items():
        if not seen(code):
            out.append(
                (f"Wikibase error `{code}`", f"the file's structured data failed: {meaning}")
            )
    for code, meaning in wikibase.ENTITY_RETRY_LATER.items():
        if not seen(code):
            out.append((f"Wikibase error `{code}`", f"pending for a later run: {meaning}"))
    for code, meaning in wikibase.ENTITY_WHOLE_RUN.items():
        if not seen(code):
            out.append((f"Wikibase error `{code}`", f"the run stops: {meaning}"))
    return out


def render(rows: list[dict], results: dict[str, str], args: argparse.Namespace, took: float) -> str:
    by_section: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        path = row["test"].split("::", 1)[0]
        by_section[SECTIONS.get(path, path)].append(row)
    totals = {k: sum(int(r[k]) for r in rows) for k in ("lost", "duplicated", "wrong")}
    passed = sum(1 for v in results.values() if v == "passed")
    failed = [k for k, v in results.items() if v != "passed"]
    version = _mediawiki_version()
    lines = [
        "# Reliability of uploads",
        "",
        "Generated by `scripts/reliability.py` on "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC ({took / 60:.0f} minutes), against "
        f"MediaWiki {version} (Debian package, SQLite, PHP's built-in server) on "
        f"{platform.system()} with Python {platform.python_version()}. Do not edit by hand: "
        "run the script again.",
        "",
        f"**{len(rows)} faults and bad inputs tried; files lost: {totals['lost']}, "
        f"duplicated: {totals['duplicated']}, wrongly uploaded: {totals['wrong']}. "
        f"Tests: {passed} of {len(results)} passed.**",
        "",
        "Each row is one test that ran against the real wiki. After the fault, the test "
        "asks the wiki, by SHA-1, how many files hold each record's bytes: *lost* counts "
        "records that should be there and are not, *duplicated* extra copies, *wrongly "
        "uploaded* files the bot should have refused. A test fails unless all three are 0.",
        "",
        "*Produced by*: **real wiki** means MediaWiki itself gave the fault (settings such as "
        "`$wgReadOnly`, `$wgRateLimits`, blacklists, AbuseFilter, blocks, deletions, "
        "protection); **real wiki (via proxy)** means the loopback proxy changed one field "
        "of a real request so that the wiki itself answered with the error (a wrong token, "
        "an impossible `maxlag`); **proxy** means the proxy in front of the wiki broke the "
        "connection around a real exchange (after the wiki saved, or before it saw the "
        "request) or answered as a gateway would (502/503 pages, or Wikimedia's recorded "
        "maxlag answer with `Retry-After`).",
        "",
    ]
    if failed:
        lines += ["## Tests that did not pass", ""]
        lines += [f"- `{name}`: {results[name]}" for name in failed]
        lines.append("")
    for title in dict.fromkeys(SECTIONS[path] for path in SUITES):
        section = by_section.get(title)
        if not section:
            continue
        lines += [f"## {title}", ""]
        if title == ATTACKS:
            lines += [
                "Tried as an attacker or a careless user would: each row is one attempt to get "
                "something written or uploaded that no approver approved, or to break the file "
                "pages a batch writes. *Wrongly uploaded* counts files (or, where the row says "
                "so, pages) the bot wrote although it must not have.",
                "",
            ]
        lines.append(
            "| Fault or bad input | What the bot did | Produced by | Lost | Duplicated "
            "| Wrongly uploaded | Test |"
        )
        lines.append("|---|---|---|---|---|---|---|")
        for row in section:
            test = row["test"].split("::", 1)[1]
            status = results.get(row["test"], "?")
            mark = "" if status == "passed" else f" **{status}**"
            lines.append(
                f"| {cell(row['fault'])} | {cell(row['did'])} | {row['source']} "
                f"| {row['lost']} | {row['duplicated']} | {row['wrong']} | `{cell(test)}`{mark} |"
            )
        lines.append("")
    large = [r for r in rows if r.get("figures", {}).get("large_mib")]
    if large:
        f = large[-1]["figures"]
        lines += [
            "## Memory for large files",
            "",
            f"A {f['large_mib']} MiB file went through `hubbot run` (streamed download to "
            f"disk, chunks of 10 MiB through the upload stash) in {f['large_seconds']:.0f} s "
            f"with a peak resident memory of **{f['large_rss_mib']:.0f} MiB**; a "
            f"{f['small_mib']} MiB file took {f['small_rss_mib']:.0f} MiB. The memory is the "
            "Python process with pywikibot loaded plus one chunk; it does not grow with the "
            "file (measured by the kernel, `wait4`).",
            "",
        ]
    missing = untested_codes([r["fault"] + " " + r["did"] for r in rows])
    if missing:
        lines += [
            "## Codes no test above produces",
            "",
            "These need a setup the dev wiki does not have (a shared file repository, "
            "cascading protection, a wiki without uploads at all) or are variants of codes "
            "above; MediaWiki 1.39 answers `protectedpage` for a title protected from "
            "creation. Their decision is in the tables of `bots/wiki/upload_policy.py`, checked by "
            "`tests/unit/test_upload_decisions.py`; none is overridden. Error codes the "
            "proxy answers with carry MediaWiki 1.39's own messages "
            "(`includes/api/i18n/en.json`).",
            "",
            "| Code | What the bot does |",
            "|---|---|",
        ]
        lines += [f"| {code} | {cell(meaning)} |" for code, meaning in missing]
        lines.append("")
    lines += [
        "## How to reproduce",
        "",
        "```sh",
        "make setup                       # Debian's mediawiki and PHP, the Python package",
        f"python scripts/reliability.py --kills {args.kills} --large-mib {args.large_mib}",
        "```",
        "",
        "The script runs these test files with pytest (each session starts its own dev wiki "
        "on a free port) and collects one row per fault:",
        "",
        *[f"- `{s}`" for s in SUITES],
        "",
        "The same tests run in the normal suite (`make check`) with 50 kills and a 256 MiB "
        "file. `HUBBOT_KILLS`, `HUBBOT_KILL_SEED` and `HUBBOT_LARGE_MIB` set the sizes for "
        "a single `pytest` run; the kill test's seed is in its row above.",
        "",
    ]
    return "\n".join(lines)


def _mediawiki_version() -> str:
    try:
        from bots.dev.settings import MEDIAWIKI_DIR

        text = (MEDIAWIKI_DIR / "includes" / "Defines.php").read_text(encoding="utf-8")
        for line in text.splitlines():
            if "'MW_VERSION'" in line:
                return line.split("'")[3]
    except (OSError, IndexError):
        pass
    return "(unknown version)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=200, help="kill -9 count (default 200)")
    parser.add_argument(
        "--large-mib", type=int, default=2048, help="size of the large file (default 2048)"
    )
    parser.add_argument("--seed", type=int, help="the kill test's random seed")
    parser.add_argument("--output", default=str(REPO / "RELIABILITY.md"))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="hubbot-reliability-") as tmp:
        rows_path, junit = Path(tmp) / "rows.jsonl", Path(tmp) / "junit.xml"
        started = time.monotonic()
        code = run_suites(args.kills, args.large_mib, args.seed, rows_path, junit)
        rows, results = read_rows(rows_path), test_results(junit)
        text = render(rows, results, args, time.monotonic() - started)
    Path(args.output).write_text(text, encoding="utf-8")
    print(f"wrote {args.output}: {len(rows)} rows, pytest exit status {code}")
    return code


if __name__ == "__main__":
    sys.exit(main())
