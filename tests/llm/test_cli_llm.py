"""`oca llm-check` against the scripted server: what it reports for a working and a failing server."""

from __future__ import annotations

import pytest

from assistant.cli import main
from tests.llm_server import ScriptedLLMServer, error, reply, stream


@pytest.fixture
def configured(llm_server: ScriptedLLMServer, monkeypatch: pytest.MonkeyPatch) -> ScriptedLLMServer:
    monkeypatch.setenv("OCA_LLM_BASE_URL", llm_server.url)
    monkeypatch.setenv("OCA_LLM_MODEL", "test-model")
    monkeypatch.setenv("OCA_LLM_TIMEOUT_S", "2")
    return llm_server


def test_llm_check_reports_the_response_format_the_stream_and_the_tokens(
        configured: ScriptedLLMServer, capsys: pytest.CaptureFixture[str]) -> None:
    configured.json_schema = False
    configured.script(reply({"word": "ready"}, usage=(30, 4)), stream(["Hello", " there"], usage=(9, 2)))

    assert main(["llm-check"]) == 0

    out = capsys.readouterr().out
    assert "structured  ok in" in out and "'ready' (response format json_object_with_schema, 34 tokens)" in out
    assert "stream      first chunk after" in out and "'Hello there'" in out
    assert "tokens      39 prompt + 6 completion in 2 requests" in out


def test_llm_check_says_what_failed(configured: ScriptedLLMServer, capsys: pytest.CaptureFixture[str]) -> None:
    configured.script(reply("no json here"), reply("still none"))
    configured.default = error(500, "model crashed")

    assert main(["llm-check"]) == 2

    captured = capsys.readouterr()
    assert "structured  FAILED" in captured.out and "(invalid)" in captured.out
    assert "attempt 1: the answer was not JSON" in captured.out
    assert captured.err.strip().splitlines()[-1].startswith("error: streaming failed (server)")


def test_llm_check_without_a_server_configured(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("OCA_LLM_BASE_URL", raising=False)
    assert main(["llm-check"]) == 2
    assert "error: no LLM is configured" in capsys.readouterr().err
