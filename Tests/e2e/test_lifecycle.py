"""The daemon as a process: configuration errors, clean shutdown with connections open, ids that survive a
restart, and the unprivileged datagram ICMP socket when raw sockets are not permitted."""
import os
import secrets
import signal
import subprocess
import time

import pytest

from lab import Daemon, in_ns, sh


@pytest.mark.parametrize("env, variable", [
    ({}, "MONITORING_HOSTS"),
    ({"MONITORING_HOSTS": ""}, "MONITORING_HOSTS"),
    ({"MONITORING_HOSTS": "http://nas.lan"}, "MONITORING_HOSTS"),
    ({"MONITORING_HOSTS": "::1", "MONITORING_INTERVAL": "abc"}, "MONITORING_INTERVAL"),
    ({"MONITORING_HOSTS": "::1", "MONITORING_TIMEOUT": "1m"}, "MONITORING_TIMEOUT"),
    ({"MONITORING_HOSTS": "::1", "MONITORING_FAILURE_THRESHOLD": "0"}, "MONITORING_FAILURE_THRESHOLD"),
    ({"MONITORING_HOSTS": "::1", "LISTEN_ADDR": "nowhere"}, "LISTEN_ADDR"),
    ({"MONITORING_HOSTS": "::1", "MYSQL_PORT": "99999"}, "MYSQL_PORT"),
])
def test_a_bad_value_stops_startup_with_one_line_and_exit_code_2(binary, env, variable):
    result = subprocess.run([binary], env={"PATH": "/usr/bin:/bin", **env}, capture_output=True, text=True,
                            timeout=10)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and variable in lines[0], result.stderr


def test_sigterm_exits_0_within_5_seconds_with_connections_open(binary, lab, database):
    daemon = Daemon(binary, lab.mon, {"MONITORING_HOSTS": "127.0.0.1,::1,192.0.2.2", **database.env()}, 18081)
    holder = None
    try:
        daemon.wait_serving()
        here = os.path.dirname(os.path.abspath(__file__))
        holder = subprocess.Popen(["ip", "netns", "exec", lab.mon, "python3", f"{here}/hold_connections.py",
                                   "127.0.0.1", "18081"], stdout=subprocess.PIPE, text=True)
        assert holder.stdout.readline().strip() == "ready"
        start = time.time()
        daemon.process.send_signal(signal.SIGTERM)
        code = daemon.process.wait(timeout=10)
        elapsed = time.time() - start
        assert code == 0, daemon.output()
        assert elapsed < 5, f"took {elapsed:.2f}s"
    finally:
        if holder:
            holder.kill()
            holder.wait()
        daemon.stop(signal.SIGKILL)


def test_check_ids_are_stable_across_restarts(binary, lab, database):
    first = Daemon(binary, lab.mon, {"MONITORING_HOSTS": "127.0.0.1,::1", **database.env()}, 18082)
    try:
        first.wait_serving()
        ids = {c["domain"]: c["id"] for c in first.get_json("/status")}
    finally:
        assert first.stop() == 0
    second = Daemon(binary, lab.mon, {"MONITORING_HOSTS": "h1.test,::1,127.0.0.1", **database.env()}, 18082)
    try:
        second.wait_serving()
        again = {c["domain"]: c["id"] for c in second.get_json("/status")}
    finally:
        assert second.stop() == 0
    assert again["127.0.0.1"] == ids["127.0.0.1"] and again["::1"] == ids["::1"]
    assert again["h1.test"] not in ids.values()


def test_raw_sockets_are_used_when_permitted(binary, lab, database):
    daemon = Daemon(binary, lab.mon, {"MONITORING_HOSTS": "127.0.0.1,::1", "MONITORING_INTERVAL": "200ms",
                                      **database.env()}, 18083)
    try:
        daemon.wait_serving()
        time.sleep(1)
        assert all(c["status"] and c["last_performed"] for c in daemon.get_json("/status"))
        log = daemon.output()
        assert "event=icmp_socket family=ipv4 mode=raw" in log, log
        assert "event=icmp_socket family=ipv6 mode=raw" in log, log
    finally:
        daemon.stop()


@pytest.fixture
def unprivileged_ping_namespace():
    ns = f"st{secrets.token_hex(2)}dg"
    sh("ip", "netns", "add", ns)
    try:
        in_ns(ns, "ip", "link", "set", "lo", "up")
        in_ns(ns, "sysctl", "-qw", "net.ipv4.ping_group_range=0 2147483647")
        yield ns
    finally:
        sh("ip", "netns", "del", ns, check=False)


def test_datagram_sockets_are_used_when_raw_is_not_permitted(binary, database, unprivileged_ping_namespace):
    no_raw = ["setpriv", "--bounding-set=-net_raw", "--inh-caps=-net_raw", "--"]
    daemon = Daemon(binary, unprivileged_ping_namespace,
                    {"MONITORING_HOSTS": "127.0.0.1,::1", "MONITORING_INTERVAL": "200ms", **database.env()},
                    18084, prefix=no_raw)
    try:
        daemon.wait_serving()
        time.sleep(1)
        checks = daemon.get_json("/status")
        assert all(c["status"] and c["last_performed"] and c["rtt_ms"] is not None for c in checks), checks
        log = daemon.output()
        assert "event=icmp_socket family=ipv4 mode=datagram" in log, log
        assert "event=icmp_socket family=ipv6 mode=datagram" in log, log
    finally:
        daemon.stop()
