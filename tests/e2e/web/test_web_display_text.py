"""Every page of the demo clinic as each demo role reads it, checked for developer's text: no number
with more than the quantity's display precision, no raw identifier where a name exists, no Python
representation, no duration in seconds above one minute, no pump-model id or file-section source
(issue 13 §3). The pages are crawled from each role's start page through its links."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from api_support import TestClient

from thecal.bootstrap import bootstrap
from thecal.config import Settings
from thecal.domain.library import reference_library
from thecal.entrypoints.api.app import create_app
from thecal.entrypoints.cli.demo import run_seed
from thecal.entrypoints.cli.demo_users import DEMO_USERS

AUDIT_KEY = "display-text-test-audit-key-0123456789abcdef"
SKIP = ("/logout", "/static/", "/api/", "/calendar/", "/consultation")
DOWNLOADS = (".csv", ".pdf", ".ics", ".json", ".png")
MAX_PAGES = 45

# a record id an investigator needs is shown only marked as one (<code class="ident">, the audit
# log's ids of records that have no name); everything else is read as a person reads it
TAGS = re.compile(
    r"<(script|style)\b.*?</\1>|<code class=\"ident\"[^>]*>.*?</code>|<[^>]+>", re.DOTALL
)
CHECKS = {
    "more than 3 decimals": re.compile(r"(?<![\w.])\d+\.\d{4,}(?![\w.])"),
    "an identifier (UUID)": re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-"),
    "a short identifier": re.compile(r"\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8}\b"),
    "a Python representation": re.compile(
        r"Decimal\(|\(\s*'[a-z_]+',|<[A-Z]\w+\.[A-Z_]+:|\bdatetime\.|\{'|\bNone\b"
    ),
    "a file-section source": re.compile(r"clinical\.md|safety\.md|§\s?\d"),
}
SECONDS = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s?s\b")


def visible_text(page: str) -> str:
    return html.unescape(TAGS.sub(" ", page.split("<body", 1)[-1]))


def offences(text: str, model_ids: set[str]) -> list[str]:
    found = []
    for name, pattern in CHECKS.items():
        found += [
            f"{name}: …{text[max(0, m.start() - 40) : m.end() + 20]}…"
            for m in pattern.finditer(text)
        ]
    found += [
        f"seconds above a minute: {m.group(0)}"
        for m in SECONDS.finditer(text)
        if float(m.group(1)) > 60
    ]
    found += [f"a pump-model id: {model}" for model in model_ids if model in text]
    return found


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    url = f"sqlite:///{tmp_path_factory.mktemp('demo')}/thecal.db"
    settings = Settings(database_url=url, audit_key=AUDIT_KEY, env="test", demo_mode=True)  # type: ignore[arg-type]
    run_seed(
        patients=14, seed=424242, today=dt.date(2026, 1, 10), settings=settings, only_if_empty=False
    )
    thecal = bootstrap(settings)
    yield TestClient(create_app(thecal), base_url="http://testserver")
    thecal.close()


def log_in(client: TestClient, username: str, password: str) -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    answer = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token.group(1)}
    )
    assert answer.status_code == 200, answer.text


def links(page: str) -> list[str]:
    found = []
    for href in re.findall(r'href="([^"]+)"', page):
        parts = urlsplit(html.unescape(href))
        if parts.netloc or not parts.path.startswith("/"):
            continue
        if parts.path.startswith(SKIP) or parts.path.endswith(DOWNLOADS):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


@pytest.mark.parametrize("user", DEMO_USERS, ids=lambda u: u.username)
def test_every_page_reads_for_people(demo: TestClient, user: object) -> None:
    demo.cookies.clear()
    log_in(demo, user.username, user.password)  # type: ignore[attr-defined]
    model_ids = set(reference_library().pumps)
    queue, seen, problems = ["/"], set(), {}
    while queue and len(seen) < MAX_PAGES:
        target = queue.pop(0)
        if target.split("?")[0] in seen:
            continue
        seen.add(target.split("?")[0])
        page = demo.get(target)
        if page.status_code != 200 or "text/html" not in page.headers.get("content-type", ""):
            continue
        found = offences(visible_text(page.text), model_ids)
        if found:
            problems[target] = found[:5]
        queue.extend(links(page.text))
    assert len(seen) >= 3
    assert problems == {}
