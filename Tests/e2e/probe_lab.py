"""Three probes' network for the probes test: each probe's namespace has its own link to the test host's, so a
rule on the host's side can hide the host from one probe and not the others (documentation addresses only).

    [home]   192.0.2.5/30  ----- 192.0.2.6/30  [h]   198.51.100.10/32 on lo: the host the probes watch, and
    [office] 192.0.2.9/30  ----- 192.0.2.10/30  |     a webhook receiver on 198.51.100.10 (TCP still passes
    [lab]    192.0.2.13/30 ----- 192.0.2.14/30  |     when the host ignores one probe's pings)
    each probe routes 198.51.100.0/24 via its link's far end; 198.51.100.1/32 on h's lo too: a "router" a
    host file can make the host's parent (hidden with it)
"""
from lab import NamespaceLab, in_ns

HOST = "198.51.100.10"
ROUTER = "198.51.100.1"
PROBES = ("home", "office", "lab")
NFT_TABLE = "status_probes_test"


class ProbeLab(NamespaceLab):
    def __init__(self):
        super().__init__(*PROBES, "h")
        self.probe_ns = dict(zip(PROBES, self.namespaces[:3]))
        self.h = self.namespaces[3]
        self.links = {}

    def _build(self):
        t = self.tag
        in_ns(self.h, "ip", "addr", "add", f"{HOST}/32", "dev", "lo")
        in_ns(self.h, "ip", "addr", "add", f"{ROUTER}/32", "dev", "lo")
        in_ns(self.h, "sysctl", "-qw", "net.ipv4.icmp_ratelimit=0")
        for index, probe in enumerate(PROBES):
            near, far = f"192.0.2.{4 * index + 5}/30", f"192.0.2.{4 * index + 6}/30"
            a, b = f"v{t}{probe[:2]}a", f"v{t}{probe[:2]}b"
            self._link(a, self.probe_ns[probe], b, self.h, near, far)
            in_ns(self.probe_ns[probe], "ip", "route", "add", "198.51.100.0/24", "via", far.split("/")[0])
            self.links[probe] = b
        in_ns(self.h, "nft", "add", "table", "inet", NFT_TABLE)
        in_ns(self.h, "nft", "add", "chain", "inet", NFT_TABLE, "input",
              "{ type filter hook input priority 0 ; policy accept ; }")

    def hide_from(self, *probes):
        """The host ignores the pings that come from these probes' links (and answers the others')."""
        in_ns(self.h, "nft", "flush", "chain", "inet", NFT_TABLE, "input")
        for probe in probes:
            in_ns(self.h, "nft", "add", "rule", "inet", NFT_TABLE, "input", "iifname", self.links[probe],
                  "icmp", "type", "echo-request", "drop")
