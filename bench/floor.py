"""The floor: the least a client can do to put a batch on a wiki.

Log in, get an edit token, then per file: download it from the partner's
server and send one plain ``action=upload`` (multipart) with the page text
the bot would write. Nothing else: no existence checks, no journal, no
retries. Whatever a real client adds on top of this is its overhead.

Run as ``python -m bench.floor PLAN.jsonl API_URL USERNAME`` with the
password in ``BENCH_WIKI_PASSWORD``; prints one JSON line with the counts.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import requests


def login(session: requests.Session, api: str, username: str, password: str) -> str:
    """Log in with ``clientlogin``; returns the CSRF token."""
    token = session.get(
        api,
        params={"action": "query", "meta": "tokens", "type": "login", "format": "json"},
        timeout=60,
    ).json()["query"]["tokens"]["logintoken"]
    result = session.post(
        api,
        data={
            "action": "clientlogin",
            "username": username,
            "password": password,
            "logintoken": token,
            "loginreturnurl": "http://127.0.0.1/",
            "format": "json",
        },
        timeout=60,
    ).json()
    if result.get("clientlogin", {}).get("status") != "PASS":
        raise SystemExit(f"login failed: {result}")
    return session.get(
        api, params={"action": "query", "meta": "tokens", "format": "json"}, timeout=60
    ).json()["query"]["tokens"]["csrftoken"]


def main(argv: list[str]) -> int:
    plan_path, api, username = argv
    password = os.environ["BENCH_WIKI_PASSWORD"]
    session = requests.Session()
    session.headers["User-Agent"] = "hubbot-bench-floor (local benchmark)"
    media = requests.Session()
    token = login(session, api, username, password)
    uploaded = failed = 0
    with Path(plan_path).open(encoding="utf-8") as lines:
        for line in lines:
            item = json.loads(line)
            content = media.get(item["url"], timeout=60).content
            answer = session.post(
                api,
                data={
                    "action": "upload",
                    "filename": item["filename"],
                    "text": item["text"],
                    "comment": item["comment"],
                    "token": token,
                    "format": "json",
                },
                files={"file": (item["filename"], content, "image/jpeg")},
                timeout=300,
            ).json()
            if answer.get("upload", {}).get("result") == "Success":
                uploaded += 1
            else:
                failed += 1
                print(f"{item['filename']}: {answer}", file=sys.stderr)
    print(json.dumps({"uploaded": uploaded, "failed": failed}))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
