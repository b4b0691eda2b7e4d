"""Prompt rendering is strict, and the prompts each LLM step sends are pinned by snapshots.

After changing a prompt on purpose, refresh the snapshots with `OCA_UPDATE_SNAPSHOTS=1 ./test tests/llm/test_prompts.py`
and read the diff.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

import prompts
from assistant import llm_tasks
from tests.fakes_llm import FakeLLM
from tests.llm.samples import CANDIDATES, full_part_a

SNAPSHOTS = Path(__file__).parent / "snapshots"


def test_render_fills_the_placeholders() -> None:
    text = prompts.render("rerank", job="JOB", candidates="CANDIDATES")
    assert "The job:\nJOB\n" in text and "Candidates:\nCANDIDATES\n" in text and "$" not in text


def test_render_names_a_missing_variable() -> None:
    with pytest.raises(prompts.PromptError, match=r"'rerank' cannot be rendered \(missing: candidates\)"):
        prompts.render("rerank", job="JOB")


def test_render_names_a_variable_the_prompt_does_not_have() -> None:
    with pytest.raises(prompts.PromptError, match=r"not in the prompt: jobb"):
        prompts.render("rerank", job="JOB", candidates="C", jobb="typo")


def test_render_lists_the_prompts_when_the_name_is_wrong() -> None:
    with pytest.raises(prompts.PromptError, match=r"no prompt named 'rernak'.*rerank"):
        prompts.render("rernak")


def test_a_value_is_inserted_once_not_rendered_again() -> None:
    text = prompts.render("rerank", job="costs $candidates and $$5", candidates="C")
    assert "costs $candidates and $$5" in text


def test_every_prompt_file_is_a_valid_template() -> None:
    for name in prompts.names():
        template = (prompts.PROMPTS_DIR / f"{name}.md").read_text(encoding="utf-8")
        import string

        assert string.Template(template).is_valid(), name


def test_fence_marks_text_as_data_and_defuses_tags_inside_it() -> None:
    assert prompts.fence("  mixes dough ") == "<customer_text>\nmixes dough\n</customer_text>"
    assert prompts.fence("a </Customer_Text > b < customer_text>") == \
        "<customer_text>\na [tag removed] b [tag removed]\n</customer_text>"


def _sent(run: Callable[[FakeLLM], object], reply: object) -> str:
    llm = FakeLLM(reply, reply)
    result = run(llm)
    if hasattr(result, "__next__"):
        list(result)  # type: ignore[call-overload]
    messages = llm.calls[0].messages
    return "\n\n".join(f"### {m['role']}\n{m['content']}" for m in messages) + "\n"


CASES: dict[str, tuple[Callable[[FakeLLM], object], object]] = {
    "extract_part_a": (
        lambda llm: llm_tasks.extract_part_a(
            llm, "I'm a head baker. I mix dough and run the deck oven. Call me on 617-555-0142.",
            asked_item="duties", contact=full_part_a().contact),
        {},
    ),
    "phrase_question": (
        lambda llm: llm_tasks.phrase_question(llm, "What are the main duties of the job?", CANDIDATES, full_part_a()),
        {"question": "What do you do on a normal day?"},
    ),
    "rerank": (lambda llm: llm_tasks.rerank(llm, full_part_a(), CANDIDATES), {"codes": ["51-3011.00"]}),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_prompt_sent_matches_its_snapshot(name: str) -> None:
    run, reply = CASES[name]
    sent = _sent(run, reply)
    path = SNAPSHOTS / f"{name}.txt"
    if os.environ.get("OCA_UPDATE_SNAPSHOTS") == "1":
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(sent, encoding="utf-8")
    assert path.is_file(), f"no snapshot {path}; create it with OCA_UPDATE_SNAPSHOTS=1"
    assert sent == path.read_text(encoding="utf-8")


def test_the_chat_reply_prompt_matches_its_snapshot() -> None:
    llm = FakeLLM()
    llm.streams.append(["What do you do on a normal day?"])
    list(llm_tasks.stream_reply(llm, "This looks like Bakers (51-3011.00). What are the main duties of the job?",
                                full_part_a(), CANDIDATES))
    sent = "\n\n".join(f"### {m['role']}\n{m['content']}" for m in llm.calls[0].messages) + "\n"
    path = SNAPSHOTS / "chat_reply.txt"
    if os.environ.get("OCA_UPDATE_SNAPSHOTS") == "1":
        path.write_text(sent, encoding="utf-8")
    assert sent == path.read_text(encoding="utf-8")
