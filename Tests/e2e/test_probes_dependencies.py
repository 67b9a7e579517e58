"""End to end: the three probes of test_probes.py with a host file, so shared hosts keep the lone daemon's rules
for parents and maintenance windows (README "Down, unreachable, maintenance"):

    router and the host behind it hidden from every probe -> one incident each; the host's is unreachable, its
                                                             parent the router's; one webhook (the router's,
                                                             naming the host as a dependent); shown again: one
                                                             more (the router's close), the host's closes quietly
    the host hidden inside a maintenance window           -> its incident is marked maintenance; no webhook"""
import datetime
import time

import pytest

from lab import wait_for
from probe_lab import HOST, PROBES, ROUTER, ProbeLab
from test_probes import check, delivered, three_probes


@pytest.fixture(scope="module")
def probe_lab():
    network = ProbeLab().up()
    yield network
    network.down()


def with_host_file(tmp_path, text):
    path = tmp_path / "hosts.txt"
    path.write_text(text)
    return {name: {"MONITORING_HOSTS": "", "MONITORING_HOSTS_FILE": str(path)} for name in PROBES}


def incident_rows(database, domain):
    return database.sql("SELECT i.id, i.description, i.parent_incident_id, i.maintenance, i.up_detection IS NOT NULL"
                        f" FROM incidents i JOIN checks c ON c.id = i.check_id WHERE c.domain = '{domain}' ORDER BY i.id")


def test_a_router_down_from_every_probe_is_one_notification_and_the_host_behind_it_is_unreachable(
        binary, probe_lab, database, tmp_path):
    extra = with_host_file(tmp_path, f"{ROUTER} name=router\n{HOST} name=nas parent={ROUTER}\n")
    with three_probes(binary, probe_lab, database, "hook", extra) as (daemons, outfile):
        wait_for(lambda: all(check(d)["status"] and d.get_json(f"/status/service/{ROUTER}").get("view") == "consensus"
                             for d in daemons.values()), 20)
        probe_lab.hide_from(*PROBES)
        wait_for(lambda: all(check(d)["state"] == "unreachable" and check(d)["status"] is False
                             for d in daemons.values()), 15)
        wait_for(lambda: incident_rows(database, HOST), 10)
        router, = incident_rows(database, ROUTER)
        host, = incident_rows(database, HOST)
        assert host[2] == router[0], (router, host)
        assert "unreachable" in host[1], host
        wait_for(lambda: delivered(outfile, "incident_opened"), 15)
        time.sleep(3)  # a webhook for the host would have come by now
        opened = delivered(outfile, "incident_opened")
        assert [body["host"] for body in opened] == [ROUTER], opened
        assert HOST in opened[0].get("dependents", []), opened

        probe_lab.hide_from()
        wait_for(lambda: all(check(d)["status"] is True for d in daemons.values()), 15)
        wait_for(lambda: all(row[4] == "1" for row in incident_rows(database, HOST) + incident_rows(database, ROUTER)), 10)
        wait_for(lambda: delivered(outfile, "incident_closed"), 15)
        time.sleep(3)
        assert [body["host"] for body in delivered(outfile, "incident_closed")] == [ROUTER]
        assert len(delivered(outfile, "incident_opened")) == 1


def test_an_outage_inside_a_maintenance_window_is_recorded_and_not_notified(binary, probe_lab, database, tmp_path):
    now = datetime.datetime.now(datetime.timezone.utc)
    window = f"{(now - datetime.timedelta(hours=1)):%Y-%m-%dT%H:%M}/{(now + datetime.timedelta(hours=1)):%Y-%m-%dT%H:%M}"
    extra = with_host_file(tmp_path, f'{HOST} name=nas maintenance="{window}"\n')
    with three_probes(binary, probe_lab, database, "hook", extra) as (daemons, outfile):
        probe_lab.hide_from(*PROBES)
        wait_for(lambda: incident_rows(database, HOST), 15)
        wait_for(lambda: all(check(d)["status"] is False for d in daemons.values()), 15)
        assert all(check(d)["state"] == "maintenance" for d in daemons.values())
        probe_lab.hide_from()
        wait_for(lambda: all(row[4] == "1" for row in incident_rows(database, HOST)), 15)
        time.sleep(3)
        rows = incident_rows(database, HOST)
        assert len(rows) == 1 and rows[0][3] == "1", rows
        assert delivered(outfile, "incident_opened") == [] and delivered(outfile, "incident_closed") == []
