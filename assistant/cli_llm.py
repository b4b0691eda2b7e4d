"""`oca llm-check`: is the configured chat server usable, which structured output does it accept, how fast
does it answer? Registered by `assistant.cli.build_parser`."""

from __future__ import annotations

import argparse
import time

from pydantic import BaseModel, Field

from assistant.llm import LLMError, build_llm
from assistant.settings import Settings
from retrieval.errors import OcaError


class _Echo(BaseModel):
    word: str = Field(description="the word asked for, in lower case")


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("llm-check", parents=[common],
                       help="ask the configured LLM server (OCA_LLM_*) one structured and one streamed question")
    p.set_defaults(handler=cmd_llm_check)


def cmd_llm_check(args: argparse.Namespace, settings: Settings) -> int:
    llm = build_llm(settings)
    if llm is None:
        raise OcaError("no LLM is configured: set OCA_LLM_BASE_URL and OCA_LLM_MODEL (the assistant works offline without)")
    print(f"server  {settings.llm_base_url}  model {settings.llm_model}")
    ask = [{"role": "system", "content": "Answer with JSON only."},
           {"role": "user", "content": 'Reply with the word "ready" as {"word": "ready"}.'}]
    started = time.perf_counter()
    try:
        answer = llm.generate(ask, _Echo)
        print(f"structured  ok in {time.perf_counter() - started:.2f} s: {answer.word!r} "
              f"(response format {getattr(llm, 'structured_mode', '?')}, {llm.usage.last.total_tokens} tokens)")
    except LLMError as exc:
        print(f"structured  FAILED after {time.perf_counter() - started:.2f} s ({exc.kind}): {exc}")
        for attempt in exc.attempts:
            print(f"  attempt {attempt.number}: {attempt.error}")
    started = time.perf_counter()
    first: float | None = None
    text: list[str] = []
    try:
        for chunk in llm.stream([{"role": "user", "content": "Say hello in five words."}]):
            first = first if first is not None else time.perf_counter() - started
            text.append(chunk)
    except LLMError as exc:
        raise OcaError(f"streaming failed ({exc.kind}): {exc}") from exc
    shown = "".join(text).strip().replace("\n", " ")[:80]
    print(f"stream      first chunk after {first or 0:.2f} s, done in {time.perf_counter() - started:.2f} s: {shown!r}")
    total = llm.usage.total
    print(f"tokens      {total.prompt_tokens} prompt + {total.completion_tokens} completion in {total.requests} requests")
    return 0
