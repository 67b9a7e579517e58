"""End to end: live reload of the host file, in the tree lab's namespaces (a router with two hosts behind it and
one beside it). Each edit is made three ways — a new file renamed over the old one (how editors save), a write
in place, and a write the daemon is not told of (MONITORING_HOSTS_FILE_WATCH=false) followed by SIGHUP — and
must take effect within 2 s plus one interval: a host added is pinged and listed, a host removed is no longer
listed (its check and incidents stay in the database) and keeps its id when added back, a changed interval and
name apply to a host that is down without losing its state or its incident, a file with an error changes nothing
and is logged with its line and reason, and the fixed file applies."""
import json
import os
import signal
import tempfile
import time

import pytest

from lab import Daemon, wait_for, webhook_posts
from tree_lab import CHILD1, CHILD2, ROUTER, SIDE

INTERVAL, TIMEOUT, FAILURES = 0.5, 0.3, 2
BOUND = FAILURES * INTERVAL + TIMEOUT
EFFECT = 2 + INTERVAL  # what the issue allows a reload
PORT, RECEIVER_PORT = 18160, 18161


class HostFile:
    """The daemon's host file and the three ways of changing it."""

    def __init__(self, how):
        self.how = how
        self.directory = tempfile.mkdtemp(prefix="status-e2e-reload-")
        self.path = os.path.join(self.directory, "hosts.txt")
        self.daemon = None

    def write(self, text):
        if self.how == "rename":
            temporary = os.path.join(self.directory, ".hosts.txt.swp")
            with open(temporary, "w") as f:
                f.write(text)
            os.rename(temporary, self.path)
        else:
            with open(self.path, "w") as f:
                f.write(text)
        if self.how == "sighup" and self.daemon is not None:
            before = self.daemon.get_json("/healthz")["config"]
            time.sleep(1)
            assert self.daemon.get_json("/healthz")["config"] == before, "not watched: nothing changes until SIGHUP"
            self.daemon.process.send_signal(signal.SIGHUP)

    def remove(self):
        for name in os.listdir(self.directory):
            os.unlink(os.path.join(self.directory, name))
        os.rmdir(self.directory)


def listed(daemon):
    return {c["domain"]: c for c in daemon.get_json("/status")}


def health_config(daemon):
    return daemon.get_json("/healthz")["config"]


def check_id(database, domain):
    rows = database.sql(f"SELECT id FROM checks WHERE domain = '{domain}'")
    return int(rows[0][0]) if rows else None


def parse_time(text):
    from datetime import datetime
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def within_effect(predicate):
    """Waits for a reload's effect; returns the seconds it took."""
    return wait_for(predicate, EFFECT, step=0.05)[1]


@pytest.mark.parametrize("how", ["rename", "in_place", "sighup"])
def test_edits_of_the_host_file_apply_live_and_a_bad_edit_changes_nothing(binary, tree, database, tree_webhooks, how):
    hosts = HostFile(how)
    first = f"{ROUTER} name=\"Router\" group=core\n{CHILD1} name=\"NAS\" parent={ROUTER}\n{CHILD2} parent={ROUTER}\n"
    with open(hosts.path, "w") as f:
        f.write(first)
    env = {"MONITORING_HOSTS_FILE": hosts.path, "MONITORING_INTERVAL": f"{int(INTERVAL * 1000)}ms",
           "MONITORING_TIMEOUT": f"{int(TIMEOUT * 1000)}ms", "MONITORING_FAILURE_THRESHOLD": str(FAILURES),
           "MONITORING_RECOVERY_THRESHOLD": "1", "WEBHOOK_URL": f"http://127.0.0.1:{RECEIVER_PORT}/hook",
           "WEBHOOK_FORMAT": "json", **database.env()}
    if how == "sighup":
        env["MONITORING_HOSTS_FILE_WATCH"] = "false"
    daemon = Daemon(binary, tree.mon, env, PORT)
    hosts.daemon = daemon
    timings = {}
    try:
        daemon.wait_serving()
        wait_for(lambda: all(c["state"] == "up" for c in daemon.get_json("/status")), 10)
        wait_for(lambda: check_id(database, CHILD2) is not None, 10)
        child2_id = check_id(database, CHILD2)
        assert health_config(daemon)["file"] == hosts.path and health_config(daemon)["last_reload"] is None

        # Add a host, remove another.
        second = f"{ROUTER} name=\"Router\" group=core\n{CHILD1} name=\"NAS\" parent={ROUTER}\n{SIDE} name=\"Beside\"\n"
        hosts.write(second)
        timings["add and remove"] = within_effect(
            lambda: (lambda c: SIDE in c and CHILD2 not in c and c[SIDE]["last_performed"] is not None)(listed(daemon)))
        checks = listed(daemon)
        assert list(checks) == [ROUTER, CHILD1, SIDE] and checks[SIDE]["name"] == "Beside"
        assert checks[SIDE]["state"] == "up"
        assert daemon.request("GET", f"/status/service/{CHILD2}")[0] == 404
        assert check_id(database, CHILD2) == child2_id  # its check stays in the database
        reload = health_config(daemon)["last_reload"]
        assert reload["result"] == "applied" and reload["error"] is None

        # The NAS goes down: one incident, one webhook. A new interval and name apply while it is down, and
        # neither its state nor its incident is lost or doubled.
        tree.set_answering(tree.c1, False)
        wait_for(lambda: listed(daemon)[CHILD1]["state"] == "down", BOUND + 2)
        earlier = daemon.get_json(f"/status/service/{CHILD1}/incidents")  # newest first; earlier runs' too
        incident = earlier[0]
        assert incident["up_detection"] is None
        slow = 2.0
        third = second.replace(f"{CHILD1} name=\"NAS\"", f"{CHILD1} name=\"Storage\" interval={slow}s")
        hosts.write(third)
        timings["rename and interval"] = within_effect(lambda: listed(daemon)[CHILD1]["name"] == "Storage")
        seen = set()
        deadline = time.time() + 3 * slow + 0.5
        while time.time() < deadline:
            seen.add(daemon.get_json(f"/status/service/{CHILD1}")["last_performed"])
            time.sleep(0.05)
        # The first values may be the old timer's: its last ping, and one still in flight when the new name showed
        # (it completes a timeout later). From the new timer's first on, pings are `slow` apart.
        times = sorted(seen)
        for _ in range(2):
            if len(times) > 2 and parse_time(times[1]) - parse_time(times[0]) < slow - 0.3:
                times = times[1:]
        gaps = [(parse_time(b) - parse_time(a)) for a, b in zip(times, times[1:])]
        assert len(gaps) >= 1 and all(gap > slow - 0.3 for gap in gaps), (sorted(seen), gaps)
        check = listed(daemon)[CHILD1]
        assert check["state"] == "down" and check["status"] is False
        incidents = daemon.get_json(f"/status/service/{CHILD1}/incidents")
        assert [i["id"] for i in incidents] == [i["id"] for i in earlier] and incidents[0]["up_detection"] is None

        # An error changes nothing and says where it is.
        bad = third + f"{CHILD2} parent=nowhere.test\n"
        before = listed(daemon)
        hosts.write(bad)
        timings["rejected"] = within_effect(
            lambda: (health_config(daemon)["last_reload"] or {}).get("result") == "rejected")
        reload = health_config(daemon)["last_reload"]
        assert reload["error"] == f"{hosts.path}:4: parent \"nowhere.test\" is not a host of this file", reload
        assert list(listed(daemon)) == list(before) and listed(daemon)[CHILD1]["name"] == "Storage"
        log = daemon.output()
        assert "event=config_rejected" in log and f"file={hosts.path} line=4" in log

        # Fixed: the host comes back with its old id, and the NAS recovers into the same incident.
        fixed = third + f"{CHILD2} parent={ROUTER}\n"
        hosts.write(fixed)
        timings["fixed"] = within_effect(lambda: (lambda c: CHILD2 in c and c[CHILD2]["state"] == "up")(listed(daemon)))
        assert listed(daemon)[CHILD2]["id"] == child2_id
        assert health_config(daemon)["last_reload"]["result"] == "applied"
        tree.set_answering(tree.c1, True)
        wait_for(lambda: listed(daemon)[CHILD1]["state"] == "up", slow + 2)
        incidents = daemon.get_json(f"/status/service/{CHILD1}/incidents")
        assert [i["id"] for i in incidents] == [i["id"] for i in earlier] and incidents[0]["up_detection"] is not None
        wait_for(lambda: len(webhook_posts(tree_webhooks)) >= 2, 5)
        time.sleep(0.5)
        hooks = [json.loads(p["body"]) for p in webhook_posts(tree_webhooks)]
        assert [(h["event"], h["host"]) for h in hooks] == [("incident_opened", CHILD1), ("incident_closed", CHILD1)]
        print(f"{how}: " + ", ".join(f"{k} {v:.2f}s" for k, v in timings.items()))
    finally:
        tree.set_answering(tree.c1, True)
        daemon.stop()
        hosts.remove()
