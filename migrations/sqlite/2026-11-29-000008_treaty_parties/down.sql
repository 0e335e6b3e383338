ALTER TABLE treaties ADD COLUMN parties TEXT NOT NULL DEFAULT '';
UPDATE treaties SET parties = coalesce(
    (SELECT group_concat(party, ';')
     FROM (SELECT party FROM treaty_parties p WHERE p.treaty_id = treaties.id ORDER BY position)),
    '');
DROP TABLE treaty_parties;
