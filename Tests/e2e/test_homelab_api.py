"""End to end, for the homelab endpoints: /openapi.json (valid OpenAPI 3.1, and schemathesis finds nothing wrong
against the live daemon), /metrics (parsed by prometheus_client), the badge, the uptime and duration fields,
and the incidents endpoint's since/until/limit. Real daemon, real MariaDB, test host h1 in a namespace."""
import datetime
import json
import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ElementTree

import pytest
from openapi_spec_validator import validate
from prometheus_client.parser import text_string_to_metric_families

from lab import Daemon, wait_for

INTERVAL, TIMEOUT, FAILURES, RECOVERIES = 0.5, 0.3, 2, 1
DOWN_BOUND = FAILURES * INTERVAL + TIMEOUT + 1.0
HOSTS = ["127.0.0.1", "192.0.2.2", "::1"]
PORT = 18100


@pytest.fixture(scope="module")
def daemon(binary, lab, database):
    env = {"MONITORING_HOSTS": ",".join(HOSTS), "MONITORING_INTERVAL": "500ms", "MONITORING_TIMEOUT": "300ms",
           "MONITORING_FAILURE_THRESHOLD": str(FAILURES), "MONITORING_RECOVERY_THRESHOLD": str(RECOVERIES),
           **database.env()}
    lab.set_h1_answering(True)
    process = Daemon(binary, lab.mon, env, PORT)
    try:
        process.wait_serving()
        wait_for(lambda: all(c["last_performed"] for c in process.get_json("/status")), 10)
        yield process
    finally:
        lab.set_h1_answering(True)
        process.stop()


@pytest.fixture(scope="module")
def h1_outage(daemon, lab):
    """Takes h1 down until it is declared down, holds it ~1.5 s, brings it back until it is up: one closed incident."""
    lab.set_h1_answering(False)
    wait_for(lambda: not daemon.get_json("/status/service/192.0.2.2")["status"], DOWN_BOUND + 2)
    down = daemon.get_json("/status/service/192.0.2.2")
    time.sleep(1.5)
    during = daemon.get_json("/status/service/192.0.2.2")
    metrics_during = metrics(daemon)
    lab.set_h1_answering(True)
    wait_for(lambda: daemon.get_json("/status/service/192.0.2.2")["status"], DOWN_BOUND + 2)
    return down, during, metrics_during



def metrics(daemon):
    status, headers, body = daemon.request("GET", "/metrics")
    assert status == 200
    assert headers["content-type"].startswith("text/plain; version=0.0.4")
    samples = {}
    for family in text_string_to_metric_families(body.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def test_the_openapi_document_is_valid_and_names_every_endpoint(daemon):
    document = daemon.get_json("/openapi.json")
    validate(document)  # raises on any violation of the OpenAPI 3.1 schema
    assert document["openapi"].startswith("3.1")
    assert set(document["paths"]) == {"/", "/status", "/status/down", "/status/service/{domain}",
                                      "/status/service/{domain}/incidents", "/status/service/{domain}/badge.svg",
                                      "/status/service/{domain}/history", "/status/history", "/status/probes",
                                      "/healthz", "/metrics", "/openapi.json", "/favicon.ico"}


def test_schemathesis_finds_no_failure_against_the_live_daemon(daemon, lab, h1_outage, tmp_path):
    schemathesis = os.path.join(os.path.dirname(sys.executable), "schemathesis")
    report = tmp_path / "junit.xml"
    result = subprocess.run(
        ["ip", "netns", "exec", lab.mon, schemathesis, "run", f"http://127.0.0.1:{PORT}/openapi.json",
         "--checks", "all", "--max-examples", "40", "--seed", "1", "--workers", "1",
         "--request-timeout", "5", "--report", "junit", "--report-junit-path", str(report)],
        capture_output=True, text=True, timeout=600, env={**os.environ, "NO_COLOR": "1"},
        cwd=tmp_path)  # schemathesis keeps a cache of past failures in its working directory: start clean
    summary = result.stdout[-4000:]
    print(summary)
    assert result.returncode == 0, summary + result.stderr[-2000:]
    assert "No issues found" in result.stdout, summary


def test_metrics_parse_and_follow_a_host_going_down_and_up(daemon, h1_outage):
    _, _, during = h1_outage
    host = (("host", "192.0.2.2"),)
    assert during[("status_host_up", host)] == 0
    assert during[("status_host_incidents_total", host)] == 1
    after = metrics(daemon)
    assert after[("status_host_up", host)] == 1
    assert after[("status_host_up", (("host", "::1"),))] == 1
    assert 0 < after[("status_host_last_rtt_seconds", (("host", "127.0.0.1"),))] < 0.1
    loopback = (("host", "127.0.0.1"),)
    answered = after[("status_host_rtt_seconds_count", loopback)]
    assert answered > 0 and after[("status_host_rtt_seconds_bucket", (("host", "127.0.0.1"), ("le", "+Inf")))] == answered
    assert after[("status_host_rtt_seconds_bucket", (("host", "127.0.0.1"), ("le", "0.1")))] == answered  # loopback
    assert 0 < after[("status_host_rtt_seconds_sum", loopback)] < 0.1 * answered
    assert 0 < after[("status_host_packet_loss_ratio", host)] < 1
    assert 0 < after[("status_host_uptime_ratio", (("host", "192.0.2.2"), ("window", "24h")))] < 1
    assert after[("status_host_uptime_ratio", (("host", "127.0.0.1"), ("window", "30d")))] == 1
    assert after[("status_pings_sent_total", ())] >= after[("status_ping_replies_total", ())] > 10
    assert after[("status_database_up", ())] == 1
    assert after[("status_journal_records", ())] == 0
    assert after[("status_http_requests_total", (("code", "200"),))] >= 2


def test_a_down_host_shows_since_when_and_for_how_long_and_its_uptime_drops(daemon, h1_outage):
    down, during, _ = h1_outage
    assert down["status"] is False and down["down_since"] is not None
    assert during["down_for_s"] >= 1.4
    since = datetime.datetime.strptime(during["down_since"], "%Y-%m-%dT%H:%M:%S.%fZ")
    assert since == datetime.datetime.strptime(down["down_since"], "%Y-%m-%dT%H:%M:%S.%fZ")
    after = daemon.get_json("/status/service/192.0.2.2")
    assert after["status"] is True and after["down_since"] is None and after["down_for_s"] is None
    for window in ("uptime_24h_pct", "uptime_7d_pct", "uptime_30d_pct"):
        assert 0 < after[window] < 100, after
    loopback = daemon.get_json("/status/service/127.0.0.1")
    assert loopback["uptime_24h_pct"] == 100 and loopback["down_for_s"] is None


def test_incidents_take_since_until_and_limit_and_carry_their_duration(daemon, h1_outage):
    incidents = daemon.get_json("/status/service/192.0.2.2/incidents")
    assert len(incidents) == 1 and incidents[0]["up_detection"] is not None
    assert 1.5 <= incidents[0]["duration_s"] < 10
    assert daemon.get_json("/status/service/192.0.2.2/incidents?limit=1") == incidents
    assert daemon.get_json("/status/service/192.0.2.2/incidents?since=2099-01-01T00:00:00Z") == []
    assert daemon.get_json("/status/service/192.0.2.2/incidents?until=2000-01-01T00:00:00%2B01:00") == []
    assert daemon.get_json("/status/service/192.0.2.2/incidents?since=2000-01-01T00:00:00Z&limit=5") == incidents
    for bad in ("limit=0", "limit=abc", "since=yesterday", "until=2026-13-01T00:00:00Z"):
        status, headers, body = daemon.request("GET", f"/status/service/192.0.2.2/incidents?{bad}")
        assert status == 400 and "error" in json.loads(body), (bad, status, body)


def test_the_badge_is_an_svg_with_the_state_and_uptime(daemon, h1_outage):
    status, headers, body = daemon.request("GET", "/status/service/192.0.2.2/badge.svg")
    assert status == 200 and headers["content-type"] == "image/svg+xml; charset=utf-8"
    svg = ElementTree.fromstring(body)
    texts = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert texts[0] == "192.0.2.2" and texts[1].startswith("up ") and texts[1].endswith("%"), texts
    status, _, body = daemon.request("GET", "/status/service/192.0.2.77/badge.svg")
    assert status == 404 and json.loads(body)["error"]
