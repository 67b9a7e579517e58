"""End to end: three probes (home, office, lab: daemons in three namespaces) over one MariaDB, watching one test
host that each reaches by its own link (probe_lab.py), so the host can be hidden from some probes only.

    hidden from home only        -> the host stays up (2 of 3 see it up); home's own view says down; no incident
    hidden from home and office  -> one incident, one webhook, its description names the probes
    shown again                  -> the incident closes, one webhook
    hidden again, and the probe that opened the incident is SIGKILLed while its webhook is held by the
    receiver                     -> another probe sends it after the 30 s lease, once
    lab killed                   -> it leaves the quorum within 3 x interval + 10 s, /status/probes says so,
                                    and no false down
    office stopped (SIGTERM)     -> it is not live at once

Every probe's webhooks go to one receiver in the host's namespace."""
import contextlib
import json
import re
import signal
import time

import pytest

from lab import Daemon, wait_for, webhook_posts, webhook_receiver
from probe_lab import HOST, PROBES, ProbeLab

PORT = 18310
RECEIVER_PORT = 18319
INTERVAL = 0.5
LIVENESS_S = 3 * INTERVAL + 10


@pytest.fixture(scope="module")
def probe_lab():
    network = ProbeLab().up()
    yield network
    network.down()


def start_probe(binary, probe_lab, database, name, hook, extra=None):
    env = {"MONITORING_HOSTS": HOST, "MONITORING_INTERVAL": f"{int(INTERVAL * 1000)}ms",
           "MONITORING_TIMEOUT": "400ms", "MONITORING_FAILURE_THRESHOLD": "2", "PROBE_NAME": name,
           "WEBHOOK_URL": f"http://{HOST}:{RECEIVER_PORT}/{hook}", "LOG_LEVEL": "info", **database.env(),
           **(extra or {})}
    daemon = Daemon(binary, probe_lab.probe_ns[name], env, PORT)
    daemon.wait_serving()
    return daemon


def check(daemon):
    return daemon.get_json(f"/status/service/{HOST}")


def own_view(daemon, name):
    views = {view["probe"]: view for view in check(daemon).get("probes", [])}
    return views.get(name)


def incidents(database):
    return database.sql("SELECT i.id, i.description, i.down_detection, i.up_detection FROM incidents i"
                        f" JOIN checks c ON c.id = i.check_id WHERE c.domain = '{HOST}' ORDER BY i.id")


def forget_earlier_tests(database):
    """The incidents, webhooks and views an earlier test of this module left (none when it runs alone)."""
    tables = {row[0] for row in database.sql("SHOW TABLES")}
    for table in ("notification_outbox", "incidents", "observations"):
        if table in tables:
            database.sql(f"DELETE FROM {table}")


@contextlib.contextmanager
def three_probes(binary, probe_lab, database, hook, extra=None):
    """The host shown to every probe, a receiver, and the three probes once each sees the other two; stops them.
    `extra`: more variables for some probes, by name."""
    forget_earlier_tests(database)
    probe_lab.hide_from()
    with webhook_receiver(probe_lab.h, RECEIVER_PORT, address=HOST) as outfile:
        daemons = {}
        try:
            for name in PROBES:
                daemons[name] = start_probe(binary, probe_lab, database, name, hook, (extra or {}).get(name))
            wait_for(lambda: all(len(check(d).get("probes", [])) == 3 for d in daemons.values()), 20)
            yield daemons, outfile
        finally:
            for daemon in daemons.values():
                daemon.stop()


def delivered(outfile, event, hook=None):
    posts = [p for p in webhook_posts(outfile) if p["answer"] == 200 and (hook is None or p["path"].endswith(hook))]
    return [json.loads(p["body"]) for p in posts if json.loads(p["body"])["event"] == event]


def test_three_probes_agree_on_one_incident_and_one_webhook(binary, probe_lab, database):
    with three_probes(binary, probe_lab, database, "hook") as (daemons, outfile):
        # Every probe sees the other two live and the host up, by consensus.
        def all_agree_up():
            for daemon in daemons.values():
                body = check(daemon)
                if body.get("view") != "consensus" or len(body.get("probes", [])) != 3 or not body["status"]:
                    return False
            return True
        wait_for(all_agree_up, 20)
        probes = daemons["home"].get_json("/status/probes")
        assert [p["name"] for p in probes] == sorted(PROBES) and all(p["live"] for p in probes), probes
        assert all(p["hosts"] == 1 for p in probes), probes

        # Hidden from home only: home's own view goes down, the host stays up everywhere.
        probe_lab.hide_from("home")
        wait_for(lambda: all(own_view(d, "home") and own_view(d, "home")["status"] is False
                             for d in daemons.values()), 15)
        time.sleep(3)
        for name, daemon in daemons.items():
            body = check(daemon)
            assert body["status"] is True and body["state"] == "up", (name, body)
        assert incidents(database) == []
        assert delivered(outfile, "incident_opened") == []

        # Hidden from home and office: one incident, its words name the probes, one webhook.
        probe_lab.hide_from("home", "office")
        wait_for(lambda: all(check(d)["status"] is False for d in daemons.values()), 15)
        rows = incidents(database)
        assert len(rows) == 1, rows
        description = rows[0][1]
        # The probes in the order they saw it go down: home was hidden first, but office may have noticed first.
        assert re.search(r"at (home and office|office and home); lab still answered", description), description
        for daemon in daemons.values():
            assert check(daemon)["down_since"] is not None
        wait_for(lambda: delivered(outfile, "incident_opened"), 15)
        time.sleep(3)  # any second webhook would have come by now
        opened = delivered(outfile, "incident_opened")
        assert len(opened) == 1 and opened[0]["host"] == HOST and opened[0]["cause"] == description, opened

        # Shown again: the incident closes, one webhook.
        probe_lab.hide_from()
        wait_for(lambda: all(check(d)["status"] is True for d in daemons.values()), 15)
        rows = incidents(database)
        assert len(rows) == 1 and rows[0][3] != "NULL", rows
        wait_for(lambda: delivered(outfile, "incident_closed"), 15)
        time.sleep(2)
        assert len(delivered(outfile, "incident_closed")) == 1
        assert len(delivered(outfile, "incident_opened")) == 1


def test_the_webhook_of_a_probe_killed_before_sending_it_arrives_once(binary, probe_lab, database):
    """The receiver holds the first POST on /hold for 4 s; the probe sending it is SIGKILLed meanwhile."""
    with three_probes(binary, probe_lab, database, "hold") as (daemons, outfile):
        probe_lab.hide_from("office", "lab")
        claimed, _ = wait_for(lambda: database.sql(
            "SELECT claimed_by FROM notification_outbox WHERE event = 'opened' AND claimed_by IS NOT NULL"), 15)
        sender = claimed[0][0]
        time.sleep(1)  # its POST is at the receiver now, held
        daemons[sender].process.send_signal(signal.SIGKILL)
        daemons[sender].process.wait(5)
        killed_at = time.time()
        # After the lease (30 s) another live probe claims the row and sends it.
        wait_for(lambda: delivered(outfile, "incident_opened"), 60)
        taken_over = time.time() - killed_at
        time.sleep(3)
        opened = delivered(outfile, "incident_opened")
        abandoned = [p for p in webhook_posts(outfile) if p["answer"] == "abandoned"]
        assert len(opened) == 1, webhook_posts(outfile)
        assert len(abandoned) == 1, "the killed probe's request reached the receiver and was never answered"
        rows = database.sql("SELECT claimed_by, sent_at IS NOT NULL FROM notification_outbox WHERE event = 'opened'")
        assert rows[0][0] != sender and rows[0][1] == "1", rows
        print(f"\nwebhook of the killed probe ({sender}) sent by {rows[0][0]} {taken_over:.1f} s after the kill")
        assert len(incidents(database)) == 1


def test_a_dead_probe_leaves_the_quorum_within_its_bound_and_takes_no_host_down(binary, probe_lab, database):
    with three_probes(binary, probe_lab, database, "hook") as (daemons, outfile):
        # home sees it down; office and lab up: up. Then lab stops: 1 of 2 live probes is no majority.
        probe_lab.hide_from("home")
        wait_for(lambda: own_view(daemons["office"], "home")["status"] is False, 15)
        daemons["lab"].process.send_signal(signal.SIGKILL)  # no goodbye: the others wait out its bound
        daemons["lab"].process.wait(5)
        stopped_at = time.time()
        _, waited = wait_for(lambda: not {p["name"]: p for p in daemons["home"].get_json("/status/probes")}["lab"]["live"],
                             LIVENESS_S + 5)
        left = time.time() - stopped_at
        assert left <= LIVENESS_S, left
        _, _ = wait_for(lambda: len(check(daemons["home"])["probes"]) == 2, 5)
        time.sleep(3)
        for name in ("home", "office"):
            body = check(daemons[name])
            assert body["status"] is True, (name, body)
        assert incidents(database) == []
        assert delivered(outfile, "incident_opened") == []
        print(f"\nlab left the quorum {left:.1f} s after it stopped (bound {LIVENESS_S:.1f} s)")
        # A probe stopped by SIGTERM says goodbye: it is not live at once.
        assert daemons["office"].stop() == 0
        wait_for(lambda: not {p["name"]: p for p in daemons["home"].get_json("/status/probes")}["office"]["live"], 3)
