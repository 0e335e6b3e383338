DROP TABLE provision_topics;
