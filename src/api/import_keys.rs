//! The keys that authorise imports over HTTP (`POST /v1/admin/imports/{kind}`), from
//! `TRILATERAL_IMPORT_KEYS`: comma-separated entries `name:sha256` or `name:sha256:kind+kind`,
//! where `sha256` is the hex SHA-256 of the key (`printf %s "$KEY" | sha256sum`) and the kinds,
//! when given, are the only imports the key may make. The configuration holds no key itself, only
//! its hash; the name says who imported in the log.
//!
//! A presented key is hashed and its hash compared with every configured hash in full, in time
//! that does not depend on where they differ or which one matches. Keys never reach the log.

use sha2::{Digest, Sha256};

use crate::error::{ApiError, ProblemType};
use crate::import::command::ImportKind;

/// The configured keys; none turns imports over HTTP off (every request is a 401).
#[derive(Debug, Default)]
pub struct ImportKeys {
    keys: Vec<ImportKey>,
}

#[derive(Debug)]
struct ImportKey {
    name: String,
    hash: [u8; 32],
    /// The kinds this key may import; `None` for every kind.
    kinds: Option<Vec<ImportKind>>,
}

impl ImportKeys {
    /// Parses the configuration's list, naming the entry that is wrong.
    pub fn parse(text: &str) -> Result<Self, String> {
        let keys = text
            .split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                parse_entry(entry).map_err(|reason| format!("'{}': {reason}", name_of(entry)))
            })
            .collect::<Result<Vec<_>, _>>()?;
        for (i, key) in keys.iter().enumerate() {
            if keys[..i].iter().any(|other| other.name == key.name) {
                return Err(format!("'{}' is named twice", key.name));
            }
        }
        Ok(Self { keys })
    }

    /// The name of the configured key an `Authorization` header presents, if it is one.
    pub fn name_of(&self, authorization: &[u8]) -> Option<&str> {
        self.authorise(Some(authorization), None).ok()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The name of the key an `Authorization` header presents, if it may make imports of `kind`
    /// (`None` for any kind); a 401 without a known key, a 403 for a key not allowed this kind.
    pub fn authorise(
        &self,
        authorization: Option<&[u8]>,
        kind: Option<ImportKind>,
    ) -> Result<&str, ApiError> {
        let presented = authorization
            .and_then(|value| value.strip_prefix(b"Bearer "))
            .filter(|token| !token.is_empty());
        let Some(token) = presented else {
            return Err(unauthorised(
                "An import needs `Authorization: Bearer <key>` with a key the service is configured \
                 with (TRILATERAL_IMPORT_KEYS).",
            ));
        };
        let hash: [u8; 32] = Sha256::digest(token).into();
        // Every configured hash is compared in full, whichever matches.
        let mut found = None;
        for key in &self.keys {
            if same_bytes(&key.hash, &hash) {
                found = Some(key);
            }
        }
        let Some(key) = found else {
            return Err(unauthorised(
                "The key is not one this service is configured with.",
            ));
        };
        match (&key.kinds, kind) {
            (Some(kinds), Some(kind)) if !kinds.contains(&kind) => Err(ApiError::new(
                ProblemType::Forbidden,
                format!(
                    "The key '{}' may not import {}; it may import: {}.",
                    key.name,
                    kind.name(),
                    kinds
                        .iter()
                        .map(|k| k.name())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
            _ => Ok(&key.name),
        }
    }
}

fn unauthorised(detail: &str) -> ApiError {
    ApiError::new(ProblemType::Unauthorized, detail)
}

/// The part of an entry before its first colon, for messages: never the hash.
fn name_of(entry: &str) -> &str {
    entry.split(':').next().unwrap_or_default()
}

fn parse_entry(entry: &str) -> Result<ImportKey, String> {
    let mut parts = entry.split(':');
    let (Some(name), Some(hash)) = (parts.next(), parts.next()) else {
        return Err("an entry is name:sha256 or name:sha256:kind+kind".to_owned());
    };
    let kinds = parts.next();
    if parts.next().is_some() {
        return Err("an entry has at most three parts, name:sha256:kind+kind".to_owned());
    }
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
    {
        return Err("a name is made of ASCII letters, digits, '-', '_' and '.'".to_owned());
    }
    let hash = parse_hash(hash)
        .ok_or_else(|| "the hash is the 64 hex digits of the key's SHA-256".to_owned())?;
    let kinds = kinds
        .map(|kinds| {
            kinds
                .split('+')
                .map(|kind| {
                    ImportKind::from_name(kind).ok_or_else(|| {
                        format!(
                            "'{kind}' is no import kind; the kinds are {}",
                            ImportKind::names().join(", ")
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?;
    Ok(ImportKey {
        name: name.to_owned(),
        hash,
        kinds,
    })
}

fn parse_hash(text: &str) -> Option<[u8; 32]> {
    if text.len() != 64 {
        return None;
    }
    let mut hash = [0u8; 32];
    for (byte, pair) in hash.iter_mut().zip(text.as_bytes().chunks(2)) {
        *byte = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
    }
    Some(hash)
}

/// Whether two hashes are equal, looking at every byte whatever the first difference.
fn same_bytes(a: &[u8; 32], b: &[u8; 32]) -> bool {
    a.iter().zip(b).fold(0u8, |differ, (x, y)| differ | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::hex;

    fn hash_of(key: &str) -> String {
        hex(&Sha256::digest(key.as_bytes()))
    }

    fn keys() -> ImportKeys {
        ImportKeys::parse(&format!(
            "ops:{}, feeds:{}:csv+sources",
            hash_of("s3cret-ops"),
            hash_of("s3cret-feeds")
        ))
        .unwrap()
    }

    #[test]
    fn a_configured_key_is_known_by_its_hash_and_limited_to_its_kinds() {
        let keys = keys();
        assert_eq!(
            keys.authorise(Some(b"Bearer s3cret-ops"), Some(ImportKind::TotaXml))
                .unwrap(),
            "ops"
        );
        assert_eq!(
            keys.authorise(Some(b"Bearer s3cret-feeds"), Some(ImportKind::Csv))
                .unwrap(),
            "feeds"
        );
        let refused = keys
            .authorise(Some(b"Bearer s3cret-feeds"), Some(ImportKind::TotaXml))
            .unwrap_err();
        assert_eq!(refused.kind, ProblemType::Forbidden);
        assert!(
            refused.detail.contains("csv, sources"),
            "{}",
            refused.detail
        );
    }

    #[test]
    fn no_key_a_wrong_key_or_another_scheme_is_unauthorised() {
        let keys = keys();
        for presented in [
            None,
            Some(&b"Bearer "[..]),
            Some(b"Bearer s3cret-op"),
            Some(b"Basic s3cret-ops"),
            Some(b"s3cret-ops"),
        ] {
            let refused = keys.authorise(presented, None).unwrap_err();
            assert_eq!(refused.kind, ProblemType::Unauthorized, "{presented:?}");
            assert!(!refused.detail.contains("s3cret"));
        }
        let none = ImportKeys::default();
        assert!(none.is_empty());
        assert!(none.authorise(Some(b"Bearer s3cret-ops"), None).is_err());
    }

    #[test]
    fn a_wrong_entry_is_named_without_its_hash() {
        let short = ImportKeys::parse("ops:abc").unwrap_err();
        assert!(
            short.starts_with("'ops'") && short.contains("64 hex digits"),
            "{short}"
        );
        let kind = ImportKeys::parse(&format!("ops:{}:csv+nope", hash_of("k"))).unwrap_err();
        assert!(kind.contains("'nope' is no import kind"), "{kind}");
        assert!(!kind.contains(&hash_of("k")));
        let twice = ImportKeys::parse(&format!("a:{0},a:{0}", hash_of("k"))).unwrap_err();
        assert!(twice.contains("named twice"), "{twice}");
        assert!(ImportKeys::parse(" , ").unwrap().is_empty());
    }

    #[test]
    fn hashes_compare_in_full() {
        let a = [7u8; 32];
        let mut b = a;
        assert!(same_bytes(&a, &b));
        b[31] ^= 1;
        assert!(!same_bytes(&a, &b));
        assert_eq!(parse_hash(&"ab".repeat(32)), Some([0xab; 32]));
        assert_eq!(parse_hash(&"zz".repeat(32)), None);
    }
}
