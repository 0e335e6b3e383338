//! Domain types and pure rules: validated codes and the rules that derive facts from them.
//! Nothing here touches the database or HTTP.

/// An enum known by its names: in query strings and JSON (serde), in the OpenAPI document
/// (utoipa) and in TEXT columns (strum gives the names; `db::stored` maps the enums it lists, for
/// which diesel's expression markers are derived here). Each gets `as_str` and `parse` by those
/// names. Name the casing with `#[serde(rename_all = ..)]` and `#[strum(serialize_all = ..)]`;
/// further derives go in the item's own attributes.
macro_rules! named_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($body:tt)* }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        #[derive(utoipa::ToSchema, strum::EnumString, strum::IntoStaticStr)]
        #[derive(diesel::AsExpression, diesel::FromSqlRow)]
        #[diesel(sql_type = diesel::sql_types::Text)]
        $(#[$meta])*
        $vis enum $name { $($body)* }

        impl $name {
            /// The name it is known by.
            pub fn as_str(self) -> &'static str {
                self.into()
            }

            /// The variant a name names, if any.
            pub fn parse(name: &str) -> Option<Self> {
                name.parse().ok()
            }
        }
    };
}

pub mod comparison;
pub mod conversion;
pub mod country;
pub mod coverage;
pub mod currency;
pub mod figures;
pub mod footnotes;
pub mod fx;
pub mod ids;
pub mod period;
pub mod search;
pub mod series;
pub mod snippet;
pub mod source;
pub mod trade;
pub mod treaty;
pub mod vintage;

/// Lower-case hex of bytes, as checksums and ETags are written. One allocation, not one per byte.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_writes_two_lower_case_digits_a_byte() {
        assert_eq!(hex(&[0x00, 0x0f, 0xab, 0xff]), "000fabff");
        assert_eq!(hex(&[]), "");
    }
}
