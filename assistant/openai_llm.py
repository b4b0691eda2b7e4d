"""The adapter for any OpenAI-compatible chat server (OpenAI, vLLM, llama.cpp, Ollama, ...).

This is the only module that imports `openai`. Structured output asks for `json_schema` first; a server
that rejects it (400/422, as llama.cpp's do in some versions) is asked with `json_object` plus the schema,
then with bare `json_object` and the schema in the prompt, and the instance remembers the step that
worked. Answers are validated with pydantic; a failed validation re-asks (tenacity) with the error
appended. 429, 5xx, timeouts and refused connections are retried by the SDK itself (`max_retries`), so
they are not wrapped again here: they become an `LLMError` at once.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Iterator
from typing import Any

import openai
from pydantic import BaseModel, ValidationError
from tenacity import RetryError, Retrying, retry_if_exception_type, stop_after_attempt

from assistant.llm import Attempt, FailureKind, LLMError, Message, T, Usage, UsageMeter, ensure_requests_allowed

log = logging.getLogger(__name__)

# The structured-output requests tried in order until the server accepts one.
STRUCTURED_MODES = ("json_schema", "json_object_with_schema", "json_object")
_FENCE_RE = re.compile(r"^```[a-zA-Z]*\s*|\s*```$")
_RAW_SHOWN = 2000


class _InvalidAnswer(Exception):
    def __init__(self, error: str, raw: str | None) -> None:
        super().__init__(error)
        self.error = error
        self.raw = raw


class OpenAILLM:
    """`LLM` over the `openai` client. Safe to share between threads."""

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: str | None = None,
        timeout_s: float = 30.0,
        max_retries: int = 1,
        max_attempts: int = 2,
        temperature: float | None = 0.0,
        max_tokens: int | None = 1024,
    ) -> None:
        self.base_url = base_url
        self.model = model
        self.max_attempts = max_attempts
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.usage = UsageMeter()
        self._client = openai.OpenAI(
            base_url=base_url, api_key=api_key or "none", timeout=timeout_s, max_retries=max_retries
        )
        self._lock = threading.Lock()
        self._mode = 0  # index into STRUCTURED_MODES that the server accepted last
        self._stream_usage = True  # whether the server accepts stream_options.include_usage

    @property
    def structured_mode(self) -> str:
        return STRUCTURED_MODES[self._mode]

    def generate(self, messages: list[Message], output_type: type[T]) -> T:
        ensure_requests_allowed(self.base_url)
        conversation = list(messages)
        attempts: list[Attempt] = []
        retrying = Retrying(
            stop=stop_after_attempt(self.max_attempts),
            retry=retry_if_exception_type(_InvalidAnswer),
            reraise=False,
        )
        try:
            for attempt in retrying:
                with attempt:
                    try:
                        return _parse(self._complete_structured(conversation, output_type), output_type)
                    except _InvalidAnswer as invalid:
                        number = attempt.retry_state.attempt_number
                        attempts.append(Attempt(number, invalid.error, (invalid.raw or "")[:_RAW_SHOWN]))
                        log.info("LLM answer %d did not validate: %s", number, invalid.error)
                        conversation += _reask(invalid.raw, invalid.error)
                        raise
        except RetryError:
            raise LLMError(
                f"the model's answer did not fit {output_type.__name__} after {len(attempts)} attempts: "
                f"{attempts[-1].error}",
                kind="invalid",
                attempts=attempts,
            ) from None
        except LLMError as exc:
            exc.attempts[:0] = attempts
            exc.attempts.append(Attempt(len(exc.attempts) + 1, str(exc)))
            raise
        raise AssertionError("unreachable: tenacity either returns or raises")

    def stream(self, messages: list[Message]) -> Iterator[str]:
        ensure_requests_allowed(self.base_url)
        text: list[str] = []
        usage = Usage(requests=1)
        finished = False
        try:
            # `with` closes the response when the reader stops early (a Streamlit rerun, a caught error).
            with self._open_stream(messages) as chunks:
                for chunk in chunks:
                    if chunk.usage is not None:
                        usage = _usage(chunk.usage)
                    for choice in chunk.choices:
                        if choice.delta is not None and choice.delta.content:
                            text.append(choice.delta.content)
                            yield choice.delta.content
                        if choice.finish_reason is not None:
                            finished = True
        except (openai.OpenAIError, OSError, ValueError) as exc:  # ValueError: an event that is not JSON
            error = _transport_error(exc) if not isinstance(exc, ValueError) else LLMError(
                f"the stream sent an event that is not JSON: {exc}", kind="invalid")
            if text:
                error = LLMError(f"the stream broke off: {exc}", kind="incomplete")
            error.partial = "".join(text)
            raise error from exc
        finally:
            self.usage.record(usage)
        if not finished:
            raise LLMError("the stream ended before the model finished its answer",
                           kind="incomplete", partial="".join(text))

    def _open_stream(self, messages: list[Message]) -> Any:
        kwargs = self._common_kwargs()
        if self._stream_usage:
            try:
                return self._client.chat.completions.create(
                    messages=messages, stream=True, stream_options={"include_usage": True}, **kwargs  # type: ignore[arg-type]
                )
            except (openai.BadRequestError, openai.UnprocessableEntityError):
                log.info("%s rejects stream_options; streaming without token counts", self.base_url)
                self._stream_usage = False
        return self._client.chat.completions.create(messages=messages, stream=True, **kwargs)  # type: ignore[arg-type]

    def _complete_structured(self, messages: list[Message], output_type: type[BaseModel]) -> str | None:
        """One answer's text, stepping down the structured-output modes while the server rejects them."""
        mode = self._mode
        while True:
            try:
                response = self._client.chat.completions.create(
                    messages=_with_schema_prompt(messages, output_type, STRUCTURED_MODES[mode]),  # type: ignore[arg-type]
                    response_format=_response_format(output_type, STRUCTURED_MODES[mode]),  # type: ignore[arg-type]
                    **self._common_kwargs(),
                )
            except openai.APIStatusError as exc:
                if not _refuses_format(exc):
                    raise _transport_error(exc) from exc
                if mode + 1 < len(STRUCTURED_MODES):
                    log.info("%s rejected %s (%s); trying %s", self.base_url, STRUCTURED_MODES[mode],
                             exc.status_code, STRUCTURED_MODES[mode + 1])
                    mode += 1
                    continue
                raise _transport_error(exc) from exc
            except openai.OpenAIError as exc:
                raise _transport_error(exc) from exc
            except ValueError as exc:  # a 200 whose body is not JSON
                self.usage.record(Usage(requests=1))
                raise LLMError(f"the server's reply was not a chat completion ({exc})", kind="server") from exc
            break
        with self._lock:
            self._mode = mode
        if not hasattr(response, "choices"):  # JSON, but not a chat completion
            self.usage.record(Usage(requests=1))
            raise LLMError("the server's reply was not a chat completion", kind="server")
        self.usage.record(_usage(response.usage))
        if not response.choices:
            raise _InvalidAnswer("the answer had no choices", None)
        choice = response.choices[0]
        content = choice.message.content
        if content is None:
            raise _InvalidAnswer(f"the answer had no text ({choice.message.refusal or 'empty'})", None)
        if choice.finish_reason == "length":
            raise _InvalidAnswer("the answer was cut off at the length limit; answer more briefly", content)
        return content

    def _common_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"model": self.model}
        if self.temperature is not None:
            kwargs["temperature"] = self.temperature
        if self.max_tokens is not None:
            kwargs["max_tokens"] = self.max_tokens
        return kwargs


def _refuses_format(exc: openai.APIStatusError) -> bool:
    """A refusal of the response format: a 400/422, or a 500 that says so (llama-cpp-python's server
    answers an unknown `json_schema` type with a 500 carrying its validation error)."""
    if exc.status_code in (400, 422):
        return True
    return exc.status_code >= 500 and "response_format" in str(exc)


def _response_format(output_type: type[BaseModel], mode: str) -> dict[str, Any]:
    schema = output_type.model_json_schema()
    if mode == "json_schema":
        return {"type": "json_schema", "json_schema": {"name": output_type.__name__, "schema": schema}}
    if mode == "json_object_with_schema":  # llama.cpp turns this schema into a grammar
        return {"type": "json_object", "schema": schema}
    return {"type": "json_object"}


def _with_schema_prompt(messages: list[Message], output_type: type[BaseModel], mode: str) -> list[Message]:
    """Without json_schema the server does not see the schema's wording, so the prompt carries it."""
    if mode == "json_schema":
        return messages
    note = (
        "Answer with one JSON object and nothing else. It must follow this JSON schema:\n"
        + json.dumps(output_type.model_json_schema(), ensure_ascii=False)
    )
    if messages and messages[0]["role"] == "system":
        return [{"role": "system", "content": messages[0]["content"] + "\n\n" + note}, *messages[1:]]
    return [{"role": "system", "content": note}, *messages]


def _parse(raw: str | None, output_type: type[T]) -> T:
    if raw is None:
        raise _InvalidAnswer("the answer was empty", raw)
    text = _FENCE_RE.sub("", raw.strip())
    try:
        data = json.loads(text, strict=False)  # strict=False: raw newlines inside strings, as small models write
    except json.JSONDecodeError as exc:
        # Small models wrap JSON in prose: take the outermost object when there is one.
        start, end = text.find("{"), text.rfind("}")
        try:
            data = json.loads(text[start:end + 1], strict=False) if 0 <= start < end else None
        except json.JSONDecodeError:
            data = None
        if data is None:
            raise _InvalidAnswer(f"the answer was not JSON ({exc.msg} at character {exc.pos})", raw) from None
    try:
        return output_type.model_validate(data)
    except ValidationError as exc:
        raise _InvalidAnswer(_describe(exc), raw) from None


def _describe(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors(include_url=False, include_input=False)[:8]:
        where = ".".join(str(p) for p in error["loc"]) or "the answer"
        parts.append(f"{where}: {error['msg']}")
    return "; ".join(parts)


def _reask(raw: str | None, error: str) -> list[Message]:
    return [
        {"role": "assistant", "content": raw or ""},
        {"role": "user", "content": (
            f"That answer cannot be used: {error}. "
            "Answer again with only a JSON object that follows the schema and the instructions."
        )},
    ]


def _usage(usage: Any) -> Usage:
    if usage is None:
        return Usage(requests=1)
    return Usage(1, int(usage.prompt_tokens or 0), int(usage.completion_tokens or 0))


def _transport_error(exc: BaseException) -> LLMError:
    kind: FailureKind
    if isinstance(exc, (openai.APITimeoutError, TimeoutError)):
        kind = "timeout"
    elif isinstance(exc, openai.RateLimitError):
        kind = "rate_limit"
    elif isinstance(exc, openai.InternalServerError):
        kind = "server"
    elif isinstance(exc, openai.APIStatusError):
        kind = "server" if exc.status_code >= 500 else "rejected"
    elif isinstance(exc, (openai.APIConnectionError, OSError)):
        kind = "connection"
    else:
        kind = "rejected"
    return LLMError(f"LLM request failed ({kind}): {exc}", kind=kind)
