"""The engine against a real Chroma server (`chroma run` on loopback), as a deployment would use it."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from retrieval.engine import Engine


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory):
    exe = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
    if not Path(exe).exists():
        pytest.skip("the chroma command is not installed")
    port = _free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    proc = subprocess.Popen([exe, "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("chroma run did not answer within 20 s")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_the_engine_builds_and_answers_through_a_chroma_server(chroma_url, fixture_release, fixture_taxonomy,
                                                               tmp_path, monkeypatch):
    engine = Engine.open(fixture_release, fixture_taxonomy, tmp_path, chroma_url=chroma_url, progress=False)
    assert engine.code(title="Staff Nurse").candidates[0].code == "29-1141.00"
    assert not (tmp_path / "index" / "chroma").exists(), "vectors went to disk instead of the server"

    # A second process-like open finds the server's index current and does not build again.
    def fail(*args, **kwargs):
        raise AssertionError("rebuilt although the server holds a current index")

    monkeypatch.setattr(Engine, "_build", staticmethod(fail))
    again = Engine.open(fixture_release, fixture_taxonomy, tmp_path, chroma_url=chroma_url, progress=False)
    assert again.code(title="LPN").candidates[0].code == "29-2061.00"
