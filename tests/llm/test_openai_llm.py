"""The OpenAI adapter against a scripted OpenAI-compatible server on loopback, through the real `openai` client."""

from __future__ import annotations

import json
import time

import pytest
from pydantic import BaseModel, Field

import assistant.llm
from assistant.llm import LLMError, Usage, build_llm
from assistant.openai_llm import OpenAILLM
from assistant.settings import Settings
from retrieval.errors import OcaError
from tests.llm_server import ScriptedLLMServer, error, hang_up, raw_body, reply, stream

ASK = [{"role": "system", "content": "You answer in JSON."}, {"role": "user", "content": "Which occupation?"}]


class Choice(BaseModel):
    code: str = Field(pattern=r"^\d{2}-\d{4}\.\d{2}$")
    why: str


def make_llm(url: str, **kwargs: object) -> OpenAILLM:
    options: dict = {"model": "test-model", "timeout_s": 2.0, "max_retries": 1}
    options.update(kwargs)
    return OpenAILLM(base_url=url, **options)  # type: ignore[arg-type]


# --- structured output ---------------------------------------------------------------------------

def test_a_valid_answer_comes_back_validated_with_its_tokens_counted(llm_server: ScriptedLLMServer) -> None:
    llm = make_llm(llm_server.url)
    llm_server.script(reply({"code": "51-3011.00", "why": "bakes bread"}, usage=(120, 9)))

    answer = llm.generate(ASK, Choice)

    assert answer == Choice(code="51-3011.00", why="bakes bread")
    [request] = llm_server.requests
    assert request["model"] == "test-model"
    assert request["messages"] == ASK
    assert request["response_format"]["type"] == "json_schema"
    assert request["response_format"]["json_schema"]["name"] == "Choice"
    assert request["response_format"]["json_schema"]["schema"]["required"] == ["code", "why"]
    assert llm.usage.total == Usage(requests=1, prompt_tokens=120, completion_tokens=9)


def test_a_server_without_json_schema_gets_json_object_with_the_schema_and_it_is_remembered(
        llm_server: ScriptedLLMServer) -> None:
    llm_server.json_schema = False
    llm = make_llm(llm_server.url)
    llm_server.script(reply({"code": "51-3011.00", "why": "a"}), reply({"code": "35-2014.00", "why": "b"}))

    assert llm.generate(ASK, Choice).code == "51-3011.00"
    assert llm.generate(ASK, Choice).code == "35-2014.00"

    kinds = [r["response_format"]["type"] for r in llm_server.requests]
    assert kinds == ["json_schema", "json_object", "json_object"]  # asked once, then remembered
    assert llm_server.requests[1]["response_format"]["schema"]["required"] == ["code", "why"]
    assert '"required": ["code", "why"]' in llm_server.requests[1]["messages"][0]["content"]
    assert llm.structured_mode == "json_object_with_schema"


def test_a_server_with_bare_json_object_only_gets_the_schema_in_the_prompt(llm_server: ScriptedLLMServer) -> None:
    llm_server.json_schema = llm_server.json_object_schema = False
    llm = make_llm(llm_server.url)
    llm_server.script(reply({"code": "51-3011.00", "why": "a"}))

    assert llm.generate(ASK, Choice).code == "51-3011.00"

    last = llm_server.requests[-1]
    assert last["response_format"] == {"type": "json_object"}
    system = last["messages"][0]["content"]
    assert system.startswith("You answer in JSON.") and "JSON schema" in system and '"why"' in system
    assert [m["content"] for m in last["messages"][1:]] == ["Which occupation?"]


def test_malformed_json_is_re_asked_with_the_error_appended(llm_server: ScriptedLLMServer) -> None:
    llm = make_llm(llm_server.url)
    llm_server.script(reply('{"code": "51-3011.00", "why": '), reply({"code": "51-3011.00", "why": "bakes"}))

    assert llm.generate(ASK, Choice).why == "bakes"

    second = llm_server.requests[1]["messages"]
    assert second[:2] == ASK
    assert second[2] == {"role": "assistant", "content": '{"code": "51-3011.00", "why": '}
    assert second[3]["role"] == "user" and "not JSON" in second[3]["content"]
    assert llm.usage.total.requests == 2


def test_schema_breaking_json_is_re_asked_naming_the_field(llm_server: ScriptedLLMServer) -> None:
    llm = make_llm(llm_server.url)
    llm_server.script(reply({"code": "bakers", "why": "x"}), reply({"code": "51-3011.00", "why": "x"}))

    assert llm.generate(ASK, Choice).code == "51-3011.00"
    reask = llm_server.requests[1]["messages"][-1]["content"]
    assert reask.startswith("That answer cannot be used: code: String should match pattern")


def test_it_gives_up_after_the_re_ask_and_the_error_carries_every_attempt(llm_server: ScriptedLLMServer) -> None:
    llm = make_llm(llm_server.url, max_attempts=2)
    llm_server.script(reply("I think it is bakers"), reply({"code": "51-3011"}), reply({"code": "51-3011.00", "why": "x"}))

    with pytest.raises(LLMError) as caught:
        llm.generate(ASK, Choice)

    assert caught.value.kind == "invalid"
    assert [a.raw for a in caught.value.attempts] == ["I think it is bakers", '{"code": "51-3011"}']
    assert "why: Field required" in caught.value.attempts[1].error
    assert len(llm_server.requests) == 2  # the third, valid reply was never asked for
    assert isinstance(caught.value, OcaError)


def test_json_wrapped_in_a_code_fence_or_prose_is_still_read(llm_server: ScriptedLLMServer) -> None:
    llm = make_llm(llm_server.url)
    llm_server.script(reply('```json\n{"code": "51-3011.00", "why": "a"}\n```'),
                      reply('Sure! Here it is: {"code": "51-3011.00", "why": "b"} Hope that helps.'))

    assert llm.generate(ASK, Choice).why == "a"
    assert llm.generate(ASK, Choice).why == "b"
    assert len(llm_server.requests) == 2


def test_an_answer_cut_off_at_the_length_limit_is_re_asked(llm_server: ScriptedLLMServer) -> None:
    llm = make_llm(llm_server.url)
    llm_server.script(reply('{"code": "51-3011.00", "why": "because it', finish_reason="length"),
                      reply({"code": "51-3011.00", "why": "short"}))

    assert llm.generate(ASK, Choice).why == "short"
    assert "cut off" in llm_server.requests[1]["messages"][-1]["content"]


# --- transport failures: the SDK retries them once, nothing retries them again ---------------------

@pytest.mark.parametrize(("behaviour", "kind"), [(error(429, "slow down"), "rate_limit"), (error(500), "server"),
                                                 (error(503), "server"), (hang_up(), "connection")])
def test_retryable_failures_are_retried_by_the_sdk_only(llm_server: ScriptedLLMServer, behaviour, kind) -> None:
    llm = make_llm(llm_server.url, max_retries=1)
    llm_server.default = behaviour

    with pytest.raises(LLMError) as caught:
        llm.generate(ASK, Choice)

    assert caught.value.kind == kind
    assert len(llm_server.requests) == 2  # the SDK's one retry; no re-ask on top
    assert caught.value.notice().startswith("The language model ")


def test_a_429_then_success_is_absorbed_by_the_sdk_retry(llm_server: ScriptedLLMServer) -> None:
    llm = make_llm(llm_server.url, max_retries=1)
    llm_server.script(error(429, headers={"retry-after-ms": "50"}), reply({"code": "51-3011.00", "why": "x"}))

    assert llm.generate(ASK, Choice).code == "51-3011.00"
    assert len(llm_server.requests) == 2


def test_a_slow_server_times_out_within_the_configured_time(llm_server: ScriptedLLMServer) -> None:
    llm = make_llm(llm_server.url, timeout_s=0.4, max_retries=1)
    llm_server.default = reply({"code": "51-3011.00", "why": "late"}, delay=5)

    started = time.monotonic()
    with pytest.raises(LLMError) as caught:
        llm.generate(ASK, Choice)
    elapsed = time.monotonic() - started

    assert caught.value.kind == "timeout"
    assert len(llm_server.requests) == 2
    # two 0.4 s attempts and a back-off take about 1.3 s; waiting out the server would take over 5 s
    assert elapsed < 4.5, f"two 0.4 s attempts and one back-off took {elapsed:.1f} s"
    assert "did not answer in time" in caught.value.notice()


def test_a_refused_connection_is_a_connection_failure(refused_url: str) -> None:
    with pytest.raises(LLMError) as caught:
        make_llm(refused_url, max_retries=0).generate(ASK, Choice)
    assert caught.value.kind == "connection"
    assert "could not be reached" in caught.value.notice()


def test_an_authentication_error_is_not_retried(llm_server: ScriptedLLMServer) -> None:
    llm_server.default = error(401, "bad key")
    with pytest.raises(LLMError) as caught:
        make_llm(llm_server.url).generate(ASK, Choice)
    assert caught.value.kind == "rejected"
    assert len(llm_server.requests) == 1


def test_a_reply_that_is_not_json_at_the_http_level_is_a_server_failure(llm_server: ScriptedLLMServer) -> None:
    llm_server.script(raw_body(b"<html>502 Bad Gateway</html>"))
    with pytest.raises(LLMError) as caught:
        make_llm(llm_server.url).generate(ASK, Choice)
    assert caught.value.kind == "server"


def test_no_request_leaves_while_requests_are_switched_off(llm_server: ScriptedLLMServer,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(assistant.llm, "ALLOW_REQUESTS", False)
    llm = make_llm(llm_server.url)
    with pytest.raises(LLMError) as caught:
        llm.generate(ASK, Choice)
    with pytest.raises(LLMError):
        list(llm.stream(ASK))
    assert caught.value.kind == "disabled"
    assert llm_server.requests == []


# --- streaming -----------------------------------------------------------------------------------

def test_a_stream_yields_text_chunks_and_counts_tokens(llm_server: ScriptedLLMServer) -> None:
    llm = make_llm(llm_server.url)
    llm_server.script(stream(["The job ", "fits ", "Bakers."], usage=(80, 5)))

    assert list(llm.stream(ASK)) == ["The job ", "fits ", "Bakers."]

    [request] = llm_server.requests
    assert request["stream"] is True and request["stream_options"] == {"include_usage": True}
    assert llm.usage.last == Usage(1, 80, 5)


def test_the_first_chunk_shows_before_the_server_has_finished(llm_server: ScriptedLLMServer) -> None:
    llm = make_llm(llm_server.url)
    llm_server.script(stream(["Hello", " there", " again"], first_delay=0.2, delay=1.0))

    started = time.monotonic()
    chunks = llm.stream(ASK)
    first = next(chunks)
    first_token_s = time.monotonic() - started
    rest = list(chunks)

    assert first == "Hello" and rest == [" there", " again"]
    # The server's own latency is 0.2 s; the adapter adds well under the 2 s allowed on top of it.
    assert first_token_s < 0.2 + 0.8, f"first chunk after {first_token_s:.2f} s"
    assert time.monotonic() - started >= 2.0  # ...and it did not wait for the whole answer


@pytest.mark.parametrize("close", ["abrupt", "eof"])
def test_a_stream_that_breaks_off_raises_with_the_text_so_far(llm_server: ScriptedLLMServer, close: str) -> None:
    llm = make_llm(llm_server.url)
    llm_server.script(stream(["The job ", "fits ", "Bakers."], break_after=2, close=close))

    seen: list[str] = []
    with pytest.raises(LLMError) as caught:
        for chunk in llm.stream(ASK):
            seen.append(chunk)

    assert seen == ["The job ", "fits "]
    assert caught.value.kind == "incomplete"
    assert caught.value.partial == "The job fits "
    assert caught.value.notice() == "The language model stopped half way through its answer, so this answer was prepared without it."
    assert len(llm_server.requests) == 1


def test_a_stream_that_fails_before_the_first_chunk(llm_server: ScriptedLLMServer) -> None:
    llm_server.default = error(500)
    with pytest.raises(LLMError) as caught:
        list(make_llm(llm_server.url).stream(ASK))
    assert caught.value.kind == "server" and caught.value.partial == ""


def test_a_stream_that_times_out_between_chunks(llm_server: ScriptedLLMServer) -> None:
    llm_server.script(stream(["one", "two"], delay=3))
    with pytest.raises(LLMError) as caught:
        list(make_llm(llm_server.url, timeout_s=0.4).stream(ASK))
    assert caught.value.kind == "incomplete" and caught.value.partial == "one"


def test_a_server_that_rejects_stream_options_streams_without_them(llm_server: ScriptedLLMServer) -> None:
    llm_server.stream_options = False
    llm = make_llm(llm_server.url)
    llm_server.script(stream(["a", "b"]), stream(["c"]))

    assert "".join(llm.stream(ASK)) == "ab"
    assert "".join(llm.stream(ASK)) == "c"
    assert ["stream_options" in r for r in llm_server.requests] == [True, False, False]
    assert llm.usage.total.requests == 2


# --- configuration -------------------------------------------------------------------------------

def test_build_llm_is_offline_without_a_base_url_and_explains_a_missing_model() -> None:
    assert build_llm(Settings(llm_base_url=None)) is None
    with pytest.raises(OcaError, match="set OCA_LLM_MODEL"):
        build_llm(Settings(llm_base_url="http://127.0.0.1:9/v1", llm_model=None))


def test_build_llm_passes_the_settings_to_the_client(llm_server: ScriptedLLMServer) -> None:
    llm = build_llm(Settings(llm_base_url=llm_server.url, llm_model="served-model", llm_api_key="sk-local",
                             llm_timeout_s=0.7))
    assert isinstance(llm, OpenAILLM)
    llm_server.script(reply({"code": "51-3011.00", "why": "x"}))
    llm.generate(ASK, Choice)
    assert llm_server.requests[0]["model"] == "served-model"
    assert llm._client.timeout == 0.7
    assert llm._client.api_key == "sk-local"


def test_only_the_adapter_imports_openai() -> None:
    from pathlib import Path

    root = Path(__file__).parents[2]
    importers = sorted(
        str(path.relative_to(root))
        for package in ("assistant", "retrieval", "prompts", "ui", "eval")
        for path in (root / package).rglob("*.py")
        if any(line.strip().startswith(("import openai", "from openai"))
               for line in path.read_text(encoding="utf-8").splitlines())
    )
    assert importers in (["assistant/openai_llm.py"], ["assistant/openai_llm.py", "retrieval/embedder.py"])


def test_a_reader_that_stops_early_leaves_the_adapter_usable_and_counted(llm_server: ScriptedLLMServer) -> None:
    llm = make_llm(llm_server.url)
    llm_server.script(stream(["a", "b", "c"], delay=0.2), reply({"code": "51-3011.00", "why": "x"}))

    chunks = llm.stream(ASK)
    assert next(chunks) == "a"
    chunks.close()  # the chat page was re-run mid-answer

    assert llm.generate(ASK, Choice).code == "51-3011.00"
    assert llm.usage.total.requests == 2


def test_a_server_that_refuses_json_schema_with_a_500_gets_json_object(llm_server: ScriptedLLMServer) -> None:
    # llama-cpp-python's server: its request model allows only 'text' and 'json_object', and says so with a 500.
    llm_server.json_schema, llm_server.refusal_status = False, 500
    llm = make_llm(llm_server.url, max_retries=0)
    llm_server.script(reply({"code": "51-3011.00", "why": "a"}))

    assert llm.generate(ASK, Choice).code == "51-3011.00"
    assert [r["response_format"]["type"] for r in llm_server.requests] == ["json_schema", "json_object"]
    assert llm.structured_mode == "json_object_with_schema"


def test_a_plain_500_is_not_taken_for_a_refused_format(llm_server: ScriptedLLMServer) -> None:
    llm_server.default = error(500, "out of memory")
    with pytest.raises(LLMError) as caught:
        make_llm(llm_server.url, max_retries=0).generate(ASK, Choice)
    assert caught.value.kind == "server"
    assert [r["response_format"]["type"] for r in llm_server.requests] == ["json_schema"]


def test_a_raw_newline_inside_a_json_string_is_read(llm_server: ScriptedLLMServer) -> None:
    llm_server.script(reply('{"code": "51-3011.00", "why": "bakes\nbread"}'))
    assert make_llm(llm_server.url).generate(ASK, Choice).why == "bakes\nbread"
