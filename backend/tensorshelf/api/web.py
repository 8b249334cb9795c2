"""Web mode (`tensorshelf serve`): the UI and ShelfApi over HTTP on 127.0.0.1 only.

Protocol (DESIGN.md "API between UI and backend"): every `/api` request needs the random
per-start token — `Authorization: Bearer TOKEN` on `POST /api/call/<method>` (body: a JSON
object of keyword arguments; answer: the envelope), `?token=TOKEN` on the SSE stream
`GET /api/events`. Every request must name this server in `Host` (127.0.0.1:PORT or
localhost:PORT) and, when it has an `Origin`, come from the same origin — which defeats DNS
rebinding and cross-site requests. No CORS headers are ever sent. Calls run in a thread
pool, so a slow call never blocks another."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import secrets
import signal
import socket
import sys
import threading
import time
import webbrowser
from collections.abc import MutableMapping
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import parse_qs

import uvicorn
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from tensorshelf import settings
from tensorshelf.api.dispatch import Envelope, call_method
from tensorshelf.api.shelf import ShelfApi
from tensorshelf.api.web_sse import SseHub
from tensorshelf.api.web_static import StaticUI, ui_dist_dir

log = logging.getLogger(__name__)

# HTTP status of an error envelope, by error code; other ShelfErrors are 400.
_STATUS_BY_CODE: dict[str, int] = {
    "unknown_method": 404,
    "model_not_found": 404,
    "job_not_found": 404,
    "invalid_argument": 400,
    "unsafe_path": 400,
    "unsupported": 400,
    "invalid_model_file": 422,
    "pickle_refused": 422,
    "dangerous_pickle": 422,
    "ambiguous_model": 409,
    "library_locked": 409,
    "source_changed": 409,
    "cross_device": 409,
    "cancelled": 409,
    "disk_full": 409,
    "corrupt_metadata": 409,
    "internal_error": 500,
}
_NO_STORE = {"Cache-Control": "no-store"}
_ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
_SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
]


def status_for(envelope: Envelope) -> int:
    if envelope.get("ok"):
        return 200
    return _STATUS_BY_CODE.get(envelope["error"]["code"], 400)


def _error(code: str, message: str) -> dict[str, Any]:
    return {"ok": False, "error": {"code": code, "message": message, "details": {}}}


class LoopbackGuard:
    """ASGI middleware in front of everything: Host/Origin must be this server (else 403),
    and `/api/*` needs the token (else 401) — checked before any handler runs."""

    def __init__(self, app: ASGIApp, port: int, token: str) -> None:
        self.app = app
        self._hosts = {f"127.0.0.1:{port}", f"localhost:{port}"}
        self._origins = {f"http://{h}" for h in self._hosts}
        self._token = token.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        host = headers.get("host", "").lower()
        origin = headers.get("origin")
        if host not in self._hosts:
            await self._refuse(
                scope,
                receive,
                send,
                403,
                "forbidden_host",
                "requests must be addressed to 127.0.0.1 or localhost",
            )
            return
        if origin is not None and origin.lower() not in self._origins:
            await self._refuse(
                scope,
                receive,
                send,
                403,
                "forbidden_origin",
                "cross-origin requests are not allowed",
            )
            return
        path: str = scope["path"]
        if (path == "/api" or path.startswith("/api/")) and not self._authorized(scope, headers):
            await self._refuse(
                scope,
                receive,
                send,
                401,
                "unauthorized",
                "missing or wrong token",
                {"WWW-Authenticate": "Bearer"},
            )
            return

        async def send_with_headers(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *_SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _authorized(self, scope: Scope, headers: Headers) -> bool:
        scheme, _, value = headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and self._matches(value.strip()):
            return True
        if scope["path"] == "/api/events":  # EventSource cannot send headers
            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            return any(self._matches(t) for t in query.get("token", []))
        return False

    def _matches(self, candidate: str) -> bool:
        return secrets.compare_digest(candidate.encode("utf-8", "replace"), self._token)

    @staticmethod
    async def _refuse(
        scope: Scope,
        receive: Receive,
        send: Send,
        status: int,
        code: str,
        message: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        log.warning("refused %s %s: %s", scope.get("method", ""), scope["path"], code)
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        response = JSONResponse(
            _error(code, message), status_code=status, headers={**_NO_STORE, **(headers or {})}
        )
        await response(scope, receive, send)


async def _read_kwargs(request: Request) -> Any:
    """The request body as JSON (an empty body is `{}`); raises ValueError if unusable."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > settings.WEB_MAX_BODY_BYTES:
        raise OverflowError
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > settings.WEB_MAX_BODY_BYTES:
            raise OverflowError
    if not body.strip():
        return {}
    try:
        return json.loads(body)
    except RecursionError:  # a deeply nested body: refuse it like any other unusable body
        raise ValueError("nested too deeply") from None


def create_app(
    api: ShelfApi, token: str, port: int, dist: Path | None = None, hub: SseHub | None = None
) -> ASGIApp:
    """The ASGI app of web mode for a server listening on 127.0.0.1:`port`."""
    sse = hub or SseHub(api.bus)

    async def call(request: Request) -> Response:
        if request.method != "POST":
            return JSONResponse(
                _error("method_not_allowed", "use POST"),
                status_code=405,
                headers={**_NO_STORE, "Allow": "POST"},
            )
        method = request.path_params["method"]
        try:
            kwargs = await _read_kwargs(request)
        except OverflowError:
            return JSONResponse(
                _error("invalid_argument", "request body too large"),
                status_code=413,
                headers=_NO_STORE,
            )
        except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
            return JSONResponse(
                _error("invalid_argument", f"body is not JSON: {exc}"),
                status_code=400,
                headers=_NO_STORE,
            )
        envelope = await run_in_threadpool(call_method, api, method, kwargs)
        try:
            return JSONResponse(envelope, status_code=status_for(envelope), headers=_NO_STORE)
        except (TypeError, ValueError) as exc:  # e.g. NaN, which JSON cannot carry
            log.exception("%s returned something that is not JSON", method)
            return JSONResponse(
                _error("internal_error", f"{method} result is not JSON: {exc}"),
                status_code=500,
                headers=_NO_STORE,
            )

    async def events(request: Request) -> Response:
        return StreamingResponse(
            sse.stream(),
            media_type="text/event-stream",
            headers={**_NO_STORE, "X-Accel-Buffering": "no"},
        )

    async def api_not_found(request: Request) -> Response:
        return JSONResponse(
            _error("not_found", f"no API endpoint {request.url.path}"),
            status_code=404,
            headers=_NO_STORE,
        )

    app = Starlette(
        routes=[
            Route("/api/call/{method}", call, methods=_ALL_METHODS),
            Route("/api/events", events, methods=["GET"]),
            Route("/api/{rest:path}", api_not_found, methods=_ALL_METHODS),
            Mount("/", app=StaticUI(dist or ui_dist_dir())),
        ]
    )
    return LoopbackGuard(app, port, token)


class _Uvicorn(uvicorn.Server):
    """uvicorn that ends the open SSE streams when it shuts down (they never finish) and
    that sleeps while idle: stock uvicorn wakes ten times a second to poll `should_exit`;
    here setting `should_exit` (signal handler, `WebServer.stop`) wakes the loop instead.
    (Without the tick the Date header would go stale, so it is not sent.)"""

    def __init__(self, config: uvicorn.Config, hub: SseHub) -> None:
        self._exit = False
        self._wake: tuple[asyncio.AbstractEventLoop, asyncio.Event] | None = None
        super().__init__(config)
        self._hub = hub

    @property
    def should_exit(self) -> bool:
        return self._exit

    @should_exit.setter
    def should_exit(self, value: bool) -> None:
        self._exit = value
        wake = self._wake
        if value and wake is not None:
            loop, event = wake
            with contextlib.suppress(RuntimeError):  # the loop may have closed already
                loop.call_soon_threadsafe(event.set)

    async def main_loop(self) -> None:
        event = asyncio.Event()
        self._wake = (asyncio.get_running_loop(), event)
        if await self.on_tick(0):  # sets the default headers once
            return
        while not self.should_exit:
            await event.wait()
            event.clear()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self._hub.close_all()
        await super().shutdown(sockets=sockets)


class WebServer:
    """A web-mode server for one ShelfApi, bound at construction (port 0 = a free port)."""

    def __init__(
        self, api: ShelfApi, port: int = 0, token: str | None = None, dist: Path | None = None
    ) -> None:
        self.api = api
        self.host = settings.WEB_HOST
        self.token = token or secrets.token_urlsafe(settings.WEB_TOKEN_BYTES)
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # accepted connections inherit it: a response's head and body go out at once (with
        # Nagle's algorithm the body waited ~40 ms for the client's delayed ACK)
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            self._sock.bind((self.host, port))
            # listening now, so the URL works the moment it is printed (connections wait
            # in the backlog until uvicorn accepts them)
            self._sock.listen(settings.WEB_LISTEN_BACKLOG)
        except OSError:
            self._sock.close()
            raise
        self.port: int = self._sock.getsockname()[1]
        self.hub = SseHub(api.bus)
        config = uvicorn.Config(
            create_app(api, self.token, self.port, dist, self.hub),
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=int(settings.WEB_SHUTDOWN_GRACE_S),
            backlog=settings.WEB_LISTEN_BACKLOG,
            server_header=False,
            date_header=False,
        )
        self._server = _Uvicorn(config, self.hub)
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def url(self) -> str:
        """The address to open: the UI with its token in the fragment (never sent to servers)."""
        return f"{self.base_url}/#token={self.token}"

    def run(self) -> None:
        """Serve until `stop()` or, on the main thread, SIGINT/SIGTERM."""
        self._server.run(sockets=[self._sock])

    def start(self) -> None:
        """Serve from a background thread; returns once the server accepts connections."""
        self._thread = threading.Thread(target=self.run, name="tensorshelf-web", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + settings.WEB_START_TIMEOUT_S
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the web server did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(settings.WEB_START_TIMEOUT_S)


def _has_gui() -> bool:
    """False on a Linux/BSD box without a display, where `webbrowser` would start a text
    browser in the terminal instead of a window."""
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def serve(
    api: ShelfApi, port: int = 0, open_browser: bool = True, json_output: bool = False
) -> int:
    """`tensorshelf serve`: print the URL (with --json one line `{"url","port","token"}`),
    optionally open a browser, and serve until SIGINT/SIGTERM. Returns the exit code.
    The caller owns `api` (and closes it afterwards)."""
    server = WebServer(api, port=port)
    if json_output:
        line = json.dumps({"url": server.url, "port": server.port, "token": server.token})
    else:
        line = server.url
    sys.stdout.write(line + "\n")
    sys.stdout.flush()
    if open_browser and _has_gui():
        threading.Thread(target=webbrowser.open, args=(server.url,), daemon=True).start()
    log.info("web mode on %s (Ctrl-C to stop)", server.base_url)

    # uvicorn re-raises the signal that stopped it once it has shut down; with these
    # handlers in place that is a no-op, so serve() returns normally and the caller can
    # close the library cleanly.
    def _quiet(signum: int, frame: FrameType | None) -> None:
        log.debug("signal %d after shutdown ignored", signum)

    previous = {}
    if threading.current_thread() is threading.main_thread():
        previous = {s: signal.signal(s, _quiet) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        server.run()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
