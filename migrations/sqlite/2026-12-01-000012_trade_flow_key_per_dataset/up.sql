-- A flow is unique within its dataset, not across datasets: the same published figure may sit in
-- several datasets (a copy made from an export, a newer vintage next to the one it revises). The
-- dataset comes last so that lookups by reporter and partner still use the index's prefix.
DROP INDEX trade_flows_key_idx;
CREATE UNIQUE INDEX trade_flows_key_idx
    ON trade_flows (reporter, partner, flow, period, classification, product_code, source_id, dataset_id);
