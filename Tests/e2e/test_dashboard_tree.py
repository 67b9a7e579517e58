"""End to end: the dashboard's groups, tree and marks, in headless Chromium (the browser and the page watcher of
test_dashboard.py). The daemon watches a host file of loopback addresses in the lab's daemon namespace: the page
shows one heading per group in first-appearance order (ungrouped last), each child indented under its parent,
names with the address on hover, and a "maintenance" badge. The unreachable mark is driven with a crafted /status
answer (page.route): a grey "unreachable" badge that names the ancestor it is behind."""
import json
import os
import tempfile

import pytest

from lab import Daemon, wait_for
from test_dashboard import Watched, browser  # noqa: F401 (browser is a fixture)

PORT = 18150
HOST_FILE = """# the dashboard's tree: Beside comes before Switch in the file, after Router's subtree on the page
127.0.0.1  name="Router" group=core
127.0.0.6  name="Beside" group=core
127.0.0.2  name="Switch" group=core parent=127.0.0.1
127.0.0.3  name="NAS" group=storage parent=127.0.0.2
127.0.0.4  maintenance="2020-01-01T00:00Z/2099-01-01T00:00Z"
"""
# What the page shows: "# heading" or "domain:depth", one per <tbody>, in page order.
SECTIONS = ["# core", "127.0.0.1:0", "127.0.0.2:1", "127.0.0.6:0", "# storage", "127.0.0.3:0",
            "# Ungrouped", "127.0.0.4:0"]
GREY, BLUE = "rgb(89, 99, 110)", "rgb(9, 105, 218)"   # --unr and --maint in the light scheme


@pytest.fixture(scope="module")
def daemon(binary, lab, database):
    path = tempfile.NamedTemporaryFile(prefix="status-e2e-hosts-", suffix=".txt", delete=False).name
    with open(path, "w") as f:
        f.write(HOST_FILE)
    env = {"MONITORING_HOSTS_FILE": path, "MONITORING_INTERVAL": "500ms", "MONITORING_TIMEOUT": "300ms",
           "MONITORING_FAILURE_THRESHOLD": "2", "MONITORING_RECOVERY_THRESHOLD": "1", **database.env()}
    running = Daemon(binary, lab.mon, env, PORT)
    try:
        running.wait_serving()
        yield running
    finally:
        running.stop()
        os.unlink(path)


def sections(page):
    return page.eval_on_selector_all("#hosts > tbody", """bodies => bodies.map(b => {
        const row = b.querySelector("[data-domain]");
        return row ? row.dataset.domain + ":" + row.dataset.depth : "# " + b.textContent; })""")


def name_of(page, domain):
    """(name shown, its title, the address text beside it, whether that address is visible, the cell's left
    padding in px: its indentation)."""
    return page.eval_on_selector(f"[data-domain='{domain}'] td.name", """td => {
        const [name, addr] = [td.querySelector("span"), td.querySelector(".addr")];
        return [name.textContent, name.title, addr.textContent, !addr.hidden, parseFloat(getComputedStyle(td).paddingLeft)];
        }""")


def background(page, selector):
    return page.eval_on_selector(selector, "e => getComputedStyle(e).backgroundColor")


def test_the_dashboard_shows_groups_a_tree_names_and_maintenance(browser, daemon):  # noqa: F811
    wait_for(lambda: {c["domain"]: c["state"] for c in daemon.get_json("/status")} ==
             {"127.0.0.1": "up", "127.0.0.6": "up", "127.0.0.2": "up", "127.0.0.3": "up", "127.0.0.4": "maintenance"},
             10)
    watched = Watched(browser)
    page = watched.page
    try:
        page.goto(f"http://127.0.0.1:{PORT}/")
        page.wait_for_selector("html[data-ready='1']", state="attached", timeout=10_000)

        assert sections(page) == SECTIONS, sections(page)
        router, switch = name_of(page, "127.0.0.1"), name_of(page, "127.0.0.2")
        assert router[:4] == ["Router", "127.0.0.1", "127.0.0.1", True], router
        assert switch[:4] == ["Switch", "127.0.0.2", "127.0.0.2", True], switch
        assert switch[4] >= router[4] + 15, f"the switch is not indented under the router: {switch[4]} vs {router[4]}"
        assert name_of(page, "127.0.0.3")[4] == router[4], "a host whose parent is in another group is a root"
        page.hover("[data-domain='127.0.0.2'] td.name span")   # the address is the name's tooltip
        assert page.get_attribute("[data-domain='127.0.0.2'] td.name span", "title") == "127.0.0.2"
        # No name: the address once, not repeated beside itself.
        assert name_of(page, "127.0.0.4")[:4] == ["127.0.0.4", "127.0.0.4", "127.0.0.4", False]

        maintenance = "[data-domain='127.0.0.4']"
        assert page.get_attribute(maintenance, "data-state") == "maintenance"
        assert watched.text(f"{maintenance} .badge") == "maintenance"
        assert background(page, f"{maintenance} .badge") == BLUE
        assert watched.text("#counts").split() == ["4", "up", "·", "0", "down", "·", "1", "maintenance"], \
            watched.text("#counts")
        assert watched.page_errors == [], watched.page_errors
        assert watched.console_errors == [], watched.console_errors
    finally:
        page.close()


def check(domain, name, state, group=None, parents=(), behind=None):
    up = state in ("up", "maintenance")
    return {"id": 1, "domain": domain, "last_performed": "2026-01-01T00:00:00.000Z", "status": up,
            "rtt_ms": 0.1 if up else None, "loss_pct": 0, "uptime_24h_pct": 100, "uptime_7d_pct": 100,
            "uptime_30d_pct": 100, "down_since": None if up else "2026-01-01T00:00:00.000Z",
            "down_for_s": None if up else 60, "name": name, "group": group, "parents": list(parents),
            "state": state, "behind": behind}


# Switch is unreachable behind Router (by name); Printer's first parent is in another group, so it goes under
# its second, Switch; NAS is behind an address no check has (shown as is); A and B are a parent cycle.
CRAFTED = [
    check("127.0.0.1", "Router", "down", "core"),
    check("127.0.0.3", "NAS", "unreachable", "storage", ["127.0.0.2"], behind="127.0.0.9"),
    check("127.0.0.2", "Switch", "unreachable", "core", ["127.0.0.1"], behind="127.0.0.1"),
    check("127.0.0.5", "Printer", "unreachable", "core", ["127.0.0.3", "127.0.0.2"], behind="127.0.0.1"),
    check("127.0.0.7", "A", "up", "loop", ["127.0.0.8"]),
    check("127.0.0.8", "B", "up", "loop", ["127.0.0.7"]),
]


def test_the_dashboard_marks_an_unreachable_host_grey_behind_its_ancestor(browser, daemon):  # noqa: F811
    watched = Watched(browser)
    page = watched.page
    try:
        page.route("**/status", lambda route: route.fulfill(
            status=200, content_type="application/json; charset=utf-8", body=json.dumps(CRAFTED)))
        page.route("**/status/service/**", lambda route: route.fulfill(
            status=200, content_type="application/json; charset=utf-8", body="[]"))
        page.goto(f"http://127.0.0.1:{PORT}/")
        page.wait_for_selector("html[data-ready='1']", state="attached", timeout=10_000)

        assert sections(page) == ["# core", "127.0.0.1:0", "127.0.0.2:1", "127.0.0.5:2", "# storage",
                                  "127.0.0.3:0", "# loop", "127.0.0.7:0", "127.0.0.8:1"], sections(page)
        switch = "[data-domain='127.0.0.2']"
        assert page.get_attribute(switch, "data-state") == "unreachable"
        assert watched.text(f"{switch} .badge") == "unreachable"
        assert background(page, f"{switch} .badge") == GREY
        assert watched.text(f"{switch} .behind") == "behind Router"
        assert page.get_attribute(f"{switch} .behind", "title") == "127.0.0.1"
        assert watched.text("[data-domain='127.0.0.5'] .behind") == "behind Router"
        assert watched.text("[data-domain='127.0.0.3'] .behind") == "behind 127.0.0.9"
        assert not page.is_visible("[data-domain='127.0.0.1'] .behind"), "only an unreachable host is behind"
        assert watched.text("[data-domain='127.0.0.1'] .badge").startswith("down for ")
        assert watched.text("#counts").split() == ["2", "up", "·", "1", "down", "·", "3", "unreachable"], \
            watched.text("#counts")
        assert page.title().startswith("1 down")
        assert watched.page_errors == [], watched.page_errors
        assert watched.console_errors == [], watched.console_errors
    finally:
        page.close()
