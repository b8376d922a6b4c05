"""Staff of the desk: accounts, passwords, login sessions and the login throttle.

- Passwords are hashed with argon2id (argon2-cffi's defaults, RFC 9106 low-memory);
- a session is a random token in a cookie; only its SHA-256 is stored, so a leaked
  database cannot be used to log in. Logging in always makes a new session (no session
  fixation); logout, disabling the member or resetting the password revokes it;
- failed logins are counted per e-mail address (and per client address) over a window;
  past the limit, logins are refused without even checking the password.

The command line (``assistant staff ...``) and the web app use these functions.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from assistant.db import session
from assistant.decisions import audit
from assistant.models import LoginAttempt, Staff, StaffSession
from handlers.desk import ROLES

_HASHER = PasswordHasher()  # argon2id
# A hash of a password nobody has: verifying against it costs what a real check costs,
# so an unknown e-mail address answers as slowly as a wrong password.
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))
MIN_PASSWORD = 12
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class StaffError(ValueError):
    """A staff change or login that cannot be done; the message says why."""


@dataclass(frozen=True)
class Member:
    id: int
    email: str
    name: str
    role: str
    active: bool
    language: str


@dataclass(frozen=True)
class LoggedIn:
    member: Member
    token: str  # goes into the cookie; never stored
    csrf_token: str


def _member(row: Staff) -> Member:
    return Member(row.id or 0, row.email, row.name, row.role, row.active, row.language)


def _now() -> datetime:
    return datetime.now(UTC)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise StaffError(f"the password is {len(password)} characters; use at least "
                         f"{MIN_PASSWORD} (a passphrase of four words is good)")


def add(engine: Engine, email: str, name: str, role: str, password: str, by: str,
        language: str = "da") -> Member:
    email = email.strip().lower()
    if not _EMAIL_RE.match(email):
        raise StaffError(f"{email!r} is not an e-mail address like navn@kommune.dk")
    if role not in ROLES:
        raise StaffError(f"role {role!r} is unknown; use one of {', '.join(ROLES)}")
    if not name.strip():
        raise StaffError("the name is empty")
    _check_password(password)
    with session(engine) as db:
        if db.exec(select(Staff).where(Staff.email == email)).first():
            raise StaffError(f"{email} is already a staff member; `assistant staff reset` "
                             "sets a new password")
        row = Staff(email=email, name=name.strip(), role=role,
                    password_hash=_HASHER.hash(password), language=language)
        db.add(row)
        db.flush()
        member = _member(row)
    audit(engine, by, "staff_add", email, "", {"role": role})
    return member


def members(engine: Engine) -> list[Member]:
    with session(engine) as db:
        return [_member(r) for r in db.exec(select(Staff).order_by(col(Staff.email))).all()]


def disable(engine: Engine, email: str, by: str) -> Member:
    """No more logins; every open session ends now."""
    with session(engine) as db:
        row = _by_email(db, email)
        row.active = False
        db.add(row)
        _revoke_all(db, row.id or 0)
        member = _member(row)
    audit(engine, by, "staff_disable", member.email)
    return member


def reset(engine: Engine, email: str, password: str, by: str) -> Member:
    """A new password (and the account enabled again); open sessions end."""
    _check_password(password)
    with session(engine) as db:
        row = _by_email(db, email)
        row.password_hash, row.active = _HASHER.hash(password), True
        db.add(row)
        _revoke_all(db, row.id or 0)
        member = _member(row)
    audit(engine, by, "staff_reset", member.email)
    return member


def _by_email(db: Session, email: str) -> Staff:
    row = db.exec(select(Staff).where(Staff.email == email.strip().lower())).first()
    if row is None:
        raise StaffError(f"no staff member {email!r}; `assistant staff list` shows them")
    return row


def _revoke_all(db: Session, staff_id: int) -> None:
    now = _now()
    for open_session in db.exec(select(StaffSession).where(
            StaffSession.staff_id == staff_id, col(StaffSession.revoked_at).is_(None))).all():
        open_session.revoked_at = now
        db.add(open_session)


# -- logging in ---------------------------------------------------------------------------


class Throttled(StaffError):
    """Too many failed logins; try again later."""


def login(engine: Engine, email: str, password: str, client: str, *, hours: int,
          max_failed: int, window_minutes: int, replaces: str | None = None) -> LoggedIn:
    """A new session for the right e-mail and password; ``replaces`` (the token of a
    session the browser still had) is revoked, so a session id never survives a login."""
    email = email.strip().lower()
    now = _now()
    since = now - timedelta(minutes=window_minutes)
    with session(engine) as db:
        failed_email = db.exec(select(func.count()).select_from(LoginAttempt).where(
            LoginAttempt.email == email, col(LoginAttempt.at) >= since)).one()
        failed_client = db.exec(select(func.count()).select_from(LoginAttempt).where(
            LoginAttempt.client == client[:64], col(LoginAttempt.at) >= since)).one()
        if failed_email >= max_failed or failed_client >= max_failed * 4:
            raise Throttled(f"too many failed logins; wait {window_minutes} minutes")
        row = db.exec(select(Staff).where(Staff.email == email)).first()
        ok = _verify(row.password_hash if row else _DUMMY_HASH, password)
        if row is None or not ok or not row.active:
            # Committed (the block ends normally): a raise here would roll it back.
            db.add(LoginAttempt(email=email[:320], client=client[:64], at=now))
            row = None
        elif _HASHER.check_needs_rehash(row.password_hash):
            row.password_hash = _HASHER.hash(password)
            db.add(row)
        if row is not None:
            if replaces:
                _revoke(db, replaces)
            token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
            db.add(StaffSession(token_hash=token_hash(token), staff_id=row.id or 0,
                                csrf_token=csrf, created_at=now,
                                expires_at=now + timedelta(hours=hours)))
            return LoggedIn(_member(row), token, csrf)
    raise StaffError("wrong e-mail or password")


def _verify(hashed: str, password: str) -> bool:
    try:
        return _HASHER.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def current(engine: Engine, token: str | None) -> tuple[Member, str] | None:
    """The member and CSRF token of a live session, or None."""
    if not token:
        return None
    with session(engine) as db:
        found = db.exec(select(StaffSession, Staff).join(
            Staff, col(Staff.id) == col(StaffSession.staff_id)).where(
            StaffSession.token_hash == token_hash(token))).first()
        if found is None:
            return None
        live, row = found
        if live.revoked_at is not None or live.expires_at <= _now() or not row.active:
            return None
        return _member(row), live.csrf_token


def logout(engine: Engine, token: str | None) -> None:
    if token:
        with session(engine) as db:
            _revoke(db, token)


def _revoke(db: Session, token: str) -> None:
    live = db.exec(select(StaffSession).where(
        StaffSession.token_hash == token_hash(token))).first()
    if live is not None and live.revoked_at is None:
        live.revoked_at = _now()
        db.add(live)
