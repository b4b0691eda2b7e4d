"""A small OpenAI-compatible chat server on 127.0.0.1 for tests: scripted answers, every request recorded.

    server.script(reply({"codes": [...]}), error(429), stream(["Hel", "lo"], break_after=1))
    llm = OpenAILLM(base_url=server.url, model="test-model", timeout_s=1)

Each request to /v1/chat/completions takes the next scripted behaviour (`server.default` once the script
is used up). Server-wide switches play servers that lack features: `json_schema=False` answers 400 to a
`json_schema` response format (as some llama.cpp builds do), `json_object_schema=False` answers 400 to a
`json_object` format that carries a schema, `stream_options=False` answers 400 to `stream_options`;
those refusals do not use up the script. `server.requests` holds every request body, parsed.

The fixtures `llm_server` and `refused_url` are registered in tests/conftest.py for the whole suite.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from pydantic import BaseModel

Respond = Callable[["_Handler", dict[str, Any], "ScriptedLLMServer"], None]


@dataclass
class Behaviour:
    """How the server answers one request."""

    name: str
    respond: Respond = field(repr=False)


def reply(content: str | dict | list | BaseModel, *, usage: tuple[int, int] = (12, 7),
          finish_reason: str = "stop", delay: float = 0.0) -> Behaviour:
    """A normal chat completion whose message text is `content` (dicts and models sent as JSON text)."""
    if isinstance(content, BaseModel):
        content = content.model_dump_json()
    elif not isinstance(content, str):
        content = json.dumps(content)
    text = content

    def respond(handler: _Handler, body: dict[str, Any], server: ScriptedLLMServer) -> None:
        if server.sleep(delay):
            return
        handler.send_json(200, {
            "id": "chatcmpl-test", "object": "chat.completion", "created": int(time.time()),
            "model": body.get("model", ""),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                         "finish_reason": finish_reason}],
            "usage": {"prompt_tokens": usage[0], "completion_tokens": usage[1], "total_tokens": sum(usage)},
        })

    return Behaviour(f"reply({text[:40]!r})", respond)


def error(status: int, message: str = "scripted failure", *, headers: dict[str, str] | None = None,
          delay: float = 0.0) -> Behaviour:
    """An error status with an OpenAI-style error body."""

    def respond(handler: _Handler, body: dict[str, Any], server: ScriptedLLMServer) -> None:
        if server.sleep(delay):
            return
        handler.send_json(status, {"error": {"message": message, "type": "test", "code": status}}, headers)

    return Behaviour(f"error({status})", respond)


def raw_body(data: bytes, *, status: int = 200, content_type: str = "application/json") -> Behaviour:
    """Exactly these bytes as the body (a server that answers something that is not a chat completion)."""

    def respond(handler: _Handler, body: dict[str, Any], server: ScriptedLLMServer) -> None:
        handler.send_bytes(status, data, content_type)

    return Behaviour(f"raw_body({data[:30]!r})", respond)


def hang_up() -> Behaviour:
    """Close the connection without answering."""

    def respond(handler: _Handler, body: dict[str, Any], server: ScriptedLLMServer) -> None:
        handler.close_connection = True

    return Behaviour("hang_up()", respond)


def stream(chunks: Sequence[str], *, delay: float = 0.0, first_delay: float = 0.0,
           usage: tuple[int, int] = (12, 7), break_after: int | None = None, close: str = "abrupt") -> Behaviour:
    """Server-sent events, one text chunk each, `delay` seconds apart.

    `break_after=n` stops after n chunks: `close="abrupt"` drops the connection in the middle of the
    chunked body; `close="eof"` ends a body sent without length or chunking, so it looks complete to HTTP
    but has neither a finish reason nor [DONE].
    """

    def respond(handler: _Handler, body: dict[str, Any], server: ScriptedLLMServer) -> None:
        chunked = close == "abrupt"
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        if chunked:
            handler.send_header("Transfer-Encoding", "chunked")
        else:
            handler.send_header("Connection", "close")
        handler.end_headers()

        def event(payload: object) -> None:
            data = f"data: {payload if isinstance(payload, str) else json.dumps(payload)}\n\n".encode()
            handler.wfile.write(f"{len(data):X}\r\n".encode() + data + b"\r\n" if chunked else data)
            handler.wfile.flush()

        def chunk(delta: dict[str, str], finish: str | None) -> dict[str, Any]:
            return {"id": "chatcmpl-test", "object": "chat.completion.chunk", "created": int(time.time()),
                    "model": body.get("model", ""),
                    "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

        if server.sleep(first_delay):
            return
        for i, text in enumerate(chunks):
            if break_after is not None and i >= break_after:
                handler.close_connection = True
                return
            if i and server.sleep(delay):
                return
            event(chunk({"role": "assistant", "content": text} if i == 0 else {"content": text}, None))
        if break_after is not None:
            handler.close_connection = True
            return
        event(chunk({}, "stop"))
        if (body.get("stream_options") or {}).get("include_usage"):
            event({"id": "chatcmpl-test", "object": "chat.completion.chunk", "created": int(time.time()),
                   "model": body.get("model", ""), "choices": [],
                   "usage": {"prompt_tokens": usage[0], "completion_tokens": usage[1], "total_tokens": sum(usage)}})
        event("[DONE]")
        if chunked:
            handler.wfile.write(b"0\r\n\r\n")
        else:
            handler.close_connection = True

    return Behaviour(f"stream({len(chunks)} chunks)", respond)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        pass

    def send_bytes(self, status: int, data: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def send_json(self, status: int, payload: object, headers: dict[str, str] | None = None) -> None:
        self.send_bytes(status, json.dumps(payload).encode(), "application/json", headers)

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        if self.path.rstrip("/").endswith("/models"):
            self.send_json(200, {"object": "list", "data": [{"id": "test-model", "object": "model"}]})
        else:
            self.send_json(404, {"error": {"message": f"no route {self.path}"}})

    def do_POST(self) -> None:  # noqa: N802
        owner = self.server.owner
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            body = json.loads(raw)
        except json.JSONDecodeError:
            self.send_json(400, {"error": {"message": "request body is not JSON"}})
            return
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self.send_json(404, {"error": {"message": f"no route {self.path}"}})
            return
        owner.record(body)
        refusal = owner.refusal(body)
        try:
            if refusal is not None:
                self.send_json(owner.refusal_status, {"error": {"message": refusal, "type": "invalid_request_error"}})
            else:
                owner.next_behaviour().respond(self, body, owner)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: ScriptedLLMServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that timed out and left is part of the script


class ScriptedLLMServer:
    def __init__(self, *, json_schema: bool = True, json_object_schema: bool = True,
                 stream_options: bool = True, refusal_status: int = 400) -> None:
        self.json_schema = json_schema
        self.refusal_status = refusal_status  # llama-cpp-python's server refuses json_schema with a 500
        self.json_object_schema = json_object_schema
        self.stream_options = stream_options
        self.requests: list[dict[str, Any]] = []
        self.default: Behaviour = error(500, "nothing scripted for this request")
        self._script: deque[Behaviour] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._http = _Server(("127.0.0.1", 0), _Handler)
        self._http.owner = self
        self._thread = threading.Thread(target=self._http.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._http.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self) -> ScriptedLLMServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._http.shutdown()
        self._http.server_close()
        self._thread.join(timeout=5)

    def script(self, *behaviours: Behaviour) -> None:
        with self._lock:
            self._script.extend(behaviours)

    def next_behaviour(self) -> Behaviour:
        with self._lock:
            return self._script.popleft() if self._script else self.default

    def record(self, body: dict[str, Any]) -> None:
        with self._lock:
            self.requests.append(body)

    def refusal(self, body: dict[str, Any]) -> str | None:
        response_format = body.get("response_format") or {}
        if not self.json_schema and response_format.get("type") == "json_schema":
            return "1 validation error: ('body', 'response_format', 'type') Input should be 'text' or 'json_object'"
        if not self.json_object_schema and response_format.get("type") == "json_object" and "schema" in response_format:
            return "unrecognized field 'schema' in response_format"
        if not self.stream_options and "stream_options" in body:
            return "unrecognized request argument: stream_options"
        return None

    def sleep(self, seconds: float) -> bool:
        """Wait `seconds`; True when the server is stopping meanwhile (the handler should give up)."""
        return self._stopping.wait(seconds) if seconds > 0 else False

    def sent_text(self) -> str:
        """Everything clients sent, as one text (JSON with its escapes undone), for privacy checks."""
        return "\n".join(json.dumps(body, ensure_ascii=False) for body in self.requests)

    def messages(self, index: int = -1) -> list[dict[str, str]]:
        return self.requests[index]["messages"]


@pytest.fixture
def llm_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[ScriptedLLMServer]:
    """A running scripted server; LLM requests are allowed while it runs."""
    import assistant.llm

    monkeypatch.setattr(assistant.llm, "ALLOW_REQUESTS", True)
    server = ScriptedLLMServer().start()
    yield server
    server.stop()


@pytest.fixture
def refused_url(monkeypatch: pytest.MonkeyPatch) -> str:
    """A loopback URL where nothing listens (connections are refused)."""
    import assistant.llm

    monkeypatch.setattr(assistant.llm, "ALLOW_REQUESTS", True)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"
