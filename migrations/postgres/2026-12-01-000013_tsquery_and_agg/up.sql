-- The conjunction (`&&`) of a search's term queries, in term order. A search binds its terms as
-- two arrays (kinds and values) and builds its tsquery with this aggregate, so that its SQL text
-- is the same whatever the number and kinds of terms: one statement, prepared once per
-- connection, instead of one text per query shape parsed and planned on every request.
CREATE AGGREGATE tsquery_and_agg (tsquery) (SFUNC = tsquery_and, STYPE = tsquery);
