"""Helpers of the fault-injection tests (test_nothing_lost.py): a MariaDB of their own, stopped and started by PID,
the daemon started against it, what the daemons logged, a poller of the API, convergence, and the report file."""
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time

from conftest import ROOT
from lab import Daemon

H1 = "192.0.2.2"
REPORT = os.environ.get("STATUS_FAULT_REPORT", "/tmp/status-fault-report.txt")
FAST = {"MONITORING_INTERVAL": "200ms", "MONITORING_TIMEOUT": "150ms", "MONITORING_FAILURE_THRESHOLD": "2",
        "MONITORING_RECOVERY_THRESHOLD": "1", "LOG_LEVEL": "info"}


class PrivateMariaDB:
    """A MariaDB server in a temporary folder, for this module only, so stopping it disturbs no other test."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="status-fault-db-")

    def _script(self, command):
        subprocess.run([os.path.join(ROOT, "scripts", "mariadb-local"), command, self.dir], check=True,
                       capture_output=True, text=True)

    def start(self):
        self._script("start")

    def stop(self):
        self._script("stop")

    def remove(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def env(self):
        return {"MYSQL_UNIX_SOCKET": os.path.join(self.dir, "mysqld.sock"), "MYSQL_USER": "status",
                "MYSQL_PASSWORD": "status", "MYSQL_DATABASE": self.database}

    def sql(self, query):
        result = subprocess.run(["mariadb", f"--socket={self.dir}/mysqld.sock", "-uroot", "-N", "-B", "-e", query,
                                 self.database], capture_output=True, text=True, check=True)
        return [line.split("\t") for line in result.stdout.splitlines()]

    def fresh_database(self, name):
        self.database = "mysql"
        self.sql(f"DROP DATABASE IF EXISTS `{name}`")
        self.sql(f"CREATE DATABASE `{name}`")
        self.sql(f"GRANT ALL ON `{name}`.* TO 'status'@'localhost'")
        self.database = name

    def incidents(self, domain):
        """(id, down, up) of the domain's incidents, times as RFC 3339 with milliseconds, oldest first; none while
        the daemon has not created its tables yet (a fresh database it has not reached)."""
        if not self.sql("SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() "
                        "AND table_name IN ('incidents', 'checks') HAVING COUNT(*) = 2"):
            return []
        rows = self.sql(
            "SELECT i.id, DATE_FORMAT(i.down_detection, '%Y-%m-%dT%H:%i:%s.%f'), "
            "IFNULL(DATE_FORMAT(i.up_detection, '%Y-%m-%dT%H:%i:%s.%f'), 'NULL') "
            f"FROM incidents i JOIN checks c ON c.id = i.check_id WHERE c.domain = '{domain}' ORDER BY i.id")
        return [(int(r[0]), r[1][:23] + "Z", None if r[2] == "NULL" else r[2][:23] + "Z") for r in rows]


def start_daemon(binary, lab, mariadb, state, port):
    daemon = Daemon(binary, lab.mon, {"MONITORING_HOSTS": f"{H1},127.0.0.1", "STATE_DIR": state, **FAST,
                                      **mariadb.env()}, port)
    daemon.wait_serving()
    return daemon


def wait_for(condition, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def h1_state(daemon):
    return next(c for c in daemon.get_json("/status") if c["domain"] == H1)


def logged_incidents(*logs):
    """The incidents the daemons logged, in order: [down, up or None] per outage of h1."""
    outages = []
    for text in logs:
        for event, since in re.findall(rf"event=(host_down|host_up) host={re.escape(H1)} since=(\S+)", text):
            if event == "host_down":
                outages.append([since, None])
            elif outages and outages[-1][1] is None:
                outages[-1][1] = since
    return [tuple(o) for o in outages]


class Poller:
    """GETs /status every 0.2 s in the background and remembers every answer that was not a 200."""

    def __init__(self, daemon):
        self.daemon, self.failures, self.count = daemon, [], 0
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stopped.is_set():
            try:
                status, _, _ = self.daemon.request("GET", "/status")
            except Exception as error:  # noqa: BLE001 - any failure to answer counts
                status = repr(error)
            self.count += 1
            if status != 200:
                self.failures.append(status)
            time.sleep(0.2)

    def stop(self):
        self.stopped.set()
        self.thread.join(5)
        return self.failures


def converge(mariadb, expected, started):
    """Waits until the database holds exactly the expected incidents, failing 15 s after `started` (taken before
    MariaDB was started, so its boot counts too); returns the seconds it took and the counts of incidents lost and
    duplicated."""
    def matches():
        rows = mariadb.incidents(H1)
        return [(down, up) for _, down, up in rows] == expected
    try:
        wait_for(matches, max(0.1, started + 15 - time.time()), f"the database to hold {expected} within 15 s")
    finally:
        rows = [(down, up) for _, down, up in mariadb.incidents(H1)]
    lost = sum(1 for incident in expected if incident not in rows)
    duplicated = sum(rows.count(incident) - 1 for incident in expected if rows.count(incident) > 1)
    duplicated += sum(1 for row in rows if row not in expected)
    return time.time() - started, lost, duplicated


def report(case, seconds, lost, duplicated, since="MariaDB was started (its own boot included)"):
    with open(REPORT, "a") as f:
        f.write(f"{case}: converged {seconds:.1f} s after {since}; incidents lost {lost}, duplicated {duplicated}\n")


