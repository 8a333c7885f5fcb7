"""The command's accounts, sessions, API tokens and access log, on SQLite and on a real
PostgreSQL: what a person signing in, a guesser, an administrator and an auditor would see."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from sync.server import access_log, accounts
from sync.server.actors import Actor, Forbidden
from sync.server.store import Store

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
FAST = accounts.Policy(argon2_memory_kib=8 * 1024, argon2_iterations=1)
PASSWORD = "mật khẩu dài của Hạnh"


@pytest.fixture
def store(database_url):
    made = Store(database_url)
    yield made
    made.engine.dispose()


def _add(store: Store, name: str = "hanh", role: str = "analyst") -> None:
    with store.begin() as conn:
        accounts.add_account(conn, name, role, PASSWORD, NOW, FAST)


def _sign_in(store: Store, password: str = PASSWORD, at: datetime = NOW, name: str = "hanh",
             address: str = "10.0.0.5") -> accounts.Session:
    return accounts.sign_in(store, name, password, address, at, FAST)


def _session(store: Store, token: str, at: datetime) -> accounts.Session | None:
    with store.begin() as conn:
        return accounts.session(conn, token, at, FAST)


def test_the_password_is_kept_as_argon2id_and_only_the_right_one_signs_in(store):
    _add(store)
    with store.engine.connect() as conn:
        stored = conn.execute(select(accounts.accounts.c.password)).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    with pytest.raises(accounts.SignInRefused):
        _sign_in(store, "mật khẩu sai rồi nhé")
    with pytest.raises(accounts.SignInRefused):  # same answer for a name that does not exist
        _sign_in(store, PASSWORD, name="khong-co-ai")
    session = _sign_in(store)
    assert session.actor == Actor("hanh", "analyst")
    assert _session(store, session.token, NOW + timedelta(minutes=5)).actor.username == "hanh"
    with store.engine.connect() as conn:  # only the token's hash is in the database
        kept = conn.execute(select(accounts.web_sessions.c.token_sha256)).scalars().all()
    assert session.token not in kept and len(kept) == 1


def test_bad_accounts_are_refused_with_a_reason(store):
    with store.begin() as conn:
        for name, role, password in (("Hạnh", "analyst", PASSWORD), ("x", "analyst", PASSWORD),
                                     ("hanh", "volunteer", PASSWORD), ("hanh", "reader", "ngắn")):
            with pytest.raises(accounts.AccountError):
                accounts.add_account(conn, name, role, password, NOW, FAST)
        accounts.add_account(conn, "hanh", "reader", PASSWORD, NOW, FAST)
        with pytest.raises(accounts.AccountError, match="already exists"):
            accounts.add_account(conn, "hanh", "reader", PASSWORD, NOW, FAST)


def test_sessions_expire_when_idle_and_at_the_absolute_limit_and_on_sign_out(store):
    _add(store)
    idle = _sign_in(store)
    assert _session(store, idle.token, NOW + FAST.session_idle + timedelta(seconds=1)) is None
    busy = _sign_in(store)
    at = NOW
    while at < NOW + FAST.session_absolute - timedelta(hours=1):  # used every hour
        at += timedelta(hours=1)
        assert _session(store, busy.token, at) is not None
    assert _session(store, busy.token, NOW + FAST.session_absolute) is None
    gone = _sign_in(store)
    with store.begin() as conn:
        accounts.sign_out(conn, gone.token, NOW)
    assert _session(store, gone.token, NOW) is None


def test_guessing_is_throttled_per_account_even_with_the_right_password_then_allowed(store):
    _add(store)
    for _ in range(FAST.failures_per_account):
        with pytest.raises(accounts.SignInRefused):
            _sign_in(store, "đoán mò thôi mà")
    with pytest.raises(accounts.SignInThrottled) as throttled:
        _sign_in(store, PASSWORD, NOW + timedelta(minutes=1))
    assert timedelta(minutes=13) < throttled.value.retry_after <= FAST.throttle_window
    later = NOW + FAST.throttle_window + timedelta(seconds=1)
    assert _sign_in(store, PASSWORD, later).actor.username == "hanh"


def test_one_address_guessing_many_names_is_throttled(store):
    _add(store)
    for i in range(FAST.failures_per_address):
        with pytest.raises(accounts.SignInRefused):
            _sign_in(store, "đoán mò thôi mà", name=f"ten-{i}", address="203.0.113.9")
    with pytest.raises(accounts.SignInThrottled):
        _sign_in(store, PASSWORD, address="203.0.113.9")
    assert _sign_in(store, PASSWORD, address="10.0.0.7").actor.role == "analyst"


def test_a_new_password_or_disabling_ends_every_session_and_token(store):
    _add(store)
    first = _sign_in(store)
    with store.begin() as conn:
        accounts.set_password(conn, "hanh", "một mật khẩu mới hẳn", NOW, FAST)
    assert _session(store, first.token, NOW) is None
    with pytest.raises(accounts.SignInRefused):
        _sign_in(store)
    second = _sign_in(store, "một mật khẩu mới hẳn")
    with store.begin() as conn:
        token_id, token = accounts.create_token(conn, "hanh", NOW, "báo cáo")
        assert accounts.token_actor(conn, token, NOW) == Actor("hanh", "analyst")
        accounts.set_active(conn, "hanh", False, NOW)
        assert accounts.token_actor(conn, token, NOW) is None
    assert _session(store, second.token, NOW) is None
    with pytest.raises(accounts.SignInRefused):
        _sign_in(store, "một mật khẩu mới hẳn")
    with store.begin() as conn:
        accounts.set_active(conn, "hanh", True, NOW)
        assert accounts.token_actor(conn, token, NOW) is not None
        accounts.revoke_token(conn, token_id, NOW)
        assert accounts.token_actor(conn, token, NOW) is None
        with pytest.raises(accounts.AccountError):
            accounts.revoke_token(conn, token_id, NOW)
        kept = conn.execute(select(accounts.api_tokens.c.token_sha256)).scalars().all()
    assert token not in kept


def _chain(store: Store, n: int) -> None:
    actor = Actor("hanh", "analyst")
    with store.begin() as conn:
        for i in range(n):
            access_log.record(conn, actor, "view-visit", "visit", f"visit-{i}",
                              NOW + timedelta(seconds=i), "page")


def test_the_access_log_is_a_chain_that_shows_tampering(store):
    _chain(store, 6)
    with store.begin() as conn:
        assert access_log.verify(conn) is None
        rows, total = access_log.entries(conn, Actor("an", "admin"))
        assert total == 6 and [r.seq for r in rows] == [6, 5, 4, 3, 2, 1]
        with pytest.raises(Forbidden):
            access_log.entries(conn, Actor("hanh", "analyst"))
        # Someone hides who looked at visit-3.
        conn.execute(update(access_log.access_log).where(access_log.access_log.c.seq == 4)
                     .values(username="nobody"))
        assert access_log.verify(conn) == 4
        conn.execute(update(access_log.access_log).where(access_log.access_log.c.seq == 4)
                     .values(username="hanh"))
        assert access_log.verify(conn) is None
        conn.execute(access_log.access_log.delete().where(access_log.access_log.c.seq == 2))
        assert access_log.verify(conn) == 3
    with store.begin() as conn:  # start again from nothing
        conn.execute(access_log.access_log.delete())
        conn.execute(access_log.access_log_head.update().values(seq=0,
                                                                sha256=access_log.GENESIS))
    _chain(store, 3)
    with store.begin() as conn:  # the newest row cut off: the head no longer matches
        conn.execute(access_log.access_log.delete().where(access_log.access_log.c.seq == 3))
        assert access_log.verify(conn) == 0


def test_views_at_the_same_moment_still_make_one_chain(store):
    errors: list[BaseException] = []

    def views(who: str) -> None:
        try:
            for i in range(10):
                with store.begin() as conn:
                    access_log.record(conn, Actor(who, "reader"), "view-visit", "visit",
                                      f"{who}-{i}", NOW, "")
        except BaseException as error:
            errors.append(error)

    if store.engine.dialect.name == "sqlite":  # SQLite: writers wait for each other
        from sqlalchemy import event

        @event.listens_for(store.engine, "connect")
        def _busy(dbapi, _record):  # type: ignore[no-untyped-def]
            dbapi.execute("PRAGMA busy_timeout = 30000")

        store.engine.dispose()
    threads = [threading.Thread(target=views, args=(f"u{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    with store.begin() as conn:
        assert access_log.verify(conn) is None
        assert access_log.entries(conn, Actor("an", "admin"))[1] == 40
