"""Staff accounts (analysts, evaluators, admins): argon2 password hashes, and a limit on failed sign-ins
that holds across processes because the failures are kept in the database.

`Accounts` is a part of `assistant.store.Store`, which supplies the transactions (`_read`, `_write`).
"""

from __future__ import annotations

import datetime as dt
import math
import secrets
from collections.abc import Callable
from contextlib import AbstractContextManager

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel, ConfigDict
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assistant.database import StoreError
from assistant.db import SignInFailureRow, UserRow, utcnow
from assistant.lifecycle import ROLES, Role
from retrieval.errors import OcaError

SIGN_IN_LIMIT = 5  # failed sign-ins per name ...
SIGN_IN_WINDOW = dt.timedelta(minutes=15)  # ... within this window, then refused until the oldest expires
MIN_PASSWORD = 8


class SignInRefused(OcaError):
    """Too many failed sign-ins for one name: refused before the password is checked."""


class User(BaseModel):
    model_config = ConfigDict(from_attributes=True, frozen=True)

    name: str
    role: Role
    created_at: dt.datetime


class Accounts:
    _read: Callable[[], AbstractContextManager[Session]]
    _write: Callable[[], AbstractContextManager[Session]]
    _hasher = PasswordHasher()
    _dummy_hash: str | None = None  # made on first use: hashing costs time every open would pay

    def add_user(self, name: str, password: str, role: str) -> User:
        name = (name or "").strip()
        if not name or len(name) > 80 or any(ch.isspace() for ch in name):
            raise StoreError("a user name is 1 to 80 characters without spaces")
        if role not in ROLES:
            raise StoreError(f"unknown role {role!r}; the roles are: {', '.join(ROLES)}")
        if len(password or "") < MIN_PASSWORD:
            raise StoreError(f"the password must have at least {MIN_PASSWORD} characters")
        try:
            with self._write() as s:
                row = UserRow(name=name, password_hash=self._hasher.hash(password), role=role, created_at=utcnow())
                s.add(row)
                s.flush()
                return User.model_validate(row)
        except IntegrityError:
            raise StoreError(f"there is already a user named {name}") from None

    def user(self, name: str) -> User | None:
        with self._read() as s:
            row = s.scalar(select(UserRow).where(UserRow.name == name))
            return User.model_validate(row) if row else None

    def users(self) -> list[User]:
        with self._read() as s:
            return [User.model_validate(r) for r in s.scalars(select(UserRow).order_by(UserRow.name))]

    def authenticate(self, name: str, password: str) -> User | None:
        """The user when the password matches, None when it does not; SignInRefused after SIGN_IN_LIMIT
        failures for this name within SIGN_IN_WINDOW, without checking the password."""
        with self._write() as s:
            now = utcnow()
            recent = list(s.scalars(select(SignInFailureRow.at).where(
                SignInFailureRow.name == name, SignInFailureRow.at > now - SIGN_IN_WINDOW)))
            if len(recent) >= SIGN_IN_LIMIT:
                wait = min(recent) + SIGN_IN_WINDOW - now
                minutes = max(1, math.ceil(wait.total_seconds() / 60))
                raise SignInRefused(f"too many failed sign-ins for {name}: try again in {minutes} minute"
                                    f"{'s' if minutes > 1 else ''}")
            row = s.scalar(select(UserRow).where(UserRow.name == name))
            try:
                # an unknown name costs as much as a wrong password, so names cannot be probed by timing
                self._hasher.verify(row.password_hash if row else self._dummy(), password)
                matched = row is not None
            except (VerificationError, InvalidHashError):
                matched = False
            if not matched:
                s.add(SignInFailureRow(name=name, at=now))
                return None
            s.execute(delete(SignInFailureRow).where(
                (SignInFailureRow.name == name) | (SignInFailureRow.at <= now - SIGN_IN_WINDOW)))
            if self._hasher.check_needs_rehash(row.password_hash):
                row.password_hash = self._hasher.hash(password)
            return User.model_validate(row)

    def _dummy(self) -> str:
        if self._dummy_hash is None:
            self._dummy_hash = self._hasher.hash(secrets.token_hex(8))
        return self._dummy_hash
