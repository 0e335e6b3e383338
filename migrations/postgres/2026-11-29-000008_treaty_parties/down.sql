ALTER TABLE treaties ADD COLUMN parties TEXT NOT NULL DEFAULT '';
UPDATE treaties SET parties = coalesce(
    (SELECT string_agg(party, ';' ORDER BY position) FROM treaty_parties p WHERE p.treaty_id = treaties.id),
    '');
ALTER TABLE treaties ALTER COLUMN parties DROP DEFAULT;
DROP TABLE treaty_parties;
