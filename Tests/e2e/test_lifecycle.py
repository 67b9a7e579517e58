"""The daemon as a process: configuration errors, clean shutdown with connections open, ids that survive a
restart, and the unprivileged datagram ICMP socket when raw sockets are not permitted."""
import os
import signal
import subprocess
import time

import pytest

from lab import Daemon, in_ns


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
        print(f"\nfigure: SIGTERM with 3 connections open: exit {code} after {elapsed:.2f}s")
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


def test_datagram_sockets_are_used_when_raw_is_not_permitted(binary, lab, database):
    """Without CAP_NET_RAW the daemon falls back to datagram ICMP sockets (allowed by ping_group_range, set only
    inside our own namespace); replies still match, and ICMP errors arrive through the socket's error queue."""
    in_ns(lab.mon, "sysctl", "-qw", "net.ipv4.ping_group_range=0 2147483647")
    no_raw = ["setpriv", "--bounding-set=-net_raw", "--inh-caps=-net_raw", "--"]
    daemon = Daemon(binary, lab.mon,
                    {"MONITORING_HOSTS": "127.0.0.1,::1,192.0.2.2,2001:db8:1::2,198.51.100.7",
                     "MONITORING_INTERVAL": "200ms", "MONITORING_TIMEOUT": "150ms", **database.env()},
                    18084, prefix=no_raw)
    try:
        daemon.wait_serving()
        deadline = time.time() + 10
        while time.time() < deadline:
            checks = {c["domain"]: c for c in daemon.get_json("/status")}
            if all(c["last_performed"] for c in checks.values()) and not checks["198.51.100.7"]["status"]:
                break
            time.sleep(0.2)
        for domain in ["127.0.0.1", "::1", "192.0.2.2", "2001:db8:1::2"]:
            assert checks[domain]["status"] and checks[domain]["rtt_ms"] is not None, checks[domain]
        incidents = daemon.get_json("/status/service/198.51.100.7/incidents")
        assert [i["description"] for i in incidents] == ["host unreachable, reported by 192.0.2.130"]
        log = daemon.output()
        assert "event=icmp_socket family=ipv4 mode=datagram" in log, log
        assert "event=icmp_socket family=ipv6 mode=datagram" in log, log
    finally:
        daemon.stop()
        in_ns(lab.mon, "sysctl", "-qw", "net.ipv4.ping_group_range=1 0")


def test_the_healthcheck_subcommand_asks_the_running_daemon(binary, lab, database):
    """`status healthcheck` (docker's healthcheck, in an image without curl) exits 0 while the daemon answers
    /healthz with 200, and 1 when nothing answers on LISTEN_ADDR."""
    env = {"MONITORING_HOSTS": "127.0.0.1", "MONITORING_INTERVAL": "200ms", **database.env()}
    probe = ["ip", "netns", "exec", lab.mon, binary, "healthcheck"]
    full = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LISTEN_ADDR": "0.0.0.0:18085", **env}
    daemon = Daemon(binary, lab.mon, env, 18085)
    try:
        daemon.wait_serving()
        result = subprocess.run(probe, env=full, capture_output=True, text=True, timeout=10)
        assert result.returncode == 0, result.stdout + result.stderr
        assert '"status":"ok"' in result.stdout
    finally:
        daemon.stop()
    result = subprocess.run(probe, env=full, capture_output=True, text=True, timeout=10)
    assert result.returncode == 1 and "connect" in result.stdout, result.stdout
