"""The command's accounts: people who sign in to the workbench, their sessions and the API tokens
of the scripts they run.

- Passwords are kept as Argon2id PHC strings (``cryptography``): never the password itself.
- A session is a random token in an ``HttpOnly`` cookie; the server keeps only its SHA-256, so a
  copy of the database opens no session. Sessions expire (idle and absolute) and can be revoked
  (sign out, password change, account disabled).
- An API token is shown once when made; only its SHA-256 is kept; it can be revoked.
- Sign-in is throttled per account and per address: after a few failures in a window further
  attempts are refused without looking at the password, so a guesser gets a handful of tries
  an hour, not thousands.

Every function takes the connection first (``sign_in`` the store: it commits a failure
before it refuses) and the clock as ``now``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography.exceptions import InvalidKey
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    DateTime,
    Integer,
    String,
    Table,
    Text,
    and_,
    delete,
    func,
    insert,
    select,
    update,
)

from sync.errors import SyncError
from sync.server.actors import ROLES, Actor, permit
from sync.server.store import Store, metadata

accounts = Table(
    "accounts", metadata,
    Column("username", String(64), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("password", Text, nullable=False),  # Argon2id, PHC string
    Column("active", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("password_changed_at", DateTime(timezone=True), nullable=False),
)

web_sessions = Table(
    "web_sessions", metadata,
    Column("token_sha256", String(64), primary_key=True),
    Column("username", String(64), nullable=False, index=True),
    Column("csrf", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
    Column("address", String(64), nullable=True),
)

api_tokens = Table(
    "api_tokens", metadata,
    Column("id", String(16), primary_key=True),  # public: named in lists, used to revoke
    Column("token_sha256", String(64), nullable=False, unique=True),
    Column("username", String(64), nullable=False, index=True),
    Column("label", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_used_at", DateTime(timezone=True), nullable=True),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)

login_failures = Table(
    "login_failures", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, index=True),
    Column("address", String(64), nullable=False, index=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
)

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD = 10
MAX_PASSWORD = 1024  # Argon2 takes any length; a megabyte "password" is an attack, not a user


@dataclass(frozen=True)
class Policy:
    """How long sessions last and how sign-in is throttled. The Argon2id cost is OWASP's
    second recommended profile (19 MiB, 2 passes, 1 lane): ~0.1 s on one busy core."""

    session_idle: timedelta = timedelta(hours=2)
    session_absolute: timedelta = timedelta(hours=12)
    throttle_window: timedelta = timedelta(minutes=15)
    failures_per_account: int = 5
    failures_per_address: int = 20
    argon2_memory_kib: int = 19 * 1024
    argon2_iterations: int = 2


class AccountError(SyncError):
    """The account cannot be made or changed as asked."""


class SignInRefused(SyncError):
    """The name or the password is wrong, or the account is disabled."""


class SignInThrottled(SyncError):
    """Too many failed sign-ins: wait, then try again."""

    def __init__(self, retry_after: timedelta) -> None:
        super().__init__(f"too many failed sign-ins; try again in {retry_after}")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Account:
    username: str
    role: str
    active: bool
    created_at: datetime


@dataclass(frozen=True)
class Session:
    token: str  # goes in the cookie; never stored
    csrf: str
    actor: Actor
    expires_at: datetime


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _utc(moment: datetime) -> datetime:
    """SQLite hands datetimes back naive (UTC): make every one comparable."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def hash_password(password: str, policy: Policy = Policy(),
                  salt: Callable[[int], bytes] = secrets.token_bytes) -> str:
    _check_password(password)
    kdf = Argon2id(salt=salt(16), length=32, iterations=policy.argon2_iterations, lanes=1,
                   memory_cost=policy.argon2_memory_kib)
    return kdf.derive_phc_encoded(password.encode())


def password_matches(password: str, phc: str) -> bool:
    if len(password) > MAX_PASSWORD:
        return False
    try:
        Argon2id.verify_phc_encoded(password.encode(), phc)
    except (InvalidKey, ValueError):
        return False
    return True


# Checked when the account does not exist, so "no such name" takes as long as "wrong password"
# and the answer's timing does not tell which names exist.
# (Policy()'s cost, a zero salt, a password nobody has.)
_DUMMY = ("$argon2id$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA"
          "$cUhoXU1WKEkQSLPdZIo7TeCw1hHGreKZP6Xj9pGrrJI")


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"the password must have at most {MAX_PASSWORD} characters")


def _role(role: str) -> str:
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}: one of {', '.join(ROLES)}")
    return role


# -- accounts ------------------------------------------------------------------------------

def add_account(conn: Connection, username: str, role: str, password: str, now: datetime,
                policy: Policy = Policy()) -> Account:
    if not USERNAME.match(username):
        raise AccountError("a username is 2-64 characters: lower-case letters, digits, . _ -")
    role = _role(role)
    if conn.execute(select(accounts.c.username).where(accounts.c.username == username)).first():
        raise AccountError(f"the account {username!r} already exists")
    conn.execute(insert(accounts).values(
        username=username, role=role, password=hash_password(password, policy), active=True,
        created_at=now, password_changed_at=now))
    return Account(username, role, True, now)


def _admin(actor: Actor | None) -> None:
    """From the workbench an actor is given and must be an admin; the command line (the
    server's own operator, at its console) passes none."""
    if actor is not None:
        permit(actor, "manage-accounts")


def list_accounts(conn: Connection, actor: Actor | None = None) -> list[Account]:
    _admin(actor)
    rows = conn.execute(select(accounts).order_by(accounts.c.username))
    return [Account(r.username, r.role, r.active, _utc(r.created_at)) for r in rows]


def _existing(conn: Connection, username: str):  # type: ignore[no-untyped-def]
    row = conn.execute(select(accounts).where(accounts.c.username == username)).first()
    if row is None:
        raise AccountError(f"there is no account {username!r}")
    return row


def set_password(conn: Connection, username: str, password: str, now: datetime,
                 policy: Policy = Policy()) -> None:
    """A new password; every open session of the account ends (a stolen one too)."""
    _existing(conn, username)
    conn.execute(update(accounts).where(accounts.c.username == username).values(
        password=hash_password(password, policy), password_changed_at=now))
    revoke_sessions(conn, username, now)


def set_active(conn: Connection, username: str, active: bool, now: datetime,
               actor: Actor | None = None) -> None:
    """Disable (or enable again) an account. Disabling ends its sessions and its API tokens
    stop working (they are checked against the account each time)."""
    _admin(actor)
    _existing(conn, username)
    conn.execute(update(accounts).where(accounts.c.username == username)
                 .values(active=active))
    if not active:
        revoke_sessions(conn, username, now)


# -- signing in ----------------------------------------------------------------------------

def sign_in(store: Store, username: str, password: str, address: str, now: datetime,
            policy: Policy = Policy(), token: Callable[[int], str] = secrets.token_urlsafe,
            ) -> Session:
    """A new session for the right name and password, unless sign-in is throttled.

    Raises SignInThrottled (before the password is looked at) or SignInRefused (one message
    for every reason, so the answer does not tell which names exist). Its own transaction:
    a failure is recorded (and counts towards the throttle) although the sign-in fails."""
    with store.begin() as conn:
        outcome = _attempt(conn, username, password, address, now, policy, token)
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def _attempt(conn: Connection, username: str, password: str, address: str, now: datetime,
             policy: Policy, token: Callable[[int], str],
             ) -> Session | SignInRefused | SignInThrottled:
    username = username.strip().lower()[:64]
    address = address[:64]
    since = now - policy.throttle_window
    oldest = _throttled(conn, username, address, since, policy)
    if oldest is not None:
        return SignInThrottled(oldest - since)
    row = conn.execute(select(accounts).where(accounts.c.username == username)).first()
    good = password_matches(password, row.password if row else _DUMMY)
    if row is None or not good or not row.active:
        conn.execute(insert(login_failures).values(username=username, address=address, at=now))
        return SignInRefused("wrong username or password, or the account is disabled")
    conn.execute(delete(login_failures).where(login_failures.c.username == username))
    conn.execute(delete(web_sessions).where(web_sessions.c.expires_at < now))  # tidy up
    secret, csrf = token(32), token(32)
    expires = now + min(policy.session_idle, policy.session_absolute)
    conn.execute(insert(web_sessions).values(
        token_sha256=_sha256(secret), username=username, csrf=csrf, created_at=now,
        expires_at=expires, address=address))
    return Session(secret, csrf, Actor(username, row.role), expires)


def _throttled(conn: Connection, username: str, address: str, since: datetime,
               policy: Policy) -> datetime | None:
    """The oldest failure still in the window, if there are too many (the wait ends when it
    leaves the window); else None."""
    for column, value, limit in ((login_failures.c.username, username,
                                  policy.failures_per_account),
                                 (login_failures.c.address, address,
                                  policy.failures_per_address)):
        count, oldest = conn.execute(
            select(func.count(), func.min(login_failures.c.at))
            .where(column == value, login_failures.c.at >= since)).one()
        if count >= limit:
            return _utc(oldest)
    return None


def session(conn: Connection, secret: str, now: datetime,
            policy: Policy = Policy()) -> Session | None:
    """The open session for a cookie's token, its idle time extended; None if unknown,
    expired, revoked or its account disabled."""
    if not secret or len(secret) > 128:
        return None
    digest = _sha256(secret)
    row = conn.execute(
        select(web_sessions, accounts.c.role, accounts.c.active)
        .join(accounts, accounts.c.username == web_sessions.c.username)
        .where(web_sessions.c.token_sha256 == digest)).first()
    if row is None or row.revoked_at is not None or not row.active:
        return None
    if _utc(row.expires_at) <= now:
        return None
    expires = min(now + policy.session_idle, _utc(row.created_at) + policy.session_absolute)
    if expires - _utc(row.expires_at) > timedelta(minutes=1):  # not a write on every click
        conn.execute(update(web_sessions).where(web_sessions.c.token_sha256 == digest)
                     .values(expires_at=expires))
    return Session(secret, row.csrf, Actor(row.username, row.role), expires)


def sign_out(conn: Connection, secret: str, now: datetime) -> None:
    conn.execute(update(web_sessions).where(web_sessions.c.token_sha256 == _sha256(secret))
                 .values(revoked_at=now))


def revoke_sessions(conn: Connection, username: str, now: datetime) -> int:
    return conn.execute(update(web_sessions).where(
        web_sessions.c.username == username, web_sessions.c.revoked_at.is_(None))
        .values(revoked_at=now)).rowcount


def csrf_matches(session_: Session, offered: str | None) -> bool:
    return bool(offered) and hmac.compare_digest(session_.csrf, offered or "")


# -- API tokens ----------------------------------------------------------------------------

TOKEN_PREFIX = "sohoa_"  # noqa: S105 (a prefix, not a secret)


def create_token(conn: Connection, username: str, now: datetime, label: str = "",
                 token: Callable[[int], str] = secrets.token_urlsafe) -> tuple[str, str]:
    """(the token's id, the token). The token is shown once and only its hash is kept."""
    row = _existing(conn, username)
    if not row.active:
        raise AccountError(f"the account {username!r} is disabled")
    token_id = secrets.token_hex(6)
    secret = f"{TOKEN_PREFIX}{token_id}_{token(32)}"
    conn.execute(insert(api_tokens).values(
        id=token_id, token_sha256=_sha256(secret), username=username, label=label[:200],
        created_at=now))
    return token_id, secret


def revoke_token(conn: Connection, token_id: str, now: datetime,
                 actor: Actor | None = None) -> None:
    _admin(actor)
    done = conn.execute(update(api_tokens).where(
        api_tokens.c.id == token_id, api_tokens.c.revoked_at.is_(None)).values(revoked_at=now))
    if done.rowcount != 1:
        raise AccountError(f"there is no live token {token_id!r}")


def list_tokens(conn: Connection, username: str | None = None,
                actor: Actor | None = None) -> list[dict]:  # type: ignore[type-arg]
    _admin(actor)
    query = select(api_tokens.c.id, api_tokens.c.username, api_tokens.c.label,
                   api_tokens.c.created_at, api_tokens.c.last_used_at,
                   api_tokens.c.revoked_at).order_by(api_tokens.c.created_at)
    if username:
        query = query.where(api_tokens.c.username == username)
    return [dict(r._mapping) for r in conn.execute(query)]


def token_actor(conn: Connection, secret: str, now: datetime) -> Actor | None:
    """The account behind a live API token of an active account, else None."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 128:
        return None
    digest = _sha256(secret)
    row = conn.execute(
        select(api_tokens.c.id, api_tokens.c.last_used_at, accounts.c.username,
               accounts.c.role)
        .join(accounts, accounts.c.username == api_tokens.c.username)
        .where(and_(api_tokens.c.token_sha256 == digest, api_tokens.c.revoked_at.is_(None),
                    accounts.c.active.is_(True)))).first()
    if row is None:
        return None
    if row.last_used_at is None or now - _utc(row.last_used_at) > timedelta(minutes=5):
        conn.execute(update(api_tokens).where(api_tokens.c.id == row.id)
                     .values(last_used_at=now))
    return Actor(row.username, row.role)


def forget_old_failures(conn: Connection, before: datetime) -> None:
    conn.execute(delete(login_failures).where(login_failures.c.at < before))
