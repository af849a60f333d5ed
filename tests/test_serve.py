"""polybrief serve: a real HTTP server, a real file change, reloads and error overlays."""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import ROOT, pdf_text, run
from polybrief.serve import EVENTS, Preview, is_loopback, start

BRIEF = "content/mini/brief.yaml"
OLD, NEW = "Irrigation", "Irrigation and canals"


@pytest.fixture
def served(mini: Path):
    """The mini project built, served on a free port and watched, in this process."""
    preview = Preview(mini)
    preview.rebuild()
    server = start(preview, "127.0.0.1", 0)
    watcher = threading.Thread(target=preview.watch, daemon=True)
    watcher.start()
    time.sleep(0.3)   # the watcher's first scan
    yield preview, server.server_port
    preview.stop.set()
    server.shutdown()
    server.server_close()
    watcher.join(timeout=5)


def get(port: int, path: str, method: str = "GET") -> tuple[int, dict, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request(method, path)
    response = connection.getresponse()
    result = response.status, dict(response.getheaders()), response.read()
    connection.close()
    return result


def status(port: int) -> dict:
    return json.loads(get(port, "/__polybrief/status")[2])


def wait_for(check, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.05)
    raise AssertionError("timed out")


def test_pages_get_the_reload_script_and_the_files_stay_clean(served):
    preview, port = served
    code, headers, body = get(port, "/ru/mini.html")
    assert code == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Cache-Control"] == "no-store"
    assert body.count(b"new EventSource") == 1 and body.rstrip().endswith(b"</html>")
    on_disk = (preview.out_dir / "ru" / "mini.html").read_bytes()
    assert b"EventSource" not in on_disk
    assert get(port, "/")[0] == 200                       # a folder: its index.html
    assert get(port, "/ru/mini.ru.pdf")[1]["Content-Type"] == "application/pdf"
    assert get(port, "/ru/mini.html", "HEAD")[2] == b""


@pytest.mark.parametrize("path", [
    "/../pyproject.toml", "/%2e%2e/pyproject.toml", "/ru/%2e%2e/%2e%2e/pyproject.toml",
    "/..%2fpyproject.toml", "/nothing.html", "/ru/%00mini.html", "//etc/passwd",
])
def test_only_files_of_the_output_folder_are_served(served, path):
    _, port = served
    assert get(port, path)[0] == 404


def test_a_change_on_disk_rebuilds_and_tells_open_pages(served):
    preview, port = served
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", EVENTS)
    events = connection.getresponse()
    assert events.getheader("Content-Type") == "text/event-stream"
    first = json.loads(events.readline().decode().removeprefix("data: "))
    events.readline()
    brief = preview.root / BRIEF
    brief.write_text(brief.read_text(encoding="utf-8").replace(f"- {OLD}\n", f"- {NEW}\n"),
                     encoding="utf-8")
    line = events.readline().decode()
    while not line.startswith("data: "):
        line = events.readline().decode()
    state = json.loads(line.removeprefix("data: "))
    assert state["version"] > first["version"] and state["errors"] == []
    connection.close()
    assert NEW.encode() in get(port, "/en/mini.html")[2]
    # The PDFs follow.
    wait_for(lambda: NEW in pdf_text(preview.out_dir / "en" / "mini.en.pdf"))


def test_a_build_error_is_an_overlay_until_fixed_and_the_server_keeps_running(served):
    preview, port = served
    brief = preview.root / BRIEF
    good = brief.read_text(encoding="utf-8")
    brief.write_text(good.replace("sections:\n", "sections: [\n", 1), encoding="utf-8")
    errors = wait_for(lambda: status(port)["errors"])
    assert errors[0].startswith(f"{BRIEF}:") and "invalid YAML" in errors[0]
    code, _, body = get(port, "/en/mini.html")          # the last good page, still served
    assert code == 200 and b"polybrief-errors" in body
    brief.write_text(good, encoding="utf-8")
    wait_for(lambda: not status(port)["errors"])


def test_the_output_folder_is_not_watched(served):
    """A build writes the output folder: that must not start another build."""
    preview, port = served
    version = status(port)["version"]
    (preview.out_dir / "note.txt").write_text("x", encoding="utf-8")
    time.sleep(1.0)
    assert status(port)["version"] == version


def test_loopback_is_the_default_and_anything_else_warns(mini):
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.10")
    process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "serve", "-C", str(mini),
                                "--host", "0.0.0.0", "--port", "0", "--no-pdf"],
                               stderr=subprocess.PIPE, text=True)
    try:
        lines = []
        for line in process.stderr:
            lines.append(line)
            if line.startswith("Serving"):
                break
        assert lines[0].startswith("warning: serving on 0.0.0.0: other machines can read")
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_port_in_use_is_one_line(mini, capsys):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert run(mini, "serve", "--port", str(port)) != 0
    err = capsys.readouterr().err
    assert f"cannot serve on 127.0.0.1:{port}" in err and "Traceback" not in err


def test_the_theme_logo_is_watched(tmp_path):
    folder = tmp_path / "p"
    assert run(tmp_path, "new", str(folder), "-q") == 0
    (folder / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>',
                                     encoding="utf-8")
    with (folder / "pyproject.toml").open("a", encoding="utf-8") as config:
        config.write('\n[tool.polybrief.theme]\norganisation = "Desk"\nlogo = "logo.svg"\n')
    assert folder / "logo.svg" in Preview(folder).watched()
