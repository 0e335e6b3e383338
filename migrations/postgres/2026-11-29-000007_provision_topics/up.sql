-- The topics of each provision as rows, so that filtering by topic is an equality on an index
-- instead of a LIKE over ';'-joined text (where '_' in a slug was a wildcard). The `topics`
-- column stays as the provision's own list for display; this table is what filters read.
CREATE TABLE provision_topics (
    provision_id BIGINT NOT NULL REFERENCES provisions (id),
    topic        TEXT NOT NULL,
    PRIMARY KEY (provision_id, topic)
);

CREATE INDEX provision_topics_topic_idx ON provision_topics (topic, provision_id);

INSERT INTO provision_topics (provision_id, topic)
SELECT DISTINCT p.id, t.topic
FROM provisions p, unnest(string_to_array(p.topics, ';')) AS t (topic)
WHERE t.topic <> '';
