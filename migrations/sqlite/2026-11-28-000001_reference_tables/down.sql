DROP TABLE countries;
DROP TABLE currencies;
DROP TABLE sources;
DROP TABLE datasets;
