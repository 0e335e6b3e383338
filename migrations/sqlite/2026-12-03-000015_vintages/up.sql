-- Vintages: every write of a dataset makes a new vintage, numbered across all datasets, and the
-- rows it replaced are kept. A table's current rows stay where they are (with the vintage that
-- added them, `added_in`); a row an import deletes or updates moves to the table's `_history`
-- twin with the vintage that removed it (`removed_in`). The data as they stood at vintage N are
-- then the current rows added at or before N and the kept rows added at or before N and removed
-- after it: a filter, not a copy. While a write is under way its rows are marked 0 (pending);
-- `db::vintages` gives them their vintage, and puts back rows the write left as they were.
CREATE TABLE vintages (
    id           INTEGER PRIMARY KEY,
    dataset_id   TEXT NOT NULL,
    version      BIGINT NOT NULL,
    made_at      TIMESTAMP NOT NULL,
    row_count    BIGINT NOT NULL,
    rows_added   BIGINT NOT NULL,
    rows_removed BIGINT NOT NULL,
    rows_changed BIGINT NOT NULL,
    -- The SHA-256 of the dataset's canonical CSV at this version (`/v1/datasets/{id}/download`),
    -- for the datasets that have one (trade flows).
    checksum     TEXT,
    kept         BOOLEAN NOT NULL DEFAULT TRUE,
    UNIQUE (dataset_id, version)
);
-- What was loaded before vintages were kept: one vintage per dataset, the last of which holds
-- every row; the earlier ones have no rows of their own, so they are marked as not kept.
INSERT INTO vintages (id, dataset_id, version, made_at, row_count, rows_added, rows_removed,
                      rows_changed, kept)
SELECT ROW_NUMBER() OVER (ORDER BY id), id, version, last_updated, row_count, row_count, 0, 0,
       ROW_NUMBER() OVER (ORDER BY id) = COUNT(*) OVER ()
FROM datasets;

ALTER TABLE datasets ADD COLUMN added_in BIGINT NOT NULL DEFAULT 0;
UPDATE datasets SET added_in = (SELECT MAX(id) FROM vintages);
CREATE TABLE datasets_history (
    id TEXT,
    family TEXT,
    title TEXT,
    description TEXT,
    version BIGINT,
    last_updated TIMESTAMP,
    row_count BIGINT,
    coverage_first TEXT,
    coverage_last TEXT,
    checksum TEXT,
    origin TEXT,
    basis TEXT,
    reporting TEXT,
    added_in BIGINT NOT NULL,
    removed_in BIGINT NOT NULL
);
CREATE INDEX datasets_history_key_idx ON datasets_history (removed_in, id);
CREATE TRIGGER datasets_keep_deleted AFTER DELETE ON datasets WHEN OLD.added_in <> 0 BEGIN
    INSERT INTO datasets_history (
        id, family, title, description, version, last_updated, row_count, coverage_first,
        coverage_last, checksum, origin, basis, reporting, added_in, removed_in
    ) VALUES (
        OLD.id, OLD.family, OLD.title, OLD.description, OLD.version, OLD.last_updated,
        OLD.row_count, OLD.coverage_first, OLD.coverage_last, OLD.checksum, OLD.origin,
        OLD.basis, OLD.reporting, OLD.added_in, 0
    );
END;
CREATE TRIGGER datasets_keep_updated AFTER UPDATE ON datasets WHEN OLD.added_in <> 0 BEGIN
    INSERT INTO datasets_history (
        id, family, title, description, version, last_updated, row_count, coverage_first,
        coverage_last, checksum, origin, basis, reporting, added_in, removed_in
    ) VALUES (
        OLD.id, OLD.family, OLD.title, OLD.description, OLD.version, OLD.last_updated,
        OLD.row_count, OLD.coverage_first, OLD.coverage_last, OLD.checksum, OLD.origin,
        OLD.basis, OLD.reporting, OLD.added_in, 0
    );
    UPDATE datasets SET added_in = 0 WHERE rowid = NEW.rowid;
END;

ALTER TABLE sources ADD COLUMN added_in BIGINT NOT NULL DEFAULT 0;
UPDATE sources SET added_in = (SELECT MAX(id) FROM vintages);
CREATE TABLE sources_history (
    id TEXT,
    family TEXT,
    publisher TEXT,
    title TEXT,
    url TEXT,
    licence TEXT,
    coverage TEXT,
    transformations TEXT,
    notes TEXT,
    basis TEXT,
    added_in BIGINT NOT NULL,
    removed_in BIGINT NOT NULL
);
CREATE INDEX sources_history_key_idx ON sources_history (removed_in, id);
CREATE TRIGGER sources_keep_deleted AFTER DELETE ON sources WHEN OLD.added_in <> 0 BEGIN
    INSERT INTO sources_history (
        id, family, publisher, title, url, licence, coverage, transformations, notes, basis,
        added_in, removed_in
    ) VALUES (
        OLD.id, OLD.family, OLD.publisher, OLD.title, OLD.url, OLD.licence, OLD.coverage,
        OLD.transformations, OLD.notes, OLD.basis, OLD.added_in, 0
    );
END;
CREATE TRIGGER sources_keep_updated AFTER UPDATE ON sources WHEN OLD.added_in <> 0 BEGIN
    INSERT INTO sources_history (
        id, family, publisher, title, url, licence, coverage, transformations, notes, basis,
        added_in, removed_in
    ) VALUES (
        OLD.id, OLD.family, OLD.publisher, OLD.title, OLD.url, OLD.licence, OLD.coverage,
        OLD.transformations, OLD.notes, OLD.basis, OLD.added_in, 0
    );
    UPDATE sources SET added_in = 0 WHERE rowid = NEW.rowid;
END;

ALTER TABLE currencies ADD COLUMN added_in BIGINT NOT NULL DEFAULT 0;
UPDATE currencies SET added_in = (SELECT MAX(id) FROM vintages);
CREATE TABLE currencies_history (
    code TEXT,
    numeric TEXT,
    name TEXT,
    minor_units INTEGER,
    added_in BIGINT NOT NULL,
    removed_in BIGINT NOT NULL
);
CREATE INDEX currencies_history_key_idx ON currencies_history (removed_in, code);
CREATE TRIGGER currencies_keep_deleted AFTER DELETE ON currencies WHEN OLD.added_in <> 0 BEGIN
    INSERT INTO currencies_history (
        code, numeric, name, minor_units, added_in, removed_in
    ) VALUES (
        OLD.code, OLD.numeric, OLD.name, OLD.minor_units, OLD.added_in, 0
    );
END;
CREATE TRIGGER currencies_keep_updated AFTER UPDATE ON currencies WHEN OLD.added_in <> 0 BEGIN
    INSERT INTO currencies_history (
        code, numeric, name, minor_units, added_in, removed_in
    ) VALUES (
        OLD.code, OLD.numeric, OLD.name, OLD.minor_units, OLD.added_in, 0
    );
    UPDATE currencies SET added_in = 0 WHERE rowid = NEW.rowid;
END;

ALTER TABLE countries ADD COLUMN added_in BIGINT NOT NULL DEFAULT 0;
UPDATE countries SET added_in = (SELECT MAX(id) FROM vintages);
CREATE TABLE countries_history (
    code TEXT,
    iso2 TEXT,
    iso3 TEXT,
    numeric TEXT,
    name TEXT,
    kind TEXT,
    currency_code TEXT,
    currency_codes TEXT,
    former_iso2 TEXT,
    former_numeric TEXT,
    valid_from INTEGER,
    valid_to INTEGER,
    related_codes TEXT,
    note TEXT,
    source_id TEXT,
    added_in BIGINT NOT NULL,
    removed_in BIGINT NOT NULL
);
CREATE INDEX countries_history_key_idx ON countries_history (removed_in, code);
CREATE TRIGGER countries_keep_deleted AFTER DELETE ON countries WHEN OLD.added_in <> 0 BEGIN
    INSERT INTO countries_history (
        code, iso2, iso3, numeric, name, kind, currency_code, currency_codes, former_iso2,
        former_numeric, valid_from, valid_to, related_codes, note, source_id, added_in,
        removed_in
    ) VALUES (
        OLD.code, OLD.iso2, OLD.iso3, OLD.numeric, OLD.name, OLD.kind, OLD.currency_code,
        OLD.currency_codes, OLD.former_iso2, OLD.former_numeric, OLD.valid_from, OLD.valid_to,
        OLD.related_codes, OLD.note, OLD.source_id, OLD.added_in, 0
    );
END;
CREATE TRIGGER countries_keep_updated AFTER UPDATE ON countries WHEN OLD.added_in <> 0 BEGIN
    INSERT INTO countries_history (
        code, iso2, iso3, numeric, name, kind, currency_code, currency_codes, former_iso2,
        former_numeric, valid_from, valid_to, related_codes, note, source_id, added_in,
        removed_in
    ) VALUES (
        OLD.code, OLD.iso2, OLD.iso3, OLD.numeric, OLD.name, OLD.kind, OLD.currency_code,
        OLD.currency_codes, OLD.former_iso2, OLD.former_numeric, OLD.valid_from, OLD.valid_to,
        OLD.related_codes, OLD.note, OLD.source_id, OLD.added_in, 0
    );
    UPDATE countries SET added_in = 0 WHERE rowid = NEW.rowid;
END;

ALTER TABLE series ADD COLUMN added_in BIGINT NOT NULL DEFAULT 0;
UPDATE series SET added_in = (SELECT MAX(id) FROM vintages);
CREATE TABLE series_history (
    id TEXT,
    dataset_id TEXT,
    topic TEXT,
    country TEXT,
    region TEXT,
    measure TEXT,
    name TEXT,
    description TEXT,
    unit TEXT,
    currency TEXT,
    base_currency TEXT,
    per TEXT,
    price_basis TEXT,
    frequency TEXT,
    time_basis TEXT,
    headline BOOLEAN,
    source_id TEXT,
    first_period TEXT,
    last_period TEXT,
    latest_period TEXT,
    latest_start TEXT,
    latest_value DOUBLE PRECISION,
    observation_count BIGINT,
    added_in BIGINT NOT NULL,
    removed_in BIGINT NOT NULL
);
CREATE INDEX series_history_key_idx ON series_history (removed_in, id);
CREATE TRIGGER series_keep_deleted AFTER DELETE ON series WHEN OLD.added_in <> 0 BEGIN
    INSERT INTO series_history (
        id, dataset_id, topic, country, region, measure, name, description, unit, currency,
        base_currency, per, price_basis, frequency, time_basis, headline, source_id,
        first_period, last_period, latest_period, latest_start, latest_value, observation_count,
        added_in, removed_in
    ) VALUES (
        OLD.id, OLD.dataset_id, OLD.topic, OLD.country, OLD.region, OLD.measure, OLD.name,
        OLD.description, OLD.unit, OLD.currency, OLD.base_currency, OLD.per, OLD.price_basis,
        OLD.frequency, OLD.time_basis, OLD.headline, OLD.source_id, OLD.first_period,
        OLD.last_period, OLD.latest_period, OLD.latest_start, OLD.latest_value,
        OLD.observation_count, OLD.added_in, 0
    );
END;
CREATE TRIGGER series_keep_updated AFTER UPDATE ON series WHEN OLD.added_in <> 0 BEGIN
    INSERT INTO series_history (
        id, dataset_id, topic, country, region, measure, name, description, unit, currency,
        base_currency, per, price_basis, frequency, time_basis, headline, source_id,
        first_period, last_period, latest_period, latest_start, latest_value, observation_count,
        added_in, removed_in
    ) VALUES (
        OLD.id, OLD.dataset_id, OLD.topic, OLD.country, OLD.region, OLD.measure, OLD.name,
        OLD.description, OLD.unit, OLD.currency, OLD.base_currency, OLD.per, OLD.price_basis,
        OLD.frequency, OLD.time_basis, OLD.headline, OLD.source_id, OLD.first_period,
        OLD.last_period, OLD.latest_period, OLD.latest_start, OLD.latest_value,
        OLD.observation_count, OLD.added_in, 0
    );
    UPDATE series SET added_in = 0 WHERE rowid = NEW.rowid;
END;

ALTER TABLE observations ADD COLUMN added_in BIGINT NOT NULL DEFAULT 0;
UPDATE observations SET added_in = (SELECT MAX(id) FROM vintages);
CREATE TABLE observations_history (
    series_id TEXT,
    period TEXT,
    period_start TEXT,
    period_end TEXT,
    value DOUBLE PRECISION,
    source_id TEXT,
    note TEXT,
    caveat TEXT,
    added_in BIGINT NOT NULL,
    removed_in BIGINT NOT NULL
);
CREATE INDEX observations_history_key_idx ON observations_history (removed_in, series_id, period);
CREATE TRIGGER observations_keep_deleted AFTER DELETE ON observations WHEN OLD.added_in <> 0 BEGIN
    INSERT INTO observations_history (
        series_id, period, period_start, period_end, value, source_id, note, caveat, added_in,
        removed_in
    ) VALUES (
        OLD.series_id, OLD.period, OLD.period_start, OLD.period_end, OLD.value, OLD.source_id,
        OLD.note, OLD.caveat, OLD.added_in, 0
    );
END;
CREATE TRIGGER observations_keep_updated AFTER UPDATE ON observations WHEN OLD.added_in <> 0 BEGIN
    INSERT INTO observations_history (
        series_id, period, period_start, period_end, value, source_id, note, caveat, added_in,
        removed_in
    ) VALUES (
        OLD.series_id, OLD.period, OLD.period_start, OLD.period_end, OLD.value, OLD.source_id,
        OLD.note, OLD.caveat, OLD.added_in, 0
    );
    UPDATE observations SET added_in = 0 WHERE rowid = NEW.rowid;
END;

ALTER TABLE trade_flows ADD COLUMN added_in BIGINT NOT NULL DEFAULT 0;
UPDATE trade_flows SET added_in = (SELECT MAX(id) FROM vintages);
CREATE TABLE trade_flows_history (
    id INTEGER,
    dataset_id TEXT,
    reporter TEXT,
    partner TEXT,
    flow TEXT,
    period TEXT,
    period_start TEXT,
    frequency TEXT,
    classification TEXT,
    product_code TEXT,
    value_usd DOUBLE PRECISION,
    source_id TEXT,
    note TEXT,
    added_in BIGINT NOT NULL,
    removed_in BIGINT NOT NULL
);
CREATE INDEX trade_flows_history_key_idx ON trade_flows_history (removed_in, reporter, partner, flow, period, classification, product_code, source_id, dataset_id);
CREATE TRIGGER trade_flows_keep_deleted AFTER DELETE ON trade_flows WHEN OLD.added_in <> 0 BEGIN
    INSERT INTO trade_flows_history (
        id, dataset_id, reporter, partner, flow, period, period_start, frequency,
        classification, product_code, value_usd, source_id, note, added_in, removed_in
    ) VALUES (
        OLD.id, OLD.dataset_id, OLD.reporter, OLD.partner, OLD.flow, OLD.period,
        OLD.period_start, OLD.frequency, OLD.classification, OLD.product_code, OLD.value_usd,
        OLD.source_id, OLD.note, OLD.added_in, 0
    );
END;
CREATE TRIGGER trade_flows_keep_updated AFTER UPDATE ON trade_flows WHEN OLD.added_in <> 0 BEGIN
    INSERT INTO trade_flows_history (
        id, dataset_id, reporter, partner, flow, period, period_start, frequency,
        classification, product_code, value_usd, source_id, note, added_in, removed_in
    ) VALUES (
        OLD.id, OLD.dataset_id, OLD.reporter, OLD.partner, OLD.flow, OLD.period,
        OLD.period_start, OLD.frequency, OLD.classification, OLD.product_code, OLD.value_usd,
        OLD.source_id, OLD.note, OLD.added_in, 0
    );
    UPDATE trade_flows SET added_in = 0 WHERE rowid = NEW.rowid;
END;

ALTER TABLE treaties ADD COLUMN added_in BIGINT NOT NULL DEFAULT 0;
UPDATE treaties SET added_in = (SELECT MAX(id) FROM vintages);
CREATE TABLE treaties_history (
    id TEXT,
    dataset_id TEXT,
    name TEXT,
    other_names TEXT,
    kind TEXT,
    status TEXT,
    date_signed TEXT,
    date_in_force TEXT,
    date_terminated TEXT,
    supersedes TEXT,
    superseded_by TEXT,
    side_agreement_of TEXT,
    subject_topics TEXT,
    official_text_url TEXT,
    tota_ids TEXT,
    wto_rta_id TEXT,
    wb_dta_id TEXT,
    note TEXT,
    source_id TEXT,
    date_suspended TEXT,
    added_in BIGINT NOT NULL,
    removed_in BIGINT NOT NULL
);
CREATE INDEX treaties_history_key_idx ON treaties_history (removed_in, id);
CREATE TRIGGER treaties_keep_deleted AFTER DELETE ON treaties WHEN OLD.added_in <> 0 BEGIN
    INSERT INTO treaties_history (
        id, dataset_id, name, other_names, kind, status, date_signed, date_in_force,
        date_terminated, supersedes, superseded_by, side_agreement_of, subject_topics,
        official_text_url, tota_ids, wto_rta_id, wb_dta_id, note, source_id, date_suspended,
        added_in, removed_in
    ) VALUES (
        OLD.id, OLD.dataset_id, OLD.name, OLD.other_names, OLD.kind, OLD.status,
        OLD.date_signed, OLD.date_in_force, OLD.date_terminated, OLD.supersedes,
        OLD.superseded_by, OLD.side_agreement_of, OLD.subject_topics, OLD.official_text_url,
        OLD.tota_ids, OLD.wto_rta_id, OLD.wb_dta_id, OLD.note, OLD.source_id,
        OLD.date_suspended, OLD.added_in, 0
    );
END;
CREATE TRIGGER treaties_keep_updated AFTER UPDATE ON treaties WHEN OLD.added_in <> 0 BEGIN
    INSERT INTO treaties_history (
        id, dataset_id, name, other_names, kind, status, date_signed, date_in_force,
        date_terminated, supersedes, superseded_by, side_agreement_of, subject_topics,
        official_text_url, tota_ids, wto_rta_id, wb_dta_id, note, source_id, date_suspended,
        added_in, removed_in
    ) VALUES (
        OLD.id, OLD.dataset_id, OLD.name, OLD.other_names, OLD.kind, OLD.status,
        OLD.date_signed, OLD.date_in_force, OLD.date_terminated, OLD.supersedes,
        OLD.superseded_by, OLD.side_agreement_of, OLD.subject_topics, OLD.official_text_url,
        OLD.tota_ids, OLD.wto_rta_id, OLD.wb_dta_id, OLD.note, OLD.source_id,
        OLD.date_suspended, OLD.added_in, 0
    );
    UPDATE treaties SET added_in = 0 WHERE rowid = NEW.rowid;
END;

ALTER TABLE treaty_chapters ADD COLUMN added_in BIGINT NOT NULL DEFAULT 0;
UPDATE treaty_chapters SET added_in = (SELECT MAX(id) FROM vintages);
CREATE TABLE treaty_chapters_history (
    treaty_id TEXT,
    dataset_id TEXT,
    lang TEXT,
    number TEXT,
    position INTEGER,
    title TEXT,
    topics TEXT,
    article_count INTEGER,
    added_in BIGINT NOT NULL,
    removed_in BIGINT NOT NULL
);
CREATE INDEX treaty_chapters_history_key_idx ON treaty_chapters_history (removed_in, treaty_id, lang, number);
CREATE TRIGGER treaty_chapters_keep_deleted AFTER DELETE ON treaty_chapters WHEN OLD.added_in <> 0 BEGIN
    INSERT INTO treaty_chapters_history (
        treaty_id, dataset_id, lang, number, position, title, topics, article_count, added_in,
        removed_in
    ) VALUES (
        OLD.treaty_id, OLD.dataset_id, OLD.lang, OLD.number, OLD.position, OLD.title,
        OLD.topics, OLD.article_count, OLD.added_in, 0
    );
END;
CREATE TRIGGER treaty_chapters_keep_updated AFTER UPDATE ON treaty_chapters WHEN OLD.added_in <> 0 BEGIN
    INSERT INTO treaty_chapters_history (
        treaty_id, dataset_id, lang, number, position, title, topics, article_count, added_in,
        removed_in
    ) VALUES (
        OLD.treaty_id, OLD.dataset_id, OLD.lang, OLD.number, OLD.position, OLD.title,
        OLD.topics, OLD.article_count, OLD.added_in, 0
    );
    UPDATE treaty_chapters SET added_in = 0 WHERE rowid = NEW.rowid;
END;

ALTER TABLE provisions ADD COLUMN added_in BIGINT NOT NULL DEFAULT 0;
UPDATE provisions SET added_in = (SELECT MAX(id) FROM vintages);
CREATE TABLE provisions_history (
    id INTEGER,
    treaty_id TEXT,
    dataset_id TEXT,
    lang TEXT,
    article TEXT,
    chapter TEXT,
    position INTEGER,
    heading TEXT,
    text TEXT,
    topics TEXT,
    tota_id TEXT,
    source_id TEXT,
    added_in BIGINT NOT NULL,
    removed_in BIGINT NOT NULL
);
CREATE INDEX provisions_history_key_idx ON provisions_history (removed_in, treaty_id, lang, article);
CREATE TRIGGER provisions_keep_deleted AFTER DELETE ON provisions WHEN OLD.added_in <> 0 BEGIN
    INSERT INTO provisions_history (
        id, treaty_id, dataset_id, lang, article, chapter, position, heading, text, topics,
        tota_id, source_id, added_in, removed_in
    ) VALUES (
        OLD.id, OLD.treaty_id, OLD.dataset_id, OLD.lang, OLD.article, OLD.chapter, OLD.position,
        OLD.heading, OLD.text, OLD.topics, OLD.tota_id, OLD.source_id, OLD.added_in, 0
    );
END;
CREATE TRIGGER provisions_keep_updated AFTER UPDATE ON provisions WHEN OLD.added_in <> 0 BEGIN
    INSERT INTO provisions_history (
        id, treaty_id, dataset_id, lang, article, chapter, position, heading, text, topics,
        tota_id, source_id, added_in, removed_in
    ) VALUES (
        OLD.id, OLD.treaty_id, OLD.dataset_id, OLD.lang, OLD.article, OLD.chapter, OLD.position,
        OLD.heading, OLD.text, OLD.topics, OLD.tota_id, OLD.source_id, OLD.added_in, 0
    );
    UPDATE provisions SET added_in = 0 WHERE rowid = NEW.rowid;
END;

ALTER TABLE treaty_coverage ADD COLUMN added_in BIGINT NOT NULL DEFAULT 0;
UPDATE treaty_coverage SET added_in = (SELECT MAX(id) FROM vintages);
CREATE TABLE treaty_coverage_history (
    treaty_id TEXT,
    exporter TEXT,
    importer TEXT,
    year INTEGER,
    provision TEXT,
    value INTEGER,
    source_id TEXT,
    added_in BIGINT NOT NULL,
    removed_in BIGINT NOT NULL
);
CREATE INDEX treaty_coverage_history_key_idx ON treaty_coverage_history (removed_in, treaty_id, exporter, importer, year, provision);
CREATE TRIGGER treaty_coverage_keep_deleted AFTER DELETE ON treaty_coverage WHEN OLD.added_in <> 0 BEGIN
    INSERT INTO treaty_coverage_history (
        treaty_id, exporter, importer, year, provision, value, source_id, added_in, removed_in
    ) VALUES (
        OLD.treaty_id, OLD.exporter, OLD.importer, OLD.year, OLD.provision, OLD.value,
        OLD.source_id, OLD.added_in, 0
    );
END;
CREATE TRIGGER treaty_coverage_keep_updated AFTER UPDATE ON treaty_coverage WHEN OLD.added_in <> 0 BEGIN
    INSERT INTO treaty_coverage_history (
        treaty_id, exporter, importer, year, provision, value, source_id, added_in, removed_in
    ) VALUES (
        OLD.treaty_id, OLD.exporter, OLD.importer, OLD.year, OLD.provision, OLD.value,
        OLD.source_id, OLD.added_in, 0
    );
    UPDATE treaty_coverage SET added_in = 0 WHERE rowid = NEW.rowid;
END;

ALTER TABLE provision_topics ADD COLUMN added_in BIGINT NOT NULL DEFAULT 0;
UPDATE provision_topics SET added_in = (SELECT MAX(id) FROM vintages);
CREATE TABLE provision_topics_history (
    provision_id INTEGER,
    topic TEXT,
    added_in BIGINT NOT NULL,
    removed_in BIGINT NOT NULL
);
CREATE INDEX provision_topics_history_key_idx ON provision_topics_history (removed_in, provision_id, topic);
CREATE TRIGGER provision_topics_keep_deleted AFTER DELETE ON provision_topics WHEN OLD.added_in <> 0 BEGIN
    INSERT INTO provision_topics_history (
        provision_id, topic, added_in, removed_in
    ) VALUES (
        OLD.provision_id, OLD.topic, OLD.added_in, 0
    );
END;
CREATE TRIGGER provision_topics_keep_updated AFTER UPDATE ON provision_topics WHEN OLD.added_in <> 0 BEGIN
    INSERT INTO provision_topics_history (
        provision_id, topic, added_in, removed_in
    ) VALUES (
        OLD.provision_id, OLD.topic, OLD.added_in, 0
    );
    UPDATE provision_topics SET added_in = 0 WHERE rowid = NEW.rowid;
END;

ALTER TABLE treaty_parties ADD COLUMN added_in BIGINT NOT NULL DEFAULT 0;
UPDATE treaty_parties SET added_in = (SELECT MAX(id) FROM vintages);
CREATE TABLE treaty_parties_history (
    treaty_id TEXT,
    party TEXT,
    position INTEGER,
    added_in BIGINT NOT NULL,
    removed_in BIGINT NOT NULL
);
CREATE INDEX treaty_parties_history_key_idx ON treaty_parties_history (removed_in, treaty_id, party);
CREATE TRIGGER treaty_parties_keep_deleted AFTER DELETE ON treaty_parties WHEN OLD.added_in <> 0 BEGIN
    INSERT INTO treaty_parties_history (
        treaty_id, party, position, added_in, removed_in
    ) VALUES (
        OLD.treaty_id, OLD.party, OLD.position, OLD.added_in, 0
    );
END;
CREATE TRIGGER treaty_parties_keep_updated AFTER UPDATE ON treaty_parties WHEN OLD.added_in <> 0 BEGIN
    INSERT INTO treaty_parties_history (
        treaty_id, party, position, added_in, removed_in
    ) VALUES (
        OLD.treaty_id, OLD.party, OLD.position, OLD.added_in, 0
    );
    UPDATE treaty_parties SET added_in = 0 WHERE rowid = NEW.rowid;
END;

CREATE INDEX provisions_history_id_idx ON provisions_history (id);
