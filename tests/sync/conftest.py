"""Shared by the sync tests: a station with an approved, consented visit, signed in as its
operator; the command's database on SQLite and on a real PostgreSQL started for the session."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from capture import accounts, consent, review, visits
from capture.consent import DrawnSignature, Scopes, Signer
from capture.roles import Role
from capture.vault import NewUser, Vault
from capture.visits import Household, ItemData, ItemKind, MartyrData
from tests.sync.servers import free_port


def add_users(path: Path, people: dict[str, Role], admin: tuple[str, str] = (
        "admin", "mật khẩu quản trị"), passphrase: str = "mật khẩu của {name}",  # noqa: S107
              ) -> None:
    """Make each of ``people`` (name → role) with the admin's account and sign each in once
    to set their own passphrase (``passphrase`` with their name filled in)."""
    manager = Vault(path).unlock(*admin)
    for name, role in people.items():
        accounts.create_user(manager, NewUser(name, name, "tạm thời 12345", role))
    manager.lock()
    for name in people:
        first = Vault(path).unlock(name, "tạm thời 12345")
        first.set_new_passphrase(passphrase.format(name=name))
        first.lock()


@pytest.fixture
def approved(volunteer):
    """An approved visit with 3 photos (one withdrawn later) and one never consented."""
    visit_id = visits.create_visit(volunteer, Household(1, 4, village="Thôn Đông",
                                                        contact_name="Nguyễn Thị Hoa"))
    visits.add(volunteer, visit_id, MartyrData("Nguyễn Văn Hùng", home_town="Thanh Hóa",
                                               death_place="Quảng Trị"))
    item = visits.add(volunteer, visit_id, ItemData(ItemKind.DIARY, title="Nhật ký 1971"))
    photos = [os.urandom(3000 + i) for i in range(3)]
    pages = [visits.add_page(volunteer, item, volunteer.store_bytes(p).name,
                             original_filename=f"IMG_{i}.JPG") for i, p in enumerate(photos)]
    record = consent.record(volunteer, visit_id, Scopes(share_with_authorities=True),
                            Signer("Nguyễn Thị Hoa", "em gái"),
                            DrawnSignature([[(1.0, 2.0, 0, 0.5), (3.0, 4.0, 50, 0.5)]],
                                           b"\x89PNG signature"))
    review.submit(volunteer, visit_id)
    consent.withdraw(volunteer, record.id, Signer("Nguyễn Thị Hoa"), how="điện thoại",
                     object_names=[record.covers[2].object_name])
    path = volunteer.path
    volunteer.lock()
    add_users(path, {"minh": Role.COORDINATOR, "tuan": Role.OPERATOR})
    coordinator = Vault(path).unlock("minh", "mật khẩu của minh")
    review.approve(coordinator, visit_id)
    coordinator.lock()
    operator = Vault(path).unlock("tuan", "mật khẩu của tuan")
    yield operator, visit_id, pages, photos
    operator.lock()




# --- the command's database: SQLite, and a real PostgreSQL started for the session -----------

_PG_BIN_DIRS = ["/usr/lib/postgresql/*/bin", "/usr/local/pgsql/bin", "/usr/pgsql-*/bin"]


def _pg_tool(name: str) -> str | None:
    """Debian and Ubuntu keep initdb and pg_ctl off the PATH, under the version's folder."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted((Path(p) / name for d in _PG_BIN_DIRS for p in glob.glob(d)),
                        key=lambda p: str(p), reverse=True)  # the newest version first
    return next((str(p) for p in candidates if p.exists()), None)


class Postgres:
    """A throwaway PostgreSQL cluster on a free loopback port, owned by an unprivileged user
    when the tests run as root (initdb and postgres refuse to run as root)."""

    def __init__(self) -> None:
        initdb, pg_ctl = _pg_tool("initdb"), _pg_tool("pg_ctl")
        if not initdb or not pg_ctl:
            pytest.fail("PostgreSQL is not installed (initdb/pg_ctl not found): run "
                        "packaging/dev/setup.sh, which installs the 'postgresql' package",
                        pytrace=False)
        self.pg_ctl = pg_ctl
        # Not under pytest's tmp folders: those are private to root, and the server's user
        # must reach its folder.
        self.root = Path(tempfile.mkdtemp(prefix="sohoa-pg-", dir="/tmp"))
        self.data = self.root / "data"
        self.run_as: list[str] = []
        if os.geteuid() == 0:
            user = next((u for u in ("postgres", "nobody") if _has_user(u)), None)
            if user is None:
                pytest.fail("running as root and there is no 'postgres' or 'nobody' user to "
                            "run PostgreSQL as", pytrace=False)
            shutil.chown(self.root, user)
            self.run_as = ["runuser", "-u", user, "--"]
        self.port = free_port()
        self._run([initdb, "-D", str(self.data), "-U", "sohoa", "--auth=trust", "-E", "UTF8",
                   "--locale=C", "--no-sync"])
        # Durability is not what these tests are about: no fsync, so they stay fast.
        options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                   "-c max_connections=300")
        self._run([pg_ctl, "-D", str(self.data), "-o", options, "-l",
                   str(self.root / "server.log"), "-w", "-t", "60", "start"])
        self._count = 0

    def _run(self, command: list[str]) -> None:
        result = subprocess.run([*self.run_as, *command], capture_output=True, text=True,
                                timeout=120, cwd=self.root)
        if result.returncode != 0:
            log = self.root / "server.log"
            raise RuntimeError(f"{command[0]} failed: {result.stderr or result.stdout}"
                               + (log.read_text() if log.exists() else ""))

    def new_database(self) -> str:
        """A fresh, empty database for one test; its SQLAlchemy URL."""
        import psycopg

        self._count += 1
        name = f"sohoa_{os.getpid()}_{self._count}"
        with psycopg.connect(host="127.0.0.1", port=self.port, user="sohoa", dbname="postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://sohoa@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        try:
            self._run([self.pg_ctl, "-D", str(self.data), "-m", "immediate", "-w", "stop"])
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def _has_user(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


@pytest.fixture(scope="session")
def postgres():
    server = Postgres()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """The command's database for one test, on each backend it supports."""
    if request.param == "sqlite":
        folder = tmp_path / "command-db"
        folder.mkdir()
        return f"sqlite:///{folder / 'server.db'}"
    return request.getfixturevalue("postgres").new_database()
