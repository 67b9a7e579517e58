"""End to end: webhooks. A receiver on the daemon namespace's loopback gets a JSON POST when a test host goes
down and when it comes back, with the host, cause, times and duration the database records; a first 503 is
retried; a URL where nothing listens delays nobody."""
import json
import os
import subprocess
import sys
import tempfile
import time

import pytest

from lab import Daemon, wait_for, webhook_posts, webhook_receiver

INTERVAL, TIMEOUT, FAILURES, RECOVERIES = 0.5, 0.3, 2, 1
BOUND = FAILURES * INTERVAL + TIMEOUT + 1.0
PORT, RECEIVER_PORT, DEAD_PORT = 18110, 18111, 18112
HERE = os.path.dirname(os.path.abspath(__file__))


@pytest.fixture(scope="module")
def receiver(lab):
    with webhook_receiver(lab.mon, RECEIVER_PORT) as outfile:
        yield outfile


def received(outfile):
    return webhook_posts(outfile)



def test_an_incident_opened_and_closed_reaches_the_webhook_with_what_the_database_records(binary, lab, database, receiver):
    urls = [f"http://127.0.0.1:{DEAD_PORT}/nobody-listens", f"http://127.0.0.1:{RECEIVER_PORT}/hook/flaky"]
    env = {"MONITORING_HOSTS": "192.0.2.2,127.0.0.1", "MONITORING_INTERVAL": "500ms", "MONITORING_TIMEOUT": "300ms",
           "MONITORING_FAILURE_THRESHOLD": str(FAILURES), "MONITORING_RECOVERY_THRESHOLD": str(RECOVERIES),
           "WEBHOOK_URLS": ",".join(urls), "WEBHOOK_FORMAT": "json", **database.env()}
    lab.set_h1_answering(True)
    daemon = Daemon(binary, lab.mon, env, PORT)
    try:
        daemon.wait_serving()
        wait_for(lambda: daemon.get_json("/status/service/192.0.2.2")["last_performed"], 5)
        lab.set_h1_answering(False)
        wait_for(lambda: not daemon.get_json("/status/service/192.0.2.2")["status"], BOUND + 2)
        # The first POST gets a 503; the retry (after about a second) must bring the event.
        opened, waited = wait_for(lambda: [r for r in received(receiver) if r["answer"] == 200], 10)
        time.sleep(0.5)
        lab.set_h1_answering(True)
        wait_for(lambda: daemon.get_json("/status/service/192.0.2.2")["status"], BOUND + 2)
        wait_for(lambda: len([r for r in received(receiver) if r["answer"] == 200]) == 2, 10)
        time.sleep(0.5)
        posts = received(receiver)
        assert [p["answer"] for p in posts] == [503, 200, 200], posts
        events = [json.loads(p["body"]) for p in posts if p["answer"] == 200]
        for post in posts:
            assert post["path"] == "/hook/flaky" and post["headers"]["Content-Type"] == "application/json"
        first, second = events
        assert first["event"] == "incident_opened" and second["event"] == "incident_closed"
        incident = daemon.get_json("/status/service/192.0.2.2/incidents")[0]
        check = daemon.get_json("/status/service/192.0.2.2")
        for event in events:
            assert event["host"] == "192.0.2.2" and event["check_id"] == check["id"]
            assert event["down_detection"] == incident["down_detection"]
            assert event["cause"] == "no reply to 2 pings (timeout 300ms)"
        assert first["up_detection"] is None and first["duration_s"] is None
        assert second["up_detection"] == incident["up_detection"]
        assert abs(second["duration_s"] - incident["duration_s"]) < 0.002
        # 127.0.0.1 never went down, whatever the dead URL did to its own deliveries.
        assert daemon.get_json("/status/service/127.0.0.1")["status"] is True
        assert daemon.stop() == 0
        log = daemon.output()
        assert "event=webhook_retry" in log and "nobody-listens" not in log, "logs show scheme://host only"
    finally:
        lab.set_h1_answering(True)
        if daemon.process.poll() is None:
            daemon.stop()
