-- Treaties, their chapters and articles (provisions) with full text, topic tags, and the World
-- Bank Deep Trade Agreements coverage flags. Full-text search: a tsvector of heading (weight A)
-- and text (weight B) in the article's language, with a GIN index.

CREATE TABLE treaties (
    id               TEXT PRIMARY KEY,
    dataset_id       TEXT NOT NULL,
    name             TEXT NOT NULL,
    other_names      TEXT,
    kind             TEXT,
    status           TEXT,
    parties          TEXT NOT NULL,
    date_signed      TEXT,
    date_in_force    TEXT,
    date_terminated  TEXT,
    supersedes       TEXT,
    superseded_by    TEXT,
    side_agreement_of TEXT,
    subject_topics   TEXT,
    languages        TEXT,
    text_available   BOOLEAN NOT NULL,
    official_text_url TEXT,
    tota_ids         TEXT,
    wto_rta_id       TEXT,
    wb_dta_id        TEXT,
    note             TEXT,
    source_id        TEXT NOT NULL REFERENCES sources (id)
);

CREATE TABLE treaty_chapters (
    treaty_id     TEXT NOT NULL REFERENCES treaties (id),
    dataset_id    TEXT NOT NULL,
    lang          TEXT NOT NULL,
    number        TEXT NOT NULL,
    position      INTEGER NOT NULL,
    title         TEXT NOT NULL,
    topics        TEXT NOT NULL,
    article_count INTEGER NOT NULL,
    PRIMARY KEY (treaty_id, lang, number)
);

CREATE TABLE provisions (
    id          BIGINT PRIMARY KEY,
    treaty_id   TEXT NOT NULL REFERENCES treaties (id),
    dataset_id  TEXT NOT NULL,
    lang        TEXT NOT NULL,
    article     TEXT NOT NULL,
    chapter     TEXT NOT NULL,
    position    INTEGER NOT NULL,
    heading     TEXT,
    text        TEXT NOT NULL,
    topics      TEXT NOT NULL,
    tota_id     TEXT,
    source_id   TEXT NOT NULL REFERENCES sources (id),
    search      tsvector GENERATED ALWAYS AS (
        CASE lang
            WHEN 'es' THEN setweight(to_tsvector('spanish', coalesce(heading, '')), 'A')
                || setweight(to_tsvector('spanish', text), 'B')
            ELSE setweight(to_tsvector('english', coalesce(heading, '')), 'A')
                || setweight(to_tsvector('english', text), 'B')
        END
    ) STORED,
    UNIQUE (treaty_id, lang, article)
);

CREATE INDEX provisions_chapter_idx ON provisions (treaty_id, lang, chapter, position);

CREATE INDEX provisions_search_idx ON provisions USING GIN (search);

CREATE TABLE treaty_coverage (
    treaty_id  TEXT NOT NULL REFERENCES treaties (id),
    exporter   TEXT NOT NULL,
    importer   TEXT NOT NULL,
    year       INTEGER NOT NULL,
    provision  TEXT NOT NULL,
    value      INTEGER NOT NULL,
    source_id  TEXT NOT NULL REFERENCES sources (id),
    PRIMARY KEY (treaty_id, exporter, importer, year, provision)
);
