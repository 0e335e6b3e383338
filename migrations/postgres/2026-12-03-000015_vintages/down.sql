DROP SCHEMA trilateral_as_of CASCADE;
DO $$
DECLARE
    t TEXT;
BEGIN
    FOREACH t IN ARRAY ARRAY['datasets', 'sources', 'currencies', 'countries', 'series',
                             'observations', 'trade_flows', 'treaties', 'treaty_chapters',
                             'provisions', 'treaty_coverage', 'provision_topics',
                             'treaty_parties'] LOOP
        EXECUTE format('DROP TRIGGER %I ON %I', t || '_mark_pending', t);
        EXECUTE format('DROP TRIGGER %I ON %I', t || '_keep_updated', t);
        EXECUTE format('DROP TRIGGER %I ON %I', t || '_keep_deleted', t);
        EXECUTE format('DROP TABLE %I', t || '_history');
        EXECUTE format('ALTER TABLE %I DROP COLUMN added_in', t);
    END LOOP;
END $$;
DROP FUNCTION trilateral_mark_pending();
DROP FUNCTION trilateral_keep_replaced();
DROP FUNCTION trilateral_vintage_written();
DROP FUNCTION trilateral_as_of();
DROP TABLE vintages;
