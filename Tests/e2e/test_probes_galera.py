"""End to end: the three probes of test_probes.py against a 3-node MariaDB Galera cluster started by
scripts/galera-local, each probe on a different node first (MYSQL_HOSTS lists the three nodes' sockets, rotated:
the probes live in namespaces, where the nodes' loopback ports are not reachable). During an incident the node
office writes to is killed (SIGKILL); the host comes back while that node is away; then the node is started
again and rejoins. Nothing is lost or doubled (one incident, opened and closed, one webhook of each), and every
probe's API converges within 15 s of the kill and of the node's return."""
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

import pytest

from lab import Daemon, wait_for, webhook_posts, webhook_receiver
from probe_lab import HOST, PROBES, ProbeLab

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "scripts", "galera-local")
PORT = 18320
RECEIVER_PORT = 18329
DATABASE = "status_e2e_galera"


class Galera:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="status-galera-")

    def run(self, *args):
        return subprocess.run([SCRIPT, args[0], self.dir, *args[1:]], check=True, capture_output=True, text=True,
                              timeout=300).stdout

    def socket(self, node):
        return os.path.join(self.dir, f"node{node}", "mysqld.sock")

    def sql(self, query, node=1):
        result = subprocess.run(["mariadb", f"--socket={self.socket(node)}", "-uroot", "-N", "-B", "-e", query, DATABASE],
                                capture_output=True, text=True, check=True)
        return [line.split("\t") for line in result.stdout.splitlines()]

    def pid(self, node):
        return int(self.run("pid", str(node)).strip())


@pytest.fixture(scope="module")
def galera():
    cluster = Galera()
    try:
        cluster.run("start")
        subprocess.run(["mariadb", f"--socket={cluster.socket(1)}", "-uroot", "-e",
                        f"CREATE DATABASE IF NOT EXISTS {DATABASE}"], check=True)
        yield cluster
    finally:
        subprocess.run([SCRIPT, "stop", cluster.dir], capture_output=True, timeout=120)
        shutil.rmtree(cluster.dir, ignore_errors=True)


@pytest.fixture(scope="module")
def probe_lab():
    network = ProbeLab().up()
    yield network
    network.down()


def start_probe(binary, probe_lab, galera, index, name):
    nodes = [1, 2, 3][index:] + [1, 2, 3][:index]  # home → node 1 first, office → node 2, lab → node 3
    env = {"MONITORING_HOSTS": HOST, "MONITORING_INTERVAL": "500ms", "MONITORING_TIMEOUT": "400ms",
           "MONITORING_FAILURE_THRESHOLD": "2", "PROBE_NAME": name, "LOG_LEVEL": "debug",
           "WEBHOOK_URL": f"http://{HOST}:{RECEIVER_PORT}/hook",
           "MYSQL_HOSTS": ",".join(galera.socket(n) for n in nodes), "MYSQL_USER": "status",
           "MYSQL_PASSWORD": "status", "MYSQL_DATABASE": DATABASE}
    daemon = Daemon(binary, probe_lab.probe_ns[name], env, PORT)
    daemon.wait_serving()
    return daemon


def check(daemon):
    return daemon.get_json(f"/status/service/{HOST}")


def delivered(outfile, event):
    bodies = [json.loads(p["body"]) for p in webhook_posts(outfile) if p["answer"] == 200]
    return [b for b in bodies if b["event"] == event]


def test_probes_on_three_galera_nodes_lose_nothing_when_a_node_is_killed(binary, probe_lab, galera):
    with webhook_receiver(probe_lab.h, RECEIVER_PORT, address=HOST) as outfile:
        daemons = {name: start_probe(binary, probe_lab, galera, i, name) for i, name in enumerate(PROBES)}
        try:
            wait_for(lambda: all(len(check(d).get("probes", [])) == 3 and check(d)["status"] for d in daemons.values()), 30)
            connected = {n: galera.sql("SELECT COUNT(*) FROM information_schema.processlist WHERE user = 'status'", n)[0][0]
                         for n in (1, 2, 3)}
            assert all(int(count) > 0 for count in connected.values()), f"every node has a probe: {connected}"

            probe_lab.hide_from("home", "office")
            wait_for(lambda: all(check(d)["status"] is False for d in daemons.values()), 15)

            # Kill the node office writes to, during the incident; the host answers again meanwhile.
            os.kill(galera.pid(2), signal.SIGKILL)
            killed = time.time()
            probe_lab.hide_from()
            _, after_kill = wait_for(lambda: all(check(d)["status"] is True and check(d).get("view") == "consensus"
                                                 for d in daemons.values()), 15)
            print(f"\nevery probe's API agreed the host is up {after_kill:.1f} s after node 2 was killed")

            galera.run("start-node", "2")
            back = time.time()
            # Every node has the same incidents again, and every probe still agrees.
            def same_everywhere():
                rows = [galera.sql("SELECT id, down_detection, up_detection FROM incidents ORDER BY id", n) for n in (1, 2, 3)]
                return rows[0] == rows[1] == rows[2] and all(check(d)["status"] is True for d in daemons.values())
            _, after_back = wait_for(same_everywhere, 15)
            print(f"node 2 rejoined; nodes and probes agree {time.time() - back:.1f} s after it was synced")

            rows = galera.sql("SELECT id, description, up_detection IS NOT NULL FROM incidents")
            assert len(rows) == 1 and rows[0][2] == "1", rows
            assert re.search(r"at (home and office|office and home); lab still answered", rows[0][1]), rows
            wait_for(lambda: delivered(outfile, "incident_closed"), 30)
            time.sleep(3)
            outbox = galera.sql("SELECT event, sent_at IS NOT NULL, claimed_by, attempts FROM notification_outbox ORDER BY id")
            posts = [(p["answer"], p["body"]) for p in webhook_posts(outfile)]
            assert len(delivered(outfile, "incident_opened")) == 1, (posts, outbox)
            assert len(delivered(outfile, "incident_closed")) == 1, (posts, outbox)
            assert [row[:2] for row in outbox] == [["opened", "1"], ["closed", "1"]], outbox
            assert time.time() - killed < 120
        finally:
            for daemon in daemons.values():
                daemon.stop()
