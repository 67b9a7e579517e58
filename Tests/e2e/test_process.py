"""End to end: the daemon as a process on the machine. Its threads carry the names the README gives, a port that is
already in use is a start-up error naming LISTEN_ADDR, and a stdout nobody reads (a stuck log driver, a paused
terminal) stalls neither the pinging nor the HTTP server."""
import fcntl
import json
import os
import socket
import subprocess
import tempfile
import time

from lab import Daemon, Endpoint, wait_for

F_SETPIPE_SZ = 1031


def test_threads_are_named_as_the_readme_says(binary, lab, database):
    daemon = Daemon(binary, lab.mon, {"MONITORING_HOSTS": "127.0.0.1", **database.env()}, 18091)
    try:
        daemon.wait_serving()
        pid = daemon.process.pid
        names = []
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/comm") as f:
                names.append(f.read().strip())
        loops = min(os.cpu_count() or 1, 16)
        expected = {f"status-http-{n}" for n in range(loops)} | {"status-log", "status-database", "status-files",
                                                                   "status-history"}
        assert expected <= set(names), names
        assert sum(1 for name in names if name.startswith("status-http-")) == loops, names
        print(f"\nfigure: threads {sorted(names)}")
    finally:
        assert daemon.stop() == 0


def test_a_port_in_use_names_listen_addr_and_exits_2(binary, lab, database):
    holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    port = holder.getsockname()[1]
    try:
        with tempfile.TemporaryDirectory(prefix="status-e2e-port-") as state:
            env = {"PATH": "/usr/bin:/bin", "MONITORING_HOSTS": "127.0.0.1", "LISTEN_ADDR": f"127.0.0.1:{port}",
                   "STATE_DIR": state, **database.env()}
            result = subprocess.run([binary], env=env, capture_output=True, text=True, timeout=20)
    finally:
        holder.close()
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "LISTEN_ADDR" in lines[0] and "Address already in use" in lines[0], result.stderr
    assert "event=startup_failed" in result.stdout, result.stdout
    print(f"\nfigure: {lines[0]}")


def test_a_stdout_nobody_reads_stalls_neither_pinging_nor_http(binary, lab, database):
    """200 names that do not resolve log two lines each at once (resolve_failed, host_down), far more than the
    4 KiB pipe takes; nobody reads it for 30 s. Pings and answers must go on the whole time."""
    names = [f"n{n}.invalid" for n in range(200)]
    read_end, write_end = os.pipe()
    fcntl.fcntl(write_end, F_SETPIPE_SZ, 4096)
    state = tempfile.mkdtemp(prefix="status-e2e-stdout-")
    env = {"PATH": "/usr/bin:/bin", "MONITORING_HOSTS": ",".join(["127.0.0.1"] + names), "MONITORING_INTERVAL": "500ms",
           "LISTEN_ADDR": "0.0.0.0:18092", "STATE_DIR": state, **database.env()}
    process = subprocess.Popen(["ip", "netns", "exec", lab.mon, binary], env=env, stdout=write_end,
                               stderr=subprocess.DEVNULL)
    os.close(write_end)
    probe = Endpoint(lab.mon, 18092)
    try:
        wait_for(lambda: try_status(probe), 30)
        seen = []
        deadline = time.time() + 30
        while time.time() < deadline:
            assert process.poll() is None, "the daemon exited"
            checks = try_status(probe)
            assert checks, "/status did not answer"
            seen.append(checks[0]["last_performed"])
            _, _, health = probe.request("GET", "/healthz")
            assert json.loads(health)["pinging"], health
            time.sleep(1)
        times = [t for t in seen if t]
        stalled = [(a, b) for a, b in zip(times, times[1:]) if b <= a]
        assert len(times) >= 15 and not stalled, f"127.0.0.1's last_performed stopped moving: {seen}"
        print(f"\nfigure: stdout unread for 30 s: last_performed moved at each of {len(times)} polls")
    finally:
        process.terminate()
        output = drain(read_end, timeout=10)
        process.wait(timeout=10)
        os.close(read_end)
        subprocess.run(["rm", "-rf", state])
    lines = output.decode(errors="replace").splitlines()
    assert sum(" event=host_down " in line for line in lines) == len(names), "every line written once stdout drained"
    assert lines[-1].endswith("event=stopped"), lines[-3:]


def try_status(daemon):
    try:
        status, _, body = daemon.request("GET", "/status")
        return json.loads(body) if status == 200 else None
    except (AssertionError, ValueError):
        return None


def drain(fd, timeout):
    """Everything written to the pipe until the writer closes it (or `timeout` seconds)."""
    os.set_blocking(fd, False)
    data = b""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            time.sleep(0.05)
            continue
        if not chunk:
            break
        data += chunk
    return data
