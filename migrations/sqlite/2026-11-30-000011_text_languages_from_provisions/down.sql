ALTER TABLE treaties ADD COLUMN languages TEXT;
ALTER TABLE treaties ADD COLUMN text_available BOOLEAN NOT NULL DEFAULT 0;
UPDATE treaties SET
    languages = (SELECT group_concat(lang, ';')
                 FROM (SELECT DISTINCT lang FROM provisions p WHERE p.treaty_id = treaties.id ORDER BY lang)),
    text_available = EXISTS (SELECT 1 FROM provisions p WHERE p.treaty_id = treaties.id);
