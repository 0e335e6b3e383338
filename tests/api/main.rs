//! Integration tests: the real application over HTTP, each test on SQLite and on Postgres.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;

mod catalog;
mod cli;
mod countries;
mod docs;
mod errors;
mod exports;
mod faults;
mod flows_query;
mod health;
mod hostile;
mod imports;
mod metrics;
mod migrations;
mod official_figures;
mod openapi;
mod rate_limits;
mod readme;
mod shutdown;
mod sources;
mod trade;
mod transport;
mod treaties;
mod vintages;
mod wages;
