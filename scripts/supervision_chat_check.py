"""How the customer chat codes people who supervise, and people who do not: 24 messages written for the check.

    .venv/bin/python scripts/supervision_chat_check.py

Each message opens a conversation; the first candidate the chat shows is right when it is the expected
first-line supervisor occupation (by SOC prefix) or, for a worker, any occupation that is not a supervisor.
README ("How the engine ranks") gives the figures for the supervision signals compared with it. Needs the
index (`oca index`) and the O*NET release, as `oca code` does.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant import conversation  # noqa: E402
from assistant.service import build_engine  # noqa: E402
from assistant.settings import Settings  # noqa: E402

WORKER = "worker"
MESSAGES: list[tuple[str, str]] = [
    ("I supervise the workers who assemble chairs in a furniture factory. I assign their work, train new hires "
     "and check the finished chairs.", "51-1011"),
    ("I'm a shift lead at a bakery plant. I run a crew of eight mixers and oven operators, assign their jobs and "
     "check the quality of the bread.", "51-1011"),
    ("I oversee the mechanics who fix our delivery trucks and I schedule their repairs.", "49-1011"),
    ("I manage the cooks in a hospital kitchen, schedule their shifts and order the food.", "35-1012"),
    ("I supervise a team of warehouse workers who load and unload trucks and I plan their shifts.", "53-1"),
    ("I'm in charge of the cleaning crew at an office building. I assign each cleaner an area and inspect their "
     "work.", "37-1011"),
    ("I lead a crew of roofers: I assign the jobs, train new roofers and check that the shingles are laid right.",
     "47-1011"),
    ("I supervise the cashiers at a grocery store, make their schedules and handle customer complaints.",
     "41-1011"),
    ("I run the night crew of machine operators in a plastics plant, assign machines and train new operators.",
     "51-1011"),
    ("I am the foreman of a framing crew. I lay out the work for the carpenters each morning and check their walls "
     "against the plans.", "47-1011"),
    ("I supervise the call center agents, listen to their calls, coach them and approve their time off.",
     "43-1011"),
    ("I'm the head of the landscaping crew: I give the guys their lawns for the day, train them on the mowers and "
     "check the yards when they finish.", "37-1012"),
    ("I supervise the correctional officers on the second shift, assign posts and review incident reports.",
     "33-1011"),
    ("Supervises and coordinates activities of workers who weld steel frames. Assigns duties, trains new welders "
     "and inspects welds.", "51-1011"),
    ("Directs a crew of electricians installing wiring in new houses; assigns tasks, orders materials and inspects "
     "the work.", "47-1011"),
    ("Supervises bus drivers: assigns routes, checks schedules and investigates complaints.", "53-1"),
    ("I assemble chairs in a furniture factory, glue and clamp the joints and sand the finished chairs.", WORKER),
    ("I weld steel frames for trailers using a MIG welder and grind the welds smooth.", WORKER),
    ("I load and unload trucks at a warehouse and drive a forklift.", WORKER),
    ("I clean offices at night: empty trash, vacuum and mop the floors.", WORKER),
    ("I cook meals for patients in a hospital kitchen following the diet orders.", WORKER),
    ("I answer customer calls about their bills and fix billing mistakes.", WORKER),
    ("I operate injection molding machines in a plastics plant and check the parts for defects.", WORKER),
    ("I train new employees on the machines and check their work.", WORKER),
]


def main() -> int:
    engine = build_engine(Settings(), progress=True)
    right = 0
    for message, expected in MESSAGES:
        top = conversation.turn(conversation.start(), message, engine).candidates[0]
        ok = "Supervisors" not in top.title if expected == WORKER else top.soc_code.startswith(expected)
        right += ok
        print(f"{'ok' if ok else '--'}  {expected:8} {top.title[:60]} ({top.confidence:.0%})")
    supervising = sum(expected != WORKER for _, expected in MESSAGES)
    print(f"right: {right} of {len(MESSAGES)} ({supervising} who supervise, {len(MESSAGES) - supervising} who do not); "
          f"engine {engine.engine_version}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
