"""Live preview: ``polybrief serve``.

Builds, then serves the output folder over HTTP and watches the project's inputs. A
change rebuilds, in this process (which stays warm), only the documents that depend on
it (the build's own cache decides): every HTML page first, then the PDFs, the language
last viewed first. Each open page learns of a new build by server-sent events and
reloads; a build error shows in it as an overlay of ``path:line`` messages until it is
fixed. The reload script is added to HTML pages as they are sent: the built files never
hold it.

Only files inside the output folder are served; anything else is 404. Binding anything
but the loopback interface takes an explicit ``--host`` and prints a warning.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from ipaddress import ip_address
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .errors import ProjectError
from .files import EnvironmentFailure

log = logging.getLogger("polybrief")

EVENTS = "/__polybrief/events"
STATUS = "/__polybrief/status"
KEEPALIVE = 15.0         # seconds between comments on an idle event stream
TYPES = {".html": "text/html; charset=utf-8", ".pdf": "application/pdf",
         ".json": "application/json", ".xml": "application/xml", ".svg": "image/svg+xml",
         ".png": "image/png", ".jpg": "image/jpeg", ".css": "text/css; charset=utf-8",
         ".txt": "text/plain; charset=utf-8"}
# Added before </body> of each HTML page sent: reload on a new build, or show its errors.
CLIENT = """<script>(() => {
  const show = (errors) => {
    let box = document.getElementById("polybrief-errors");
    if (!errors.length) { if (box) box.remove(); return false; }
    if (!box) {
      box = document.createElement("div");
      box.id = "polybrief-errors";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;" +
        "background:#fff5f5;color:#5a0000;font:14px/1.5 monospace;padding:24px;" +
        "white-space:pre-wrap";
      document.body.append(box);
    }
    box.textContent = "polybrief: the build failed\\n\\n" + errors.join("\\n");
    return true;
  };
  let seen = null;
  const events = new EventSource("EVENTS");
  events.onmessage = async (event) => {
    const state = JSON.parse(event.data);
    if (seen === null) { seen = state.version; show(state.errors); return; }
    if (state.version === seen) return;
    seen = state.version;
    if (!show(state.errors)) location.reload();
  };
})();</script>""".replace("EVENTS", EVENTS)


@dataclass
class BuildState:
    """What the server knows of the builds: a version that grows with each, and the
    last one's errors."""

    version: int = 0
    errors: list[str] = field(default_factory=list)
    viewed: str | None = None          # the language of the page last sent
    changed: threading.Condition = field(default_factory=threading.Condition)

    def publish(self, errors: list[str]) -> None:
        with self.changed:
            self.version += 1
            self.errors = errors
            self.changed.notify_all()

    def snapshot(self) -> dict:
        with self.changed:
            return {"version": self.version, "errors": list(self.errors)}

    def wait(self, version: int, timeout: float) -> dict:
        with self.changed:
            self.changed.wait_for(lambda: self.version != version, timeout)
            return {"version": self.version, "errors": list(self.errors)}


class Preview:
    """A project, its output folder, the builds and the watcher."""

    def __init__(self, root: Path, out_dir: Path | None = None, pdf: bool = True) -> None:
        from .config import load_config

        self.root = root
        self.config = load_config(root)
        self.out_dir = Path(os.path.realpath(out_dir or self.config.out_dir))
        self.pdf = pdf
        self.state = BuildState()
        self.stop = threading.Event()

    # --- Building ----------------------------------------------------------------------

    def rebuild(self) -> None:
        """Build the HTML, publish; then the PDFs, publish again. Errors are published."""
        from .project import Selection, build, load_project

        try:
            project = load_project(self.root)
            build(project, Selection(formats=("html",)), out_dir=self.out_dir)
            self.state.publish([])
            if self.pdf:
                viewed = self.state.viewed
                tags = {language.tag for language in project.config.languages}
                first = [viewed] if viewed in tags else []
                if first:
                    build(project, Selection(langs=tuple(first), formats=("pdf",)),
                          out_dir=self.out_dir)
                    self.state.publish([])
                build(project, Selection(formats=("pdf",)), out_dir=self.out_dir)
                self.state.publish([])
        except ProjectError as exc:
            messages = [str(problem) for problem in exc.problems]
            for message in messages:
                log.error("%s", message)
            self.state.publish(messages)
        except EnvironmentFailure as exc:   # disk full, a read-only folder: say so, go on
            log.error("%s", exc)
            self.state.publish([str(exc)])

    def watched(self) -> list[Path]:
        """The inputs a change to which rebuilds: content, catalogs, templates, the
        configuration, the glossary and the theme's logo files."""
        from .glossary import FILE

        paths = [self.config.content_dir, self.config.locales_dir,
                 self.config.templates_dir, self.root / "pyproject.toml", self.root / FILE]
        paths += [self.root / logo.display for logo in self.config.theme.logos.values()]
        return [path for path in paths if path.exists()]

    def watch(self) -> None:
        """Rebuild on every change of the inputs until stopped."""
        from watchfiles import watch

        for changes in watch(*self.watched(), stop_event=self.stop, watch_filter=self._input,
                             debounce=50, step=20, rust_timeout=500, yield_on_timeout=False):
            if changes:
                started = time.perf_counter()
                self.rebuild()
                log.info("rebuilt in %.2f s", time.perf_counter() - started)

    def _input(self, change, path: str) -> bool:
        """Tell whether a changed path is an input: not the output folder, not a hidden
        folder, not the staging folders of a build."""
        resolved = Path(os.path.realpath(path))
        if resolved == self.out_dir or self.out_dir in resolved.parents:
            return False
        relative = resolved.relative_to(self.root) if self.root in resolved.parents \
            else None
        if relative is None or any(part.startswith(".") or part in ("__pycache__", "xliff",
                                                                       "tm")
                                   for part in relative.parts):
            return False
        return not relative.name.startswith(self.out_dir.name + ".")

    # --- Serving -----------------------------------------------------------------------

    def file(self, url_path: str) -> Path | None:
        """The file of the output folder a request names; None for anything else."""
        parts = [part for part in unquote(url_path).split("/") if part]
        if any(part in (".", "..") or "\\" in part or "\x00" in part for part in parts):
            return None
        path = self.out_dir.joinpath(*parts)
        if path.is_dir():
            path = path / "index.html"
        resolved = Path(os.path.realpath(path))
        if self.out_dir not in resolved.parents or not resolved.is_file():
            return None
        return resolved


def handler_for(preview: Preview) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "polybrief"

        def log_message(self, format, *args) -> None:  # noqa: A002 - the base class's name
            log.debug("%s %s", self.address_string(), format % args)

        def do_HEAD(self) -> None:
            self.do_GET(body=False)

        def do_GET(self, body: bool = True) -> None:
            path = urlsplit(self.path).path
            if path == EVENTS:
                return self._events()
            if path == STATUS:
                return self._send(HTTPStatus.OK, "application/json",
                                  json.dumps(preview.state.snapshot()).encode(), body)
            file = preview.file(path)
            if file is None:
                return self._send(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8",
                                  b"404: not in the output folder\n", body)
            data = file.read_bytes()
            kind = TYPES.get(file.suffix.lower(), "application/octet-stream")
            if file.suffix.lower() == ".html":
                relative = file.relative_to(preview.out_dir).parts
                if len(relative) > 1:
                    preview.state.viewed = relative[0]
                data = _with_client(data)
            self._send(HTTPStatus.OK, kind, data, body)

        def _send(self, status, kind: str, data: bytes, body: bool = True) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            if body:
                self.wfile.write(data)

        def _events(self) -> None:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            state = preview.state.snapshot()
            try:
                self.wfile.write(f"data: {json.dumps(state)}\n\n".encode())
                self.wfile.flush()
                while not preview.stop.is_set():
                    new = preview.state.wait(state["version"], KEEPALIVE)
                    if new["version"] == state["version"]:
                        self.wfile.write(b": keep-alive\n\n")
                    else:
                        state = new
                        self.wfile.write(f"data: {json.dumps(state)}\n\n".encode())
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                return

    return Handler


def _with_client(page: bytes) -> bytes:
    """An HTML page with the reload script before its </body>."""
    marker = page.rfind(b"</body>")
    script = CLIENT.encode()
    return page[:marker] + script + page[marker:] if marker >= 0 else page + script


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def start(preview: Preview, host: str, port: int) -> ThreadingHTTPServer:
    """Bind the server and serve in a thread; the caller builds and watches."""
    server = ThreadingHTTPServer((host, port), handler_for(preview))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="polybrief-http", daemon=True).start()
    return server
