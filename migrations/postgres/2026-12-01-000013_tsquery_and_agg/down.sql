DROP AGGREGATE tsquery_and_agg (tsquery);
