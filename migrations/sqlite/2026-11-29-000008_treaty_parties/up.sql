-- A treaty's parties as rows, in the order the record lists them, instead of ';'-joined text;
-- the column goes, so that the table is the one place parties are kept.
CREATE TABLE treaty_parties (
    treaty_id TEXT NOT NULL REFERENCES treaties (id),
    party     TEXT NOT NULL,
    position  INTEGER NOT NULL,
    PRIMARY KEY (treaty_id, party)
);

INSERT INTO treaty_parties (treaty_id, party, position)
WITH RECURSIVE split (id, rest, party, position) AS (
    SELECT id, parties || ';', '', 0 FROM treaties WHERE parties <> ''
    UNION ALL
    SELECT id, substr(rest, instr(rest, ';') + 1), substr(rest, 1, instr(rest, ';') - 1), position + 1
    FROM split WHERE rest <> ''
)
SELECT id, party, min(position) FROM split WHERE party <> '' GROUP BY id, party;

ALTER TABLE treaties DROP COLUMN parties;
