"""The end-to-end tests' small home network: a router with two hosts behind it and one host beside it, each in
a network namespace this test run creates (documentation addresses only; everything is deleted at the end).

    [mon]  the daemon's namespace
      |-- veth 192.0.2.65/30 ---- [rt] 192.0.2.66/30, forwards to the hosts behind it
      |                             |-- veth 198.51.100.1/30 ---- [c1] 198.51.100.2/30
      |                             `-- veth 198.51.100.5/30 ---- [c2] 198.51.100.6/30
      `-- veth 192.0.2.69/30 ---- [side] 192.0.2.70/30

"The router stops answering" is the router ignoring echoes and no longer forwarding: the hosts behind it go
silent with it, as behind a dead home router.
"""
from lab import NamespaceLab, in_ns

ROUTER, CHILD1, CHILD2, SIDE = "192.0.2.66", "198.51.100.2", "198.51.100.6", "192.0.2.70"


class TreeLab(NamespaceLab):
    def __init__(self):
        super().__init__("mon", "rt", "c1", "c2", "sd")
        self.mon, self.rt, self.c1, self.c2, self.side = self.namespaces

    def _build(self):
        t = self.tag
        self._link(f"v{t}ra", self.mon, f"v{t}rb", self.rt, "192.0.2.65/30", "192.0.2.66/30")
        self._link(f"v{t}sa", self.mon, f"v{t}sb", self.side, "192.0.2.69/30", "192.0.2.70/30")
        self._link(f"v{t}1a", self.rt, f"v{t}1b", self.c1, "198.51.100.1/30", "198.51.100.2/30")
        self._link(f"v{t}2a", self.rt, f"v{t}2b", self.c2, "198.51.100.5/30", "198.51.100.6/30")
        in_ns(self.mon, "ip", "route", "add", "198.51.100.0/24", "via", ROUTER)
        in_ns(self.c1, "ip", "route", "add", "default", "via", "198.51.100.1")
        in_ns(self.c2, "ip", "route", "add", "default", "via", "198.51.100.5")
        self.set_router_answering(True)

    def set_router_answering(self, answering):
        """Stopping, the router ignores echoes before it stops forwarding: no host behind it goes silent while
        the router still answers, which would make that host's outage its own (down, notified)."""
        if not answering:
            self.set_answering(self.rt, False)
        in_ns(self.rt, "sysctl", "-qw", f"net.ipv4.ip_forward={1 if answering else 0}")
        if answering:
            self.set_answering(self.rt, True)

    def set_answering(self, ns, answering):
        in_ns(ns, "sysctl", "-qw", f"net.ipv4.icmp_echo_ignore_all={0 if answering else 1}")
