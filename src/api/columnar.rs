//! `format=parquet`: the rows of an answer as an Apache Parquet file with one typed column per
//! declared column (`api::table`): text as UTF-8, codes and enums as dictionary strings (a
//! category in pandas), numbers as 64-bit floats, counts as 64-bit integers, dates as dates, each field
//! with its unit and description in its metadata. Rows are encoded a row group at a time, so an
//! export of any length is written in bounded memory.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::builder::{
    ArrayBuilder, BooleanBuilder, Date32Builder, Float64Builder, Int64Builder, StringBuilder,
    StringDictionaryBuilder,
};
use arrow_array::types::Int32Type;
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use chrono::{Datelike, NaiveDate};
use parquet::arrow::ArrowWriter;
use serde::Serialize;
use serde_json::Value;

use super::table::{Column, ColumnType};

/// Rows per row group: a few megabytes of builders at most.
pub const ROW_GROUP: usize = 64 * 1024;

/// The days from 0001-01-01 to the Unix epoch, which Arrow dates count from.
const EPOCH_DAYS_FROM_CE: i32 = 719_163;

/// Turns rows into Parquet bytes, a row group at a time.
pub struct ParquetEncoder {
    columns: &'static [Column],
    schema: SchemaRef,
    builders: Vec<Box<dyn ArrayBuilder>>,
    rows: usize,
    writer: ArrowWriter<Vec<u8>>,
}

impl ParquetEncoder {
    /// An encoder for rows with these columns; `unit` names a column's unit in this answer, and
    /// `description` what it holds, where they are known.
    pub fn new(
        columns: &'static [Column],
        unit: &dyn Fn(&Column) -> Option<String>,
        description: &dyn Fn(&Column) -> Option<String>,
    ) -> Result<Self, String> {
        let fields: Vec<Field> = columns
            .iter()
            .map(|column| {
                let metadata: HashMap<String, String> =
                    [("unit", unit(column)), ("description", description(column))]
                        .into_iter()
                        .filter_map(|(key, value)| Some((key.to_owned(), value?)))
                        .collect();
                Field::new(column.name, data_type(column.kind), true).with_metadata(metadata)
            })
            .collect();
        let schema = Arc::new(Schema::new(fields));
        let writer = ArrowWriter::try_new(Vec::new(), Arc::clone(&schema), None)
            .map_err(|e| e.to_string())?;
        Ok(Self {
            builders: columns.iter().map(|c| builder(c.kind)).collect(),
            columns,
            schema,
            rows: 0,
            writer,
        })
    }

    /// Adds a row; `row` serialises to an object with the declared columns as keys.
    pub fn push(&mut self, row: &impl Serialize) -> Result<(), String> {
        let Value::Object(values) = serde_json::to_value(row).map_err(|e| e.to_string())? else {
            return Err("a row is not an object".to_owned());
        };
        for (column, builder) in self.columns.iter().zip(&mut self.builders) {
            append(builder.as_mut(), column, values.get(column.name))?;
        }
        self.rows += 1;
        if self.rows == ROW_GROUP {
            self.write_row_group()?;
        }
        Ok(())
    }

    /// The bytes encoded so far, once a row group has been written.
    pub fn take_written(&mut self) -> Vec<u8> {
        std::mem::take(self.writer.inner_mut())
    }

    /// The rest of the file: the last row group and the footer.
    pub fn finish(mut self) -> Result<Vec<u8>, String> {
        self.write_row_group()?;
        self.writer.finish().map_err(|e| e.to_string())?;
        Ok(self.take_written())
    }

    fn write_row_group(&mut self) -> Result<(), String> {
        if self.rows == 0 {
            return Ok(());
        }
        let arrays: Vec<ArrayRef> = self.builders.iter_mut().map(|b| b.finish()).collect();
        let batch =
            RecordBatch::try_new(Arc::clone(&self.schema), arrays).map_err(|e| e.to_string())?;
        self.writer.write(&batch).map_err(|e| e.to_string())?;
        self.writer.flush().map_err(|e| e.to_string())?;
        self.rows = 0;
        Ok(())
    }
}

fn data_type(kind: ColumnType) -> DataType {
    match kind {
        ColumnType::Text => DataType::Utf8,
        ColumnType::Code => {
            DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8))
        }
        ColumnType::Number => DataType::Float64,
        ColumnType::Integer => DataType::Int64,
        ColumnType::Boolean => DataType::Boolean,
        ColumnType::Date => DataType::Date32,
    }
}

fn builder(kind: ColumnType) -> Box<dyn ArrayBuilder> {
    match kind {
        ColumnType::Text => Box::new(StringBuilder::new()),
        ColumnType::Code => Box::new(StringDictionaryBuilder::<Int32Type>::new()),
        ColumnType::Number => Box::new(Float64Builder::new()),
        ColumnType::Integer => Box::new(Int64Builder::new()),
        ColumnType::Boolean => Box::new(BooleanBuilder::new()),
        ColumnType::Date => Box::new(Date32Builder::new()),
    }
}

/// Appends one value to its column's builder; a missing value is a null, and a value of another
/// type than the column's is an error (the declaration and the row disagree).
fn append(
    builder: &mut dyn ArrayBuilder,
    column: &Column,
    value: Option<&Value>,
) -> Result<(), String> {
    let value = value.filter(|v| !v.is_null());
    let mismatch = || {
        format!(
            "column {} holds {value:?}, not {:?}",
            column.name, column.kind
        )
    };
    let any = builder.as_any_mut();
    match column.kind {
        ColumnType::Text => {
            let text = match value {
                None => None,
                Some(Value::String(text)) => Some(text.clone()),
                Some(other) => Some(other.to_string()),
            };
            any.downcast_mut::<StringBuilder>()
                .ok_or_else(mismatch)?
                .append_option(text);
        }
        ColumnType::Code => {
            let codes = any
                .downcast_mut::<StringDictionaryBuilder<Int32Type>>()
                .ok_or_else(mismatch)?;
            match value {
                None => codes.append_null(),
                Some(Value::String(text)) => {
                    codes.append(text).map_err(|e| e.to_string())?;
                }
                Some(other) => {
                    codes.append(other.to_string()).map_err(|e| e.to_string())?;
                }
            }
        }
        ColumnType::Number => {
            let number = value.map(|v| v.as_f64().ok_or_else(mismatch)).transpose()?;
            any.downcast_mut::<Float64Builder>()
                .ok_or_else(mismatch)?
                .append_option(number);
        }
        ColumnType::Integer => {
            let integer = value.map(|v| v.as_i64().ok_or_else(mismatch)).transpose()?;
            any.downcast_mut::<Int64Builder>()
                .ok_or_else(mismatch)?
                .append_option(integer);
        }
        ColumnType::Boolean => {
            let flag = value
                .map(|v| v.as_bool().ok_or_else(mismatch))
                .transpose()?;
            any.downcast_mut::<BooleanBuilder>()
                .ok_or_else(mismatch)?
                .append_option(flag);
        }
        ColumnType::Date => {
            let day = value
                .map(|v| {
                    v.as_str()
                        .and_then(|text| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
                        .map(|date| date.num_days_from_ce() - EPOCH_DAYS_FROM_CE)
                        .ok_or_else(mismatch)
                })
                .transpose()?;
            any.downcast_mut::<Date32Builder>()
                .ok_or_else(mismatch)?
                .append_option(day);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::table::Unit;
    use arrow_array::Array;
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Date32Type, Float64Type};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    #[derive(Serialize)]
    struct Row {
        country: &'static str,
        period: &'static str,
        start: &'static str,
        value: Option<f64>,
        partial: bool,
    }

    const COLUMNS: &[Column] = &[
        Column::code("country"),
        Column::text("period"),
        Column::date("start"),
        Column::measured("value", Unit::OfAnswer),
        Column::boolean("partial"),
    ];

    fn encode(rows: usize) -> Vec<u8> {
        let mut encoder = ParquetEncoder::new(
            COLUMNS,
            &|c| (c.name == "value").then(|| "MXN per day".into()),
            &|_| None,
        )
        .expect("an encoder");
        let mut file = Vec::new();
        for i in 0..rows {
            let row = Row {
                country: "MEX",
                period: "2019",
                start: "2019-01-01",
                value: (i % 2 == 0).then_some(102.68),
                partial: false,
            };
            encoder.push(&row).expect("a row");
            file.extend(encoder.take_written());
        }
        file.extend(encoder.finish().expect("a footer"));
        file
    }

    #[test]
    fn a_parquet_answer_reads_back_with_its_types_nulls_and_units() {
        let file = encode(ROW_GROUP + 3);
        let reader = ParquetRecordBatchReaderBuilder::try_new(actix_web::web::Bytes::from(file))
            .expect("a Parquet file");
        assert_eq!(
            reader.metadata().num_row_groups(),
            2,
            "a row group per ROW_GROUP rows"
        );
        let schema = reader.schema().clone();
        assert!(matches!(
            schema.field(0).data_type(),
            DataType::Dictionary(..)
        ));
        assert_eq!(schema.field(2).data_type(), &DataType::Date32);
        assert_eq!(
            schema.field(3).metadata().get("unit").map(String::as_str),
            Some("MXN per day")
        );
        let batches: Vec<RecordBatch> = reader
            .build()
            .expect("a reader")
            .map(|b| b.expect("a batch"))
            .collect();
        let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
        assert_eq!(rows, ROW_GROUP + 3);
        let first = &batches[0];
        let start = first.column(2).as_primitive::<Date32Type>().value(0);
        assert_eq!(
            start,
            NaiveDate::from_ymd_opt(2019, 1, 1)
                .expect("a date")
                .num_days_from_ce()
                - EPOCH_DAYS_FROM_CE
        );
        let values = first.column(3).as_primitive::<Float64Type>();
        assert_eq!(values.value(0), 102.68);
        assert!(values.is_null(1), "a missing value stays missing, not zero");
    }

    #[test]
    fn a_value_of_another_type_than_its_column_is_refused() {
        #[derive(Serialize)]
        struct Wrong {
            period: f64,
        }
        const TEXT_AS_DATE: &[Column] = &[Column::date("period")];
        let mut encoder =
            ParquetEncoder::new(TEXT_AS_DATE, &|_| None, &|_| None).expect("an encoder");
        assert!(encoder.push(&Wrong { period: 1.5 }).is_err());
    }
}
