"""A process that keeps writing as the app does, until the test kills it with SIGKILL.

    python -m tests.reliability.crash_worker DB_URL chat|review

`chat`: one submission whose conversation grows by a turn per save (each save is one transaction, as the
chat page's). `review`: submissions taken through submit -> draft -> an analyst's decision. It prints one
line per finished write, so the test can kill it in the middle of the next one.
"""

from __future__ import annotations

import sys

from assistant.store import Coding, Store


def conversation(turns: int) -> dict:
    # A few hundred KB per save, so that a kill lands inside a write often.
    messages = [{"role": "user" if i % 2 else "assistant", "content": f"turn {i} " + "x" * 4000}
                for i in range(turns)]
    return {"messages": messages, "turns": turns}


def chat(store: Store) -> None:
    ref = store.create_submission().reference
    print(f"ref {ref}", flush=True)
    turn = 0
    while True:
        turn += 1
        store.save_conversation(ref, conversation(turn), {"job_title": f"title after turn {turn}"})
        print(f"saved {turn}", flush=True)


def review(store: Store) -> None:
    coding = Coding(code="29-1141.00", confidence=0.5, margin=0.1, engine_version="test", onet_release="test")
    n = 0
    while True:
        n += 1
        ref = store.create_submission().reference
        store.save_conversation(ref, conversation(2), {"job_title": f"nurse {n}"})
        store.transition(ref, "submitted", "customer", coding=coding)
        store.save_draft(ref, {"code": "29-1141.00", "title": "Registered Nurses", "rationale": ["x" * 20000]})
        store.transition(ref, "changed", "analyst", "the duties fit another occupation better",
                         code_after="29-2061.00")
        print(f"decided {ref}", flush=True)


if __name__ == "__main__":
    url, mode = sys.argv[1], sys.argv[2]
    {"chat": chat, "review": review}[mode](Store.open(url))
