"""Stand-in for the departments' joint-measure endpoints (一键奖惩): where the credit platform sends
the rewards and punishments of its lists, and where the departments answer with their feedback.

``POST /departments/<department_code>/joint-measures`` with ``Authorization: Bearer <token>``,
header ``Idempotency-Key: <action_key>`` and a JSON action (``action_key``, ``action`` impose |
lift, ``measure_code``, ``subject_id`` …) answers ``200 {"ack": true, "receipt_id", "duplicate",
"feedback": {"status", "note", "at"}}``. The department processes each idempotency key once: the
same key again is acknowledged with the first receipt and ``"duplicate": true`` and does not
count as a second action. ``GET /departments/<code>/joint-measures`` lists what it processed.

A :class:`EndpointFaultPlan` makes departments unreachable: ``down`` (department codes answering
503 until removed — toggle it while the server runs), ``down_first`` (a department's first N
requests answer 503) and ``lose_ack`` (a department's request numbers that are processed but
answered 500, as when the acknowledgement is lost on the way back). Every request is logged in
``faults.log`` as ``(n, department, idempotency key, status)``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator
from urllib.parse import urlsplit

DEFAULT_TOKEN = "demo-token"
REQUIRED = ("action_key", "action", "measure_code", "department_code", "subject_id", "entry_id")
#: Feedback a department gives, by the first hex digit of the action key (deterministic).
_FEEDBACK = (("已执行", "已在本部门业务系统中落实"),) * 13 + (("已接收", "已接收，待业务科室落实"),) * 2 + \
    (("不适用", "该主体在本部门无相关业务"),)


@dataclass
class EndpointFaultPlan:
    down: set[str] = field(default_factory=set)
    down_first: dict[str, int] = field(default_factory=dict)
    lose_ack: dict[str, tuple[int, ...]] = field(default_factory=dict)
    log: list[tuple[int, str, str, int]] = field(default_factory=list)
    _requests: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def next_request(self, department: str) -> int:
        with self._lock:
            self._requests[department] = self._requests.get(department, 0) + 1
            return self._requests[department]

    def set_down(self, department: str, down: bool = True) -> None:
        with self._lock:
            (self.down.add if down else self.down.discard)(department)


@dataclass
class DepartmentState:
    """What every department processed: code → idempotency key → (receipt, action, feedback)."""

    processed: dict[str, dict[str, dict]] = field(default_factory=dict)
    deliveries: dict[str, int] = field(default_factory=dict)  # key → requests received for it
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def actions(self, department: str | None = None) -> list[dict]:
        with self._lock:
            depts = [department] if department else sorted(self.processed)
            return [dict(v["action"], receipt_id=v["receipt_id"]) for d in depts
                    for v in self.processed.get(d, {}).values()]


def feedback_for(action_key: str) -> tuple[str, str]:
    return _FEEDBACK[int(hashlib.sha256(action_key.encode()).hexdigest()[0], 16)]


def _make_handler(token: str, faults: EndpointFaultPlan, state: DepartmentState, departments: set[str] | None):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # headers and body in one segment (no delayed-ACK stall on keep-alive connections)
        wbufsize = 1 << 16
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args) -> None:
            pass

        def _json(self, status: int, obj, log: tuple[int, str, str] | None = None) -> None:
            body = json.dumps(obj, ensure_ascii=False).encode("utf-8")
            if log is not None:
                with faults._lock:
                    faults.log.append((*log, status))
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _route(self) -> str | None:
            parts = [p for p in urlsplit(self.path).path.split("/") if p]
            if len(parts) == 3 and parts[0] == "departments" and parts[2] == "joint-measures":
                return parts[1]
            return None

        def do_GET(self) -> None:  # noqa: N802
            if urlsplit(self.path).path == "/healthz":
                return self._json(200, {"status": "ok"})
            dept = self._route()
            if dept is None:
                return self._json(404, {"error": "not found"})
            return self._json(200, {"department": dept, "actions": state.actions(dept)})

        def do_POST(self) -> None:  # noqa: N802
            dept = self._route()
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            if dept is None or (departments is not None and dept not in departments):
                return self._json(404, {"error": f"no department endpoint {self.path}"})
            key = self.headers.get("Idempotency-Key", "")
            n = faults.next_request(dept)
            log = (n, dept, key)
            if dept in faults.down or n <= faults.down_first.get(dept, 0):
                return self._json(503, {"error": f"{dept} endpoint unavailable (injected)"}, log)
            if self.headers.get("Authorization", "") != f"Bearer {token}":
                return self._json(401, {"error": "missing or invalid bearer token"}, log)
            try:
                action = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                return self._json(400, {"error": "body is not JSON"}, log)
            missing = [k for k in REQUIRED if not action.get(k)]
            if missing or action.get("action_key") != key or action.get("department_code") != dept:
                return self._json(400, {"error": "invalid action", "missing": missing}, log)
            with state._lock:
                state.deliveries[key] = state.deliveries.get(key, 0) + 1
                mine = state.processed.setdefault(dept, {})
                duplicate = key in mine
                if not duplicate:
                    status, note = feedback_for(key)
                    mine[key] = {
                        "receipt_id": f"{dept}-{len(mine) + 1:06d}",
                        "action": action,
                        "feedback": {"status": status, "note": note,
                                     "at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")},
                    }
                record = mine[key]
            if n in faults.lose_ack.get(dept, ()):
                return self._json(500, {"error": "acknowledgement lost (injected)"}, log)
            return self._json(200, {"ack": True, "receipt_id": record["receipt_id"], "duplicate": duplicate,
                                    "feedback": record["feedback"]}, log)

    return Handler


@contextlib.contextmanager
def serve_department_endpoints(host: str = "127.0.0.1", port: int = 0, token: str = DEFAULT_TOKEN,
                               faults: EndpointFaultPlan | None = None, departments: set[str] | None = None,
                               ) -> Iterator[tuple[str, DepartmentState, EndpointFaultPlan]]:
    """Serve every department's joint-measure endpoint (or only ``departments``) in a background
    thread; yields ``(base_url, state, faults)``."""
    faults = faults if faults is not None else EndpointFaultPlan()
    state = DepartmentState()
    server = ThreadingHTTPServer((host, port), _make_handler(token, faults, state, departments))
    server.daemon_threads = True
    server.block_on_close = False
    thread = threading.Thread(target=server.serve_forever, name="simulated-department-endpoints", daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}", state, faults
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
