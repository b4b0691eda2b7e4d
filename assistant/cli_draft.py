"""`oca draft`: the Part B draft of a Part A kept in a JSON file, as Markdown, printable HTML or JSON, without
the review workflow (no database). Registered by `assistant.cli.build_parser`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pydantic import ValidationError

from assistant.settings import Settings
from retrieval.errors import OcaError

FORMATS = ("md", "html", "json")


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("draft", parents=[common], help="draft Part B for a Part A JSON file (Markdown, HTML or JSON)")
    p.add_argument("part_a", type=Path, metavar="PARTA.json", help="a Part A as JSON ('-' reads standard input)")
    p.add_argument("--format", choices=FORMATS, default="md", help="md (default), html or json")
    p.add_argument("--out", type=Path, help="write to this file instead of standard output")
    p.add_argument("--contact", action="store_true",
                   help="include the contact details (the customer's or analyst's copy); left out by default")
    p.add_argument("--offline", action="store_true", help="write the rationale offline even when an LLM is set")
    p.set_defaults(handler=cmd_draft)


def read_part_a(path: Path):
    from assistant.parta import PartA

    try:
        text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    except OSError as exc:
        raise OcaError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        return PartA.model_validate_json(text)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'the file'}: {e['msg']}" for e in exc.errors()[:5]
        )
        raise OcaError(f"{path} is not a valid Part A ({problems})") from None


def cmd_draft(args: argparse.Namespace, settings: Settings) -> int:
    from assistant import service
    from assistant.llm import build_llm
    from assistant.partb import draft_part_b, to_html, to_json, to_markdown

    part_a = read_part_a(args.part_a)
    engine = service.build_engine(settings, progress=sys.stderr.isatty())
    llm = None if args.offline else build_llm(settings)
    draft = draft_part_b(part_a, engine, llm)
    export = {"md": to_markdown, "html": to_html, "json": to_json}[args.format]
    text = export(draft, part_a, include_contact=args.contact)
    if draft.fallback_reason:
        print(f"note: the language model's rationale was not used ({draft.fallback_reason})", file=sys.stderr)
    if args.out is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        try:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        except OSError as exc:
            raise OcaError(f"cannot write {args.out}: {exc.strerror or exc}") from None
        print(f"Part B draft ({draft.code} {draft.title}, {draft.confidence:.0%}) written to {args.out}")
    return 0
