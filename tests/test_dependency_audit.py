"""The dependency audit `make test` runs (scripts/audit-deps.sh, pip-audit): it fails on a
known-vulnerable pin, passes clean pins, and never passes by skipping everything when the
vulnerability service gives no answers. The service here is a fake OSV API on the
loopback address, so the test runs without the internet; the real services are used by
`make test` wherever they are reachable (docs/security.md)."""

from __future__ import annotations

import json
import os
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "scripts" / "audit-deps.sh"
# package -> version -> advisory id; requests 2.19.0 is the script's probe.
ADVISORIES = {"requests": {"2.19.0": "PYSEC-2018-28"}, "jinja2": {"2.10": "PYSEC-2019-217"}}


def _vuln(name: str, advisory: str) -> dict:
    return {"id": advisory, "schema_version": "1.6.0", "summary": f"test advisory for {name}",
            "affected": [{"package": {"name": name, "ecosystem": "PyPI"},
                          "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "99.0"}]}]}]}


@pytest.fixture
def fake_osv():
    answers = {"known": True}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            query = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            name, version = query["package"]["name"], query["version"]
            advisory = ADVISORIES.get(name, {}).get(version) if answers["known"] else None
            body = json.dumps({"vulns": [_vuln(name, advisory)]} if advisory else {}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1/query", answers
    server.shutdown()
    server.server_close()


def _audit(tmp_path: Path, url: str, pins: str, **env: str) -> subprocess.CompletedProcess:
    constraints = tmp_path / "constraints.txt"
    constraints.write_text(pins)
    return subprocess.run(["bash", str(SCRIPT)], cwd=REPO, text=True, capture_output=True, timeout=300,
                          env={**os.environ, "THREEC_AUDIT_OSV_URL": url,
                               "THREEC_AUDIT_CONSTRAINTS": str(constraints), **env})


def test_a_known_vulnerable_pin_fails_the_audit_naming_the_advisory(fake_osv, tmp_path):
    url, _ = fake_osv
    done = _audit(tmp_path, url, "# pinned\nxlsxwriter==3.3.1\njinja2==2.10\n-e file:///somewhere\n")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "PYSEC-2019-217" in done.stdout and "jinja2" in done.stdout
    assert "auditing 2 pinned packages against osv" in done.stderr


def test_clean_pins_pass(fake_osv, tmp_path):
    url, _ = fake_osv
    done = _audit(tmp_path, url, "xlsxwriter==3.3.1\njinja2==3.1.6\n")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No known vulnerabilities found" in done.stderr and "auditing 2 pinned packages" in done.stderr


def test_a_service_that_knows_nothing_is_not_trusted(fake_osv, tmp_path):
    url, answers = fake_osv
    answers["known"] = False  # answers every query with "nothing known", even the probe's
    done = _audit(tmp_path, url, "jinja2==2.10\n")
    assert done.returncode == 0 and "DEPENDENCY AUDIT NOT DONE" in done.stderr
    assert "No known vulnerabilities found" not in done.stdout + done.stderr, "it must not look like a passed audit"
    required = _audit(tmp_path, url, "jinja2==2.10\n", THREEC_AUDIT_REQUIRED="1")
    assert required.returncode == 1 and "DEPENDENCY AUDIT NOT DONE" in required.stderr
