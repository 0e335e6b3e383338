//! Identifiers, parsed once where a client or a file gives them: a value of one of these types
//! has the shape its kind of id must have, so nothing after the parse checks it again, and no
//! query runs with an id of the wrong shape.

use std::fmt;
use std::ops::Deref;

use super::country::shorten_for_display;

/// An identifier that does not have its kind's shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{shown}' is not a {kind} id: {shape}.")]
pub struct InvalidId {
    kind: &'static str,
    /// The input as an error message may show it (shortened, control characters escaped).
    shown: String,
    shape: &'static str,
}

/// Whether `id` is a non-empty identifier of at most `max_len` bytes made of lower-case ASCII
/// letters, digits, `_` and the bytes in `also`.
fn is_lowercase_id(id: &str, max_len: usize, also: &[u8]) -> bool {
    !id.is_empty()
        && id.len() <= max_len
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || also.contains(&b))
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $kind:literal, $shape:literal, $valid:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            pub fn parse(raw: &str) -> Result<Self, InvalidId> {
                let valid: fn(&str) -> bool = $valid;
                if valid(raw) {
                    Ok(Self(raw.to_owned()))
                } else {
                    Err(InvalidId {
                        kind: $kind,
                        shown: shorten_for_display(raw),
                        shape: $shape,
                    })
                }
            }
        }

        impl Deref for $name {
            type Target = str;

            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

id_type!(
    /// A treaty: `nafta`, `tpp`, `tota_101`.
    TreatyId,
    "treaty",
    "ids look like nafta, tpp or tota_101 (lower-case letters, digits and '_')",
    |id| is_lowercase_id(id, 40, b"")
);

id_type!(
    /// A series: `mx.minimum_wage.general`.
    SeriesId,
    "series",
    "ids look like mx.minimum_wage.general (lower-case letters, digits, '_' and '.')",
    |id| is_lowercase_id(id, 100, b".")
);

id_type!(
    /// A dataset: `census`, or the id an import names.
    DatasetId,
    "dataset",
    "use lower-case letters, digits and '_', at most 64 characters",
    |id| is_lowercase_id(id, 64, b"")
);

id_type!(
    /// A source. Source ids come from the data files, some with capitals such as
    /// `vhc_laSalario_table`.
    SourceId,
    "source",
    "ids are ASCII letters, digits, '_', '.' and '-', at most 100 characters",
    |id| {
        !id.is_empty()
            && id.len() <= 100
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
    }
);

id_type!(
    /// What a series measures: `minimum_wage`, `cpi`.
    MeasureId,
    "measure",
    "measures look like minimum_wage or cpi (lower-case letters, digits and '_')",
    |id| is_lowercase_id(id, 60, b"")
);

id_type!(
    /// A state or province, ISO 3166-2 in any case: `US-CA`, `ca-on`.
    RegionCode,
    "region",
    "regions are ISO 3166-2 codes such as US-CA or CA-ON",
    |id| {
        let bytes = id.as_bytes();
        (4..=6).contains(&bytes.len())
            && bytes[..2].iter().all(u8::is_ascii_alphabetic)
            && bytes[2] == b'-'
            && bytes[3..].iter().all(u8::is_ascii_alphanumeric)
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_of_id_takes_its_shape_only() {
        assert_eq!(&*TreatyId::parse("tota_101").unwrap(), "tota_101");
        assert!(SeriesId::parse("mx.minimum_wage.general").is_ok());
        assert!(SourceId::parse("vhc_laSalario_table").is_ok());
        assert!(SourceId::parse("penppml_trade_v0.2.4").is_ok());
        for bad in ["", "NAFTA", "tpp.19", "a b", "x\0"] {
            assert!(TreatyId::parse(bad).is_err(), "{bad:?}");
        }
        assert!(TreatyId::parse(&"a".repeat(41)).is_err());
        assert!(MeasureId::parse("minimum_wage_real_index").is_ok());
        for bad in ["", "CPI", "cpi change", "cpi\0"] {
            assert!(MeasureId::parse(bad).is_err(), "{bad:?}");
        }
        for good in ["US-CA", "ca-on", "MX-CMX", "US-1"] {
            assert!(RegionCode::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "", "US", "US-", "USA-CA", "US-CAXX", "US_CA", "US-C\0", "é-CA",
        ] {
            assert!(RegionCode::parse(bad).is_err(), "{bad:?}");
        }
        assert!(DatasetId::parse(&"a".repeat(65)).is_err());
        for bad in ["", "a b", "a/b", "a\0b", "é", &"a".repeat(101)] {
            assert!(SourceId::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_refusal_shows_the_input_and_the_shape() {
        let error = TreatyId::parse("NAFTA").unwrap_err();
        assert_eq!(
            error.to_string(),
            "'NAFTA' is not a treaty id: ids look like nafta, tpp or tota_101 (lower-case letters, digits and '_')."
        );
    }
}
