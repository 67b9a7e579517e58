"""A stand-in for the daemon's HTTP API, for developing and testing the dashboard's history views before the
history backend exists (issue 15). It serves the real Sources/API/Resources/dashboard.html at `/` with the
daemon's Content-Security-Policy, and made-up but plausible JSON, deterministic for a given start time, for
everything the page fetches:

    GET /status                                   N checks, in "configuration order"
    GET /status/history?since&until&step[&form=compact]  every host's buckets (default: the last 24 h, step 1h)
    GET /status/service/{domain}/history?…        one host's buckets (default: the last 24 h, ≤ 300 buckets)
    GET /status/service/{domain}/incidents?since&until&limit
    GET /healthz, GET /favicon.ico

Bucket and check shapes follow the daemon (Sources/API/Payloads.swift) and the history API of issue 15. The hosts:
`test.lan` is the one the tests look at (a clean stretch, lossy buckets, a bucket with no data every 17, a bucket of
100 % loss every 23, an incident 40–25 min ago, another on a fixed UTC day 5 days ago, a maintenance one 10 days ago,
no data at all 40–44 days ago); `lossy.lan` loses a few % all the time; `down.lan` has been down for an hour; the
rest (`host-0003.lan` …) are mostly clean. Loopback only: the server listens on 127.0.0.1.

Run by hand: python3 Tests/e2e/history_mock.py --hosts 50 --port 18200, then open http://127.0.0.1:18200/."""
import argparse
import json
import math
import os
import random
import re
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PAGE = os.path.join(ROOT, "Sources", "API", "Resources", "dashboard.html")
RESOLUTION = 60                     # the smallest stored step, in seconds: steps are rounded up to a multiple
MAX_BUCKETS = 5000                  # more is a 400, as a real server would refuse
INTERVAL = 1                        # one ping a second: a 1-minute bucket has 60 sent
UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
DAY = 86400


def csp():
    """The daemon's Content-Security-Policy, read from DashboardPage.swift so the two cannot drift apart."""
    with open(os.path.join(ROOT, "Sources", "API", "DashboardPage.swift")) as f:
        return re.search(r'contentSecurityPolicy = "([^"]+)"', f.read()).group(1)


def rfc3339(t):
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(t * 1000) % 1000:03d}Z"


def duration(text):
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w)", text)
    if not m:
        raise ValueError(f'"{text}" is not a duration such as 60s, 5m, 1h or 1d')
    return float(m.group(1)) * UNITS[m.group(2)]


def instant(text, now):
    """An RFC 3339 time, or a duration meaning that long before now."""
    try:
        return now - duration(text)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "+")).timestamp()
    except ValueError:
        raise ValueError(f'"{text}" is neither an RFC 3339 time nor a duration') from None


class Host:
    def __init__(self, index, domain, start, profile, base_ms):
        self.id, self.domain, self.profile, self.base = index + 1, domain, profile, base_ms
        self.name = None
        self.incidents = []             # [down_detection, up_detection | None, description, maintenance]
        self.off = []                   # [(from, until)]: the daemon was not running, nothing measured
        d0 = math.floor(start / DAY) * DAY
        if profile == "test":
            self.name = "Test host"
            self.incidents = [[start - 40 * 60, start - 25 * 60, "no reply to 3 pings (timeout 1s)", False],
                              [d0 - 5 * DAY + 6 * 3600, d0 - 5 * DAY + 6 * 3600 + 8640, "host unreachable, "
                               "reported by 192.0.2.1", False],
                              [d0 - 10 * DAY + 2 * 3600, d0 - 10 * DAY + 3 * 3600, "no reply to 3 pings "
                               "(timeout 1s)", True]]
            self.off = [(d0 - 44 * DAY, d0 - 39 * DAY)]
        elif profile == "down":
            self.incidents = [[start - 3 * DAY, start - 3 * DAY + 600, "no reply to 3 pings (timeout 1s)", False],
                              [start - 3600, None, "host unreachable, reported by 192.0.2.1", False]]
        elif index % 7 == 3:
            t = start - (index % 50 + 1) * 3 * 3600
            self.incidents = [[t, t + 300 + index % 900, "no reply to 3 pings (timeout 1s)", False]]
        self.incidents.sort(key=lambda i: i[0], reverse=True)

    def down_fraction(self, a, b, now):
        down = 0.0
        for since, until, _, maintenance in self.incidents:
            down += max(0.0, min(b, until if until is not None else now) - max(a, since))
        return min(1.0, down / (b - a))

    def bucket(self, a, b, now):
        """One bucket [a, b) as the API shows it."""
        end = min(b, now)
        measured = end - a - sum(max(0.0, min(end, u) - max(a, f)) for f, u in self.off)
        sent = max(0, int(measured // INTERVAL))
        k = int(a // max(1, b - a))
        r = random.Random(f"{self.domain}|{a}|{b}")
        if self.profile == "test" and b - a < 3600:
            if k % 17 == 0:
                sent = 0
        down = self.down_fraction(a, end, now) if end > a else 0.0
        lost = sent * down
        if self.profile == "lossy":
            lost += sent * (0.01 + 0.07 * r.random())
        elif self.profile == "test" and b - a < 3600:
            if k % 23 == 5:
                lost = sent
            elif k % 5 == 1:
                lost += sent * (0.01 + 0.3 * r.random())
        elif r.random() < 0.04:
            lost += sent * 0.05 * r.random()
        replies = max(0, sent - min(sent, round(lost)))
        if sent and replies == 0 and down < 1 and self.profile != "test":
            replies = 1
        out = {"start": rfc3339(a), "end": rfc3339(b), "sent": sent, "replies": replies,
               "loss_pct": None if sent == 0 else round(100 * (sent - replies) / sent, 3), "rtt_ms": None}
        if replies == 0:
            out["rtt_ms"] = {q: None for q in ("min", "p10", "p50", "p90", "max", "mean", "stddev")}
            return out
        wave = 1 + 0.25 * math.sin(a / 5400 + self.id) + 0.1 * math.sin(a / 600)
        p50 = self.base * wave * (1 + 0.08 * r.random())
        out["rtt_ms"] = {"min": round(p50 * (0.65 + 0.1 * r.random()), 3), "p10": round(p50 * 0.85, 3),
                         "p50": round(p50, 3), "p90": round(p50 * (1.2 + 0.2 * r.random()), 3),
                         "max": round(p50 * (1.6 + 1.4 * r.random()), 3), "mean": round(p50 * 1.04, 3),
                         "stddev": round(p50 * 0.12, 3)}
        return out

    def check(self, now):
        ongoing = next((i for i in self.incidents if i[1] is None), None)
        up = ongoing is None
        day = self.uptime(now - DAY, now)
        week, month = self.uptime(now - 7 * DAY, now), self.uptime(now - 30 * DAY, now)
        return {"id": self.id, "domain": self.domain, "last_performed": rfc3339(now - 0.4), "status": up,
                "rtt_ms": round(self.base, 3) if up else None, "loss_pct": 0 if up else 100,
                "uptime_24h_pct": day, "uptime_7d_pct": week, "uptime_30d_pct": month,
                "down_since": None if up else rfc3339(ongoing[0]), "down_for_s": None if up else round(now - ongoing[0], 3),
                "name": self.name or self.domain, "group": None, "parents": [], "state": "up" if up else "down",
                "behind": None}

    def uptime(self, a, b):
        down = sum(max(0.0, min(b, u if u is not None else b) - max(a, f)) for f, u, _, m in self.incidents if not m)
        return round(100 * (b - a - down) / (b - a), 3)

    def incident_list(self, since, until, limit, now):
        out = []
        for n, (f, u, why, maintenance) in enumerate(self.incidents):
            if since is not None and u is not None and u < since:
                continue
            if until is not None and f > until:
                continue
            out.append({"id": self.id * 100 + len(self.incidents) - n, "check_id": self.id, "description": why,
                        "down_detection": rfc3339(f), "up_detection": None if u is None else rfc3339(u),
                        "parent_incident_id": None, "maintenance": maintenance,
                        "duration_s": round((u if u is not None else now) - f, 3)})
        return out[:limit]


class HistoryMock:
    """The mock API on 127.0.0.1:`port` (0: any free port) with `hosts` hosts; start() serves it from a thread.
    `unavailable = True` makes every history endpoint answer 503, as the daemon does while the database is away.
    `requests` lists every path asked for, with its query."""

    def __init__(self, hosts=20, port=0):
        self.start_time = time.time()
        self.hosts = []
        for i in range(hosts):
            profile, domain, base = "plain", f"host-{i:04d}.lan", 1 + (i * 7.3) % 40
            if i == 0:
                profile, domain, base = "test", "test.lan", 18.0
            elif i == 1:
                profile, domain, base = "lossy", "lossy.lan", 35.0
            elif i == 2:
                profile, domain, base = "down", "down.lan", 4.0
            self.hosts.append(Host(i, domain, self.start_time, profile, base))
        self.by_domain = {h.domain: h for h in self.hosts}
        self.unavailable = False
        self.requests = []
        self.csp = csp()
        self._cache, self._lock = {}, threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self._serialising = False
        self._status = (0, b"")
        self._serialise()
        self.all_history({})            # the overview's default answer, ready before the first page asks,
        self.all_history({"since": "24h", "step": "1h", "form": "compact"})  # and the dashboard's

    def start(self):
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    # --- the answers
    def range(self, query, default_step):
        """(first bucket start, end, step) from since/until/step; raises ValueError for a 400."""
        now = time.time()
        since = instant(query["since"], now) if "since" in query else now - DAY
        until = instant(query["until"], now) if "until" in query else now
        if until <= since:
            raise ValueError("until must be after since")
        step = duration(query["step"]) if "step" in query else default_step(until - since)
        if step <= 0:
            raise ValueError("step must be positive")
        step = math.ceil(step / RESOLUTION) * RESOLUTION
        first, last = math.floor(since / step) * step, math.ceil(until / step) * step
        if (last - first) / step > MAX_BUCKETS:
            raise ValueError(f"that range at that step is more than {MAX_BUCKETS} buckets")
        return first, last, step, now

    @staticmethod
    def default_step(span):
        return max(RESOLUTION, math.ceil(span / 300 / RESOLUTION) * RESOLUTION)

    def buckets(self, host, first, last, step, now):
        return [host.bucket(a, a + step, now) for a in range(int(first), int(last), int(step))]

    def all_history(self, query):
        first, last, step, now = self.range(query, lambda span: 3600)
        compact = query.get("form") == "compact"
        key = (first, last, step, compact)
        with self._lock:
            body = self._cache.get(key)
        if body is None:             # the answer of one step's worth of time, computed once
            entries = []
            for h in self.hosts:
                buckets = self.buckets(h, first, last, step, now)
                if compact:          # the daemon's form=compact: each figure as an array
                    quantile = lambda name: [b["rtt_ms"][name] for b in buckets]
                    entries.append({"domain": h.domain, "start": buckets[0]["start"] if buckets else None,
                                    "step_s": int(step), "sent": [b["sent"] for b in buckets],
                                    "replies": [b["replies"] for b in buckets], "p10_ms": quantile("p10"),
                                    "p50_ms": quantile("p50"), "p90_ms": quantile("p90")})
                else:
                    entries.append({"domain": h.domain, "buckets": buckets})
            body = json.dumps(entries, separators=(",", ":")).encode()
            with self._lock:
                self._cache[key] = body
        return body

    def status(self, now):
        """Every check as of the last serialisation, redone in the background every half second, as the daemon
        does: an answer never waits for it."""
        with self._lock:
            at, body = self._status
            stale = now - at >= 0.5 and not self._serialising
            self._serialising |= stale
        if stale:
            threading.Thread(target=self._serialise, daemon=True).start()
        return body

    def _serialise(self):
        now = time.time()
        body = json.dumps([h.check(now) for h in self.hosts], separators=(",", ":")).encode()
        with self._lock:
            self._status, self._serialising = (now, body), False

    def _handler(self):
        mock = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def handle(self):
                try:
                    super().handle()
                except ConnectionError:     # the browser closed a connection it kept alive: nothing to answer
                    pass

            def send(self, status, body, content_type="application/json; charset=utf-8", headers=()):
                if isinstance(body, (dict, list)):
                    body = json.dumps(body, separators=(",", ":")).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                for name, value in headers:
                    self.send_header(name, value)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def do_HEAD(self):
                self.do_GET()

            def do_GET(self):
                url = urlsplit(self.path)
                mock.requests.append(self.path)
                query = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
                parts = url.path.split("/")[1:]
                now = time.time()
                try:
                    if url.path == "/":
                        with open(PAGE, "rb") as f:
                            page = f.read()
                        return self.send(200, page, "text/html; charset=utf-8",
                                         [("Content-Security-Policy", mock.csp), ("X-Content-Type-Options", "nosniff")])
                    if url.path == "/favicon.ico":
                        return self.send(204, b"")
                    if url.path == "/healthz":
                        return self.send(200, {"status": "ok", "database": {"reachable": not mock.unavailable}})
                    if url.path == "/status":
                        return self.send(200, mock.status(now))
                    if url.path == "/status/history":
                        if mock.unavailable:
                            return self.send(503, {"error": "the database is not reachable"})
                        return self.send(200, mock.all_history(query))
                    if len(parts) == 4 and parts[:2] == ["status", "service"] and parts[3] in ("history", "incidents"):
                        host = mock.by_domain.get(unquote(parts[2]))
                        if host is None:
                            return self.send(404, {"error": f"{unquote(parts[2])} is not monitored"})
                        if parts[3] == "incidents":
                            since = instant(query["since"], now) if "since" in query else None
                            until = instant(query["until"], now) if "until" in query else None
                            limit = int(query.get("limit", "10000"))
                            return self.send(200, host.incident_list(since, until, limit, now))
                        if mock.unavailable:
                            return self.send(503, {"error": "the database is not reachable"})
                        first, last, step, now = mock.range(query, mock.default_step)
                        return self.send(200, mock.buckets(host, first, last, step, now))
                    return self.send(404, {"error": "no such endpoint"})
                except ValueError as e:
                    return self.send(400, {"error": str(e)})

        return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--port", type=int, default=18200)
    args = parser.parse_args()
    mock = HistoryMock(args.hosts, args.port)
    print(f"serving {args.hosts} hosts on {mock.url}", flush=True)
    try:
        mock.server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
