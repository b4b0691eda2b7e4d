"""Rerun the reliability and security figures and write them to docs/reliability.md.

    OCA_HOME=<a built home> python scripts/reliability.py [--seconds 60] [--clients 50] [--rows 100000]
                                                            [--skip-load] [--skip-batch] [--out docs/reliability.md]

Runs, in turn: the fault, crash, bad-input, injection and access tests (pytest, with a JUnit report read
back here), the 50-client load benchmark (scripts/load_bench.py --json) and the 100,000-row batch that is
killed halfway and resumed (scripts/batch_resume.py --json); then writes the table of figures. The load
part wants a quiet machine: the load average before it is written beside its figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUITES: dict[str, list[str]] = {
    "LLM faults (adapter)": ["tests/llm/test_fault_paths.py"],
    "LLM faults (chat page, submit)": ["tests/reliability/test_llm_faults_e2e.py"],
    "Crash safety (SIGKILL)": ["tests/reliability/test_crash.py"],
    "Bad input (engine, chat, store, CLI)": ["tests/reliability/test_bad_input.py"],
    "Bad input (app pages)": ["tests/reliability/test_app_bad_input.py"],
    "Prompt injection": ["tests/reliability/test_injection.py"],
    "Access control": ["tests/reliability/test_access.py"],
}
# Which suites prove "nothing lost or duplicated" and "no traceback shown" by passing.
INTEGRITY = ("LLM faults (adapter)", "LLM faults (chat page, submit)", "Crash safety (SIGKILL)")
BAD_INPUT = ("Bad input (engine, chat, store, CLI)", "Bad input (app pages)")


def run_tests(tmp: Path) -> dict[str, dict]:
    report = tmp / "junit.xml"
    files = [f for group in SUITES.values() for f in group]
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={report}", *files],
                   cwd=ROOT, check=False)
    counts: dict[str, dict] = {name: defaultdict(int) for name in SUITES}
    failed_names: dict[str, list[str]] = defaultdict(list)
    for case in ET.parse(report).getroot().iter("testcase"):
        path = case.get("classname", "").replace(".", "/") + ".py"
        suite = next((name for name, group in SUITES.items() if path in group), None)
        if suite is None:
            continue
        outcome = "failed" if case.find("failure") is not None or case.find("error") is not None else \
            "skipped" if case.find("skipped") is not None else "passed"
        counts[suite][outcome] += 1
        counts[suite]["cases"] += 1
        if outcome == "failed":
            failed_names[suite].append(case.get("name", "?"))
        if suite == "Prompt injection" and ("cannot_steer" in case.get("name", "")
                                            or "keeps_to_the" in case.get("name", "")):
            counts[suite]["injection_checks"] += 1
            counts[suite]["injection_contained"] += outcome == "passed"
    return {name: {**dict(c), "failed_tests": failed_names[name]} for name, c in counts.items()}


def run_json(command: list[str], out: Path) -> dict | None:
    done = subprocess.run(command, cwd=ROOT, check=False)
    if not out.is_file():
        print(f"{command[1]} wrote no figures (exit {done.returncode})", file=sys.stderr)
        return None
    return json.loads(out.read_text())


def corpus_sizes() -> dict[str, int]:
    sys.path.insert(0, str(ROOT))
    from tests.reliability.corpus import BAD_EMAILS, BAD_PHONES, BAD_TEXTS
    from tests.reliability.injection import INJECTIONS

    return {"bad_texts": len(BAD_TEXTS), "bad_contacts": len(BAD_EMAILS) + len(BAD_PHONES),
            "injections": len(INJECTIONS)}


def write_doc(path: Path, tests: dict, load: dict | None, batch: dict | None, sizes: dict[str, int],
              load_avg: tuple[float, float, float] | None, args: argparse.Namespace) -> None:
    def ok(names: tuple[str, ...]) -> bool:
        return all(tests[n].get("failed", 0) == 0 and tests[n].get("passed", 0) > 0 for n in names)

    inj = tests["Prompt injection"]
    checks = inj.get("injection_checks", 0)
    containment = "n/a" if not checks else \
        f"{inj.get('injection_contained', 0) / checks:.0%} ({inj.get('injection_contained', 0)} of {checks} checks)"
    lines = [
        "# Reliability and security figures",
        "",
        f"Written by `python scripts/reliability.py` on {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC "
        f"(machine: {os.cpu_count()} CPUs). Rerun that command to refresh every number here.",
        "",
        "## Tests",
        "",
        "| suite | tests | passed | failed | skipped |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, c in tests.items():
        lines.append(f"| {name} | {c.get('cases', 0)} | {c.get('passed', 0)} | {c.get('failed', 0)} | "
                     f"{c.get('skipped', 0)} |")
    lines += [
        "",
        "## Targets",
        "",
        "| figure | target | measured |",
        "|---|---|---|",
        f"| lost or duplicated submissions and audit entries across the fault and crash tests | 0 | "
        f"{'0 (every fault and crash test passed; each asserts one submission, each message once and one audit entry per move)' if ok(INTEGRITY) else 'FAILED: see the failing tests below'} |",
        f"| tracebacks shown to users across the bad-input corpus ({sizes['bad_texts']} texts, "
        f"{sizes['bad_contacts']} contact values, malformed files) | 0 | "
        f"{'0 (every bad-input test passed)' if ok(BAD_INPUT) else 'FAILED: see the failing tests below'} |",
        f"| injection cases ({sizes['injections']}, each as a job description, a chat message and a rerank) "
        f"whose code stays within the retrieved candidates and leak nothing | 100% | "
        f"{containment} |",
        f"| access control: pages by role, analyst commands, exports, reference tampering, sign-in limit, secrets | all pass | "
        f"{'all pass' if ok(('Access control',)) else 'FAILED'} |",
    ]
    if load:
        ops = load["operations"]
        busy = f"; load average before the run {load_avg[0]:.1f} on {os.cpu_count()} CPUs" if load_avg else ""
        lines += [
            f"| load: errors with {load['clients']} clients for {load['seconds']} s{busy} | 0 | {load['errors']} |",
            f"| load: search p95 | < 500 ms | {ops['search']['p95_ms']} ms (p50 {ops['search']['p50_ms']} ms) |",
            f"| load: code p95 | < 500 ms | {ops['code']['p95_ms']} ms (p50 {ops['code']['p50_ms']} ms) |",
            f"| load: chat turn p95 | — | {ops['chat']['p95_ms']} ms (p50 {ops['chat']['p50_ms']} ms) |",
            f"| load: throughput | — | {load['throughput_per_s']} requests/s |",
        ]
    else:
        lines.append("| load benchmark | — | not run (--skip-load) |")
    if batch:
        lines.append(
            f"| batch of {batch['rows']:,} rows killed after {batch['killed_after_rows']:,} and resumed: every row "
            f"coded exactly once | yes | {'yes' if batch['exactly_once'] else 'NO'} ({batch['output_rows']:,} rows out, "
            f"{batch['missing_rows']} missing, {batch['duplicated_rows']} duplicated, ids in order: "
            f"{batch['ids_in_order']}, {batch['titles_with_two_codes']} titles with two codes; {batch['seconds']} s) |")
    else:
        lines.append("| batch resume | — | not run (--skip-batch) |")
    notes = []
    if load and load_avg and load_avg[0] > (os.cpu_count() or 1):
        notes.append(f"The machine was busy when the load benchmark ran (load average {load_avg[0]:.1f} on "
                     f"{os.cpu_count()} CPUs, from other work): its latencies are pessimistic.")
    if batch:
        notes.append("The batch rows repeat 400 O*NET alternate titles, so a run codes each distinct title once and "
                     "reuses the answer: the batch figure is about exactly-once coding across a SIGKILL, not speed "
                     "(README, Batch coding, has the throughput).")
    if notes:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in notes]
    failing = {n: c["failed_tests"] for n, c in tests.items() if c.get("failed_tests")}
    if failing:
        lines += ["", "## Failing tests", ""]
        lines += [f"- {n}: {', '.join(names[:20])}" for n, names in failing.items()]
    lines += [
        "",
        "## What each suite does",
        "",
        "- **LLM faults**: the real `openai` client against a loopback server made to time out, refuse "
        "connections, answer 429/500, hang up, stream half an answer, send malformed events or JSON, or name a code "
        "that was not retrieved; chat turns (through the page) and drafts (through `review.submit`) complete offline "
        "with one plain sentence, one submission and one audit entry per move.",
        "- **Crash safety**: a worker killed with SIGKILL mid-turn or mid-decision leaves whole rows and a consistent "
        "audit chain.",
        "- **Bad input**: `tests/reliability/corpus.py` through the engine, the chat, the store, the CLI and the app "
        "pages; the pages' markdown must carry no unescaped HTML, link or image.",
        "- **Prompt injection**: `tests/reliability/injection.py` against a model that obeys every instruction; "
        "the validation keeps the code within the retrieved candidates and the prompt, contact details and another "
        "customer's submission out of every reply, draft and request.",
        "- **Access control**: every page for signed-out visitors, analysts, evaluators and admins; analyst "
        "commands; exports with and without contact details; a changed reference in a private link; the sign-in "
        "limit; the API key only from the environment or a file; no secret in the repository.",
        f"- **Load**: `scripts/load_bench.py --clients {args.clients} --seconds {args.seconds}`. "
        f"**Batch**: `scripts/batch_resume.py --rows {args.rows}`.",
        "",
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--skip-batch", action="store_true")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "reliability.md")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="oca-reliability-") as name:
        tmp = Path(name)
        tests = run_tests(tmp)
        batch = None if args.skip_batch else run_json(
            [sys.executable, "scripts/batch_resume.py", "--rows", str(args.rows), "--json", str(tmp / "batch.json")],
            tmp / "batch.json")
        load_avg = os.getloadavg() if hasattr(os, "getloadavg") else None
        load = None if args.skip_load else run_json(
            [sys.executable, "scripts/load_bench.py", "--clients", str(args.clients), "--seconds", str(args.seconds),
             "--json", str(tmp / "load.json")], tmp / "load.json")
    write_doc(args.out, tests, load, batch, corpus_sizes(), load_avg, args)
    print(f"written {args.out}")
    failed = any(c.get("failed") for c in tests.values()) or (batch is not None and not batch["exactly_once"]) or \
        (load is not None and load["errors"])
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
