"""End to end: a probe cut off from the database (its own MariaDB account locked and its connections killed,
while the other probes go on) serves its own view marked "local", and when it is back it rejoins the consensus
without doubling or reordering anything: the incident the others opened and closed meanwhile stays one
incident with one webhook of each kind."""
import re
import time

import pytest

from lab import wait_for, webhook_posts
from probe_lab import HOST
from test_probes import (PORT, check, delivered, incidents, own_view, probe_lab,  # noqa: F401 (the fixture)
                         three_probes)

OFFICE_USER = "status_office"


@pytest.fixture()
def office_account(database):
    database.sql(f"CREATE USER IF NOT EXISTS '{OFFICE_USER}'@'localhost' IDENTIFIED BY 'office'")
    database.sql(f"GRANT ALL ON `{database.name}`.* TO '{OFFICE_USER}'@'localhost'")
    yield {"MYSQL_USER": OFFICE_USER, "MYSQL_PASSWORD": "office"}
    database.sql(f"DROP USER IF EXISTS '{OFFICE_USER}'@'localhost'", database="mysql")


def cut_off(database, locked):
    database.sql(f"ALTER USER '{OFFICE_USER}'@'localhost' ACCOUNT {'LOCK' if locked else 'UNLOCK'}", database="mysql")
    if locked:
        for (connection,) in database.sql(
                f"SELECT id FROM information_schema.processlist WHERE user = '{OFFICE_USER}'", database="mysql"):
            database.sql(f"KILL CONNECTION {connection}", database="mysql")


def test_a_probe_cut_off_from_the_database_serves_its_own_view_and_rejoins_without_doubling(
        binary, probe_lab, database, office_account):
    with three_probes(binary, probe_lab, database, "hook", extra={"office": office_account}) as (daemons, outfile):
        probe_lab.hide_from("home", "office")
        wait_for(lambda: all(check(d)["status"] is False for d in daemons.values()), 15)
        assert len(incidents(database)) == 1

        cut_off(database, locked=True)
        # office: its own view (down), marked local; the others: office leaves, home (down) and lab (up) split 1-1,
        # so the incident stays open.
        body, waited = wait_for(lambda: (b := check(daemons["office"])).get("view") == "local" and b, 10)
        assert body["status"] is False, body
        print(f"\noffice served its own view, marked local, {waited:.1f} s after it lost the database")
        wait_for(lambda: len(check(daemons["home"])["probes"]) == 2, 15)
        assert check(daemons["home"])["status"] is False

        # The host answers again: home and lab close the incident without office.
        probe_lab.hide_from()
        wait_for(lambda: check(daemons["home"])["status"] is True and check(daemons["lab"])["status"] is True, 15)
        wait_for(lambda: check(daemons["office"])["status"] is True, 15)  # its own view, still local
        assert check(daemons["office"])["view"] == "local"

        cut_off(database, locked=False)
        _, back = wait_for(lambda: check(daemons["office"]).get("view") == "consensus"
                           and len(check(daemons["office"])["probes"]) == 3, 30)
        print(f"office back in the consensus {back:.1f} s after its account was unlocked")
        time.sleep(3)
        rows = incidents(database)
        assert len(rows) == 1 and rows[0][3] != "NULL", rows
        assert re.search(r"at (home and office|office and home); lab still answered", rows[0][1]), rows
        for daemon in daemons.values():
            assert check(daemon)["status"] is True
        assert len(delivered(outfile, "incident_opened")) == 1, webhook_posts(outfile)
        assert len(delivered(outfile, "incident_closed")) == 1, webhook_posts(outfile)
