-- The topics of each provision as rows, so that filtering by topic is an equality on an index
-- instead of a LIKE over ';'-joined text (where '_' in a slug was a wildcard). The `topics`
-- column stays as the provision's own list for display; this table is what filters read.
CREATE TABLE provision_topics (
    provision_id INTEGER NOT NULL REFERENCES provisions (id),
    topic        TEXT NOT NULL,
    PRIMARY KEY (provision_id, topic)
);

CREATE INDEX provision_topics_topic_idx ON provision_topics (topic, provision_id);

INSERT INTO provision_topics (provision_id, topic)
WITH RECURSIVE split (id, rest, topic) AS (
    SELECT id, substr(topics, 2), '' FROM provisions WHERE topics <> ''
    UNION ALL
    SELECT id, substr(rest, instr(rest, ';') + 1), substr(rest, 1, instr(rest, ';') - 1)
    FROM split WHERE rest <> ''
)
SELECT DISTINCT id, topic FROM split WHERE topic <> '';
