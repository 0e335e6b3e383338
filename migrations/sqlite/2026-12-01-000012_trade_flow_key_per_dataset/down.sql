-- Back to one dataset per flow. While two datasets hold the same flow this fails with a unique
-- violation and changes nothing: delete one of them (or re-import it without the shared flows)
-- first, since choosing which rows to drop is not the schema's call.
DROP INDEX trade_flows_key_idx;
CREATE UNIQUE INDEX trade_flows_key_idx
    ON trade_flows (reporter, partner, flow, period, classification, product_code, source_id);
