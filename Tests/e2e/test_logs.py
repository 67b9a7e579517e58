"""End to end: the log. One `key=value` line per event on stdout (nothing on stderr while running), and LOG_LEVEL
decides the least level shown. The daemon watches loopback only and has no database (a socket that does not
exist), which it rides out with warnings."""
import os
import re
import subprocess
import tempfile
import time

LINE = re.compile(r'^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z level=(debug|info|warn|error) event=[a-z_]+'
                  r'( [a-z_0-9]+=([^ "=]+|"([^"\\]|\\.)*"))*$')


def run_daemon(binary, level, seconds=2.5, port=18120):
    with tempfile.TemporaryDirectory(prefix="status-e2e-logs-") as state:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "MONITORING_HOSTS": "127.0.0.1,::1",
               "MONITORING_INTERVAL": "200ms", "MYSQL_UNIX_SOCKET": os.path.join(state, "no-such.sock"),
               "MYSQL_PASSWORD": "x", "LISTEN_ADDR": f"127.0.0.1:{port}", "STATE_DIR": state, "LOG_LEVEL": level}
        process = subprocess.Popen([binary], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(seconds)
        process.terminate()
        stdout, stderr = process.communicate(timeout=10)
        assert process.returncode == 0, stderr
        return stdout.splitlines(), stderr


def test_every_line_is_one_event_in_key_value_form_on_stdout(binary):
    lines, stderr = run_daemon(binary, "debug")
    assert stderr == ""
    assert lines, "the daemon logged nothing"
    for line in lines:
        assert LINE.match(line), line
    events = [re.search(r"event=(\S+)", line).group(1) for line in lines]
    # The store's first attempt runs on its own queue and may log before "starting" does.
    assert events.index("starting") < events.index("serving") and events[-1] == "stopped", events
    assert any(" level=warn event=db_unavailable " in line for line in lines), "the missing database is a warning"


def test_log_level_warn_hides_info_and_debug(binary):
    lines, _ = run_daemon(binary, "warn", port=18121)
    assert lines, "warnings (the database is missing) are still shown"
    assert all(re.search(r" level=(warn|error) ", line) for line in lines), lines
    assert any(" event=db_unavailable " in line for line in lines), lines


def test_an_unknown_log_level_stops_start_up_with_one_line_on_stderr(binary):
    result = subprocess.run([binary], env={"MONITORING_HOSTS": "127.0.0.1", "LOG_LEVEL": "loud"},
                            capture_output=True, text=True, timeout=10)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "LOG_LEVEL" in result.stderr and "loud" in result.stderr, result.stderr
