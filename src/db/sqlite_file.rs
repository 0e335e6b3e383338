//! The SQLite file a service serves from. Only initialising the database (start-up, `migrate`,
//! `import`) may create the file; the pool opens it read-write without the create flag, so that
//! a file removed behind the service's back is not silently recreated empty. The file's identity
//! (device and inode) is remembered when it is first opened: a path that no longer leads to that
//! file (removed, or replaced by another) makes the service unavailable at once, instead of
//! answering from the unlinked file its open connections still read.

use std::path::Path;
use std::sync::OnceLock;

/// Which file a path leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Identity {
    device: u64,
    inode: u64,
}

impl Identity {
    #[cfg(unix)]
    fn of(path: &str) -> std::io::Result<Self> {
        use std::os::unix::fs::MetadataExt;
        let metadata = std::fs::metadata(path)?;
        Ok(Self {
            device: metadata.dev(),
            inode: metadata.ino(),
        })
    }

    /// Elsewhere only existence can be checked.
    #[cfg(not(unix))]
    fn of(path: &str) -> std::io::Result<Self> {
        std::fs::metadata(path).map(|_| Self {
            device: 0,
            inode: 0,
        })
    }
}

/// A SQLite database named by a path (or a URI or `:memory:`, which are opened as given and not
/// watched).
#[derive(Debug)]
pub struct SqliteFile {
    path: String,
    opened: OnceLock<Identity>,
}

impl SqliteFile {
    pub fn new(path: &str) -> Self {
        Self {
            path: path.to_owned(),
            opened: OnceLock::new(),
        }
    }

    /// Whether this is a plain file path, which can be opened without the create flag and
    /// watched.
    fn is_plain_path(&self) -> bool {
        self.path != ":memory:" && !self.path.starts_with("file:")
    }

    /// What to pass SQLite to open the existing file read-write and never create it.
    pub fn open_uri(&self) -> String {
        if self.is_plain_path() {
            format!("file:{}?mode=rw", escape_uri_path(&self.path))
        } else {
            self.path.clone()
        }
    }

    /// What to pass SQLite to open the file and create it if it does not exist.
    pub fn create_name(&self) -> &str {
        &self.path
    }

    /// Checks that the path still leads to the file first opened through it (and remembers the
    /// file on the first call).
    pub fn check(&self) -> Result<(), String> {
        if !self.is_plain_path() {
            return Ok(());
        }
        let current = Identity::of(&self.path).map_err(|e| {
            format!(
                "the database file {} is gone ({e}); restart the service once it is back",
                self.path
            )
        })?;
        let opened = *self.opened.get_or_init(|| current);
        if opened == current {
            Ok(())
        } else {
            Err(format!(
                "the database file {} was replaced by another file; restart the service to serve the new one",
                self.path
            ))
        }
    }
}

/// `path` as the path of a `file:` URI: the characters a URI gives meaning to (`%` escapes, `?`
/// starts the parameters, `#` the fragment) are percent-encoded, and SQLite decodes them back.
fn escape_uri_path(path: &str) -> String {
    let mut escaped = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            '%' => escaped.push_str("%25"),
            '?' => escaped.push_str("%3f"),
            '#' => escaped.push_str("%23"),
            c => escaped.push(c),
        }
    }
    // A path that looks like an authority (`//host/…`) would be read as one.
    if escaped.starts_with("//") {
        escaped.insert(0, '/');
    }
    escaped
}

/// Whether a plain path names an existing file (for the caller deciding to create one).
pub fn exists(path: &str) -> bool {
    Path::new(path).exists()
}

#[cfg(test)]
mod tests {
    use diesel::{Connection, SqliteConnection};

    use super::*;

    #[test]
    fn the_open_uri_escapes_what_a_uri_gives_meaning_to() {
        let cases = [
            ("trilateral.db", "file:trilateral.db?mode=rw"),
            ("/data/a b.db", "file:/data/a b.db?mode=rw"),
            ("/d/100%?x#y.db", "file:/d/100%25%3fx%23y.db?mode=rw"),
            (":memory:", ":memory:"),
            ("file:x.db?mode=ro", "file:x.db?mode=ro"),
        ];
        for (path, uri) in cases {
            assert_eq!(SqliteFile::new(path).open_uri(), uri, "{path}");
        }
    }

    #[test]
    fn the_open_uri_opens_an_odd_name_and_never_creates_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("odd %25 ? # name.db").display().to_string();
        let file = SqliteFile::new(&path);

        assert!(SqliteConnection::establish(&file.open_uri()).is_err());
        assert!(!exists(&path), "opening created the file");

        SqliteConnection::establish(file.create_name()).unwrap();
        assert!(exists(&path));
        SqliteConnection::establish(&file.open_uri()).unwrap();
    }

    #[test]
    fn a_removed_or_replaced_file_fails_the_check() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db").display().to_string();
        std::fs::write(&path, b"").unwrap();
        let file = SqliteFile::new(&path);
        file.check().unwrap();
        file.check().unwrap();
        // Held open, as the service's connections hold it, so that its inode is not reused.
        let _held = std::fs::File::open(&path).unwrap();

        std::fs::remove_file(&path).unwrap();
        assert!(file.check().unwrap_err().contains("is gone"));

        std::fs::write(dir.path().join("other.db"), b"").unwrap();
        std::fs::rename(dir.path().join("other.db"), &path).unwrap();
        assert!(file.check().unwrap_err().contains("was replaced"));
    }
}
