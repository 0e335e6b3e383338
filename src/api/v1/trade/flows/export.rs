//! Streamed exports of trade flows: every matching row as CSV, NDJSON or Parquet in one response, read on
//! a blocking task in bounded memory while a slot of the export budget is held.

use actix_web::HttpResponse;
use actix_web::web::Bytes;
use tokio::sync::OwnedSemaphorePermit;
use utoipa::PartialSchema;

use crate::api::AppState;
use crate::api::caching::Reply;
use crate::api::columnar::ParquetEncoder;
use crate::api::format::{self, CsvRecord, Format};
use crate::api::spool::{self, STREAM_BUFFER, Spool, Stop};
use crate::api::table;
use crate::api::v1::trade::TradeFlow;
use crate::db::trade::{self as db_trade, FlowFilter};
use crate::db::{self, DbError, DbPool};

/// Streams every matching flow as CSV or NDJSON. A blocking task reads the flows in one statement
/// (`db::trade::for_each`) and hands chunks of about `STREAM_BUFFER` bytes to a [`Spool`], which
/// keeps the reading from waiting for a slow client; the connection and the export slot are given
/// back as soon as the rows are read.
pub(super) fn stream(
    state: &AppState,
    slot: OwnedSemaphorePermit,
    format: Format,
    reply: &Reply,
    filter: FlowFilter,
    cap: Option<u32>,
) -> HttpResponse {
    let (validators, vintage) = (&reply.validators, reply.vintage);
    let pool = state.pool.clone();
    let body = spool::export(state, slot, move |spool| {
        write_flows(&pool, format, &filter, cap, vintage, spool)
    });
    let mut response = HttpResponse::Ok();
    format::headers(&mut response, format, validators, "trade_flows");
    response.streaming(body)
}

/// Encodes every matching flow into `spool`, with a pooled connection that is released on return,
/// in a read transaction that shows the flows as of `vintage` when one is given.
fn write_flows(
    pool: &DbPool,
    format: Format,
    filter: &FlowFilter,
    cap: Option<u32>,
    vintage: Option<i64>,
    spool: &mut Spool,
) -> Result<(), Stop> {
    let mut conn = pool.get().map_err(|e| Stop::Failed(e.to_string()))?;
    let mut encoder = Encoder::new(format).map_err(Stop::Failed)?;
    let mut stopped = None;
    let each = |row| {
        let pushed = encoder
            .write(&TradeFlow::from(row))
            .map_err(Stop::Failed)
            .and_then(|()| match encoder.take_if_full() {
                Some(chunk) => spool.push(chunk).map_err(Stop::from),
                None => Ok(()),
            });
        match pushed {
            Ok(()) => true,
            Err(stop) => {
                stopped = Some(stop);
                false
            }
        }
    };
    let read = db::read_snapshot_at(&mut conn, vintage, |conn| {
        db_trade::for_each(conn, filter, cap.map(i64::from), each).map_err(DbError::from_query)
    });
    if let Some(stop) = stopped {
        return Err(stop);
    }
    read.map_err(|e| Stop::Failed(e.to_string()))?;
    let rest = encoder.finish().map_err(Stop::Failed)?;
    if !rest.is_empty() {
        spool.push(rest)?;
    }
    Ok(())
}

/// Turns flows into CSV, NDJSON or Parquet bytes, a buffer (for Parquet, a row group) at a time.
enum Encoder {
    Csv(Box<csv::Writer<Vec<u8>>>),
    Ndjson(Vec<u8>),
    Parquet(Box<ParquetEncoder>),
}

fn csv_writer() -> Box<csv::Writer<Vec<u8>>> {
    Box::new(
        csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(Vec::with_capacity(STREAM_BUFFER * 2)),
    )
}

impl Encoder {
    fn new(format: Format) -> Result<Self, String> {
        Ok(match format {
            Format::Csv => {
                let mut writer = csv_writer();
                // Each chunk gets a fresh writer, which must not write a header of its own.
                let header = TradeFlow::COLUMNS.iter().map(|c| c.name);
                writer.write_record(header).map_err(|e| e.to_string())?;
                Encoder::Csv(writer)
            }
            Format::Parquet => {
                let item = TradeFlow::schema();
                Encoder::Parquet(Box::new(ParquetEncoder::new(
                    TradeFlow::COLUMNS,
                    &|column| column.unit_name(None),
                    &|column| table::field_description(&item, column.name),
                )?))
            }
            _ => Encoder::Ndjson(Vec::with_capacity(STREAM_BUFFER * 2)),
        })
    }

    fn write(&mut self, flow: &TradeFlow) -> Result<(), String> {
        match self {
            Encoder::Csv(writer) => writer.serialize(flow.csv_row()).map_err(|e| e.to_string()),
            Encoder::Ndjson(buffer) => {
                serde_json::to_writer(&mut *buffer, &flow.csv_row()).map_err(|e| e.to_string())?;
                buffer.push(b'\n');
                Ok(())
            }
            Encoder::Parquet(encoder) => encoder.push(&flow.csv_row()),
        }
    }

    /// The bytes so far, once there are enough of them to send.
    fn take_if_full(&mut self) -> Option<Bytes> {
        match self {
            Encoder::Csv(writer) if writer.get_ref().len() >= STREAM_BUFFER => {
                let full = std::mem::replace(writer, csv_writer());
                full.into_inner().ok().map(Bytes::from)
            }
            Encoder::Ndjson(buffer) if buffer.len() >= STREAM_BUFFER => Some(Bytes::from(
                std::mem::replace(buffer, Vec::with_capacity(STREAM_BUFFER * 2)),
            )),
            Encoder::Parquet(encoder) => Some(encoder.take_written())
                .filter(|written| !written.is_empty())
                .map(Bytes::from),
            _ => None,
        }
    }

    /// Whatever is left.
    fn finish(self) -> Result<Bytes, String> {
        match self {
            Encoder::Csv(writer) => writer
                .into_inner()
                .map(Bytes::from)
                .map_err(|e| e.to_string()),
            Encoder::Ndjson(buffer) => Ok(Bytes::from(buffer)),
            Encoder::Parquet(encoder) => encoder.finish().map(Bytes::from),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::trade::FlowDirection;

    #[test]
    fn the_declared_columns_name_the_serialised_fields_in_order() {
        let flow = TradeFlow {
            id: 1,
            reporter: "USA".into(),
            partner: "MEX".into(),
            flow: FlowDirection::Import,
            period: "2016".into(),
            frequency: "annual".into(),
            classification: "TOTAL".into(),
            product_code: "TOTAL".into(),
            value_usd: 1.5,
            source_id: "s".into(),
            dataset_id: "d".into(),
            note: None,
        };
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.serialize(flow.csv_row()).unwrap();
        let text = String::from_utf8(writer.into_inner().unwrap()).unwrap();
        let declared: Vec<&str> = TradeFlow::COLUMNS.iter().map(|c| c.name).collect();
        assert_eq!(text.lines().next(), Some(declared.join(",").as_str()));
    }
}
