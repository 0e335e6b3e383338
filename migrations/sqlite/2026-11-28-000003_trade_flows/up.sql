-- Trade flows: who reported (reporter), with whom (partner), which direction (flow), when
-- (period; period_start is its first day for range filters), what (product scope), how much (value_usd) and from which source. `id` is assigned
-- by the importer in import order and is the order of every listing and the key of its cursors.

CREATE TABLE trade_flows (
    id             INTEGER PRIMARY KEY,
    dataset_id     TEXT NOT NULL,
    reporter       TEXT NOT NULL,
    partner        TEXT NOT NULL,
    flow           TEXT NOT NULL CHECK (flow IN ('export', 'import')),
    period         TEXT NOT NULL,
    period_start   TEXT NOT NULL,
    frequency      TEXT NOT NULL CHECK (frequency IN ('annual', 'monthly')),
    classification TEXT NOT NULL,
    product_code   TEXT NOT NULL,
    value_usd      DOUBLE PRECISION NOT NULL,
    source_id      TEXT NOT NULL REFERENCES sources (id),
    note           TEXT
);

CREATE UNIQUE INDEX trade_flows_key_idx
    ON trade_flows (reporter, partner, flow, period, classification, product_code, source_id);
CREATE INDEX trade_flows_pair_idx ON trade_flows (reporter, partner, flow, period_start, id);
CREATE INDEX trade_flows_reporter_idx ON trade_flows (reporter, flow, period_start, id);
CREATE INDEX trade_flows_partner_idx ON trade_flows (partner, flow, period_start, id);
CREATE INDEX trade_flows_dataset_idx ON trade_flows (dataset_id, id);
