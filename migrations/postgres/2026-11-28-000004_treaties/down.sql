DROP TABLE treaty_coverage;
DROP TABLE provisions;
DROP TABLE treaty_chapters;
DROP TABLE treaties;
