-- A treaty's parties as rows, in the order the record lists them, instead of ';'-joined text;
-- the column goes, so that the table is the one place parties are kept.
CREATE TABLE treaty_parties (
    treaty_id TEXT NOT NULL REFERENCES treaties (id),
    party     TEXT NOT NULL,
    position  INTEGER NOT NULL,
    PRIMARY KEY (treaty_id, party)
);

INSERT INTO treaty_parties (treaty_id, party, position)
SELECT t.id, p.party, min(p.position)::INTEGER
FROM treaties t, unnest(string_to_array(t.parties, ';')) WITH ORDINALITY AS p (party, position)
WHERE p.party <> ''
GROUP BY t.id, p.party;

ALTER TABLE treaties DROP COLUMN parties;
