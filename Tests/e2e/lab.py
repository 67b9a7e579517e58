"""The end-to-end tests' network: test hosts in network namespaces this test run creates, and the daemon.

Topology (documentation addresses only; everything is deleted at the end):

    [mon]  the daemon's namespace; lo has 127.0.0.1 and ::1; /etc/netns/<mon>/hosts maps h1.test
      |-- veth 192.0.2.1/25, 2001:db8:1::1/64 ----- [h1] 192.0.2.2/25, 2001:db8:1::2/64   a host we take down
      |                                              (192.0.2.99 on that link has no host: ARP fails)
      `-- veth 192.0.2.129/30 --------------------- [rt] 192.0.2.130/30, a router with
          route 198.51.100.0/24 via 192.0.2.130          `ip route add unreachable 198.51.100.0/24`
"""
import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time


def sh(*args, check=True, **kwargs):
    return subprocess.run(list(args), check=check, capture_output=True, text=True, **kwargs)


def in_ns(ns, *args, check=True):
    return sh("ip", "netns", "exec", ns, *args, check=check)


class NamespaceLab:
    """Network namespaces named st<tag><name> (a random tag per run): `up` creates them and what `_build` adds,
    deleting everything if a step fails; `down` deletes them."""

    def __init__(self, *names):
        self.tag = secrets.token_hex(2)
        self.namespaces = [f"st{self.tag}{name}" for name in names]

    def up(self):
        try:
            for ns in self.namespaces:
                sh("ip", "netns", "add", ns)
                in_ns(ns, "ip", "link", "set", "lo", "up")
            self._build()
        except Exception:
            self.down()
            raise
        return self

    def _build(self):
        pass

    def _link(self, a, ns_a, b, ns_b, address_a=None, address_b=None):
        """A veth pair from `ns_a` to `ns_b`, up, with an IPv4 address on each end when given."""
        sh("ip", "link", "add", a, "type", "veth", "peer", "name", b)
        sh("ip", "link", "set", a, "netns", ns_a)
        sh("ip", "link", "set", b, "netns", ns_b)
        for ns, name, address in ((ns_a, a, address_a), (ns_b, b, address_b)):
            if address:
                in_ns(ns, "ip", "addr", "add", address, "dev", name)
            in_ns(ns, "ip", "link", "set", name, "up")

    def down(self):
        for ns in self.namespaces:
            sh("ip", "netns", "del", ns, check=False)


class Lab(NamespaceLab):
    def __init__(self):
        super().__init__("mon", "h1", "rt")
        self.mon, self.h1, self.rt = self.namespaces
        self.etc = f"/etc/netns/{self.mon}"

    def _build(self):
        t = self.tag
        self._link(f"v{t}h1a", self.mon, f"v{t}h1b", self.h1)
        in_ns(self.mon, "ip", "addr", "add", "192.0.2.1/25", "dev", f"v{t}h1a")
        in_ns(self.h1, "ip", "addr", "add", "192.0.2.2/25", "dev", f"v{t}h1b")
        in_ns(self.mon, "ip", "-6", "addr", "add", "2001:db8:1::1/64", "dev", f"v{t}h1a", "nodad")
        in_ns(self.h1, "ip", "-6", "addr", "add", "2001:db8:1::2/64", "dev", f"v{t}h1b", "nodad")
        self._link(f"v{t}rta", self.mon, f"v{t}rtb", self.rt)
        in_ns(self.mon, "ip", "addr", "add", "192.0.2.129/30", "dev", f"v{t}rta")
        in_ns(self.rt, "ip", "addr", "add", "192.0.2.130/30", "dev", f"v{t}rtb")
        in_ns(self.mon, "ip", "route", "add", "198.51.100.0/24", "via", "192.0.2.130")
        in_ns(self.rt, "sysctl", "-qw", "net.ipv4.ip_forward=1")
        in_ns(self.rt, "sysctl", "-qw", "net.ipv4.icmp_ratelimit=0")
        in_ns(self.rt, "ip", "route", "add", "unreachable", "198.51.100.0/24")
        os.makedirs(self.etc, exist_ok=True)
        with open(f"{self.etc}/hosts", "w") as f:
            f.write("127.0.0.1 localhost\n::1 localhost ip6-localhost\n192.0.2.2 h1.test\n")
        # No real DNS server is ever asked: names not in hosts go to 127.0.0.1:53 in [mon], where nothing listens.
        with open(f"{self.etc}/resolv.conf", "w") as f:
            f.write("nameserver 127.0.0.1\noptions timeout:1 attempts:1\n")

    def set_h1_answering(self, answering):
        value = "0" if answering else "1"
        in_ns(self.h1, "sysctl", "-qw", f"net.ipv4.icmp_echo_ignore_all={value}")
        in_ns(self.h1, "sysctl", "-qw", f"net.ipv6.icmp.echo_ignore_all={value}")

    def down(self):
        super().down()
        shutil.rmtree(self.etc, ignore_errors=True)


class Endpoint:
    """The daemon's HTTP port inside a namespace, asked with one request per connection."""

    def __init__(self, ns, port):
        self.ns, self.port = ns, port

    def raw(self, data: bytes, host="127.0.0.1") -> bytes:
        here = os.path.dirname(os.path.abspath(__file__))
        result = subprocess.run(["ip", "netns", "exec", self.ns, "python3", f"{here}/http_probe.py", host,
                                 str(self.port)], input=data, capture_output=True, timeout=15)
        if result.returncode != 0:
            raise AssertionError(f"probe failed: {result.stderr.decode(errors='replace')}")
        return result.stdout

    def request(self, method, path, headers=None, host="127.0.0.1"):
        """One request with Connection: close; returns (status, headers dict lower-cased, body bytes)."""
        lines = [f"{method} {path} HTTP/1.1", "Host: status.test", "Connection: close"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        raw = ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8", "surrogateescape")
        return parse_response(self.raw(raw, host))

    def get_json(self, path):
        import json
        status, headers, body = self.request("GET", path)
        assert status == 200, (path, status, body)
        assert headers["content-type"] == "application/json; charset=utf-8"
        return json.loads(body)


class Daemon(Endpoint):
    """One `status` process, started with the contract's variables inside a namespace."""

    def __init__(self, binary, ns, env, port, prefix=()):
        super().__init__(ns, port)
        self.log_path = f"/tmp/status-e2e-{ns}-{port}.log"
        self.log = open(self.log_path, "w")
        full_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LISTEN_ADDR": f"0.0.0.0:{port}", **env}
        self.own_state_dir = None
        if "STATE_DIR" not in full_env:
            self.own_state_dir = tempfile.mkdtemp(prefix="status-e2e-state-")
            os.chmod(self.own_state_dir, 0o777)  # some tests run the daemon as another user
            full_env["STATE_DIR"] = self.own_state_dir
        self.process = subprocess.Popen(["ip", "netns", "exec", ns, *prefix, binary], env=full_env,
                                        stdout=self.log, stderr=subprocess.STDOUT)

    def wait_serving(self, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"daemon exited with {self.process.returncode}:\n{self.output()}")
            try:
                status, _, _ = self.request("GET", "/status")
                if status == 200:
                    return
            except (AssertionError, ValueError):
                pass
            time.sleep(0.2)
        raise AssertionError(f"daemon not serving after {timeout}s:\n{self.output()}")

    def output(self):
        if not self.log.closed:
            self.log.flush()
        with open(self.log_path) as f:
            return f.read()

    def stop(self, sig=signal.SIGTERM, timeout=10):
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        if self.own_state_dir:
            shutil.rmtree(self.own_state_dir, ignore_errors=True)
        return self.process.returncode


def parse_response(raw: bytes):
    head, _, body = raw.partition(b"\r\n\r\n")
    if not head:
        raise ValueError("empty response")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, body


def wait_for(predicate, timeout, step=0.1):
    """Polls until predicate() is truthy; returns (value, seconds waited) or fails after timeout."""
    start = time.time()
    while True:
        value = predicate()
        if value:
            return value, time.time() - start
        if time.time() - start > timeout:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(step)


@contextlib.contextmanager
def webhook_receiver(ns, port, address="127.0.0.1"):
    """Runs webhook_receiver.py on `address`:`port` inside `ns`; yields the JSON-lines file it appends POSTs to."""
    here = os.path.dirname(os.path.abspath(__file__))
    outfile = tempfile.NamedTemporaryFile(prefix="status-e2e-webhooks-", suffix=".jsonl", delete=False).name
    process = subprocess.Popen(["ip", "netns", "exec", ns, sys.executable, f"{here}/webhook_receiver.py", str(port),
                                outfile, address])
    time.sleep(0.5)
    try:
        yield outfile
    finally:
        process.terminate()
        process.wait(5)
        os.unlink(outfile)


def webhook_posts(outfile):
    """Every POST the receiver got so far: path, answer, headers and body."""
    with open(outfile) as f:
        return [json.loads(line) for line in f if line.strip()]
