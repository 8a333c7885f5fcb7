"""Who is asking, for the command's domain functions (search, the visit, media): a username and
one of the four roles of COMMAND.md. The roles are enforced inside those functions, not only by
the pages that call them. (sync/server/accounts.py makes Actors from signed-in accounts and API
tokens.)"""

from __future__ import annotations

from dataclasses import dataclass

from sync.errors import SyncError

ADMIN, ANALYST, VERIFIER, READER = "admin", "analyst", "verifier", "reader"
ROLES = (ADMIN, ANALYST, VERIFIER, READER)
# Everyone at the command reads the index; contacts (phones, DNA contact details) and original
# recordings are for those who follow leads up.
READS = frozenset(ROLES)
CONTACTS = frozenset({ADMIN, ANALYST, VERIFIER})


class Forbidden(SyncError):
    """This account's role may not do this."""

    def __init__(self, actor: Actor | None, what: str) -> None:
        role = actor.role if actor is not None else "anonymous"
        super().__init__(f"the role {role!r} may not {what}")
        self.what = what


@dataclass(frozen=True)
class Actor:
    username: str
    role: str


def require(actor: Actor | None, allowed: frozenset[str], what: str) -> Actor:
    if actor is None or actor.role not in allowed:
        raise Forbidden(actor, what)
    return actor


def may(actor: Actor, allowed: frozenset[str]) -> bool:
    return actor.role in allowed


# --- what each route of the workbench asks (sync/server/web/app.py) -----------------------------
# Datasette's permission_allowed: one table decides, never a template. An action without an
# entry is refused to everyone, so a new page nobody thought about is closed, not open.
ADMINS = frozenset({ADMIN})
PERMISSIONS: dict[str, frozenset[str]] = {
    "session": READS,  # sign out
    "view-records": READS,  # search, the visit page, the home page, the API
    "play-media": READS,  # a photo's preview, a testimony, a video
    "download-originals": CONTACTS,
    "view-reports": READS,  # the campaign's figures, and the visits behind each
    "view-batches": frozenset({ADMIN, ANALYST}),
    "view-stations": ADMINS,
    "view-access-log": ADMINS,
    "press-export": frozenset({ADMIN, ANALYST}),
    "manage-accounts": ADMINS,
    # Leads (sync/server/leads.py checks each move's roles again): readers export for reports.
    "export-leads": READS,
    "work-leads": CONTACTS,
    # --- imported lists and the witness network (h19-lists; lists.py, witnesses.py check again)
    "view-lists": READS,
    "import-lists": frozenset({ADMIN, ANALYST}),
    "view-witnesses": READS,
    "review-witnesses": frozenset({ADMIN, ANALYST}),
    # --- end imported lists and the witness network ---
    "manage-places": ADMINS,  # the register of places (sync/server/places.py)
    # Map layers (sync/server/map_layers.py checks the roles again): staff add, admins remove.
    "manage-map-layers": frozenset({ADMIN, ANALYST}),
    "remove-map-layers": ADMINS,
    # Cases (sync/server/cases/casework.py and dna.py check the roles again): everyone reads;
    # analysts decide on links; those who follow leads up record DNA samples.
    "view-cases": READS,
    "decide-cases": frozenset({ADMIN, ANALYST}),
    "record-dna": CONTACTS,
}


def allowed(actor: Actor | None, action: str) -> bool:
    return actor is not None and actor.role in PERMISSIONS.get(action, frozenset())


def permit(actor: Actor | None, action: str) -> Actor:
    """The actor, if PERMISSIONS lets it do ``action``; else Forbidden."""
    return require(actor, PERMISSIONS.get(action, frozenset()), action)
