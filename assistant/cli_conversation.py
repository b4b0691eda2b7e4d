"""`oca chat` (the conversation in a terminal) and `oca eval --interactive` (the simulated-customer evaluation)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TextIO

from assistant import service
from assistant.conversation import start, turn, understood
from assistant.settings import Settings
from retrieval.errors import OcaError

EXIT_OK = 0


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("chat", parents=[common], help="describe a job in a conversation; the assistant asks what it needs")
    p.add_argument("--state", type=Path, metavar="FILE",
                   help="keep the conversation in FILE (JSON) and continue it next time")
    p.set_defaults(handler=cmd_chat)


def add_eval_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--interactive", action="store_true",
                   help="simulate a customer who opens with the first sentence of each description and answers "
                        "the assistant's questions from the rest (title withheld)")
    p.add_argument("--questions", type=int, default=3, metavar="N",
                   help="with --interactive: how many questions the customer answers (default 3)")


def cmd_chat(args: argparse.Namespace, settings: Settings, stdin: TextIO | None = None) -> int:
    from assistant.conversation import Conversation

    stdin = stdin or sys.stdin
    conv = start()
    if args.state is not None and args.state.is_file():
        try:
            conv = Conversation.model_validate_json(args.state.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise OcaError(f"{args.state} is not a saved conversation ({str(exc).splitlines()[0]}); "
                           "remove it or name another --state file.") from exc
    engine = service.build_engine(settings, progress=False)
    print(conv.messages[-1]["content"] if conv.messages else "")
    print("(an empty line or Ctrl-D ends the conversation)")
    for line in stdin:
        if not line.strip():
            break
        result = turn(conv, line, engine)
        conv = result.conversation
        print()
        print(result.reply)
        if args.state is not None:
            args.state.write_text(conv.model_dump_json(indent=1), encoding="utf-8")
    print()
    print("\n".join(["What I understood:"] + [f"  {line}" for line in understood(conv.part_a) or ["(nothing yet)"]]))
    return EXIT_OK


def cmd_interactive_eval(args: argparse.Namespace, settings: Settings, interactive: bool) -> int:
    # eval sits above assistant in the import order; the CLI is the one place that reaches up to it.
    from tqdm import tqdm

    from eval.cases import KnownCodes, load_cases, sample_cases
    from eval.interactive import format_summary, run_interactive

    if args.questions < 0 or args.questions > 10:
        raise OcaError(f"--questions must be between 0 and 10, got {args.questions}.")
    engine = service.build_engine(settings, progress=interactive)
    known = KnownCodes.from_kb(engine.kb)
    summaries, dialogues = [], {}
    for path in args.case_files:
        cases, problems = load_cases(path, known)
        for problem in problems:
            print(f"warning: skipped {problem}", file=sys.stderr)
        cases = [c for c in cases if (c.description or "").strip()]
        how = "all cases with a description"
        if args.sample:
            cases = sample_cases(cases, args.sample, args.seed or 0)
            how = f"fixed sample of {len(cases)}, seed {args.seed or 0}"
        elif args.limit:
            cases = cases[: args.limit]
            how = f"first {len(cases)}"
        with tqdm(total=len(cases), unit="case", desc=Path(path).stem, disable=not interactive) as bar:
            summary, run = run_interactive(engine, cases, args.questions, name=str(path), sample=how,
                                           progress=lambda done, total: bar.update(done - bar.n))
        print(format_summary(summary))
        print()
        summaries.append(summary.model_dump())
        dialogues[str(path)] = [d.model_dump() for d in run]
    if args.json_out is not None:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(json.dumps(summaries, indent=2) + "\n", encoding="utf-8")
        print(f"Scores written to {args.json_out}")
    if args.report is not None:
        args.report.mkdir(parents=True, exist_ok=True)
        (args.report / "interactive.json").write_text(
            json.dumps({"summaries": summaries, "dialogues": dialogues}, indent=1) + "\n", encoding="utf-8")
        from eval.interactive import InteractiveSummary

        text = "\n\n".join(format_summary(InteractiveSummary.model_validate(s)) for s in summaries)
        (args.report / "interactive.md").write_text(f"# Simulated-customer evaluation\n\n```\n{text}\n```\n",
                                                    encoding="utf-8")
        print(f"Report written to {args.report / 'interactive.md'}")
    return EXIT_OK
