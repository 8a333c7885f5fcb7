"""The audit log is hash-chained: editing or removing an event shows in the vault check."""

import itertools

from capture import accounts, audit
from capture.check import check_vault
from capture.roles import Role
from capture.vault import NewUser


def _events(vault):
    with vault.reading() as session:
        from sqlalchemy import select

        from capture.models import AuditEvent

        return list(session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))


def test_every_change_is_recorded_in_a_chain(make_vault):
    vault, _ = make_vault()
    accounts.create_user(vault, NewUser("lan", "Lan", "tạm thời 12345", Role.VOLUNTEER))
    accounts.change_role(vault, "lan", Role.COORDINATOR)
    vault.replace_recovery_key()
    events = _events(vault)
    assert [(e.action, e.entity) for e in events][-3:] == [
        ("create", "user"), ("change", "user"), ("change", "recovery_key")]
    assert all(e.actor == "admin" for e in events)
    assert events[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events))
    with vault.reading() as session:
        assert audit.verify_chain(session) == (len(events), [])


def test_an_edited_event_is_named_by_the_check(make_vault):
    vault, _ = make_vault()
    accounts.create_user(vault, NewUser("lan", "Lan", "tạm thời 12345", Role.VOLUNTEER))
    target = _events(vault)[-1].seq
    with vault.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE audit_events SET detail = ? WHERE seq = ?",
                             ('{"role":"admin"}', target))
    report = check_vault(vault)
    assert [(p.area, p.subject) for p in report.problems] == [("audit", f"event {target}")]
    assert "changed" in report.problems[0].detail


def test_a_removed_event_breaks_the_chain(make_vault):
    vault, _ = make_vault()
    for name in ("lan", "minh", "tuan"):
        accounts.create_user(vault, NewUser(name, name, "tạm thời 12345", Role.VOLUNTEER))
    with vault.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM audit_events WHERE seq = 3")
    report = check_vault(vault)
    assert not report.ok
    assert {p.subject for p in report.problems} == {"event 4"}
