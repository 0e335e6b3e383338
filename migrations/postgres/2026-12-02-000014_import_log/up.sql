-- Every import, kept or refused: who made it, when, what it held and how it ended.
CREATE TABLE import_log (
    id BIGSERIAL PRIMARY KEY,
    received_at TIMESTAMP NOT NULL,
    made_by TEXT NOT NULL,
    kind TEXT NOT NULL,
    dataset_id TEXT,
    dry_run BOOLEAN NOT NULL,
    result TEXT NOT NULL,
    rows BIGINT,
    version BIGINT,
    bytes BIGINT NOT NULL,
    checksum TEXT,
    detail TEXT
);
