"""The command's index: one row per visit (with its household), martyr mention, person, item,
page (photos and videos), testimony, recording part, marker, lead, consent record and consent
scope, the folded search text (FTS5 on SQLite, a GIN full-text index on PostgreSQL) and the
tombstones of withdrawn material (sync/server/index.py).

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

FTS = (
    "CREATE VIRTUAL TABLE search_fts USING fts5(folded, content='search_entries', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 0', prefix='1 2 3')"
)
# External content: the triggers keep the FTS index equal to search_entries (rows are only
# inserted and deleted, never updated).
TRIGGERS = (
    "CREATE TRIGGER search_entries_ai AFTER INSERT ON search_entries BEGIN "
    "INSERT INTO search_fts(rowid, folded) VALUES (new.id, new.folded); END",
    "CREATE TRIGGER search_entries_ad AFTER DELETE ON search_entries BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, folded) VALUES ('delete', old.id, old.folded); "
    "END",
)


def upgrade() -> None:
    op.create_table(
        "index_consent_scopes",
        sa.Column("consent_id", sa.String(length=36), nullable=False),
        sa.Column("capture_kind", sa.String(length=20), nullable=False),
        sa.Column("ref_id", sa.String(length=36), nullable=False),
        sa.Column("visit_id", sa.String(length=36), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("archive_and_search", sa.Boolean(), nullable=False),
        sa.Column("share_with_authorities", sa.Boolean(), nullable=False),
        sa.Column("media_use", sa.String(length=10), nullable=False),
        sa.Column("dna_contact", sa.Boolean(), nullable=False),
        sa.Column("embargo_until", sa.String(length=10), nullable=False),
        sa.PrimaryKeyConstraint("consent_id", "capture_kind", "ref_id"),
    )
    op.create_index(
        op.f("ix_index_consent_scopes_media_use"),
        "index_consent_scopes",
        ["media_use"],
        unique=False,
    )
    op.create_index(
        op.f("ix_index_consent_scopes_ref_id"), "index_consent_scopes", ["ref_id"], unique=False
    )
    op.create_index(
        op.f("ix_index_consent_scopes_visit_id"), "index_consent_scopes", ["visit_id"], unique=False
    )
    op.create_table(
        "index_consents",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("visit_id", sa.String(length=36), nullable=False),
        sa.Column("station_id", sa.String(length=36), nullable=False),
        sa.Column("batch_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("supersedes", sa.String(length=36), nullable=True),
        sa.Column("reference_code", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("signer_name", sa.Text(), nullable=False),
        sa.Column("signer_relationship", sa.Text(), nullable=False),
        sa.Column("evidence_method", sa.String(length=20), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("signature", sa.String(length=128), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_index_consents_batch_id"), "index_consents", ["batch_id"], unique=False
    )
    op.create_index(
        op.f("ix_index_consents_reference_code"), "index_consents", ["reference_code"], unique=False
    )
    op.create_index(
        op.f("ix_index_consents_station_id"), "index_consents", ["station_id"], unique=False
    )
    op.create_index(
        op.f("ix_index_consents_supersedes"), "index_consents", ["supersedes"], unique=False
    )
    op.create_index(
        op.f("ix_index_consents_visit_id"), "index_consents", ["visit_id"], unique=False
    )
    op.create_table(
        "index_items",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("visit_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner", sa.Text(), nullable=False),
        sa.Column("condition", sa.Text(), nullable=False),
        sa.Column("martyr_id", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_index_items_kind"), "index_items", ["kind"], unique=False)
    op.create_index(op.f("ix_index_items_martyr_id"), "index_items", ["martyr_id"], unique=False)
    op.create_index(op.f("ix_index_items_visit_id"), "index_items", ["visit_id"], unique=False)
    op.create_table(
        "index_leads",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("visit_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("martyr_id", sa.String(length=36), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("grid_reference", sa.Text(), nullable=False),
        sa.Column("source_kind", sa.String(length=20), nullable=False),
        sa.Column("source_ref", sa.String(length=64), nullable=False),
        sa.Column("source_testimony_id", sa.String(length=36), nullable=True),
        sa.Column("source_at_seconds", sa.Float(), nullable=True),
        sa.Column("confidence", sa.String(length=10), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_index_leads_martyr_id"), "index_leads", ["martyr_id"], unique=False)
    op.create_index(
        op.f("ix_index_leads_source_kind"), "index_leads", ["source_kind"], unique=False
    )
    op.create_index(op.f("ix_index_leads_source_ref"), "index_leads", ["source_ref"], unique=False)
    op.create_index(
        op.f("ix_index_leads_source_testimony_id"),
        "index_leads",
        ["source_testimony_id"],
        unique=False,
    )
    op.create_index(op.f("ix_index_leads_visit_id"), "index_leads", ["visit_id"], unique=False)
    op.create_table(
        "index_markers",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("testimony_id", sa.String(length=36), nullable=False),
        sa.Column("visit_id", sa.String(length=36), nullable=False),
        sa.Column("at_seconds", sa.Float(), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_index_markers_kind"), "index_markers", ["kind"], unique=False)
    op.create_index(
        op.f("ix_index_markers_testimony_id"), "index_markers", ["testimony_id"], unique=False
    )
    op.create_index(op.f("ix_index_markers_visit_id"), "index_markers", ["visit_id"], unique=False)
    op.create_table(
        "index_martyrs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("visit_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("full_name", sa.Text(), nullable=False),
        sa.Column("other_names", sa.Text(), nullable=False),
        sa.Column("birth_year", sa.Integer(), nullable=True),
        sa.Column("home_town", sa.Text(), nullable=False),
        sa.Column("unit", sa.Text(), nullable=False),
        sa.Column("enlistment_date", sa.String(length=10), nullable=False),
        sa.Column("death_date", sa.String(length=10), nullable=False),
        sa.Column("death_place", sa.Text(), nullable=False),
        sa.Column("burial_info", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_index_martyrs_birth_year"), "index_martyrs", ["birth_year"], unique=False
    )
    op.create_index(
        op.f("ix_index_martyrs_death_date"), "index_martyrs", ["death_date"], unique=False
    )
    op.create_index(op.f("ix_index_martyrs_visit_id"), "index_martyrs", ["visit_id"], unique=False)
    op.create_table(
        "index_pages",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("item_id", sa.String(length=36), nullable=False),
        sa.Column("visit_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("media", sa.String(length=10), nullable=False),
        sa.Column("rotation", sa.Integer(), nullable=False),
        sa.Column("original_filename", sa.Text(), nullable=False),
        sa.Column("batch_id", sa.String(length=36), nullable=True),
        sa.Column("path", sa.Text(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("meta", sa.Text(), nullable=False),
        sa.Column("scopes", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_index_pages_batch_id"), "index_pages", ["batch_id"], unique=False)
    op.create_index(op.f("ix_index_pages_item_id"), "index_pages", ["item_id"], unique=False)
    op.create_index(op.f("ix_index_pages_media"), "index_pages", ["media"], unique=False)
    op.create_index(op.f("ix_index_pages_visit_id"), "index_pages", ["visit_id"], unique=False)
    op.create_table(
        "index_parts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("testimony_id", sa.String(length=36), nullable=False),
        sa.Column("visit_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("device_name", sa.Text(), nullable=False),
        sa.Column("sample_rate", sa.Integer(), nullable=False),
        sa.Column("channels", sa.Integer(), nullable=False),
        sa.Column("frames", sa.BigInteger(), nullable=False),
        sa.Column("duration", sa.Float(), nullable=False),
        sa.Column("offset_seconds", sa.Float(), nullable=False),
        sa.Column("started_at", sa.String(length=40), nullable=False),
        sa.Column("batch_id", sa.String(length=36), nullable=True),
        sa.Column("path", sa.Text(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("original_path", sa.Text(), nullable=True),
        sa.Column("original_sha256", sa.String(length=64), nullable=True),
        sa.Column("original_filename", sa.Text(), nullable=False),
        sa.Column("scopes", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_index_parts_batch_id"), "index_parts", ["batch_id"], unique=False)
    op.create_index(
        op.f("ix_index_parts_testimony_id"), "index_parts", ["testimony_id"], unique=False
    )
    op.create_index(op.f("ix_index_parts_visit_id"), "index_parts", ["visit_id"], unique=False)
    op.create_table(
        "index_people",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("visit_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("full_name", sa.Text(), nullable=False),
        sa.Column("relationship", sa.Text(), nullable=False),
        sa.Column("martyr_id", sa.String(length=36), nullable=True),
        sa.Column("birth_year", sa.Integer(), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("unit", sa.Text(), nullable=False),
        sa.Column("battles", sa.Text(), nullable=False),
        sa.Column("dna_willing", sa.Boolean(), nullable=False),
        sa.Column("dna_contact", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_index_people_dna_willing"), "index_people", ["dna_willing"], unique=False
    )
    op.create_index(op.f("ix_index_people_kind"), "index_people", ["kind"], unique=False)
    op.create_index(op.f("ix_index_people_martyr_id"), "index_people", ["martyr_id"], unique=False)
    op.create_index(op.f("ix_index_people_visit_id"), "index_people", ["visit_id"], unique=False)
    op.create_table(
        "index_testimonies",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("visit_id", sa.String(length=36), nullable=False),
        sa.Column("speaker_person_id", sa.String(length=36), nullable=True),
        sa.Column("speaker_name", sa.Text(), nullable=False),
        sa.Column("language", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("martyr_ids", sa.Text(), nullable=False),
        sa.Column("duration", sa.Float(), nullable=False),
        sa.Column("batch_id", sa.String(length=36), nullable=False),
        sa.Column("webvtt_path", sa.Text(), nullable=True),
        sa.Column("ohms_path", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_index_testimonies_batch_id"), "index_testimonies", ["batch_id"], unique=False
    )
    op.create_index(
        op.f("ix_index_testimonies_speaker_person_id"),
        "index_testimonies",
        ["speaker_person_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_index_testimonies_visit_id"), "index_testimonies", ["visit_id"], unique=False
    )
    op.create_table(
        "index_visits",
        sa.Column("visit_id", sa.String(length=36), nullable=False),
        sa.Column("station_id", sa.String(length=36), nullable=False),
        sa.Column("batch_id", sa.String(length=36), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("record_format", sa.String(length=20), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=True),
        sa.Column("ward_code", sa.Integer(), nullable=True),
        sa.Column("visit_date", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("village", sa.Text(), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("contact_name", sa.Text(), nullable=False),
        sa.Column("contact_phone", sa.String(length=40), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("withheld_captures", sa.Integer(), nullable=False),
        sa.Column("review", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("visit_id"),
    )
    op.create_index(op.f("ix_index_visits_batch_id"), "index_visits", ["batch_id"], unique=False)
    op.create_index(
        op.f("ix_index_visits_province_code"), "index_visits", ["province_code"], unique=False
    )
    op.create_index(
        op.f("ix_index_visits_received_at"), "index_visits", ["received_at"], unique=False
    )
    op.create_index(
        op.f("ix_index_visits_station_id"), "index_visits", ["station_id"], unique=False
    )
    op.create_index(
        op.f("ix_index_visits_visit_date"), "index_visits", ["visit_date"], unique=False
    )
    op.create_index(op.f("ix_index_visits_ward_code"), "index_visits", ["ward_code"], unique=False)
    op.create_table(
        "search_entries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("ref_id", sa.String(length=36), nullable=False),
        sa.Column("visit_id", sa.String(length=36), nullable=False),
        sa.Column("station_id", sa.String(length=36), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=True),
        sa.Column("ward_code", sa.Integer(), nullable=True),
        sa.Column("visit_date", sa.String(length=10), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("folded", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_search_entries_kind"), "search_entries", ["kind"], unique=False)
    op.create_index(
        op.f("ix_search_entries_province_code"), "search_entries", ["province_code"], unique=False
    )
    op.create_index(op.f("ix_search_entries_ref_id"), "search_entries", ["ref_id"], unique=False)
    op.create_index(
        op.f("ix_search_entries_station_id"), "search_entries", ["station_id"], unique=False
    )
    op.create_index(
        op.f("ix_search_entries_visit_date"), "search_entries", ["visit_date"], unique=False
    )
    op.create_index(
        op.f("ix_search_entries_visit_id"), "search_entries", ["visit_id"], unique=False
    )
    op.create_index(
        op.f("ix_search_entries_ward_code"), "search_entries", ["ward_code"], unique=False
    )
    op.create_table(
        "tombstones",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("visit_id", sa.String(length=36), nullable=False),
        sa.Column("station_id", sa.String(length=36), nullable=False),
        sa.Column("capture_kind", sa.String(length=20), nullable=False),
        sa.Column("ref_id", sa.String(length=36), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("notice_id", sa.String(length=36), nullable=False),
        sa.Column("notice_batch_id", sa.String(length=36), nullable=False),
        sa.Column("withdrawn_at", sa.String(length=40), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("notice_id", "capture_kind", "ref_id", name="uq_tombstones_capture"),
    )
    op.create_index(op.f("ix_tombstones_notice_id"), "tombstones", ["notice_id"], unique=False)
    op.create_index(op.f("ix_tombstones_ref_id"), "tombstones", ["ref_id"], unique=False)
    op.create_index(op.f("ix_tombstones_station_id"), "tombstones", ["station_id"], unique=False)
    op.create_index(op.f("ix_tombstones_visit_id"), "tombstones", ["visit_id"], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        op.execute(FTS)
        for trigger in TRIGGERS:
            op.execute(trigger)
    else:
        # Words, as FTS5 sees them: the 'simple' configuration only splits and lower-cases
        # (the text is folded already). pg_trgm's LIKE was far slower for words (bench).
        op.execute(
            "CREATE INDEX ix_search_entries_folded_words ON search_entries "
            "USING gin (to_tsvector('simple'::regconfig, folded))"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS search_entries_ai")
        op.execute("DROP TRIGGER IF EXISTS search_entries_ad")
        op.execute("DROP TABLE IF EXISTS search_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_search_entries_folded_words")
    for table in (
        "index_consent_scopes",
        "index_consents",
        "index_items",
        "index_leads",
        "index_markers",
        "index_martyrs",
        "index_pages",
        "index_parts",
        "index_people",
        "index_testimonies",
        "index_visits",
        "search_entries",
        "tombstones",
    ):
        op.drop_table(table)
