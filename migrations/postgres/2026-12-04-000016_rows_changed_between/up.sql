-- A version's row changes (`/v1/datasets/{id}/changes`) read the rows that one vintage has and
-- another does not, so that what two versions share is never read. An as-of read puts this schema
-- before `trilateral_as_of` on its search path: the table a dataset's versions count changes in
-- is then a view of the rows the vintage `trilateral_as_of()` has and `trilateral_not_at()` does
-- not, and every other table is as of `trilateral_as_of()`.
CREATE FUNCTION trilateral_not_at() RETURNS BIGINT LANGUAGE sql STABLE
    AS $$ SELECT current_setting('trilateral.not_at')::BIGINT $$;

CREATE SCHEMA trilateral_changed;

DO $$
DECLARE
    t TEXT;
    columns TEXT;
BEGIN
    FOREACH t IN ARRAY ARRAY['trade_flows', 'observations', 'provisions', 'countries', 'sources']
    LOOP
        SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO columns
        FROM pg_attribute
        WHERE attrelid = t::regclass AND attnum > 0 AND NOT attisdropped;
        -- A current row is in a vintage from the one that added it on; a kept row, until the
        -- one that removed it.
        EXECUTE format('CREATE VIEW trilateral_changed.%I AS '
                       'SELECT %s FROM %I '
                       'WHERE added_in <= trilateral_as_of() AND added_in > trilateral_not_at() '
                       'UNION ALL SELECT %s FROM %I '
                       'WHERE added_in <= trilateral_as_of() AND removed_in > trilateral_as_of() '
                       'AND NOT (added_in <= trilateral_not_at() '
                       'AND removed_in > trilateral_not_at())',
                       t, columns, t, columns, t || '_history');
    END LOOP;
END $$;
