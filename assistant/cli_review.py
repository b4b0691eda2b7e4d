"""`oca` commands for the review workflow, so that it can be scripted: queue, show, decide, comment,
export, lay titles, staff accounts and the agreement check. Registered by `assistant.cli.build_parser`."""

from __future__ import annotations

import argparse
import csv
import getpass
import html
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from typing import TYPE_CHECKING

from assistant.lifecycle import CHANGE_REASONS, DECISIONS, ROLES, STATES
from assistant.settings import Settings
from retrieval.errors import OcaError

if TYPE_CHECKING:
    from assistant.store import Store, Submission

ALTERNATE_TITLES_HEADER = ["O*NET-SOC Code", "Title", "Alternate Title", "Short Title", "Source(s)"]
LAY_TITLE_SOURCE = "OCA"  # the Source(s) column: O*NET numbers its sources; ours are analysts' decisions


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("queue", parents=[common], help="submissions waiting for review, the most in need first")
    p.add_argument("--state", action="append", choices=STATES, help="only these states (default submitted, drafted)")
    p.add_argument("--group", help="only this SOC major group (29 or 29-0000)")
    p.add_argument("--limit", type=int, help="at most N submissions")
    p.add_argument("--json", action="store_true", help="print the submissions as JSON")
    p.set_defaults(handler=cmd_queue)

    p = sub.add_parser("show", parents=[common], help="a submission: Part A, draft, decision, comments, history")
    p.add_argument("reference")
    p.add_argument("--json", action="store_true", help="print the submission, comments and audit log as JSON")
    p.set_defaults(handler=cmd_show)

    p = sub.add_parser("decide", parents=[common], help="approve, change, reject, ask the customer, or return")
    p.add_argument("reference")
    p.add_argument("decision", choices=DECISIONS)
    p.add_argument("--analyst", required=True, help="the analyst's account name (oca users add)")
    p.add_argument("--code", help="change: the new O*NET-SOC code")
    p.add_argument("--why", dest="reason_category", choices=list(CHANGE_REASONS), default="other",
                   help="change: why (" + "; ".join(f"{k}: {v}" for k, v in CHANGE_REASONS.items()) + ")")
    p.add_argument("--note", help="approve/change: the analyst's own words")
    p.add_argument("--reason", help="reject: why (the customer reads it)")
    p.add_argument("--question", help="ask/return: what the customer is asked (it appears in their chat)")
    p.set_defaults(handler=cmd_decide)

    p = sub.add_parser("comment", parents=[common], help="add an analysts' comment to a submission")
    p.add_argument("reference")
    p.add_argument("text")
    p.add_argument("--analyst", required=True)
    p.set_defaults(handler=cmd_comment)

    p = sub.add_parser("export", parents=[common], help="write a submission's Part B as Markdown, HTML or JSON")
    p.add_argument("reference")
    p.add_argument("--format", choices=("md", "html", "json"), default="md")
    p.add_argument("--out", type=Path, help="write to this file (default: print)")
    p.add_argument("--contact", action="store_true", help="include the customer's contact details")
    p.set_defaults(handler=cmd_export)

    p = sub.add_parser("laytitles", parents=[common], help="lay titles analysts approved")
    lay = p.add_subparsers(dest="laytitles_command", required=True, metavar="ACTION")
    q = lay.add_parser("list", parents=[common], help="list them")
    q.set_defaults(handler=cmd_laytitles_list)
    q = lay.add_parser("export", parents=[common], help="write them in the O*NET Alternate Titles.txt layout")
    q.add_argument("out", type=Path, metavar="OUT")
    q.set_defaults(handler=cmd_laytitles_export)

    p = sub.add_parser("users", parents=[common], help="staff accounts (analysts, evaluators, admins)")
    users = p.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    q = users.add_parser("add", parents=[common], help="add an account; the password is prompted or read from stdin")
    q.add_argument("name")
    q.add_argument("--role", choices=ROLES, required=True)
    q.set_defaults(handler=cmd_users_add)
    q = users.add_parser("list", parents=[common], help="list the accounts")
    q.set_defaults(handler=cmd_users_list)

    p = sub.add_parser("agreement", parents=[common], help="blind re-coding and agreement between coders")
    agree = p.add_subparsers(dest="agreement_command", required=True, metavar="ACTION")
    q = agree.add_parser("sample", parents=[common], help="decided submissions for an analyst to code blind")
    q.add_argument("--analyst", required=True)
    q.add_argument("--n", type=int, default=20, help="how many (default 20)")
    q.add_argument("--seed", type=int, default=0)
    q.add_argument("--json", action="store_true")
    q.set_defaults(handler=cmd_agreement_sample)
    q = agree.add_parser("code", parents=[common], help="record the code an analyst gave blind")
    q.add_argument("reference")
    q.add_argument("code")
    q.add_argument("--analyst", required=True)
    q.set_defaults(handler=cmd_agreement_code)
    q = agree.add_parser("report", parents=[common], help="percent agreement and Cohen's kappa")
    q.add_argument("--json", action="store_true")
    q.set_defaults(handler=cmd_agreement_report)


@contextmanager
def opened(settings: Settings) -> Iterator[Store]:
    from assistant.store import Store  # SQLAlchemy loads only for the commands that use the database

    store = Store.open(settings.db_url)
    try:
        yield store
    finally:
        store.close()


PASSWORD_ENV = "OCA_PASSWORD"


def sign_in(store: Store, name: str) -> None:
    """An analyst's action from the command line needs the account's password, as the app's sign-in does
    (with the same limit on failures): from OCA_PASSWORD, else a prompt, else the first line of stdin."""
    import os

    from assistant.review import REVIEWER_ROLES

    password = os.environ.get(PASSWORD_ENV)
    if password is None:
        password = getpass.getpass(f"Password for {name}: ") if sys.stdin.isatty() else sys.stdin.readline()
    user = store.authenticate(name, password.rstrip("\r\n"))
    if user is None or user.role not in REVIEWER_ROLES:
        raise OcaError(f"{name!r} is not an analyst account, or the password is wrong; give the password in "
                       f"{PASSWORD_ENV} or on stdin")


def _engine(settings: Settings):
    from assistant import service

    return service.build_engine(settings, progress=sys.stderr.isatty())


def cmd_queue(args: argparse.Namespace, settings: Settings) -> int:
    with opened(settings) as store:
        rows = store.queue(states=args.state, major_group=args.group, limit=args.limit)
    if args.json:
        print(json.dumps([_listed(r) for r in rows], indent=2, ensure_ascii=False))
        return 0
    if not rows:
        print("Nothing waiting for review.")
        return 0
    print(f"{'reference':<14} {'state':<20} {'code':<11} {'conf.':>5} {'margin':>6}  {'submitted':<16} job title")
    for r in rows:
        when = (r.submitted_at or r.created_at).strftime("%Y-%m-%d %H:%M")
        print(f"{r.reference:<14} {r.state:<20} {r.code or '—':<11} {_pct(r.confidence):>5} {_pct(r.margin):>6}  "
              f"{when:<16} {r.job_title or ''}")
    return 0


def cmd_show(args: argparse.Namespace, settings: Settings) -> int:
    with opened(settings) as store:
        sub = store.get(args.reference)
        comments, audit = store.comments(sub.reference), store.audit(sub.reference)
    if args.json:
        print(json.dumps({"submission": sub.model_dump(mode="json", exclude={"access_token"}),
                          "comments": [c.model_dump(mode="json") for c in comments],
                          "audit": [a.model_dump(mode="json") for a in audit]}, indent=2, ensure_ascii=False))
        return 0
    part_a = sub.part_a or {}
    lines = [f"{sub.reference}  {sub.state}", f"job title   {sub.job_title or '—'}",
             f"code        {sub.code or '—'}  (confidence {_pct(sub.confidence)}, margin {_pct(sub.margin)})"]
    if part_a.get("summary"):
        lines.append(f"summary     {part_a['summary']}")
    lines += [f"duty        {d.get('text')}" for d in part_a.get("duties") or []]
    industries = "; ".join(i.get("name") or "" for i in part_a.get("industries") or [])
    if industries:
        lines.append(f"industry    {industries}")
    if sub.draft:
        lines.append(f"draft       {sub.draft.get('code')} {sub.draft.get('title', '')} "
                     f"(written by {sub.draft.get('written_by', '?')})")
        lines += [f"            {p}" for p in sub.draft.get("rationale") or []]
    if sub.question:
        lines.append(f"question    {sub.question}")
    if sub.decided_by:
        lines.append(f"decided     {sub.state} by {sub.decided_by} at {sub.decided_at:%Y-%m-%d %H:%M}"
                     + (f": {sub.decision_reason}" if sub.decision_reason else ""))
    if comments:
        lines += ["", "comments"] + [f"  {c.at:%Y-%m-%d %H:%M} {c.author}: {c.text}" for c in comments]
    lines += ["", "history"]
    for e in audit:
        codes = f"{e.code_before or '—'} -> {e.code_after or '—'}" if e.code_before != e.code_after else \
            (e.code_after or "—")
        lines.append(f"  {e.at:%Y-%m-%d %H:%M:%S} {e.actor:<12} {e.from_state or '(new)'} -> {e.to_state}  {codes}"
                     + (f"  [{e.reason}]" if e.reason else ""))
    print("\n".join(lines))
    return 0


def cmd_decide(args: argparse.Namespace, settings: Settings) -> int:
    from assistant import review

    engine = _engine(settings) if args.decision in ("approve", "change") else None
    with opened(settings) as store:
        sign_in(store, args.analyst)
        done = review.decide(store, args.reference, args.analyst, args.decision, engine=engine, code=args.code,
                             reason=args.reason, reason_category=args.reason_category, note=args.note,
                             question=args.question)
    sub = done.submission
    print(f"{sub.reference} is now {sub.state}" + (f" with code {sub.code}" if sub.code else "") + ".")
    if done.lay_title is not None:
        print(f"Search now ranks {done.lay_title.code} first for the lay title {done.lay_title.title!r}.")
    return 0


def cmd_comment(args: argparse.Namespace, settings: Settings) -> int:
    with opened(settings) as store:
        sign_in(store, args.analyst)
        comment = store.add_comment(args.reference, args.analyst, args.text)
    print(f"Comment added at {comment.at:%Y-%m-%d %H:%M}.")
    return 0


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.parta import PartA
    from assistant.partb import PartBDraft, to_html, to_json, to_markdown

    with opened(settings) as store:
        sub = store.get(args.reference)
    if not sub.draft:
        raise OcaError(f"{sub.reference} has no Part B draft yet (it is {sub.state})")
    draft, part_a = PartBDraft.model_validate(sub.draft), PartA.model_validate(sub.part_a or {})
    decision = _decision(sub)
    if args.format == "json":
        data = json.loads(to_json(draft, part_a, include_contact=args.contact))
        data["decision"] = decision
        text = json.dumps(data, indent=2, ensure_ascii=False)
    elif args.format == "md":
        text = to_markdown(draft, part_a, include_contact=args.contact)
        if decision:
            text = text.rstrip() + "\n\n## Analyst's decision\n\n" + _decision_line(decision) + "\n"
    else:
        text = to_html(draft, part_a, include_contact=args.contact)
        if decision:
            section = f"<section><h2>Analyst's decision</h2><p>{html.escape(_decision_line(decision))}</p></section>"
            text = text.replace("</body>", section + "</body>") if "</body>" in text else text + section
    if args.out is None:
        print(text)
    else:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        print(f"Part B of {sub.reference} written to {args.out}")
    return 0


def cmd_laytitles_list(args: argparse.Namespace, settings: Settings) -> int:
    with opened(settings) as store:
        titles = store.lay_titles()
    if not titles:
        print("No lay titles yet: they come from approved or changed submissions.")
    for lay in titles:
        print(f"{lay.code:<11} {lay.title:<40} {lay.source} by {lay.added_by} {lay.added_at:%Y-%m-%d}")
    return 0


def cmd_laytitles_export(args: argparse.Namespace, settings: Settings) -> int:
    with opened(settings) as store:
        titles = store.lay_titles()
    engine = _engine(settings) if titles else None
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE, escapechar="\\")
        writer.writerow(ALTERNATE_TITLES_HEADER)
        for lay in sorted(titles, key=lambda t: (t.code, t.title.casefold())):
            occupation = engine.title_of(lay.code) if engine is not None and lay.code in engine.codes else ""
            writer.writerow([lay.code, occupation, _tsv_safe(lay.title), "", LAY_TITLE_SOURCE])
    print(f"{len(titles)} lay titles written to {args.out}")
    return 0


def cmd_users_add(args: argparse.Namespace, settings: Settings) -> int:
    if sys.stdin.isatty():
        password = getpass.getpass(f"Password for {args.name}: ")
        if getpass.getpass("Again: ") != password:
            raise OcaError("the two passwords differ; nothing was saved")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    with opened(settings) as store:
        user = store.add_user(args.name, password, args.role)
    print(f"Added {user.name} ({user.role}).")
    return 0


def cmd_users_list(args: argparse.Namespace, settings: Settings) -> int:
    with opened(settings) as store:
        for user in store.users():
            print(f"{user.name:<24} {user.role:<10} since {user.created_at:%Y-%m-%d}")
    return 0


def cmd_agreement_sample(args: argparse.Namespace, settings: Settings) -> int:
    with opened(settings) as store:
        sign_in(store, args.analyst)
        sample = store.blind_sample(args.analyst, args.n, args.seed)
    if args.json:
        print(json.dumps([{"reference": s.reference, "part_a": _job_only(s)} for s in sample], indent=2,
                         ensure_ascii=False))
        return 0
    if not sample:
        print(f"No decided submission left for {args.analyst} to code blind.")
    for s in sample:
        part_a = _job_only(s)
        print(f"{s.reference}  {part_a.get('job_title') or '(no title)'}")
        for key in ("summary",):
            if part_a.get(key):
                print(f"    {part_a[key]}")
        for duty in part_a.get("duties") or []:
            print(f"    - {duty.get('text')}")
    if sample:
        print(f"\nRecord each code with: oca agreement code REFERENCE CODE --analyst {args.analyst}")
    return 0


def cmd_agreement_code(args: argparse.Namespace, settings: Settings) -> int:
    with opened(settings) as store:
        sign_in(store, args.analyst)
        store.record_blind_code(args.reference, args.analyst, args.code)
    print(f"Recorded {args.code} for {args.reference.upper()} by {args.analyst}.")
    return 0


def cmd_agreement_report(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.agreement import build_report, format_report

    with opened(settings) as store:
        report = build_report(store.decided_cases())
    print(report.model_dump_json(indent=2) if args.json else format_report(report))
    return 0


def _listed(sub: Submission) -> dict:
    return sub.model_dump(mode="json", include={"reference", "state", "job_title", "code", "confidence", "margin",
                                                "major_group", "created_at", "submitted_at"})


def _job_only(sub: Submission) -> dict:
    return {k: v for k, v in (sub.part_a or {}).items() if k != "contact"}


def _decision(sub: Submission) -> dict | None:
    if sub.state not in ("approved", "changed", "rejected"):
        return None
    return {"state": sub.state, "code": sub.code, "by": sub.decided_by,
            "at": sub.decided_at.isoformat() if sub.decided_at else None, "reason": sub.decision_reason}


def _decision_line(decision: dict) -> str:
    verb = {"approved": "Approved", "changed": f"Changed to {decision['code']}", "rejected": "Rejected"}
    when = (decision["at"] or "")[:16].replace("T", " ")
    return f"{verb[decision['state']]} by {decision['by']} on {when}" + (
        f": {decision['reason']}" if decision.get("reason") else ".")


def _tsv_safe(text: str) -> str:
    return " ".join(text.replace("\t", " ").split())


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"
