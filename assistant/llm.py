"""The one interface to a language model, and what every caller relies on when it fails.

An LLM is optional: `build_llm` returns None without `OCA_LLM_BASE_URL`, and every LLM-backed step has an
offline path. Callers see a single error type, `LLMError`, whatever went wrong (timeout, refused
connection, 429/5xx after the SDK's own retries, answers that never validated); it carries the attempts
so a log or a test can say why. Domain checks ("the code must be one of the retrieved candidates") live in
the validators of the `output_type` a caller passes, so they re-ask exactly like schema errors.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol, TypeVar

from pydantic import BaseModel

from retrieval.errors import OcaError

if TYPE_CHECKING:
    from assistant.settings import Settings

Message = dict[str, str]
"""One chat message: {"role": "system" | "user" | "assistant", "content": text}."""

T = TypeVar("T", bound=BaseModel)

ALLOW_REQUESTS = True
"""Switched off by the test suite (`tests/conftest.py`) so no test reaches a network by accident; tests
that start their own loopback server switch it back on for their duration."""

FailureKind = Literal["timeout", "connection", "rate_limit", "server", "rejected", "invalid", "incomplete", "disabled"]

_CAUSES: dict[str, str] = {
    "timeout": "did not answer in time",
    "connection": "could not be reached",
    "rate_limit": "was too busy to answer",
    "server": "had an internal error",
    "rejected": "refused the request",
    "invalid": "gave answers that did not fit",
    "incomplete": "stopped half way through its answer",
    "disabled": "is switched off here",
}


@dataclass(frozen=True)
class Usage:
    """Tokens as the server counted them. Immutable, so `after - before` measures one piece of work."""

    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.requests + other.requests,
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
        )

    def __sub__(self, other: Usage) -> Usage:
        return Usage(
            self.requests - other.requests,
            self.prompt_tokens - other.prompt_tokens,
            self.completion_tokens - other.completion_tokens,
        )


class UsageMeter:
    """A running total shared by the threads that use one LLM (Streamlit sessions share the adapter)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._total = Usage()
        self.last = Usage()

    @property
    def total(self) -> Usage:
        return self._total

    def record(self, usage: Usage) -> None:
        with self._lock:
            self._total = self._total + usage
            self.last = usage


@dataclass(frozen=True)
class Attempt:
    """One request and what was wrong with its answer (`error`), or the transport failure."""

    number: int
    error: str
    raw: str | None = None


class LLMError(OcaError):
    """The model could not give a usable answer; the caller takes its offline path."""

    def __init__(self, message: str, *, kind: FailureKind, attempts: list[Attempt] | None = None,
                 partial: str = "") -> None:
        super().__init__(message)
        self.kind: FailureKind = kind
        self.attempts: list[Attempt] = list(attempts or [])
        self.partial = partial  # text a stream had yielded before it broke

    def notice(self) -> str:
        """One plain sentence for the person using the app."""
        return f"The language model {_CAUSES[self.kind]}, so this answer was prepared without it."


class LLM(Protocol):
    """Anything that can answer chat messages, validated into a pydantic model, or as a text stream."""

    model: str
    usage: UsageMeter

    def generate(self, messages: list[Message], output_type: type[T]) -> T:
        """The answer as a validated `output_type`; re-asks on validation errors, raises LLMError when it gives up."""
        ...

    def stream(self, messages: list[Message]) -> Iterator[str]:
        """The answer as text chunks as they arrive; raises LLMError (with `.partial`) if it breaks off."""
        ...


def build_llm(settings: Settings) -> LLM | None:
    """The configured OpenAI-compatible model, or None when no `OCA_LLM_BASE_URL` is set (offline mode)."""
    if not settings.llm_base_url:
        return None
    if not settings.llm_model:
        raise OcaError(
            f"OCA_LLM_BASE_URL is set ({settings.llm_base_url}) but OCA_LLM_MODEL is not: "
            "set OCA_LLM_MODEL to the model name the server serves, or unset OCA_LLM_BASE_URL to work offline"
        )
    from assistant.openai_llm import OpenAILLM  # the openai SDK is only loaded when a model is configured

    api_key = settings.llm_api_key.get_secret_value() if settings.llm_api_key is not None else None
    return OpenAILLM(
        base_url=settings.llm_base_url,
        model=settings.llm_model,
        api_key=api_key,
        timeout_s=settings.llm_timeout_s,
    )


def ensure_requests_allowed(base_url: str) -> None:
    if not ALLOW_REQUESTS:
        raise LLMError(
            f"LLM requests are switched off (assistant.llm.ALLOW_REQUESTS is False); not calling {base_url}",
            kind="disabled",
        )
