"""Issue 3's hostile clients against the real daemon: slowloris, connection churn and a client that never
reads. The daemon must keep answering a normal client quickly and its memory must stay near its idle figure."""
import json
import os
import subprocess
import time

import pytest

from lab import Daemon

HERE = os.path.dirname(os.path.abspath(__file__))
PORT = 18085


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


@pytest.fixture(scope="module")
def daemon(binary, lab, database):
    hosts = ",".join(f"127.0.0.{i}" for i in range(1, 101))
    process = Daemon(binary, lab.mon, {"MONITORING_HOSTS": hosts, "MONITORING_INTERVAL": "1s", **database.env()}, PORT)
    try:
        process.wait_serving()
        yield process
    finally:
        process.stop()


def run_clients(daemon, mode, seconds):
    """Runs the hostile clients; returns their figures and the daemon's peak RSS (KiB) sampled every 0.1 s."""
    clients = subprocess.Popen(["ip", "netns", "exec", daemon.ns, "python3", f"{HERE}/hostile_clients.py",
                                str(PORT), mode, str(seconds)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    peak, deadline = 0, time.monotonic() + seconds + 120
    while clients.poll() is None and time.monotonic() < deadline:
        peak = max(peak, rss_kib(daemon.process.pid))
        time.sleep(0.1)
    if clients.poll() is None:
        clients.kill()
    out, err = clients.communicate()
    assert clients.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1]), peak


@pytest.mark.parametrize("mode, seconds", [("slowloris", 30), ("churn", 0), ("flood", 10)])
def test_hostile_clients_neither_stall_others_nor_grow_memory(daemon, mode, seconds):
    idle = rss_kib(daemon.process.pid)
    figures, peak = run_clients(daemon, mode, seconds)
    print(f"\nfigure: {mode}: {figures}, RSS idle {idle / 1024:.1f} MiB, peak {peak / 1024:.1f} MiB")
    assert peak - idle < 20 * 1024, f"RSS grew by {(peak - idle) / 1024:.1f} MiB"
    if mode in ("slowloris", "flood"):
        assert figures["max_ms"] < 100, figures
    assert daemon.get_json("/status")
