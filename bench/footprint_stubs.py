"""Stand-ins that bench/lambda-footprint runs the Lambda functions against.

- RuntimeApi: the Lambda Runtime API (the part a function's runtime client
  uses): serves queued events on `GET …/invocation/next`, takes the
  responses, and records when the first poll arrived.
- RecordingApi: the recipe server as the sender sees it (API Gateway):
  answers 201 and keeps every request, so that the same calls can be
  replayed to the recipe-server function as API Gateway events.
- CountingProxy: sits between the functions and moto and records every AWS
  call (service, operation, request body), so that the cost model counts
  the calls the code really makes.
"""
import http.client
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

RUNTIME_PREFIX = "/2018-06-01/runtime"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def _serve(handler_class, state):
    server = _Server(("127.0.0.1", 0), handler_class)
    server.state = state
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # An answer goes out as a head and a body: with Nagle's algorithm the
    # body would wait for the client's delayed ACK of the head (40 ms).
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def answer(self, status, payload=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class _Stub:
    """A stub server on a free loopback port, with this object as its state."""

    handler = None

    def start(self):
        self.lock = threading.Lock()
        self.server = _serve(self.handler, self)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class RuntimeApi:
    """One function's Runtime API for one run: `events` in order, then the
    next poll sets `exhausted` and is held until the process is ended."""

    def __init__(self, events, function_name):
        self.events = list(events)
        self.function_name = function_name
        self.first_poll_ns = None
        self.first_poll = threading.Event()
        self.exhausted = threading.Event()
        self.release = threading.Event()
        self.served_ns = {}
        self.responses = {}  # request id -> (ns, status path, body)
        self.order = []
        # Called with an event's index just before it is served (the bench
        # labels the AWS calls that follow with it).
        self.on_serve = None
        self.lock = threading.Lock()
        self.server = _serve(_RuntimeHandler, self)

    @property
    def address(self):
        return f"127.0.0.1:{self.server.server_address[1]}"

    def durations_ms(self):
        """Each invocation's time from the event served to its response."""
        return [
            (self.responses[i][0] - self.served_ns[i]) / 1e6
            for i in self.order
            if i in self.responses
        ]

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


class _RuntimeHandler(_Handler):
    def do_GET(self):
        state = self.server.state
        if self.path != f"{RUNTIME_PREFIX}/invocation/next":
            return self.answer(404)
        now = time.perf_counter_ns()
        with state.lock:
            if state.first_poll_ns is None:
                state.first_poll_ns = now
                state.first_poll.set()
            event = state.events.pop(0) if state.events else None
        if event is None:
            state.exhausted.set()
            state.release.wait()
            return
        request_id = str(uuid.uuid4())
        deadline_ms = int(time.time() * 1000) + 30_000
        arn = f"arn:aws:lambda:us-east-1:123456789012:function:{state.function_name}"
        payload = json.dumps(event).encode()
        with state.lock:
            if state.on_serve is not None:
                state.on_serve(len(state.order))
            state.order.append(request_id)
            state.served_ns[request_id] = time.perf_counter_ns()
        self.answer(
            200,
            payload,
            [
                ("Content-Type", "application/json"),
                ("Lambda-Runtime-Aws-Request-Id", request_id),
                ("Lambda-Runtime-Deadline-Ms", str(deadline_ms)),
                ("Lambda-Runtime-Invoked-Function-Arn", arn),
                ("Lambda-Runtime-Trace-Id", f"Root=1-{uuid.uuid4().hex[:8]}-{uuid.uuid4().hex[:24]}"),
            ],
        )

    def do_POST(self):
        state = self.server.state
        body = self.body()
        now = time.perf_counter_ns()
        parts = self.path[len(RUNTIME_PREFIX):].strip("/").split("/")
        if len(parts) == 3 and parts[0] == "invocation":
            with state.lock:
                state.responses[parts[1]] = (now, parts[2], body)
        elif parts[:2] == ["init", "error"]:
            with state.lock:
                state.responses["init"] = (now, "init-error", body)
            state.exhausted.set()
        self.answer(202, b'{"status":"OK"}', [("Content-Type", "application/json")])


class RecordingApi(_Stub):
    """The API as the sender calls it: every write answered 201."""

    def __init__(self):
        self.requests = []
        self.handler = _RecordingHandler
        self.start()


class _RecordingHandler(_Handler):
    def _write(self):
        state = self.server.state
        body = self.body()
        with state.lock:
            state.requests.append(
                {
                    "method": self.command,
                    "path": self.path,
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "body": body.decode("utf-8"),
                }
            )
        reply = {"status": "created", "recipeId": "r", "version": 1}
        self.answer(201, json.dumps(reply).encode(), [("Content-Type", "application/json")])

    do_POST = _write
    do_PUT = _write


# Headers that belong to one hop and are not forwarded.
_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}


class CountingProxy(_Stub):
    """Forwards AWS calls to moto and records each as (label, service,
    operation, request body). `label` is set by the caller to the function
    being measured."""

    def __init__(self, moto_port):
        self.moto_port = moto_port
        self.label = None
        self.calls = []
        self.handler = _ProxyHandler
        self.start()


def _operation(method, path, headers, body):
    target = headers.get("X-Amz-Target")
    if target:
        prefix, _, operation = target.partition(".")
        service = "dynamodb" if prefix.startswith("DynamoDB") else "sqs" if "SQS" in prefix else prefix
        return service, operation
    if body.startswith(b"Action="):
        return "sqs", body.split(b"&")[0][len("Action="):].decode()
    # S3, path-style: /bucket or /bucket/key
    has_key = "/" in path.split("?")[0].strip("/")
    verb = {"GET": "Get", "HEAD": "Head", "PUT": "Put", "DELETE": "Delete", "POST": "Post"}[method]
    return "s3", verb + ("Object" if has_key else "Bucket")


class _ProxyHandler(_Handler):
    def _forward(self):
        state = self.server.state
        started = time.perf_counter_ns()
        body = self._read_any_body()
        service, operation = _operation(self.command, self.path, self.headers, body)
        call = {
            "label": state.label,
            "service": service,
            "operation": operation,
            "body": body.decode("utf-8", "replace") if service == "dynamodb" else None,
        }
        with state.lock:
            state.calls.append(call)
        try:
            self._relay(body)
        finally:
            # How long the function waited on this call (moto and the proxy).
            call["ms"] = (time.perf_counter_ns() - started) / 1e6

    def _relay(self, body):
        state = self.server.state
        upstream = http.client.HTTPConnection("127.0.0.1", state.moto_port, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
        headers["Host"] = self.headers.get("Host", "127.0.0.1")
        upstream.request(self.command, self.path, body=body, headers=headers)
        response = upstream.getresponse()
        payload = response.read()
        upstream.close()
        passed = [(k, v) for k, v in response.getheaders() if k.lower() not in _HOP]
        if self.command == "HEAD":
            # The length of the object, not of the (empty) answer.
            self.send_response(response.status)
            for name, value in response.getheaders():
                if name.lower() not in {"connection", "keep-alive", "transfer-encoding"}:
                    self.send_header(name, value)
            self.end_headers()
            return
        self.answer(response.status, payload, passed)

    def _read_any_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        return self.body()

    do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = _forward
