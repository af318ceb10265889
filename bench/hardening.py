"""Issue 9 figures, measured over HTTP against a running server (gunicorn, DEBUG off) holding
the sample (`import_senacs data/senacs_sample.txt`) and the demo accounts
(`create_demo_accounts`). Run it against the old and the new code the same way:

    python bench/hardening.py --base-url http://127.0.0.1:8102 --database var/essaimage.sqlite3 \
        --mail-log mails.log [--only login,api,reset,session,exports,patch,vocabulary]

The server must run with API_ANON_RATE=2/min, and send its e-mails to a debugging SMTP server
whose output is --mail-log (Python 3.11: `python -m smtpd -n -c DebuggingServer
127.0.0.1:2525 > mails.log`, server started with EMAIL_HOST=127.0.0.1 EMAIL_PORT=2525).
"""

import argparse
import json
import random
import re
import sqlite3
import string
import threading
import time
from pathlib import Path

import requests

DEMO_PASSWORD = "essaimage-demo"
CONTRIBUTOR = "contributrice@essaimage.local"


class Browser:
    """A client that keeps its cookies itself (the server marks them Secure, we speak HTTP)."""

    def __init__(self, base: str, address: str | None = None):
        self.base = base
        self.cookies: dict[str, str] = {}
        self.headers = {"X-Forwarded-For": address} if address else {}

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        r = requests.request(
            method, self.base + path, headers=headers, allow_redirects=False, timeout=300, **kwargs
        )
        for cookie in r.raw.headers.getlist("Set-Cookie"):
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if value and "Max-Age=0" not in cookie:
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        return r

    def csrf(self, path: str) -> str:
        html = self.request("GET", path).text
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)

    def post_form(self, path: str, data: dict, **kwargs) -> requests.Response:
        token = self.csrf(path)
        return self.request("POST", path, data={**data, "csrfmiddlewaretoken": token}, **kwargs)

    def login(self, email: str, password: str) -> requests.Response:
        return self.post_form("/compte/connexion/", {"username": email, "password": password})


def logged_in(r: requests.Response) -> bool:
    return r.status_code == 302 and "/connexion/" not in r.headers.get("Location", "")


def scenario_login(base: str) -> dict:
    # One client, one address: at which attempt does the first refusal come?
    browser = Browser(base, "192.0.2.50")
    first_block = None
    for attempt in range(1, 41):
        r = browser.login("moderateur@essaimage.local", "mauvais")
        if "Trop de tentatives" in r.text:
            first_block = attempt
            break
    # 40 failures from an attacker, then the real user from another address, 10 times.
    locked_out = 0
    for run in range(10):
        email = CONTRIBUTOR if run % 2 == 0 else "moderatrice.region@essaimage.local"
        attacker = Browser(base, "203.0.113.66")
        for _ in range(40):
            attacker.login(email, f"devine-{random.random()}")
        owner = Browser(base, "198.51.100.7")
        if not logged_in(owner.login(email, DEMO_PASSWORD)):
            locked_out += 1
        time.sleep(0.1)
    return {"first_refusal_at_attempt": first_block, "owner_locked_out_of_10": locked_out}


def scenario_api(base: str) -> dict:
    # API_ANON_RATE=2/min: four requests, each with another X-Forwarded-For header.
    statuses = [
        requests.get(
            base + "/api/v1/departements",
            # A forged address, then the real one a proxy appends.
            headers={"X-Forwarded-For": f"192.0.2.{random.randint(1, 250)}, 203.0.113.9"},
            timeout=60,
        ).status_code
        for _ in range(4)
    ]
    return {"statuses_with_forged_headers": statuses}


def sent_e_mails(mail_log: Path) -> int:
    return mail_log.read_text().count("MESSAGE FOLLOWS") if mail_log.exists() else 0


def scenario_reset(base: str, mail_log: Path) -> dict:
    before = sent_e_mails(mail_log)
    browser = Browser(base)
    start = time.perf_counter()
    statuses = [
        browser.post_form("/compte/mot-de-passe/", {"email": CONTRIBUTOR}).status_code
        for _ in range(20)
    ]
    elapsed = time.perf_counter() - start
    time.sleep(1)
    after = sent_e_mails(mail_log)
    return {
        "requests": 20,
        "seconds": round(elapsed, 2),
        "e_mails_sent": after - before,
        "statuses": sorted(set(statuses)),
    }


def session_bytes(database: str) -> int:
    with sqlite3.connect(database) as db:
        return db.execute(
            "SELECT COALESCE(SUM(LENGTH(session_data)), 0) FROM django_session"
        ).fetchone()[0]


def scenario_session(base: str, database: str) -> dict:
    noise = "".join(random.Random(1).choices(string.ascii_letters, k=2300 * 1024))
    before = session_bytes(database)
    start = time.perf_counter()
    statuses = []
    for _ in range(5):
        browser = Browser(base)
        token = browser.csrf("/compte/connexion/")
        r = browser.request(
            "POST",
            "/contribuer/fiches/1/brouillon-auto/",
            data={"summary": noise, "title": "x", "csrfmiddlewaretoken": token},
            headers={"HX-Request": "true"},
        )
        statuses.append(r.status_code)
    return {
        "posts": 5,
        "body_mb": round(len(noise) / 1e6, 1),
        "seconds": round(time.perf_counter() - start, 2),
        "session_growth_bytes": session_bytes(database) - before,
        "statuses": sorted(set(statuses)),
    }


def scenario_exports(base: str, clients: int = 6) -> dict:
    """/healthz latency while `clients` anonymous PDF booklets are asked at once."""
    results: list[tuple[int, float]] = []

    def booklet(i: int) -> None:
        start = time.perf_counter()
        r = requests.get(
            base + "/actions/export.pdf", headers={"X-Forwarded-For": f"192.0.2.{i}"}, timeout=600
        )
        results.append((r.status_code, time.perf_counter() - start))

    idle = []
    for _ in range(3):
        start = time.perf_counter()
        requests.get(base + "/healthz", timeout=600)
        idle.append(time.perf_counter() - start)
    threads = [threading.Thread(target=booklet, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    start = time.perf_counter()
    health = requests.get(base + "/healthz", timeout=600)
    busy = time.perf_counter() - start
    for thread in threads:
        thread.join()
    return {
        "healthz_idle_s": round(min(idle), 3),
        "healthz_during_exports_s": round(busy, 3),
        "healthz_status": health.status_code,
        "exports": sorted((status, round(seconds, 1)) for status, seconds in results),
    }


def _token(browser: Browser) -> str:
    r = browser.post_form("/api/v1/jetons/", {"name": "bench"})
    return max(re.findall(r"ess_[A-Za-z0-9_\-]+", r.text), key=len)


def scenario_patch(base: str, database: str) -> dict:
    browser = Browser(base)
    browser.login(CONTRIBUTOR, DEMO_PASSWORD)
    key = _token(browser)
    auth = {"Authorization": f"Bearer {key}"}
    mine = requests.get(base + "/api/v1/actions?page_size=100", headers=auth, timeout=60).json()
    sheet_id = None
    for item in mine.get("results", mine if isinstance(mine, list) else []):
        r = requests.patch(
            f"{base}/api/v1/actions/{item['id']}", json={"limits": "x"}, headers=auth, timeout=60
        )
        if r.status_code not in (403, 404):
            sheet_id = item["id"]
            without = r
            break
    with sqlite3.connect(database) as db:
        (version,) = db.execute(
            "SELECT version FROM catalogue_actionsheet WHERE id = ?", (sheet_id,)
        ).fetchone()
    vocab = requests.patch(
        f"{base}/api/v1/actions/{sheet_id}",
        json={
            "financial_partners": ["Commune!"],
            "keywords": ["Famille!", "Santé?"],
            "version": version,
        },
        headers=auth,
        timeout=60,
    )
    return {
        "patch_without_version": [without.status_code, without.text[:120]],
        "vocabulary_collision_status": vocab.status_code,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--database", required=True, help="the server's SQLite file")
    parser.add_argument("--mail-log", default="mails.log")
    parser.add_argument("--only", default="login,api,reset,session,exports,patch")
    args = parser.parse_args()
    base = args.base_url.rstrip("/")
    only = args.only.split(",")
    figures = {}
    if "exports" in only:
        figures["exports"] = scenario_exports(base)
    if "api" in only:
        figures["api"] = scenario_api(base)
    if "reset" in only:
        figures["reset"] = scenario_reset(base, Path(args.mail_log))
    if "session" in only:
        figures["session"] = scenario_session(base, args.database)
    if "patch" in only:
        figures["patch"] = scenario_patch(base, args.database)
    if "login" in only:
        figures["login"] = scenario_login(base)
    for name, values in figures.items():
        print(name, json.dumps(values, ensure_ascii=False))


if __name__ == "__main__":
    main()
