//! Domain types and pure rules: validated codes and the rules that derive facts from them.
//! Nothing here touches the database or HTTP.

pub mod comparison;
pub mod conversion;
pub mod country;
pub mod coverage;
pub mod currency;
pub mod figures;
pub mod footnotes;
pub mod fx;
pub mod period;
pub mod search;
pub mod series;
pub mod snippet;
pub mod source;
pub mod trade;
pub mod treaty;

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

/// Whether `id` is a non-empty identifier of at most `max_len` bytes made of lower-case ASCII
/// letters, digits, `_` and the bytes in `also`: the shape of treaty, dataset and series ids,
/// checked before any query.
pub fn is_lowercase_id(id: &str, max_len: usize, also: &[u8]) -> bool {
    !id.is_empty()
        && id.len() <= max_len
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || also.contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_writes_two_lower_case_digits_a_byte() {
        assert_eq!(hex(&[0x00, 0x0f, 0xab, 0xff]), "000fabff");
        assert_eq!(hex(&[]), "");
    }

    #[test]
    fn lowercase_ids_take_letters_digits_underscore_and_what_is_allowed() {
        assert!(is_lowercase_id("tota_101", 40, b""));
        assert!(is_lowercase_id("mx.minimum_wage.general", 100, b"."));
        for bad in ["", "NAFTA", "tpp.19", "a b", "x\0"] {
            assert!(!is_lowercase_id(bad, 40, b""), "{bad:?}");
        }
        assert!(!is_lowercase_id(&"a".repeat(41), 40, b""));
    }
}
