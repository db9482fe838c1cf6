"""The stand-in department API: bearer token, opaque stable cursor, fault injection."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request

import pytest

from ingest_connectors.simulator import DEFAULT_TOKEN, FaultPlan, serve_department_apis


def get(url, token=DEFAULT_TOKEN, timeout=5.0):
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return resp.status, resp.read()


def page(base, cursor=None, size=3, **kw):
    url = f"{base}/api/v1/demo_sector/penalty?page_size={size}" + (f"&cursor={cursor}" if cursor else "")
    status, body = get(url, **kw)
    return json.loads(body)


@pytest.fixture
def api_dir(tmp_path):
    folder = tmp_path / "api" / "demo_sector"
    folder.mkdir(parents=True)
    with open(folder / "penalty.jsonl", "w", encoding="utf-8") as fh:
        for i in range(7):
            fh.write(json.dumps({"CF_WSH": f"黄市监罚〔2024〕{i}号", "BZ": f"SIM:{i}"}, ensure_ascii=False) + "\n")
    return tmp_path / "api"


def append(api_dir, start, n):
    with open(api_dir / "demo_sector" / "penalty.jsonl", "a", encoding="utf-8") as fh:
        for i in range(start, start + n):
            fh.write(json.dumps({"CF_WSH": f"X{i}", "BZ": f"SIM:{i}"}) + "\n")


def test_requires_the_bearer_token(api_dir):
    with serve_department_apis(api_dir, token="secret") as base:
        with pytest.raises(urllib.error.HTTPError) as err:
            get(f"{base}/api/v1/demo_sector/penalty", token=None)
        assert err.value.code == 401
        with pytest.raises(urllib.error.HTTPError) as err:
            get(f"{base}/api/v1/demo_sector/penalty", token="wrong")
        assert err.value.code == 401
        assert get(f"{base}/api/v1/demo_sector/penalty", token="secret")[0] == 200


def test_pages_with_a_cursor_and_resumes_with_only_new_items(api_dir):
    with serve_department_apis(api_dir) as base:
        seen, cursor = [], None
        while True:
            p = page(base, cursor)
            seen += [item["BZ"] for item in p["items"]]
            cursor = p["next_cursor"] or cursor
            if not p["has_more"]:
                break
        assert seen == [f"SIM:{i}" for i in range(7)]
        assert cursor is not None
        # Nothing new: an empty page, and the same resume point.
        p = page(base, cursor)
        assert p["items"] == [] and p["has_more"] is False and p["next_cursor"] == cursor
        append(api_dir, 7, 4)
        p = page(base, cursor, size=10)
        assert [item["BZ"] for item in p["items"]] == [f"SIM:{i}" for i in range(7, 11)]
        assert p["has_more"] is False
        # The same cursor is stable: asking again returns the same items.
        assert page(base, cursor, size=10)["items"] == p["items"]


def test_rejects_a_forged_cursor_and_bad_page_size(api_dir):
    with serve_department_apis(api_dir) as base:
        for query in ("cursor=bm9wZQ&page_size=3", "page_size=0", "page_size=abc"):
            with pytest.raises(urllib.error.HTTPError) as err:
                get(f"{base}/api/v1/demo_sector/penalty?{query}")
            assert err.value.code == 400
        with pytest.raises(urllib.error.HTTPError) as err:
            get(f"{base}/api/v1/demo_sector/nothing_here")
        assert err.value.code == 404


def test_fault_plan_fails_first_requests_then_recovers(api_dir):
    faults = FaultPlan(fail_first=2)
    with serve_department_apis(api_dir, faults=faults) as base:
        for _ in range(2):
            with pytest.raises(urllib.error.HTTPError) as err:
                page(base)
            assert err.value.code == 500
        assert len(page(base)["items"]) == 3
    assert [status for _, _, status in faults.log] == [500, 500, 200]


def test_fault_plan_slow_request_exceeds_the_client_timeout(api_dir):
    faults = FaultPlan(slow_requests=(1,), slow_seconds=1.5)
    with serve_department_apis(api_dir, faults=faults) as base:
        with pytest.raises((socket.timeout, TimeoutError, urllib.error.URLError)):
            page(base, timeout=0.3)
        assert len(page(base, timeout=5)["items"]) == 3


@pytest.mark.parametrize("kind", ["invalid_json", "items_not_list"])
def test_fault_plan_malformed_page(api_dir, kind):
    faults = FaultPlan(malformed_requests=(2,), malformed_kind=kind)
    with serve_department_apis(api_dir, faults=faults) as base:
        assert len(page(base)["items"]) == 3
        status, body = get(f"{base}/api/v1/demo_sector/penalty?page_size=3")
        assert status == 200
        if kind == "invalid_json":
            with pytest.raises(json.JSONDecodeError):
                json.loads(body)
        else:
            assert not isinstance(json.loads(body)["items"], list)
        assert len(page(base)["items"]) == 3


def test_serves_the_simulated_feeds(sim):
    api = sim["out"] / "api"
    sector = sorted(p.name for p in api.iterdir())[0]
    feed = sorted((api / sector).glob("*.jsonl"))[0]
    expected = [json.loads(line) for line in feed.read_text(encoding="utf-8").splitlines()]
    with serve_department_apis(api) as base:
        items, cursor = [], None
        while True:
            url = f"{base}/api/v1/{sector}/{feed.stem}?page_size=7" + (f"&cursor={cursor}" if cursor else "")
            p = json.loads(get(url)[1])
            items += p["items"]
            cursor = p["next_cursor"]
            if not p["has_more"]:
                break
    assert items == expected
