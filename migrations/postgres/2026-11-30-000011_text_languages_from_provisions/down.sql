ALTER TABLE treaties ADD COLUMN languages TEXT;
ALTER TABLE treaties ADD COLUMN text_available BOOLEAN NOT NULL DEFAULT false;
UPDATE treaties SET
    languages = (SELECT string_agg(DISTINCT lang, ';' ORDER BY lang)
                 FROM provisions p WHERE p.treaty_id = treaties.id),
    text_available = EXISTS (SELECT 1 FROM provisions p WHERE p.treaty_id = treaties.id);
ALTER TABLE treaties ALTER COLUMN text_available DROP DEFAULT;
