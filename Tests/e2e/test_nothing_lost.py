"""Nothing lost (issue 5): fault injection with a real MariaDB of the test's own, stopped and started by PID, and a
test host in a namespace that stops answering. Each case checks the database at the end against what the daemon
logged (host_down / host_up with their times): every incident there exactly once, with both times, none extra.
Each case appends one line (time to converge, incidents lost / duplicated) to the report file that
scripts/test prints (STATUS_FAULT_REPORT)."""
import os
import re
import shutil
import signal
import tempfile
import time
import zlib

import pytest

from faults import (H1, Poller, PrivateMariaDB, converge, h1_state, logged_incidents, report, start_daemon,
                    wait_for)


@pytest.fixture(scope="module")
def mariadb():
    server = PrivateMariaDB()
    server.start()
    yield server
    server.remove()


@pytest.fixture
def fresh(mariadb, lab, request):
    """A fresh database and state directory per test, h1 answering, the server running."""
    mariadb.start()
    mariadb.fresh_database("status_fault_" + re.sub(r"\W", "", request.node.name)[-40:])
    lab.set_h1_answering(True)
    state = tempfile.mkdtemp(prefix="status-fault-state-")
    yield state
    lab.set_h1_answering(True)
    shutil.rmtree(state, ignore_errors=True)
    mariadb.start()


def test_an_outage_of_the_database_loses_nothing_and_the_api_keeps_answering(binary, lab, mariadb, fresh):
    daemon = start_daemon(binary, lab, mariadb, fresh, 18091)
    poller = Poller(daemon)
    try:
        wait_for(lambda: h1_state(daemon)["last_performed"] and h1_state(daemon)["status"], 10, "h1 up")
        mariadb.stop()
        stopped = time.time()
        lab.set_h1_answering(False)
        wait_for(lambda: not h1_state(daemon)["status"], 5, "h1 down in the API")
        health = daemon.get_json("/healthz")
        assert health["database"] == "unreachable" and health["pinging"] and health["journal_waiting"] >= 1, health
        lab.set_h1_answering(True)
        wait_for(lambda: h1_state(daemon)["status"], 5, "h1 up again in the API")
        time.sleep(max(0.0, 20 - (time.time() - stopped)))
        back = time.time()
        mariadb.start()
        expected = logged_incidents(daemon.output())
        assert len(expected) == 1 and expected[0][1], expected
        seconds, lost, duplicated = converge(mariadb, expected, back)
        failures = poller.stop()
        assert failures == [], f"/status failed during the outage: {failures[:5]}"
        assert poller.count > 50, "the API was asked throughout (at least twice a second)"
        assert (lost, duplicated) == (0, 0)
        wait_for(lambda: daemon.get_json("/healthz")["journal_waiting"] == 0, 10, "the journal to empty")
        report("1 database down 20 s while a host went down and up", seconds, lost, duplicated)
    finally:
        poller.stop()
        daemon.stop()


def test_a_restart_and_a_crash_during_the_outage_lose_nothing(binary, lab, mariadb, fresh):
    first = start_daemon(binary, lab, mariadb, fresh, 18092)
    logs = []
    try:
        wait_for(lambda: h1_state(first)["last_performed"] and h1_state(first)["status"], 10, "h1 up")
        mariadb.stop()
        lab.set_h1_answering(False)
        wait_for(lambda: not h1_state(first)["status"], 5, "h1 down in the API")
        asked = time.time()
        assert first.stop(signal.SIGTERM) == 0
        assert time.time() - asked < 5, "SIGTERM exits within 5 s even with the database away"
        logs.append(first.output())
    finally:
        first.stop()
    second = start_daemon(binary, lab, mariadb, fresh, 18092)
    try:
        time.sleep(1)
        assert not h1_state(second)["status"], "h1 is still down after the restart: the same outage"
        lab.set_h1_answering(True)
        wait_for(lambda: h1_state(second)["status"], 5, "h1 up in the restarted daemon")
        second.stop(signal.SIGKILL)
        logs.append(second.output())
    finally:
        second.stop()
    third = start_daemon(binary, lab, mariadb, fresh, 18092)
    try:
        time.sleep(1)
        back = time.time()
        mariadb.start()
        expected = logged_incidents(*logs)
        assert len(expected) == 1 and expected[0][1], expected
        seconds, lost, duplicated = converge(mariadb, expected, back)
        assert (lost, duplicated) == (0, 0)
        gaps = wait_for(lambda: mariadb.sql("SELECT reason FROM monitor_gaps ORDER BY gap_from"), 10, "gaps")
        assert [g[0] for g in gaps] == ["stopped", "crashed"]
        report("2 database down; daemon SIGTERM'd and restarted, then SIGKILL'd and restarted", seconds, lost,
               duplicated)
    finally:
        third.stop()


def test_a_daemon_started_while_the_database_is_down_serves_and_converges(binary, lab, mariadb, fresh):
    mariadb.stop()
    daemon = start_daemon(binary, lab, mariadb, fresh, 18093)
    try:
        checks = daemon.get_json("/status")
        assert [c["domain"] for c in checks] == [H1, "127.0.0.1"]
        assert daemon.get_json("/healthz")["database"] == "unreachable"
        lab.set_h1_answering(False)
        wait_for(lambda: not h1_state(daemon)["status"], 5, "h1 down in the API")
        back = time.time()
        mariadb.start()
        expected = logged_incidents(daemon.output())
        assert len(expected) == 1 and expected[0][1] is None, expected
        seconds, lost, duplicated = converge(mariadb, expected, back)
        assert (lost, duplicated) == (0, 0)
        ids = dict(mariadb.sql("SELECT domain, id FROM checks"))
        wait_for(lambda: all(str(c["id"]) == ids.get(c["domain"]) for c in daemon.get_json("/status")), 10,
                 "the API to show the database's check ids")
        report("3 daemon started with the database down", seconds, lost, duplicated)
    finally:
        daemon.stop()


def test_a_crash_during_an_incident_keeps_that_incident_open_and_closes_it_later(binary, lab, mariadb, fresh):
    daemon = start_daemon(binary, lab, mariadb, fresh, 18094)
    try:
        wait_for(lambda: h1_state(daemon)["last_performed"] and h1_state(daemon)["status"], 10, "h1 up")
        lab.set_h1_answering(False)
        opened = wait_for(lambda: mariadb.incidents(H1), 5, "the incident in the database")
        daemon.stop(signal.SIGKILL)
    finally:
        daemon.stop()
    started = time.time()
    restarted = start_daemon(binary, lab, mariadb, fresh, 18094)
    try:
        time.sleep(1.5)
        assert mariadb.incidents(H1) == opened, "still down: the same incident stays open, no second one"
        assert not h1_state(restarted)["status"]
        lab.set_h1_answering(True)
        closed = wait_for(lambda: [i for i in mariadb.incidents(H1) if i[2]], 5, "the incident closed")
        assert [i[0] for i in closed] == [opened[0][0]] and len(mariadb.incidents(H1)) == 1
        # A state directory lost with the crash: the database's ongoing incident is still the one that closes.
        lab.set_h1_answering(False)
        second = wait_for(lambda: [i for i in mariadb.incidents(H1) if not i[2]], 5, "a second outage")
        restarted.stop(signal.SIGKILL)
        shutil.rmtree(fresh)
        restarted = start_daemon(binary, lab, mariadb, fresh, 18094)
        time.sleep(1.5)
        lab.set_h1_answering(True)
        wait_for(lambda: all(i[2] for i in mariadb.incidents(H1)), 5, "the second outage closed")
        rows = mariadb.incidents(H1)
        assert [i[0] for i in rows] == [opened[0][0], second[0][0]], rows
        report("4 SIGKILL during an incident, restart while down, then up (and again without STATE_DIR)",
               time.time() - started, 0, len(rows) - 2, since="the first restart (database up throughout)")
    finally:
        restarted.stop()


def journal_line(sequence, fields):
    body = ('{"seq":%d,' % sequence) + fields + "}"
    return "%08x %s\n" % (zlib.crc32(body.encode()), body)


def test_a_torn_last_journal_record_is_reported_and_the_records_before_it_replayed(binary, lab, mariadb, fresh):
    down, up = 1795986185123, 1795986245004
    with open(os.path.join(fresh, "journal"), "w") as f:
        f.write(journal_line(1, f'"kind":"opened","domain":"{H1}","description":"no reply","at":{down}'))
        f.write(journal_line(2, f'"kind":"closed","domain":"{H1}","at":{up}'))
        f.write(journal_line(3, f'"kind":"opened","domain":"{H1}","description":"again","at":{up + 60000}')[:40])
    started = time.time()
    daemon = start_daemon(binary, lab, mariadb, fresh, 18095)
    try:
        expected = [("2026-11-29T21:03:05.123Z", "2026-11-29T21:04:05.004Z")]
        seconds, lost, duplicated = converge(mariadb, expected, started)
        assert (lost, duplicated) == (0, 0)
        log = daemon.output()
        assert re.search(r"event=journal_damaged detail=\"journal line 3: torn record", log), log
        assert daemon.get_json("/healthz")["status"] == "ok"
        report("5 torn last journal record", seconds, lost, duplicated, since="the daemon started (database up)")
    finally:
        daemon.stop()


def test_shutdown_writes_what_it_can_and_a_second_signal_exits_at_once(binary, lab, mariadb, fresh):
    daemon = start_daemon(binary, lab, mariadb, fresh, 18096)
    try:
        wait_for(lambda: h1_state(daemon)["last_performed"] and h1_state(daemon)["status"], 10, "h1 up")
        lab.set_h1_answering(False)
        wait_for(lambda: not h1_state(daemon)["status"], 5, "h1 down in the API")
        assert daemon.stop(signal.SIGTERM) == 0
        assert len(mariadb.incidents(H1)) == 1, "written before the exit"
        assert os.path.getsize(os.path.join(fresh, "journal")) == 0, "nothing left waiting in the journal"
    finally:
        daemon.stop()
    logs = [daemon.output()]
    mariadb.stop()
    daemon = start_daemon(binary, lab, mariadb, fresh, 18096)
    try:
        lab.set_h1_answering(True)
        wait_for(lambda: "event=host_up" in daemon.output(), 5, "h1 up again")
        daemon.process.send_signal(signal.SIGTERM)  # waits up to 2 s for the database, which is away
        time.sleep(0.3)
        again = time.time()
        daemon.process.send_signal(signal.SIGTERM)
        code = daemon.process.wait(timeout=5)
        assert time.time() - again < 0.5 and code == 1
        assert "event=shutdown_forced" in daemon.output()
        assert os.path.getsize(os.path.join(fresh, "journal")) > 0, "the close waits in the journal"
    finally:
        daemon.stop()
    logs.append(daemon.output())
    expected = logged_incidents(*logs)
    assert len(expected) == 1 and expected[0][1], expected
    back = time.time()
    mariadb.start()
    third = start_daemon(binary, lab, mariadb, fresh, 18096)
    try:
        seconds, lost, duplicated = converge(mariadb, expected, back)
    finally:
        third.stop()
    assert (lost, duplicated) == (0, 0)
    report("6 SIGTERM with the database down, then a second signal; restarted", seconds, lost, duplicated)
