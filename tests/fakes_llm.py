"""A scripted LLM for tests of code that takes an `llm`: it plays back queued replies and records every call.

    llm = FakeLLM({"codes": ["29-1141.00"]}, LLMError("down", kind="timeout"))
    llm.streams.append(["Hello", " there"])        # for llm.stream(...)
    ...
    assert llm.calls[0].output_type.__name__ == "Ranking"
    assert "jane@example.com" not in llm.sent_text()

`generate` takes queued replies in order. A reply may be a dict or JSON text (validated against the
caller's `output_type`, so its validators and domain checks run as they would on a real answer), a
pydantic model instance (validated the same way, via its dump), or an exception instance, which is raised.
Like the real adapter, a reply that does not validate uses up one attempt and the next queued reply is
the re-ask; after `max_attempts` invalid replies it raises `LLMError(kind="invalid")`. When the queue is
empty, `default` is used if set (e.g. an LLMError to play a model that is always down), else the call
fails the test with AssertionError.
`stream` takes `streams` in order: a list of text chunks, or a list whose last item is an exception
(raised after the chunks before it, as a stream that breaks off).
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from assistant.llm import Attempt, LLMError, Message, T, Usage, UsageMeter


@dataclass
class Call:
    kind: str  # "generate" | "stream"
    messages: list[Message]
    output_type: type[BaseModel] | None


class FakeLLM:
    model = "fake-llm"

    def __init__(self, *replies: Any, default: Any = None, max_attempts: int = 2) -> None:
        self.replies: deque[Any] = deque(replies)
        self.streams: deque[list[Any]] = deque()
        self.default = default
        self.max_attempts = max_attempts
        self.calls: list[Call] = []
        self.usage = UsageMeter()

    def _next(self) -> Any:
        if self.replies:
            return self.replies.popleft()
        if self.default is not None:
            return self.default
        raise AssertionError(f"FakeLLM: no reply queued for call {len(self.calls)}")

    def generate(self, messages: list[Message], output_type: type[T]) -> T:
        attempts: list[Attempt] = []
        conversation = list(messages)
        for number in range(1, self.max_attempts + 1):
            self.calls.append(Call("generate", list(conversation), output_type))
            self.usage.record(Usage(1, 0, 0))
            reply = self._next()
            if isinstance(reply, BaseException):
                if isinstance(reply, LLMError):
                    reply.attempts[:0] = attempts
                raise reply
            raw = reply.model_dump_json() if isinstance(reply, BaseModel) else reply
            try:
                data = json.loads(raw) if isinstance(raw, str) else raw
                return output_type.model_validate(data)
            except (ValidationError, json.JSONDecodeError) as exc:
                attempts.append(Attempt(number, str(exc), raw if isinstance(raw, str) else json.dumps(raw)))
                conversation += [{"role": "assistant", "content": str(raw)},
                                 {"role": "user", "content": f"That answer cannot be used: {exc}"}]
        raise LLMError(f"FakeLLM: no valid answer in {self.max_attempts} attempts", kind="invalid", attempts=attempts)

    def stream(self, messages: list[Message]) -> Iterator[str]:
        self.calls.append(Call("stream", list(messages), None))
        self.usage.record(Usage(1, 0, 0))
        if not self.streams:
            if isinstance(self.default, BaseException):
                raise self.default
            raise AssertionError(f"FakeLLM: no stream queued for call {len(self.calls) - 1}")
        text: list[str] = []
        for item in self.streams.popleft():
            if isinstance(item, BaseException):
                if isinstance(item, LLMError):
                    item.partial = "".join(text)
                raise item
            text.append(item)
            yield item

    def sent_text(self) -> str:
        """Every message content the fake was given, as one text."""
        return "\n".join(m["content"] for call in self.calls for m in call.messages)
