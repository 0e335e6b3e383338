//! The files under `data/` that are compiled into the binary, so that it runs anywhere without
//! the repository next to it.

use sha2::{Digest, Sha256};

use crate::domain::hex;

/// One embedded file, with its path below `data/` for error messages.
#[derive(Debug, Clone, Copy)]
pub struct BundledFile {
    pub path: &'static str,
    pub bytes: &'static [u8],
}

/// A `BundledFile` for a path below `data/`, embedded at compile time.
macro_rules! bundled_file {
    ($path:literal) => {
        $crate::import::bundled::BundledFile {
            path: concat!("data/", $path),
            bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/data/", $path)),
        }
    };
}
pub(crate) use bundled_file;

pub const SOURCES_CSV: BundledFile = bundled_file!("sources.csv");
pub const SOURCE_SPECIFIC_CODES_CSV: BundledFile =
    bundled_file!("countries/source_specific_codes.csv");

/// Hex SHA-256 over the files and any extra fingerprint bytes.
pub fn checksum(files: &[BundledFile], extra: &[u8]) -> String {
    let mut hasher = Sha256::new();
    for file in files {
        hasher.update(file.path.as_bytes());
        hasher.update((file.bytes.len() as u64).to_le_bytes());
        hasher.update(file.bytes);
    }
    hasher.update(extra);
    hex(&hasher.finalize())
}
