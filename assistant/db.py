"""The database tables (SQLAlchemy 2). The schema itself is made by the Alembic migrations in
`assistant/migrations`; these classes must match them (tests/assistant/test_migrations.py checks it).

Times are stored as naive UTC: SQLite has no time zones, and one convention on both databases keeps
comparisons (the sign-in rate limit, queue age) the same everywhere.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON}


class SubmissionRow(Base):
    """One customer's request: Part A, the conversation that collected it, the draft and the decision."""

    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    # sha256 of the customer's private-link token: the token itself is shown once and never stored
    token_hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(32), index=True)
    job_title: Mapped[str | None] = mapped_column(String(200))
    part_a: Mapped[dict[str, Any] | None]
    conversation: Mapped[dict[str, Any] | None]
    draft: Mapped[dict[str, Any] | None]
    code: Mapped[str | None] = mapped_column(String(10))
    confidence: Mapped[float | None] = mapped_column(Float)
    margin: Mapped[float | None] = mapped_column(Float)
    major_group: Mapped[str | None] = mapped_column(String(2), index=True)
    engine_version: Mapped[str | None] = mapped_column(String(40))
    onet_release: Mapped[str | None] = mapped_column(String(40))
    question: Mapped[str | None] = mapped_column(Text)  # an analyst's open question to the customer
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[dt.datetime | None]
    decided_at: Mapped[dt.datetime | None]
    # optimistic locking: two analysts deciding at once cannot both win
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    audit: Mapped[list[AuditRow]] = relationship(back_populates="submission", order_by="AuditRow.id")
    comments: Mapped[list[CommentRow]] = relationship(back_populates="submission", order_by="CommentRow.id")


class AuditRow(Base):
    """One state change. Append-only: database triggers refuse UPDATE and DELETE on this table."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(80))
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str] = mapped_column(String(32))
    code_before: Mapped[str | None] = mapped_column(String(10))
    code_after: Mapped[str | None] = mapped_column(String(10))
    engine_version: Mapped[str | None] = mapped_column(String(40))
    onet_release: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(Text)

    submission: Mapped[SubmissionRow] = relationship(back_populates="audit")


class CommentRow(Base):
    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    author: Mapped[str] = mapped_column(String(80))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    text: Mapped[str] = mapped_column(Text)

    submission: Mapped[SubmissionRow] = relationship(back_populates="comments")


class LayTitleRow(Base):
    """A job title people use that O*NET does not list, with the code an analyst approved for it."""

    __tablename__ = "lay_titles"
    __table_args__ = (UniqueConstraint("normalized", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    normalized: Mapped[str] = mapped_column(String(200), index=True)
    code: Mapped[str] = mapped_column(String(10))
    source: Mapped[str] = mapped_column(String(40))  # the submission reference it came from
    added_by: Mapped[str] = mapped_column(String(80))
    added_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class SignInFailureRow(Base):
    """Failed sign-ins, kept in the database so that the limit holds across processes and restarts."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (Index("ix_sign_in_failures_name_at", "name", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class BlindReviewRow(Base):
    """A code an analyst gave a decided submission without seeing its draft or decision (agreement check)."""

    __tablename__ = "blind_reviews"
    __table_args__ = (UniqueConstraint("submission_id", "analyst"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    analyst: Mapped[str] = mapped_column(String(80))
    code: Mapped[str] = mapped_column(String(10))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
