-- Vintages: every write of a dataset makes a new vintage, numbered across all datasets, and the
-- rows it replaced are kept. A table's current rows stay where they are (with the vintage that
-- added them, `added_in`); a row an import deletes or updates moves to the table's `_history`
-- twin with the vintage that removed it (`removed_in`). The data as they stood at vintage N are
-- then the current rows added at or before N and the kept rows added at or before N and removed
-- after it: a filter, not a copy. While a write is under way its rows are marked 0 (pending);
-- `db::vintages` gives them their vintage, and puts back rows the write left as they were.
CREATE TABLE vintages (
    id           BIGINT PRIMARY KEY,
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

-- The vintage an as-of read asks for (`db::vintages`): set for its transaction only.
CREATE FUNCTION trilateral_as_of() RETURNS BIGINT LANGUAGE sql STABLE
    AS $$ SELECT current_setting('trilateral.as_of')::BIGINT $$;

-- The vintage the write under way makes: `db::write_transaction` sets it for its transaction,
-- so that the rows a write adds carry it from the start (a default) and need no update after.
-- Unset, it is 0: pending rows that `db::vintages` numbers at the end.
CREATE FUNCTION trilateral_vintage_written() RETURNS BIGINT LANGUAGE sql STABLE
    AS $$ SELECT COALESCE(NULLIF(current_setting('trilateral.vintage', true), '')::BIGINT, 0) $$;

-- Rows a statement deleted or updated, with their vintage: kept in the table's history, removed
-- by the write under way. Rows the write itself added are its own already and are not kept.
CREATE FUNCTION trilateral_keep_replaced() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('INSERT INTO %I.%I SELECT *, trilateral_vintage_written() FROM replaced '
                   'WHERE added_in <> trilateral_vintage_written()',
                   TG_TABLE_SCHEMA, TG_TABLE_NAME || '_history');
    RETURN NULL;
END $$;

-- An updated row is the write's own: it carries the vintage the write makes.
CREATE FUNCTION trilateral_mark_pending() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.added_in <> trilateral_vintage_written() THEN
        NEW.added_in := trilateral_vintage_written();
    END IF;
    RETURN NEW;
END $$;

-- The schema an as-of read puts first on its search path: a view of each table with the rows of
-- the vintage `trilateral_as_of()` names, under the table's own name.
CREATE SCHEMA trilateral_as_of;

DO $$
DECLARE
    keys CONSTANT TEXT[][] := ARRAY[
        ['datasets', 'id'],
        ['sources', 'id'],
        ['currencies', 'code'],
        ['countries', 'code'],
        ['series', 'id'],
        ['observations', 'series_id, period'],
        ['trade_flows',
         'reporter, partner, flow, period, classification, product_code, source_id, dataset_id'],
        ['treaties', 'id'],
        ['treaty_chapters', 'treaty_id, lang, number'],
        ['provisions', 'treaty_id, lang, article'],
        ['treaty_coverage', 'treaty_id, exporter, importer, year, provision'],
        ['provision_topics', 'provision_id, topic'],
        ['treaty_parties', 'treaty_id, party']
    ];
    t TEXT;
    columns TEXT;
BEGIN
    FOR i IN 1 .. array_length(keys, 1) LOOP
        t := keys[i][1];
        EXECUTE format('ALTER TABLE %I ADD COLUMN added_in BIGINT NOT NULL DEFAULT 0', t);
        EXECUTE format('UPDATE %I SET added_in = (SELECT MAX(id) FROM vintages)', t);
        EXECUTE format('ALTER TABLE %I ALTER COLUMN added_in SET DEFAULT trilateral_vintage_written()',
                       t);
        -- LIKE copies the columns in order, with no keys or defaults (a generated column, the
        -- search vector, becomes a plain one that keeps the value it had).
        EXECUTE format('CREATE TABLE %I (LIKE %I)', t || '_history', t);
        EXECUTE format('ALTER TABLE %I ADD COLUMN removed_in BIGINT NOT NULL', t || '_history');
        EXECUTE format('CREATE INDEX %I ON %I (removed_in, %s)',
                       t || '_history_key_idx', t || '_history', keys[i][2]);
        EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS replaced '
                       'FOR EACH STATEMENT EXECUTE FUNCTION trilateral_keep_replaced()',
                       t || '_keep_deleted', t);
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING OLD TABLE AS replaced '
                       'FOR EACH STATEMENT EXECUTE FUNCTION trilateral_keep_replaced()',
                       t || '_keep_updated', t);
        EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE ON %I '
                       'FOR EACH ROW EXECUTE FUNCTION trilateral_mark_pending()',
                       t || '_mark_pending', t);
        SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO columns
        FROM pg_attribute
        WHERE attrelid = t::regclass AND attnum > 0 AND NOT attisdropped;
        EXECUTE format('CREATE VIEW trilateral_as_of.%I AS '
                       'SELECT %s FROM %I WHERE added_in <= trilateral_as_of() '
                       'UNION ALL SELECT %s FROM %I '
                       'WHERE added_in <= trilateral_as_of() AND removed_in > trilateral_as_of()',
                       t, columns, t, columns, t || '_history');
    END LOOP;
END $$;
CREATE INDEX provisions_history_id_idx ON provisions_history (id);
