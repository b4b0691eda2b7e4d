"""The product's database: submissions and their lifecycle, the append-only audit log, comments, lay
titles, staff accounts and blind agreement reviews.

`Store.open(url)` takes any SQLAlchemy URL (a SQLite file by default, PostgreSQL through
`OCA_DATABASE_URL`) and migrates the schema to the newest revision first. Every write is one
transaction; on SQLite the file is in WAL mode and writes take the lock when they begin (BEGIN IMMEDIATE),
so a read-check-write such as a state change cannot interleave with another process's. Methods return
plain pydantic records, never live ORM rows, so callers cannot change the database by accident.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import random
import secrets
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy import Engine, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from assistant.accounts import Accounts, SignInRefused, User
from assistant.database import HEAD_REVISION, StoreError, build_db_engine, first_line, migrate
from assistant.db import AuditRow, BlindReviewRow, CommentRow, LayTitleRow, SubmissionRow, utcnow
from assistant.lifecycle import (CUSTOMER_STATES, FINAL_STATES, REVIEW_STATES, State, TransitionError,
                                 check_state, check_transition)
from assistant.parta import SOC_CODE_RE, PartA
from retrieval.errors import OcaError
from retrieval.normalize import normalize_title

__all__ = ["AuditEntry", "Coding", "Comment", "DecidedCase", "HEAD_REVISION", "LayTitle", "NotFound", "SignInRefused",
           "Store", "StoreError", "Submission", "User", "build_db_engine", "migrate", "new_reference"]

_REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # no 0/O, 1/I/L, U: read aloud and typed without doubt


class NotFound(OcaError):
    """No submission (or none that this customer may see) under that reference."""


class _Record(BaseModel):
    model_config = ConfigDict(from_attributes=True, frozen=True)


class Submission(_Record):
    reference: str
    state: State
    job_title: str | None = None
    part_a: dict[str, Any] | None = None
    conversation: dict[str, Any] | None = None
    draft: dict[str, Any] | None = None
    code: str | None = None
    confidence: float | None = None
    margin: float | None = None
    major_group: str | None = None
    engine_version: str | None = None
    onet_release: str | None = None
    question: str | None = None
    decision_reason: str | None = None
    decided_by: str | None = None
    created_at: dt.datetime
    updated_at: dt.datetime
    submitted_at: dt.datetime | None = None
    decided_at: dt.datetime | None = None
    access_token: str | None = None  # set only on the record create_submission returns: it is never stored


class AuditEntry(_Record):
    at: dt.datetime
    actor: str
    from_state: State | None
    to_state: State
    code_before: str | None
    code_after: str | None
    engine_version: str | None
    onet_release: str | None
    reason: str | None


class Comment(_Record):
    author: str
    at: dt.datetime
    text: str


class LayTitle(_Record):
    title: str
    code: str
    source: str
    added_by: str
    added_at: dt.datetime


class Coding(BaseModel):
    """What the engine answered for a submission: its top code, how sure, and the versions that said so."""

    code: str
    confidence: float
    margin: float
    engine_version: str
    onet_release: str


class DecidedCase(BaseModel):
    """A decided submission as the agreement check sees it."""

    reference: str
    decided_by: str
    code: str
    draft_code: str | None
    blind: dict[str, str]  # analyst -> code given blind


def proposed_code(draft: Mapping[str, Any] | None) -> str | None:
    """The code the engine's draft proposed; a Part B redrafted for an analyst's code keeps it in `assigned`."""
    draft = draft or {}
    assigned = draft.get("assigned")
    code = assigned.get("engine_code") if isinstance(assigned, Mapping) else draft.get("code")
    return code if isinstance(code, str) else None


class Store(Accounts):
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    # ----- opening ----------------------------------------------------------------------------------------
    @classmethod
    def open(cls, url: str) -> Store:
        """Connect to `url` and migrate its schema to the newest revision."""
        engine = build_db_engine(url)
        try:
            migrate(engine)
        except OperationalError as exc:
            engine.dispose()
            raise StoreError(f"cannot open the database {make_url(engine.url).render_as_string(hide_password=True)}:"
                             f" {first_line(exc)}") from exc
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _write(self) -> Iterator[Session]:
        with self._sessions() as session, session.begin():
            session.connection(execution_options={"oca_write": True})
            yield session

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with self._sessions() as session, session.begin():
            yield session

    # ----- submissions ------------------------------------------------------------------------------------
    def create_submission(self) -> Submission:
        token = secrets.token_urlsafe(24)
        for _ in range(5):
            try:
                with self._write() as s:
                    now = utcnow()
                    row = SubmissionRow(reference=new_reference(), token_hash=_digest(token), state="in_progress",
                                        created_at=now, updated_at=now)
                    s.add(row)
                    s.flush()
                    s.add(AuditRow(submission_id=row.id, at=now, actor="customer", from_state=None,
                                   to_state="in_progress"))
                    return Submission.model_validate(row).model_copy(update={"access_token": token})
            except IntegrityError:
                continue  # the reference was taken: draw another
        raise StoreError("could not draw a free submission reference; try again")

    def get(self, reference: str) -> Submission:
        with self._read() as s:
            return Submission.model_validate(self._row(s, reference))

    def get_for_customer(self, reference: str, token_or_email: str) -> Submission:
        """The submission when `token_or_email` is its private-link token or the e-mail given in Part A.

        An unknown reference and a wrong token get the same answer, so references cannot be probed."""
        refused = NotFound(f"no submission {reference.strip()} matches that link or e-mail address")
        given = (token_or_email or "").strip()
        if not given:
            raise refused
        with self._read() as s:
            row = s.scalar(select(SubmissionRow).where(SubmissionRow.reference == _clean_reference(reference)))
            if row is None:
                raise refused
            email = ((row.part_a or {}).get("contact") or {}).get("email")
            if hmac.compare_digest(_digest(given), row.token_hash) or (
                    email and "@" in given and email.casefold() == given.casefold()):
                return Submission.model_validate(row)
        raise refused

    def save_conversation(self, reference: str, conversation_json: Mapping[str, Any] | str | None,
                          part_a_json: Mapping[str, Any] | str | None) -> Submission:
        """Save one turn of the customer's conversation and the Part A it has collected so far (None leaves
        what is stored)."""
        conversation = _as_json(conversation_json, "conversation")
        part_a = _as_json(part_a_json, "Part A")
        if part_a is not None:
            try:
                part_a = PartA.model_validate(part_a).model_dump(mode="json")
            except ValidationError as exc:
                raise StoreError(f"Part A was not saved: {first_line(exc)}") from exc
        with self._write() as s:
            row = self._row(s, reference)
            if row.state not in CUSTOMER_STATES:
                raise TransitionError(f"submission {row.reference} is {row.state}: the customer can no longer change it")
            if conversation is not None:
                row.conversation = conversation
            if part_a is not None:
                row.part_a = part_a
                row.job_title = (part_a.get("job_title") or None)
            row.updated_at = utcnow()
            return self._flushed(s, row)

    def transition(self, reference: str, to_state: str, actor: str, reason: str | None = None,
                   code_after: str | None = None, *, coding: Coding | None = None, question: str | None = None,
                   draft: Mapping[str, Any] | None = None, engine_version: str | None = None,
                   onet_release: str | None = None) -> Submission:
        """Move a submission to `to_state` and log the move, in one transaction; a refused move changes nothing.

        `coding` records what the engine answered (on submit); `code_after` is a code an analyst or the
        draft gives; `question` is what the customer is asked (needs_information, returned_to_customer)."""
        actor = (actor or "").strip()
        if not actor:
            raise TransitionError("say who makes the change (actor)")
        with self._write() as s:
            row = self._row(s, reference)
            target = check_transition(row.state, to_state)  # type: ignore[arg-type]
            self._apply(s, row, target, actor, reason, code_after, coding, question, draft,
                        engine_version, onet_release)
            return self._flushed(s, row)

    def save_draft(self, reference: str, draft_json: Mapping[str, Any] | str, actor: str = "system") -> Submission:
        """Store the Part B draft and move the submission from submitted to drafted, taking the draft's code."""
        draft = _as_json(draft_json, "draft")
        if not draft:
            raise StoreError("an empty draft was not saved")
        code = draft.get("code") if isinstance(draft.get("code"), str) else None
        return self.transition(reference, "drafted", actor, code_after=code, draft=draft,
                               engine_version=draft.get("engine_version"), onet_release=draft.get("release"))

    def _apply(self, s: Session, row: SubmissionRow, target: State, actor: str, reason: str | None,
               code_after: str | None, coding: Coding | None, question: str | None,
               draft: Mapping[str, Any] | None, engine_version: str | None, onet_release: str | None) -> None:
        reason, question = (reason or "").strip() or None, (question or "").strip() or None
        now, from_state, code_before = utcnow(), row.state, row.code
        if target == "submitted" and not (row.part_a or {}).get("job_title") and not PartA.model_validate(
                row.part_a or {}).job_text():
            raise TransitionError(f"submission {row.reference} has no job title or duties yet: nothing to code")
        if target in ("changed", "rejected") and not reason:
            raise TransitionError(f"give a reason to mark a submission {target}")
        if target in ("needs_information", "returned_to_customer") and not question:
            raise TransitionError("write the question or note the customer will read")
        if coding is not None:
            row.code, row.confidence, row.margin = _check_code(coding.code), coding.confidence, coding.margin
            row.engine_version, row.onet_release = coding.engine_version, coding.onet_release
        if code_after is not None:
            code_after = _check_code(code_after)
            if target == "changed" and code_after == row.code:
                raise TransitionError(f"{code_after} is already the submission's code: approve it instead")
            row.code = code_after
        elif target == "changed":
            raise TransitionError("give the new code to change a submission's code")
        if target == "approved" and not row.code:
            raise TransitionError(f"submission {row.reference} has no code to approve: change it to a code instead")
        if draft is not None:
            row.draft = dict(draft)
            for field in ("confidence", "margin"):
                if isinstance(draft.get(field), int | float):
                    setattr(row, field, float(draft[field]))
        row.engine_version = engine_version or row.engine_version
        row.onet_release = onet_release or row.onet_release
        row.major_group = row.code[:2] if row.code else None
        if target == "submitted":
            row.submitted_at, row.question = now, None
        if target in ("needs_information", "returned_to_customer"):
            row.question = question
            row.conversation = _with_message(row.conversation, question)
            reason = reason or question
        if target in FINAL_STATES:
            row.decided_at, row.decided_by, row.decision_reason = now, actor, reason
        row.state, row.updated_at = target, now
        s.add(AuditRow(submission_id=row.id, at=now, actor=actor, from_state=from_state, to_state=target,
                       code_before=code_before, code_after=row.code, engine_version=row.engine_version,
                       onet_release=row.onet_release, reason=reason))

    def queue(self, states: Iterable[str] | None = None, major_group: str | None = None,
              limit: int | None = None) -> list[Submission]:
        """Submissions waiting for review, the most in need first: no coding yet, then the lowest sum of
        the top code's confidence and its lead over the runner-up, then the oldest submitted."""
        wanted = sorted({check_state(st) for st in states}) if states else sorted(REVIEW_STATES)
        query = select(SubmissionRow).where(SubmissionRow.state.in_(wanted))
        if major_group:
            group = major_group.strip()[:2]
            if not group.isdigit():
                raise StoreError(f"{major_group!r} is not a SOC major group (two digits, like 29 or 29-0000)")
            query = query.where(SubmissionRow.major_group == group)
        certainty = func.coalesce(SubmissionRow.confidence, -1.0) + func.coalesce(SubmissionRow.margin, 0.0)
        query = query.order_by(certainty, func.coalesce(SubmissionRow.submitted_at, SubmissionRow.created_at),
                               SubmissionRow.id)
        if limit is not None:
            query = query.limit(limit)
        with self._read() as s:
            return [Submission.model_validate(row) for row in s.scalars(query)]

    def audit(self, reference: str) -> list[AuditEntry]:
        with self._read() as s:
            row = self._row(s, reference)
            return [AuditEntry.model_validate(entry) for entry in row.audit]

    # ----- comments ---------------------------------------------------------------------------------------
    def add_comment(self, reference: str, author: str, text: str) -> Comment:
        text, author = (text or "").strip(), (author or "").strip()
        if not text or not author:
            raise StoreError("a comment needs an author and some text")
        with self._write() as s:
            row = self._row(s, reference)
            comment = CommentRow(submission_id=row.id, author=author, text=text, at=utcnow())
            s.add(comment)
            s.flush()
            return Comment.model_validate(comment)

    def comments(self, reference: str) -> list[Comment]:
        with self._read() as s:
            return [Comment.model_validate(c) for c in self._row(s, reference).comments]

    # ----- lay titles -------------------------------------------------------------------------------------
    def add_lay_title(self, title: str, code: str, source: str, added_by: str) -> LayTitle | None:
        """Record a lay title for `code`; None when it is already recorded for that code."""
        title, code = " ".join((title or "").split()), _check_code(code)
        normalized = normalize_title(title)
        if not normalized:
            raise StoreError(f"{title!r} has no words to match on; not kept as a lay title")
        with self._write() as s:
            exists = s.scalar(select(LayTitleRow.id).where(LayTitleRow.normalized == normalized,
                                                           LayTitleRow.code == code))
            if exists is not None:
                return None
            row = LayTitleRow(title=title, normalized=normalized, code=code, source=source, added_by=added_by,
                              added_at=utcnow())
            s.add(row)
            s.flush()
            return LayTitle.model_validate(row)

    def lay_titles(self) -> list[LayTitle]:
        with self._read() as s:
            return [LayTitle.model_validate(r) for r in s.scalars(select(LayTitleRow).order_by(LayTitleRow.id))]

    # ----- blind reviews for the agreement check ----------------------------------------------------------
    def blind_sample(self, analyst: str, n: int, seed: int = 0) -> list[Submission]:
        """Up to n decided submissions that `analyst` neither decided nor coded blind yet, with their draft,
        code and decision left out."""
        with self._read() as s:
            done = select(BlindReviewRow.submission_id).where(BlindReviewRow.analyst == analyst)
            rows = list(s.scalars(select(SubmissionRow).where(
                SubmissionRow.state.in_(("approved", "changed")), SubmissionRow.decided_by != analyst,
                SubmissionRow.id.not_in(done)).order_by(SubmissionRow.reference)))
        picked = random.Random(seed).sample(rows, min(n, len(rows)))
        return [Submission(reference=r.reference, state=r.state, job_title=r.job_title, part_a=r.part_a,
                           created_at=r.created_at, updated_at=r.updated_at) for r in picked]

    def record_blind_code(self, reference: str, analyst: str, code: str) -> None:
        code = _check_code(code)
        with self._write() as s:
            row = self._row(s, reference)
            if row.state not in ("approved", "changed"):
                raise StoreError(f"submission {row.reference} is {row.state}: only decided submissions are "
                                 "coded blind")
            if row.decided_by == analyst:
                raise StoreError(f"{analyst} decided {row.reference}: a blind code must come from someone else")
            exists = s.scalar(select(BlindReviewRow.id).where(BlindReviewRow.submission_id == row.id,
                                                              BlindReviewRow.analyst == analyst))
            if exists is not None:
                raise StoreError(f"{analyst} already coded {row.reference} blind")
            s.add(BlindReviewRow(submission_id=row.id, analyst=analyst, code=code, at=utcnow()))

    def decided_cases(self) -> list[DecidedCase]:
        with self._read() as s:
            rows = list(s.scalars(select(SubmissionRow).where(SubmissionRow.state.in_(("approved", "changed")))
                                  .order_by(SubmissionRow.reference)))
            blind: dict[int, dict[str, str]] = {}
            for review in s.scalars(select(BlindReviewRow)):
                blind.setdefault(review.submission_id, {})[review.analyst] = review.code
        return [DecidedCase(reference=r.reference, decided_by=r.decided_by or "", code=r.code or "",
                            draft_code=proposed_code(r.draft), blind=blind.get(r.id, {})) for r in rows]

    # ----- helpers ----------------------------------------------------------------------------------------
    @staticmethod
    def _row(s: Session, reference: str) -> SubmissionRow:
        ref = _clean_reference(reference)
        row = s.scalar(select(SubmissionRow).where(SubmissionRow.reference == ref))
        if row is None:
            raise NotFound(f"no submission {ref or '(empty reference)'}")
        return row

    @staticmethod
    def _flushed(s: Session, row: SubmissionRow) -> Submission:
        try:
            s.flush()
        except StaleDataError:
            raise StoreError(f"submission {row.reference} was changed by someone else meanwhile; "
                             "reload it and try again") from None
        return Submission.model_validate(row)


def new_reference() -> str:
    chars = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
    return f"OCA-{chars[:4]}-{chars[4:]}"


def _clean_reference(reference: str) -> str:
    return (reference or "").strip().upper()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _check_code(code: str) -> str:
    code = (code or "").strip()
    if not SOC_CODE_RE.match(code):
        raise TransitionError(f"{code[:20]!r} is not an O*NET-SOC code (it looks like 29-1141.00)")
    return code if "." in code else f"{code}.00"


def _as_json(value: Mapping[str, Any] | str | BaseModel | None, what: str) -> dict[str, Any] | None:
    if value is None:
        return None
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise StoreError(f"the {what} was not saved: it is not JSON ({exc})") from exc
    if not isinstance(value, Mapping):
        raise StoreError(f"the {what} was not saved: expected a JSON object")
    return json.loads(json.dumps(dict(value)))  # a private copy that is JSON through and through


def _with_message(conversation: dict[str, Any] | None, text: str) -> dict[str, Any]:
    """The conversation with the analyst's words added as the assistant's next message, so the customer
    reads them in the chat."""
    conversation = dict(conversation or {})
    messages = list(conversation.get("messages") or [])
    messages.append({"role": "assistant", "content": text})
    conversation["messages"] = messages
    return conversation
