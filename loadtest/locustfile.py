"""The load scenario (scripts/load.sh runs it against `make serve`; docs/benchmarks.md).

Three kinds of client, in the proportions of a campaign day, each playing one of the accounts
`sangkien load_users` made (SANGKIEN_LOAD_CLIENTS names its JSON file):

- members (half the clients) enter an initiative through the API, complete, submit it, and
  look at their own list;
- support teams enter initiatives on behalf of the members of the units they serve, submit
  them, and read the review queue of their union through the API;
- officers (most signed in already, one in five logging in through the form) open their
  dashboard, the review queue (also searched by a word of the title, tone marks left off), its
  counts, an initiative's page and the public figures, and decide (valid, through the API)
  one in five initiatives they open.

Each request is named by what it is (not its URL), so the table groups them by page.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import threading
import time
from pathlib import Path

from locust import FastHttpUser, HttpUser, between, task

CLIENTS = json.loads(Path(os.environ["SANGKIEN_LOAD_CLIENTS"]).read_text(encoding="utf-8"))
CAMPAIGN = CLIENTS["campaign"]
_lock = threading.Lock()
_pools = {
    kind: itertools.cycle([c for c in CLIENTS["clients"] if c["kind"] == kind])
    for kind in ("member", "support", "officer")
}
_numbers = itertools.count(1)
# Seconds each client waits between two actions (a test shortens it).
WAIT = [float(s) for s in os.environ.get("SANGKIEN_LOAD_WAIT", "1,3").split(",")]
WORDS = ["cai tien", "quy trinh", "tiet kiem", "nang suat", "an toan", "dien", "may"]
FIELDS = ["KTCN", "QLDH", "TKNL", "ATLD", "CDS"]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
INITIATIVE_LINK = re.compile(r'href="/initiatives/(\d+)/"')
# The server runs as behind a proxy that ends TLS (SANGKIEN_PROXY_SSL_HEADER): every request
# says it came over HTTPS, so the site's secure cookies and HTTPS checks hold as in production.
PROXIED = {"X-Forwarded-Proto": "https"}


def _next(kind: str) -> dict:
    with _lock:
        return next(_pools[kind])


def _initiative(unit: str, authors: list | None = None) -> dict:
    n = next(_numbers)
    body = {
        "campaign": CAMPAIGN,
        "unit": unit,
        "title": f"Cải tiến quy trình số {n} ({time.time_ns() % 10**9})",
        "field": random.choice(FIELDS),
        "problem": "Quy trình cũ tốn thời gian và vật tư.",
        "description": "Thay đổi thứ tự các bước, dùng đồ gá mới.",
        "first_applied_on": "2026-03-15",
        "benefit_claimed_vnd": random.randrange(1, 500) * 100_000,
    }
    if authors is not None:
        body["authors"] = authors
    return body


class ApiClient(FastHttpUser):
    abstract = True
    wait_time = between(*WAIT)

    def on_start(self) -> None:
        self.client_data = _next(self.kind)
        self.headers = {**PROXIED, "Authorization": f"Bearer {self.client_data['token']}"}

    def enter_and_submit(self, unit: str, authors: list | None = None) -> None:
        with self.client.post(
            "/api/v1/initiatives",
            json=_initiative(unit, authors),
            headers=self.headers,
            name="API: new initiative",
            catch_response=True,
        ) as response:
            if response.status_code != 201:
                response.failure(f"{response.status_code}: {response.text[:200]}")
                return
            pk = response.json()["id"]
        with self.client.post(
            f"/api/v1/initiatives/{pk}/submit",
            json={},
            headers=self.headers,
            name="API: submit",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}: {response.text[:200]}")


class Member(ApiClient):
    weight = 5
    kind = "member"

    @task(2)
    def enter(self) -> None:
        self.enter_and_submit(self.client_data["unit"])

    @task(3)
    def mine(self) -> None:
        self.client.get(
            "/api/v1/initiatives?mine=true&limit=20", headers=self.headers, name="API: my list"
        )


class SupportTeam(ApiClient):
    weight = 2
    kind = "support"

    @task(3)
    def enter_for_a_member(self) -> None:
        member, unit = random.choice(self.client_data["members"])
        self.enter_and_submit(unit, [{"member": member, "share": 100}])

    @task(1)
    def queue(self) -> None:
        self.client.get(
            f"/api/v1/initiatives?unit={self.client_data['unit']}&status=submitted&limit=50",
            headers=self.headers,
            name="API: review queue",
        )


class Officer(HttpUser):
    weight = 3
    wait_time = between(*WAIT)

    def on_start(self) -> None:
        self.client_data = _next("officer")
        self.api = {**PROXIED, "Authorization": f"Bearer {self.client_data['token']}"}
        # The site's cookies are Secure: a client on plain loopback keeps them itself.
        self.cookies: dict[str, str] = {}
        self.opened: list[str] = []
        if "session" in self.client_data:  # signed in earlier in the day
            self.cookies["sessionid"] = self.client_data["session"]
            return
        page = self.get("/accounts/login/", name="login page")
        token = CSRF.search(page.text or "")
        with self.client.post(
            "/accounts/login/",
            data={
                "csrfmiddlewaretoken": token.group(1) if token else "",
                "identifier": self.client_data["username"],
                "password": self.client_data["password"],
            },
            headers={**self.headers(), "Referer": f"https://{self.host_name}/accounts/login/"},
            name="log in",
            catch_response=True,
            allow_redirects=False,
        ) as response:
            self.cookies.update(response.cookies.get_dict())
            if response.status_code != 302:
                response.failure(f"login answered {response.status_code}")

    @property
    def host_name(self) -> str:
        return (self.host or "").split("://", 1)[-1].rstrip("/")

    def headers(self) -> dict[str, str]:
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return {**PROXIED, **({"Cookie": cookie} if cookie else {})}

    def get(self, url: str, *, name: str):
        response = self.client.get(url, headers=self.headers(), name=name)
        self.cookies.update(response.cookies.get_dict())
        return response

    @task(3)
    def dashboard(self) -> None:
        self.get(f"/stats/{self.client_data['unit']}/", name="dashboard")

    @task(3)
    def queue(self) -> None:
        page = self.get("/initiatives/review/", name="review queue")
        self.opened = INITIATIVE_LINK.findall(page.text or "")[:10]

    @task(1)
    def search(self) -> None:
        self.get(f"/initiatives/review/?q={random.choice(WORDS)}", name="review queue: search")

    @task(1)
    def counts(self) -> None:
        self.get("/initiatives/review/counts/", name="review queue: counts")

    @task(3)
    def initiative(self) -> None:
        if not self.opened:
            return
        pk = random.choice(self.opened)
        self.get(f"/initiatives/{pk}/", name="initiative page")
        if random.random() < 0.2:
            self.opened.remove(pk)
            with self.client.post(
                f"/api/v1/initiatives/{pk}/decision",
                json={"decision": "valid"},
                headers=self.api,
                name="API: decision",
                catch_response=True,
            ) as response:
                # 409: another officer decided it first, which the product answers as it must.
                if response.status_code not in (200, 409):
                    response.failure(f"{response.status_code}: {response.text[:200]}")
                else:
                    response.success()

    @task(1)
    def public(self) -> None:
        self.get("/stats/public/", name="public figures")
