-- Reference data every dataset points at: the dataset catalogue, sources, currencies and countries.

CREATE TABLE datasets (
    id            TEXT PRIMARY KEY,
    family        TEXT NOT NULL,
    title         TEXT NOT NULL,
    description   TEXT NOT NULL,
    version       BIGINT NOT NULL,
    last_updated  TIMESTAMP NOT NULL,
    row_count     BIGINT NOT NULL,
    coverage_first TEXT,
    coverage_last  TEXT,
    checksum      TEXT NOT NULL,
    origin        TEXT NOT NULL CHECK (origin IN ('bundled', 'import'))
);

CREATE TABLE sources (
    id              TEXT PRIMARY KEY,
    family          TEXT NOT NULL,
    publisher       TEXT NOT NULL,
    title           TEXT NOT NULL,
    url             TEXT,
    licence         TEXT NOT NULL,
    coverage        TEXT NOT NULL,
    transformations TEXT NOT NULL,
    notes           TEXT
);

CREATE TABLE currencies (
    code        TEXT PRIMARY KEY,
    numeric     TEXT NOT NULL,
    name        TEXT NOT NULL,
    minor_units INTEGER
);

CREATE TABLE countries (
    code             TEXT PRIMARY KEY,
    iso2             TEXT UNIQUE,
    iso3             TEXT,
    numeric          TEXT UNIQUE,
    name             TEXT NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('iso3166_1', 'iso3166_3_former', 'source_specific')),
    currency_code    TEXT REFERENCES currencies (code),
    currency_codes   TEXT,
    former_iso2      TEXT,
    former_numeric   TEXT,
    valid_from       INTEGER,
    valid_to         INTEGER,
    related_codes    TEXT,
    note             TEXT,
    source_id        TEXT NOT NULL REFERENCES sources (id)
);

CREATE INDEX countries_kind_idx ON countries (kind, code);
