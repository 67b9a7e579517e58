"""End to end: the daemon pings test hosts in namespaces, records incidents in the real MariaDB, and serves the
contract's four endpoints. Timing bounds are the contract's: down within failure_threshold × interval + timeout,
up within recovery_threshold × interval + timeout, plus under a second of scheduling slack."""
import datetime
import re
import time

import pytest

from lab import Daemon, wait_for

INTERVAL, TIMEOUT, FAILURES, RECOVERIES = 0.5, 0.3, 3, 2
SLACK = 1.0
HOSTS = ["192.0.2.2", "2001:db8:1::2", "h1.test", "198.51.100.7", "192.0.2.99", "nope.invalid", "127.0.0.1", "::1"]
RFC3339_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
PORT = 18080


def parse_time(text):
    assert RFC3339_Z.match(text), text
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()


@pytest.fixture(scope="module")
def daemon(binary, lab, database):
    env = {"MONITORING_HOSTS": ",".join(HOSTS), "MONITORING_INTERVAL": "500ms", "MONITORING_TIMEOUT": "300ms",
           "MONITORING_FAILURE_THRESHOLD": str(FAILURES), "MONITORING_RECOVERY_THRESHOLD": str(RECOVERIES),
           **database.env()}
    process = Daemon(binary, lab.mon, env, PORT)
    try:
        process.wait_serving()
        yield process
    finally:
        process.stop()



def down_domains(daemon):
    return {c["domain"] for c in daemon.get_json("/status/down")}


def test_status_lists_every_host_in_configuration_order_with_the_contract_fields(daemon):
    checks, _ = wait_for(lambda: [c for c in daemon.get_json("/status")]
                         if all(c["last_performed"] for c in daemon.get_json("/status")) else None, 10)
    assert [c["domain"] for c in checks] == HOSTS
    for check in checks:
        assert {"id", "domain", "last_performed", "status"} <= set(check)
        assert type(check["id"]) is int and type(check["status"]) is bool and type(check["domain"]) is str
        parse_time(check["last_performed"])
    assert len({c["id"] for c in checks}) == len(HOSTS)


def test_loopback_ipv4_and_ipv6_are_up_with_a_round_trip_time(daemon):
    for domain in ["127.0.0.1", "::1"]:
        check = daemon.get_json(f"/status/service/{domain}")
        assert check["status"] is True
        assert isinstance(check["rtt_ms"], float) and 0 < check["rtt_ms"] < 100
    assert daemon.get_json("/status/service/[::1]")["domain"] == "::1", "IPv6 literal with brackets"


def test_an_address_behind_an_unreachable_route_is_down_with_the_routers_icmp_error(daemon):
    wait_for(lambda: "198.51.100.7" in down_domains(daemon), FAILURES * INTERVAL + TIMEOUT + SLACK + 3)
    incidents = daemon.get_json("/status/service/198.51.100.7/incidents")
    assert len(incidents) == 1 and incidents[0]["up_detection"] is None
    assert incidents[0]["description"] == "host unreachable, reported by 192.0.2.130"


def test_an_address_with_no_host_on_the_local_network_is_down_with_the_kernels_host_unreachable(daemon):
    """ARP fails about 3 s after each ping, so the error comes after the ping timed out; it still names the cause
    of the one ongoing incident."""
    wait_for(lambda: "192.0.2.99" in down_domains(daemon), FAILURES * INTERVAL + TIMEOUT + SLACK + 1)
    _, waited = wait_for(lambda: [i for i in daemon.get_json("/status/service/192.0.2.99/incidents")
                                  if "unreachable" in i["description"]], 10)
    incidents = daemon.get_json("/status/service/192.0.2.99/incidents")
    assert len(incidents) == 1 and incidents[0]["up_detection"] is None
    assert incidents[0]["description"] == "host unreachable, reported by 192.0.2.1"
    print(f"\nfigure: dead local address: cause named {waited:.1f}s after it was listed down")


def test_a_name_that_does_not_resolve_is_down_with_a_dns_cause(daemon):
    wait_for(lambda: "nope.invalid" in down_domains(daemon), 15)
    incidents = daemon.get_json("/status/service/nope.invalid/incidents")
    assert len(incidents) == 1
    assert incidents[0]["description"].startswith("DNS lookup of nope.invalid failed: ")


def test_a_host_taken_down_is_listed_within_the_bound_and_recovers_with_one_incident_per_outage(daemon, lab,
                                                                                                 database):
    targets = ["192.0.2.2", "2001:db8:1::2", "h1.test"]
    wait_for(lambda: all(daemon.get_json(f"/status/service/{d}")["status"] for d in targets), 10)
    seen_ids = []
    for cycle in range(2):
        t_down = time.time()
        lab.set_h1_answering(False)
        _, waited = wait_for(lambda: set(targets) <= down_domains(daemon), FAILURES * INTERVAL + TIMEOUT + SLACK + 1)
        assert waited <= FAILURES * INTERVAL + TIMEOUT + SLACK, f"down after {waited:.2f}s"
        print(f"\nfigure: cycle {cycle + 1}: in /status/down {waited:.2f}s after the host stopped answering "
              f"(bound {FAILURES * INTERVAL + TIMEOUT:.1f}s + {SLACK:.0f}s slack)")
        for domain in targets:
            incidents = daemon.get_json(f"/status/service/{domain}/incidents")
            ongoing = [i for i in incidents if i["up_detection"] is None]
            assert len(ongoing) == 1, incidents
            down_at = parse_time(ongoing[0]["down_detection"])
            assert t_down - 0.05 <= down_at <= t_down + INTERVAL + 0.25, (down_at - t_down)
            print(f"figure: cycle {cycle + 1}: {domain} down_detection {down_at - t_down:+.3f}s from the change")
            assert ongoing[0]["description"] == f"no reply to {FAILURES} pings (timeout 300ms)"
            assert daemon.get_json(f"/status/service/{domain}")["status"] is False
        incident_id = daemon.get_json("/status/service/192.0.2.2/incidents")[0]["id"]

        t_up = time.time()
        lab.set_h1_answering(True)
        _, waited = wait_for(lambda: not (set(targets) & down_domains(daemon)),
                             RECOVERIES * INTERVAL + TIMEOUT + SLACK + 1)
        assert waited <= RECOVERIES * INTERVAL + TIMEOUT + SLACK, f"up after {waited:.2f}s"
        print(f"figure: cycle {cycle + 1}: out of /status/down {waited:.2f}s after the host answered again "
              f"(bound {RECOVERIES * INTERVAL + TIMEOUT:.1f}s + {SLACK:.0f}s slack)")
        newest = daemon.get_json("/status/service/192.0.2.2/incidents")[0]
        assert newest["id"] == incident_id
        up_at = parse_time(newest["up_detection"])
        assert t_up - 0.05 <= up_at <= t_up + INTERVAL + 0.25, (up_at - t_up)
        print(f"figure: cycle {cycle + 1}: up_detection {up_at - t_up:+.3f}s from the change")
        seen_ids.append(incident_id)

    incidents = daemon.get_json("/status/service/192.0.2.2/incidents")
    assert [i["id"] for i in incidents] == list(reversed(seen_ids)), "newest first"
    assert all(i["up_detection"] for i in incidents)
    assert {"id", "check_id", "description", "down_detection", "up_detection"} <= set(incidents[0])
    for incident in incidents:  # the added field: seconds from down to up
        expected = parse_time(incident["up_detection"]) - parse_time(incident["down_detection"])
        assert abs(incident["duration_s"] - expected) < 0.002, incident
    # The database holds the same record, with both times.
    rows = database.sql("SELECT i.id, i.up_detection IS NULL FROM incidents i JOIN checks c ON c.id = i.check_id "
                        "WHERE c.domain = '192.0.2.2' ORDER BY i.id")
    assert [(int(r[0]), r[1]) for r in rows] == [(i, "0") for i in seen_ids]


def test_status_down_lists_only_down_hosts(daemon):
    wait_for(lambda: {"198.51.100.7", "192.0.2.99", "nope.invalid"} <= down_domains(daemon), 15)
    down = daemon.get_json("/status/down")
    assert all(c["status"] is False for c in down)
    order = [c["domain"] for c in down]
    assert order == [h for h in HOSTS if h in order], "configuration order"


def test_unknown_domains_paths_and_methods(daemon):
    status, _, body = daemon.request("GET", "/status/service/not.monitored")
    assert status == 404 and b'"error"' in body
    assert daemon.request("GET", "/status/service/not.monitored/incidents")[0] == 404
    assert daemon.request("GET", "/nothing")[0] == 404
    for method in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"]:
        status, headers, body = daemon.request(method, "/status")
        assert status == 405 and headers["allow"] == "GET, HEAD", method
        assert body.startswith(b'{"error":')
    status, headers, body = daemon.request("HEAD", "/status")
    assert status == 200 and body == b"" and int(headers["content-length"]) > 2
    assert headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize("path", [
    "/status/service/%27%20OR%20%271%27%3D%271/incidents",        # ' OR '1'='1
    "/status/service/x%27%3B%20DROP%20TABLE%20checks%3B--/incidents",
    "/status/service/100%25/incidents",                            # %
    "/status/service/a%2Fb/incidents",                             # encoded /
    "/status/service/%C3%BCn%C3%AF.lan/incidents",                 # non-ASCII, encoded
    "/status/service/\u00fcn\u00ef.lan/incidents",                 # non-ASCII, raw UTF-8 bytes
    "/status/service/192.0.2.2%27--",
])
def test_hostile_domains_never_reach_sql(daemon, database, path):
    status, _, body = daemon.request("GET", path)
    assert status in (400, 404), (status, body)
    assert database.sql("SELECT COUNT(*) FROM checks") == [[str(len(HOSTS))]]


@pytest.mark.parametrize("path", ["/status/service/%zz", "/status/service/%00abc", "/status/service/%C3"])
def test_bad_escapes_are_refused(daemon, path):
    assert daemon.request("GET", path)[0] == 400


def test_encoded_domain_matches_the_configured_one(daemon):
    assert daemon.get_json("/status/service/2001%3Adb8%3A1%3A%3A2")["domain"] == "2001:db8:1::2"
    assert daemon.get_json("/status/service/%5B2001:db8:1::2%5D")["domain"] == "2001:db8:1::2"
