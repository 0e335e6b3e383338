DROP TABLE trade_flows;
