"""Fixtures for the end-to-end tests: the built binary, the real MariaDB the test command started, a fresh
database per test module, and the namespace lab."""
import os
import secrets
import subprocess

import pytest

from lab import Lab, webhook_receiver
from tree_lab import TreeLab

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def require_env(name):
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run the tests with scripts/test, which starts MariaDB")
    return value


@pytest.fixture(scope="session")
def binary():
    path = os.environ.get("STATUS_BIN", os.path.join(ROOT, ".build", "debug", "status"))
    if not os.access(path, os.X_OK):
        pytest.fail(f"no daemon binary at {path}: build it first (scripts/test does)")
    return path


class Database:
    def __init__(self, name):
        self.socket = require_env("STATUS_TEST_MYSQL_SOCKET")
        self.user = require_env("STATUS_TEST_MYSQL_USER")
        self.password = require_env("STATUS_TEST_MYSQL_PASSWORD")
        self.name = name

    def sql(self, query, database=None):
        """Runs SQL as the server's root (over its Unix socket) and returns rows as lists of strings."""
        args = ["mariadb", f"--socket={self.socket}", "-uroot", "-N", "-B", "-e", query]
        if database is not None or self.name:
            args.append(database or self.name)
        result = subprocess.run(args, capture_output=True, text=True, check=True)
        return [line.split("\t") for line in result.stdout.splitlines()]

    def env(self):
        return {"MYSQL_UNIX_SOCKET": self.socket, "MYSQL_USER": self.user, "MYSQL_PASSWORD": self.password,
                "MYSQL_DATABASE": self.name}


@pytest.fixture(scope="module")
def database():
    db = Database("")
    name = f"status_e2e_{secrets.token_hex(3)}"
    db.sql(f"CREATE DATABASE `{name}`")
    db.sql(f"GRANT ALL ON `{name}`.* TO '{db.user}'@'localhost'")
    db.name = name
    yield db
    db.sql(f"DROP DATABASE IF EXISTS `{name}`", database="mysql")


@pytest.fixture(scope="module")
def lab():
    network = Lab().up()
    yield network
    network.down()


@pytest.fixture(scope="module")
def tree():
    network = TreeLab().up()
    yield network
    network.down()


@pytest.fixture()
def tree_webhooks(tree, request):
    """A webhook receiver in the tree lab's daemon namespace, on the test module's RECEIVER_PORT."""
    with webhook_receiver(tree.mon, request.module.RECEIVER_PORT) as outfile:
        yield outfile


def pytest_configure(config):
    config.addinivalue_line("markers", "mock: runs against history_mock.py, needs no daemon, database or lab "
                                       "(`-m mock` runs only these)")
