//! How the domain's enums are stored: as their names, in TEXT columns on both backends. Rows
//! carry the enums; reading a name that is not one of them fails the read, naming the value,
//! instead of becoming some default. (The enums derive diesel's `AsExpression` and `FromSqlRow`
//! markers; what they mean is here, once for every backend that reads and writes text: Postgres,
//! SQLite and the connection that is either.)

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Text;

use crate::domain::country::CountryKind;
use crate::domain::series::{NativeFrequency, PriceBasis, SeriesTopic, TimeUnit};
use crate::domain::source::{DatasetFamily, DatasetOrigin, Reporting, SourceFamily};
use crate::domain::trade::FlowDirection;
use crate::domain::treaty::Lang;

/// A stored name that is not one of its type's: the row cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("'{value}' is not a stored {type_name}")]
pub struct UnknownStoredName {
    type_name: &'static str,
    value: String,
}

/// The enum a stored name stands for.
fn from_name<T: std::str::FromStr>(
    name: String,
    type_name: &'static str,
) -> deserialize::Result<T> {
    name.parse().map_err(|_| {
        UnknownStoredName {
            type_name,
            value: name,
        }
        .into()
    })
}

macro_rules! stored_by_name {
    ($($type:ty),* $(,)?) => {$(
        impl<DB: Backend> FromSql<Text, DB> for $type
        where
            String: FromSql<Text, DB>,
        {
            fn from_sql(value: DB::RawValue<'_>) -> deserialize::Result<Self> {
                from_name(<String as FromSql<Text, DB>>::from_sql(value)?, stringify!($type))
            }
        }

        impl<DB: Backend> ToSql<Text, DB> for $type
        where
            str: ToSql<Text, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
                let name: &'static str = (*self).into();
                <str as ToSql<Text, DB>>::to_sql(name, out)
            }
        }
    )*};
}

stored_by_name!(
    CountryKind,
    DatasetFamily,
    DatasetOrigin,
    FlowDirection,
    Lang,
    NativeFrequency,
    PriceBasis,
    Reporting,
    SeriesTopic,
    SourceFamily,
    TimeUnit,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_name_is_an_error_naming_it() {
        let error = from_name::<Lang>("fr".to_owned(), "Lang").unwrap_err();
        assert_eq!(error.to_string(), "'fr' is not a stored Lang");
        assert_eq!(
            from_name::<Reporting>("not_applicable".to_owned(), "Reporting").ok(),
            Some(Reporting::NotApplicable)
        );
    }
}
