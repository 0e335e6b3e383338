DROP TABLE observations;
DROP TABLE series;
