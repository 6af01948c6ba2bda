"""Alert channels: OSC 9/777 bytes, terminal detection, tmux passthrough, apprise to loopback."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from crowdwatch.analytics.alerts import Alert
from crowdwatch.config.schema import AlertsConfig
from crowdwatch.session.alerts import AlertLog
from crowdwatch.session.channels import (
    AppriseSender,
    Delivery,
    osc9,
    osc777,
    osc_flavour,
    terminal_bytes,
    tmux_passthrough,
)

DAY = date(2026, 2, 4)
ALERT = Alert(datetime(2026, 2, 4, 15, 0, tzinfo=UTC), "crash", "momentum_pair", "sigma",
              -3.4, "momentum_pair sigma -3.40 (<= -3.00)", "error")  # fmt: skip


def test_osc_sequences_byte_for_byte() -> None:
    assert osc9("crowdwatch: hi") == b"\x1b]9;crowdwatch: hi\x07"
    assert osc777("crowdwatch", "crash: x") == b"\x1b]777;notify;crowdwatch;crash: x\x07"
    # an ESC or BEL in the text would end the sequence early; a ';' in the title a field
    assert osc9("a\x1b]b\x07c") == b"\x1b]9;a ]b c\x07"
    assert osc777("t;x", "b;y") == b"\x1b]777;notify;t,x;b;y\x07"
    assert osc9("σ -3") == b"\x1b]9;" + "σ -3".encode() + b"\x07"


def test_tmux_passthrough_doubles_every_escape() -> None:
    assert tmux_passthrough(b"\x1b]9;hi\x07") == b"\x1bPtmux;\x1b\x1b]9;hi\x07\x1b\\"


@pytest.mark.parametrize(
    ("env", "flavour"),
    [
        ({"TERM": "xterm-256color", "TERM_PROGRAM": "iTerm.app"}, "9"),
        ({"TERM": "xterm-256color", "LC_TERMINAL": "iTerm2"}, "9"),  # iTerm2 over SSH
        ({"TERM": "xterm-kitty"}, "9"),
        ({"TERM": "xterm-256color", "TERM_PROGRAM": "WezTerm"}, "777"),
        ({"TERM": "foot"}, "777"),
        ({"TERM": "foot-extra"}, "777"),
        ({"TERM": "xterm-256color", "WT_SESSION": "abc"}, "777"),
        ({"TERM": "xterm-256color"}, None),  # unknown terminal: off
        ({"TERM": "xterm-kitty", "NO_COLOR": "1"}, None),
        ({"TERM": "dumb", "TERM_PROGRAM": "iTerm.app"}, None),
        ({}, None),
        ({"TERM": "xterm-256color", "CROWDWATCH_OSC": "777"}, "777"),
        ({"TERM": "xterm-kitty", "CROWDWATCH_OSC": "off"}, None),
    ],
)
def test_osc_only_where_the_terminal_is_known(env: dict, flavour: str | None) -> None:
    assert osc_flavour(env) == flavour


def test_terminal_bytes_follow_notify_and_tmux() -> None:
    kitty = {"TERM": "xterm-kitty"}
    body = b"crowdwatch: crash: momentum_pair sigma -3.40 (<= -3.00)"
    assert terminal_bytes(ALERT, ("bell", "osc"), kitty) == b"\a\x1b]9;" + body + b"\x07"
    assert terminal_bytes(ALERT, ("bell",), kitty) == b"\a"
    assert terminal_bytes(ALERT, ("osc",), {"TERM": "xterm-256color"}) == b""
    foot_in_tmux = {"TERM": "foot", "TMUX": "/tmp/tmux-0/default,1,0"}
    assert terminal_bytes(ALERT, ("osc",), foot_in_tmux) == (
        b"\x1bPtmux;\x1b\x1b]777;notify;crowdwatch;crash: momentum_pair sigma -3.40 "
        b"(<= -3.00)\x07\x1b\\"
    )


class Hook(BaseHTTPRequestHandler):
    received: list[dict] = []
    delay = 0.0

    def do_POST(self) -> None:  # noqa: N802 - the http.server name
        length = int(self.headers.get("Content-Length", 0))
        body = json.loads(self.rfile.read(length))
        time.sleep(self.delay)
        type(self).received.append(body)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def server():
    """A loopback HTTP server on a free port; shut down by the fixture, never left running."""
    Hook.received = []
    Hook.delay = 0.0
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    httpd.timeout = 5
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


def test_apprise_posts_reach_a_local_json_hook(server, tmp_path: Path) -> None:
    url = f"json://127.0.0.1:{server.server_address[1]}/hook"
    log = AlertLog(tmp_path)
    delivery = Delivery(AlertsConfig(notify=("log",), apprise=(url,)), log)
    delivery.deliver([ALERT], DAY)
    delivery.close()
    assert len(Hook.received) == 1
    assert Hook.received[0]["title"] == "crowdwatch: crash"
    assert Hook.received[0]["message"] == ALERT.message
    assert [json.loads(x)["rule"] for x in log.path(DAY).read_text().splitlines()] == ["crash"]
    assert delivery.warnings() == []


def test_a_slow_endpoint_never_blocks_the_caller(server) -> None:
    Hook.delay = 0.5
    url = f"json://127.0.0.1:{server.server_address[1]}/hook"
    sender = AppriseSender((url,))
    started = time.perf_counter()
    for _ in range(3):
        sender.send(ALERT, DAY)
    assert time.perf_counter() - started < 0.2  # queued, not sent inline
    sender.close(timeout=10)
    assert len(Hook.received) == 3


def test_a_failed_send_is_logged_and_shown(tmp_path: Path) -> None:
    # a port nobody listens on (the server was bound then closed): connection refused
    with ThreadingHTTPServer(("127.0.0.1", 0), Hook) as probe:
        port = probe.server_address[1]
    log = AlertLog(tmp_path)
    delivery = Delivery(AlertsConfig(notify=("log",), apprise=(f"json://127.0.0.1:{port}/x",)), log)
    delivery.deliver([ALERT], DAY)
    delivery.close()
    (warning,) = delivery.warnings()
    assert warning.startswith("apprise json://127.0.0.1") and "(crash, momentum_pair)" in warning
    alert_line, failure = log.path(DAY).read_text().splitlines()
    assert json.loads(failure)["event"] == "apprise failed"
    assert list(log.alerts(DAY)) == [json.loads(alert_line)]  # failures are not alerts


def test_an_unknown_apprise_url_is_a_warning_not_a_crash() -> None:
    sender = AppriseSender(("not a url",))
    assert list(sender.problems) == [
        "alerts.yaml apprise URL #1 is not one apprise knows; it is skipped"
    ]
    sender.send(ALERT, DAY)  # nothing to send to: a no-op
    sender.close()
