"""End to end: the dashboard page at GET / in headless Chromium (Playwright for Python driving the system's
`chromium`), against the real daemon watching the lab's hosts. Chromium runs inside the daemon's namespace (through
a two-line wrapper around `ip netns exec`), so it reaches the daemon on 127.0.0.1 and nothing outside the lab.

The page must render every host in configuration order, show a host taken down within the contract's bound plus
its own 5 s refresh, log no console error and throw nothing, show a banner while the daemon is unreachable and
clear it when the daemon is back. The screenshot goes to docs/dashboard.png (STATUS_SCREENSHOT overrides; the
test command puts it in .scratch). Chromium and playwright are installed by the test command: missing, they fail."""
import os
import shutil
import struct
import tempfile

import pytest

from lab import Daemon, wait_for

INTERVAL, TIMEOUT, FAILURES, RECOVERIES = 0.5, 0.3, 3, 2
SLACK = 1.0
REFRESH = 5.0          # the page polls `status` every 5 s
H1 = ["h1.test", "192.0.2.2", "2001:db8:1::2"]
HOSTS = [*H1, "198.51.100.7", "127.0.0.1", "::1", "localhost"]
PORT = 18090
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class Daemons:
    """The daemon under test, restartable on the same port (the banner test stops it and starts another)."""

    def __init__(self, binary, lab, database):
        self.env = {"MONITORING_HOSTS": ",".join(HOSTS), "MONITORING_INTERVAL": "500ms",
                    "MONITORING_TIMEOUT": "300ms", "MONITORING_FAILURE_THRESHOLD": str(FAILURES),
                    "MONITORING_RECOVERY_THRESHOLD": str(RECOVERIES), **database.env()}
        self.binary, self.ns = binary, lab.mon
        self.started = []

    def start(self):
        daemon = Daemon(self.binary, self.ns, self.env, PORT)
        self.started.append(daemon)
        daemon.wait_serving()
        return daemon

    @property
    def current(self):
        return self.started[-1]


@pytest.fixture(scope="module")
def daemons(binary, lab, database):
    running = Daemons(binary, lab, database)
    try:
        running.start()
        yield running
    finally:
        for daemon in running.started:
            daemon.stop()


@pytest.fixture(scope="module")
def browser(lab):
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("chromium is not installed: scripts/setup-debian --test installs it")
    try:
        import playwright.sync_api as sync_api
    except ImportError:
        pytest.fail("playwright is not installed: scripts/setup-debian --test installs it into .scratch/venv")
    folder = tempfile.mkdtemp(prefix="status-e2e-chromium-")
    wrapper = os.path.join(folder, "chromium-in-lab")
    with open(wrapper, "w") as f:
        f.write(f"#!/bin/sh\nexec ip netns exec {lab.mon} {chromium} \"$@\"\n")
    os.chmod(wrapper, 0o755)
    playwright = sync_api.sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=wrapper, args=["--no-sandbox"])
        yield browser
        browser.close()
    finally:
        playwright.stop()
        shutil.rmtree(folder, ignore_errors=True)


class Watched:
    """A page with its console errors and uncaught exceptions collected."""

    def __init__(self, browser):
        self.page = browser.new_page(viewport={"width": 1100, "height": 700}, color_scheme="light")
        self.console_errors, self.page_errors = [], []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.page_errors.append(str(error)))

    def _console(self, message):
        if message.type != "error":
            return
        # The browser asks for /favicon.ico by itself; the daemon answers 204, so no error is expected from it
        # either: every console error counts.
        self.console_errors.append(f"{message.text} at {message.location}")

    def rows(self):
        """[(domain, state)] of every host row, in page order."""
        return [tuple(r) for r in self.page.eval_on_selector_all(
            "[data-domain]", "rows => rows.map(r => [r.dataset.domain, r.dataset.state])")]

    def states(self):
        return dict(self.rows())

    def text(self, selector):
        return self.page.inner_text(selector)



def screenshot_path():
    return os.environ.get("STATUS_SCREENSHOT") or os.path.join(ROOT, "docs", "dashboard.png")


# browser comes first in the tests' arguments, so a missing chromium or playwright fails before a daemon starts.
def test_the_dashboard_shows_every_host_and_a_host_taken_down_within_the_bound(browser, daemons, lab):
    watched = Watched(browser)
    page = watched.page
    try:
        response = page.goto(f"http://127.0.0.1:{PORT}/")
        assert response.status == 200
        assert response.headers["content-type"].startswith("text/html")
        page.wait_for_selector("html[data-ready='1']", state="attached", timeout=10_000)

        assert [domain for domain, _ in watched.rows()] == HOSTS, "one row per host, in configuration order"
        # Every host has been pinged within a second of start; the router's "unreachable" takes
        # 3 intervals; the page shows both at its next refresh.
        wait_for(lambda: all(watched.states()[d] == "up" for d in [*H1, "127.0.0.1", "::1", "localhost"])
                 and watched.states()["198.51.100.7"] == "down", FAILURES * INTERVAL + TIMEOUT + SLACK + REFRESH + 2)
        assert watched.text("#counts").split() == ["6", "up", "·", "1", "down"], watched.text("#counts")
        assert not page.is_visible("#error"), "no error banner while the daemon answers"
        assert watched.text("[data-domain='198.51.100.7'] [data-label='Checked']").endswith("ago")

        bound = FAILURES * INTERVAL + TIMEOUT + SLACK + REFRESH
        lab.set_h1_answering(False)
        _, waited = wait_for(lambda: all(watched.states()[d] == "down" for d in H1), bound + 1)
        assert waited <= bound, f"the page showed h1 down after {waited:.2f}s"
        print(f"\nfigure: dashboard shows h1 down {waited:.2f}s after it stopped answering "
              f"(bound {FAILURES * INTERVAL + TIMEOUT:.1f}s + {SLACK:.0f}s slack + {REFRESH:.0f}s refresh)")
        for domain in H1:
            row = f"[data-domain='{domain}']"
            assert watched.text(f"{row} .badge").startswith("down"), watched.text(f"{row} .badge")
            # A change of state fetches that host's incidents at once: the ongoing one, with its cause.
            wait_for(lambda: "ongoing" in watched.text(f"{row} + tr.inc"), 3)
            assert f"no reply to {FAILURES} pings" in watched.text(f"{row} + tr.inc")
            wait_for(lambda: watched.text(f"{row} .badge").startswith("down for "), 2)
        assert watched.text("#counts").split() == ["3", "up", "·", "4", "down"], watched.text("#counts")
        assert page.title().startswith("4 down")

        assert watched.page_errors == [], watched.page_errors
        assert watched.console_errors == [], watched.console_errors

        path = screenshot_path()
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        page.screenshot(path=path, full_page=True)
        with open(path, "rb") as f:
            head = f.read(24)
        assert head[:8] == PNG_SIGNATURE and head[12:16] == b"IHDR", f"{path} is not a PNG"
        width, height = struct.unpack(">II", head[16:24])
        assert width > 0 and height > 0 and os.path.getsize(path) > 1000, (width, height, os.path.getsize(path))
        print(f"figure: screenshot {path} {width}x{height}, {os.path.getsize(path)} bytes")

        lab.set_h1_answering(True)
        _, waited = wait_for(lambda: all(watched.states()[d] == "up" for d in H1),
                             RECOVERIES * INTERVAL + TIMEOUT + SLACK + REFRESH + 1)
        assert waited <= RECOVERIES * INTERVAL + TIMEOUT + SLACK + REFRESH, f"up again after {waited:.2f}s"
        assert watched.page_errors == [] and watched.console_errors == []
    finally:
        lab.set_h1_answering(True)
        page.close()


def test_the_dashboard_shows_a_banner_while_the_daemon_is_unreachable_and_clears_it(browser, daemons):
    watched = Watched(browser)
    page = watched.page
    try:
        page.goto(f"http://127.0.0.1:{PORT}/")
        page.wait_for_selector("html[data-ready='1']", state="attached", timeout=10_000)
        assert not page.is_visible("#error")

        daemons.current.stop()
        _, waited = wait_for(lambda: page.is_visible("#error"), REFRESH + 2)
        assert "Cannot reach" in watched.text("#error")
        assert [domain for domain, _ in watched.rows()] == HOSTS, "the last answer stays on the page"
        print(f"\nfigure: banner shown {waited:.1f}s after the daemon stopped")

        daemons.start()
        _, waited = wait_for(lambda: not page.is_visible("#error"), REFRESH + 2)
        print(f"figure: banner gone {waited:.1f}s after the new daemon served")
        # The browser logs the refused connections itself; the page must not throw.
        assert watched.page_errors == [], watched.page_errors
    finally:
        page.close()
