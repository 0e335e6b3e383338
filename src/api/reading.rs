//! What a read's loading step works with (`caching::Loader::load_fresh`): the connection it reads
//! on, in a snapshot or not, and the countries and sources the process keeps per version of
//! their datasets.
//!
//! Nearly every answer looks a country up or names its sources (`meta.sources`), so both are
//! read by every answer whatever its scope, and their versions are part of every ETag
//! (`ReferenceVersions`). Their rows change only with those versions, which the read has
//! confirmed (in its snapshot, or after it): the rows read once for a version answer every later
//! request from memory. On Postgres that takes two of the seven statements of a first request of
//! a series away (BENCHMARKS.md).

use std::borrow::Borrow;
use std::collections::HashMap;
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, PoisonError, RwLock};

use chrono::NaiveDateTime;
use diesel::QueryResult;

use crate::db::DbConnection;
use crate::db::countries::{self as db_countries, CountryRow};
use crate::db::datasets::DatasetRow;
use crate::db::sources::{self as db_sources, SourceRow};
use crate::domain::country::CountryLookup;

const COUNTRIES: &str = "countries";
const SOURCES: &str = "sources";

/// The versions of the datasets every answer reads besides its scope, as a catalogue lists them
/// (`None` for one not loaded), and when the later of them last changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReferenceVersions {
    pub countries: Option<i64>,
    pub sources: Option<i64>,
    pub last_updated: Option<NaiveDateTime>,
}

impl ReferenceVersions {
    /// The reference datasets' versions in `catalogue`.
    pub fn of(catalogue: &[impl Borrow<DatasetRow>]) -> Self {
        let row = |id: &str| {
            catalogue
                .iter()
                .map(Borrow::borrow)
                .find(|row: &&DatasetRow| row.id == id)
        };
        let (countries, sources) = (row(COUNTRIES), row(SOURCES));
        Self {
            countries: countries.map(|row| row.version),
            sources: sources.map(|row| row.version),
            last_updated: countries
                .into_iter()
                .chain(sources)
                .map(|row| row.last_updated)
                .max(),
        }
    }
}

/// The connection a load runs on, and where the reference rows of its snapshot's versions are
/// kept. It dereferences to the connection, so loading code passes it on as one.
pub struct Reading<'a> {
    conn: &'a mut DbConnection,
    /// `None` where the read is of an earlier state (`as_of`): its rows are read from the tables.
    kept: Option<(&'a ReferenceRows, ReferenceVersions)>,
    /// Where the reading is not yet known to be of `kept`'s versions (`unconfirmed`), the rows it
    /// read from the tables, kept only once it is (`confirmed`).
    unconfirmed: Option<Unconfirmed>,
}

/// Reference rows read by an unconfirmed reading.
#[derive(Default)]
struct Unconfirmed {
    countries: Option<Arc<Countries>>,
    sources: Option<Arc<Vec<SourceRow>>>,
}

impl<'a> Reading<'a> {
    /// A reading of the current state, whose snapshot holds the reference datasets at `versions`.
    pub fn current(
        conn: &'a mut DbConnection,
        kept: &'a ReferenceRows,
        versions: ReferenceVersions,
    ) -> Self {
        Self {
            conn,
            kept: Some((kept, versions)),
            unconfirmed: None,
        }
    }

    /// A reading of the current state outside a snapshot, to be confirmed after it as of
    /// `versions` (`caching::Loader::load_fresh`): it uses the rows kept for those versions, and
    /// keeps what it reads from the tables, which an import may change meanwhile, only once it
    /// is `confirmed`.
    pub fn unconfirmed(
        conn: &'a mut DbConnection,
        kept: &'a ReferenceRows,
        versions: ReferenceVersions,
    ) -> Self {
        Self {
            unconfirmed: Some(Unconfirmed::default()),
            ..Self::current(conn, kept, versions)
        }
    }

    /// A reading of an earlier state, which reads everything from its tables.
    pub fn earlier(conn: &'a mut DbConnection) -> Self {
        Self {
            conn,
            kept: None,
            unconfirmed: None,
        }
    }

    /// Whether this reading is of an earlier state (`as_of`) rather than the current one.
    pub fn is_of_earlier_state(&self) -> bool {
        self.kept.is_none()
    }

    /// Once the database is found still at this reading's versions: keeps the reference rows it
    /// read, which are then those of its versions.
    pub fn confirmed(self) {
        if let (Some((kept, versions)), Some(mut read)) = (self.kept, self.unconfirmed) {
            COUNTRY_ROWS.keep_confirmed(kept, &versions, &mut read);
            SOURCE_ROWS.keep_confirmed(kept, &versions, &mut read);
        }
    }

    /// The country a validated code names (`db::countries::find`).
    pub fn country(&mut self, lookup: &CountryLookup) -> QueryResult<Option<CountryRow>> {
        match self.kept_countries()? {
            Some(kept) => Ok(kept.find(lookup).cloned()),
            None => db_countries::find(self.conn, lookup),
        }
    }

    /// The countries with these codes, in code order (`db::countries::by_codes`).
    pub fn countries_by_codes(&mut self, codes: &[&str]) -> QueryResult<Vec<CountryRow>> {
        match self.kept_countries()? {
            Some(kept) => {
                let mut codes = codes.to_vec();
                codes.sort_unstable();
                codes.dedup();
                Ok(codes
                    .into_iter()
                    .filter_map(|code| kept.with_code(code))
                    .cloned()
                    .collect())
            }
            None => db_countries::by_codes(self.conn, codes),
        }
    }

    /// The sources with these ids, each once, in id order (`db::sources::by_ids`).
    pub fn sources(&mut self, ids: &[&str]) -> QueryResult<Vec<SourceRow>> {
        let Some(kept) = self.kept_sources()? else {
            return db_sources::by_ids(self.conn, ids);
        };
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        Ok(ids
            .into_iter()
            .filter_map(|id| {
                let at = kept.binary_search_by(|row| row.id.as_str().cmp(id)).ok()?;
                Some(kept[at].clone())
            })
            .collect())
    }

    /// The sources of this reading's version, in id order, read now if they are not yet.
    fn kept_sources(&mut self) -> QueryResult<Option<Arc<Vec<SourceRow>>>> {
        self.rows_of(&SOURCE_ROWS)
    }

    /// The countries of this reading's version, read now if they are not yet.
    fn kept_countries(&mut self) -> QueryResult<Option<Arc<Countries>>> {
        self.rows_of(&COUNTRY_ROWS)
    }

    /// The rows of `reference` at this reading's version: those kept, those this unconfirmed
    /// reading read already, or read now (and kept, or held until the reading is confirmed).
    /// `None` for a reading of an earlier state, or a dataset not loaded.
    fn rows_of<T>(&mut self, reference: &Reference<T>) -> QueryResult<Option<Arc<T>>> {
        let Some((kept, versions)) = self.kept else {
            return Ok(None);
        };
        let Some(version) = (reference.version)(&versions) else {
            return Ok(None);
        };
        if let Some(rows) = (reference.kept)(kept).get(version) {
            return Ok(Some(rows));
        }
        if let Some(rows) = self
            .unconfirmed
            .as_mut()
            .and_then(|read| (reference.unconfirmed)(read).clone())
        {
            return Ok(Some(rows));
        }
        let rows = Arc::new((reference.read)(self.conn)?);
        match &mut self.unconfirmed {
            Some(read) => *(reference.unconfirmed)(read) = Some(Arc::clone(&rows)),
            None => (reference.kept)(kept).keep(version, Arc::clone(&rows)),
        }
        Ok(Some(rows))
    }
}

/// How a reading finds the rows of one reference dataset: where they are kept, the version it
/// reads, where an unconfirmed reading holds them, and how they are read from the tables.
struct Reference<T> {
    kept: fn(&ReferenceRows) -> &Kept<T>,
    version: fn(&ReferenceVersions) -> Option<i64>,
    unconfirmed: fn(&mut Unconfirmed) -> &mut Option<Arc<T>>,
    read: fn(&mut DbConnection) -> QueryResult<T>,
}

impl<T> Reference<T> {
    /// Keeps the rows an unconfirmed reading `read` read, now confirmed to be of `versions`.
    fn keep_confirmed(
        &self,
        kept: &ReferenceRows,
        versions: &ReferenceVersions,
        read: &mut Unconfirmed,
    ) {
        if let (Some(version), Some(rows)) =
            ((self.version)(versions), (self.unconfirmed)(read).take())
        {
            (self.kept)(kept).keep(version, rows);
        }
    }
}

const COUNTRY_ROWS: Reference<Countries> = Reference {
    kept: |kept| &kept.countries,
    version: |versions| versions.countries,
    unconfirmed: |read| &mut read.countries,
    read: |conn| Ok(Countries::new(db_countries::list(conn, None)?)),
};

/// In id order, whatever the database's collation.
const SOURCE_ROWS: Reference<Vec<SourceRow>> = Reference {
    kept: |kept| &kept.sources,
    version: |versions| versions.sources,
    unconfirmed: |read| &mut read.sources,
    read: |conn| {
        let mut rows = db_sources::list(conn, None)?;
        rows.sort_unstable_by(|a, b| a.id.cmp(&b.id));
        Ok(rows)
    },
};

impl Deref for Reading<'_> {
    type Target = DbConnection;

    fn deref(&self) -> &DbConnection {
        self.conn
    }
}

impl DerefMut for Reading<'_> {
    fn deref_mut(&mut self) -> &mut DbConnection {
        self.conn
    }
}

/// The countries and sources of one version each, shared by the workers of this process. Each
/// holds the version read last: while an import lands, answers of the version before and after
/// it may each read theirs again, and then the new one stays.
#[derive(Default)]
pub struct ReferenceRows {
    countries: Kept<Countries>,
    /// In id order, the order of `meta.sources`.
    sources: Kept<Vec<SourceRow>>,
}

/// The rows of one version of a dataset.
struct Kept<T>(RwLock<Option<(i64, Arc<T>)>>);

impl<T> Default for Kept<T> {
    fn default() -> Self {
        Self(RwLock::new(None))
    }
}

impl<T> Kept<T> {
    /// The rows of `version`, if they are the ones kept.
    fn get(&self, version: i64) -> Option<Arc<T>> {
        match &*self.0.read().unwrap_or_else(PoisonError::into_inner) {
            Some((kept_version, rows)) if *kept_version == version => Some(Arc::clone(rows)),
            _ => None,
        }
    }

    /// Keeps `rows` as those of `version`, in place of the version kept before.
    fn keep(&self, version: i64, rows: Arc<T>) {
        *self.0.write().unwrap_or_else(PoisonError::into_inner) = Some((version, rows));
    }
}

/// Every country, found by each of the codes a lookup can give. Code, alpha-2 and numeric are
/// each unique in the table, as the lookup in the database relies on.
struct Countries {
    rows: Vec<CountryRow>,
    by_code: HashMap<String, usize>,
    by_iso2: HashMap<String, usize>,
    by_numeric: HashMap<String, usize>,
}

impl Countries {
    fn new(rows: Vec<CountryRow>) -> Self {
        let index = |key: fn(&CountryRow) -> Option<&String>| {
            rows.iter()
                .enumerate()
                .filter_map(|(at, row)| Some((key(row)?.clone(), at)))
                .collect()
        };
        Self {
            by_code: index(|row| Some(&row.code)),
            by_iso2: index(|row| row.iso2.as_ref()),
            by_numeric: index(|row| row.numeric.as_ref()),
            rows,
        }
    }

    fn find(&self, lookup: &CountryLookup) -> Option<&CountryRow> {
        let at = match lookup {
            CountryLookup::Alpha2(code) => self.by_iso2.get(code),
            CountryLookup::Code(code) => self.by_code.get(code),
            CountryLookup::Numeric(code) => self.by_numeric.get(code),
        }?;
        self.rows.get(*at)
    }

    fn with_code(&self, code: &str) -> Option<&CountryRow> {
        self.rows.get(*self.by_code.get(code)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::connection::SimpleConnection;

    use crate::db::{self, ConnectionManager};
    use crate::import::{countries::COUNTRIES, sources::SOURCES};

    /// A database holding the bundled sources and countries.
    fn reference_database(dir: &tempfile::TempDir) -> DbConnection {
        let url = dir.path().join("reference.db").display().to_string();
        let mut conn = ConnectionManager::new(&url)
            .connect_to_initialise()
            .expect("file created");
        db::run_migrations(&mut conn).expect("migrated");
        for dataset in [&SOURCES, &COUNTRIES] {
            db::write_transaction(&mut conn, |conn| {
                dataset.loader.load(dataset.entry.id, conn)
            })
            .expect("loaded");
        }
        conn
    }

    const VERSIONS: ReferenceVersions = ReferenceVersions {
        countries: Some(1),
        sources: Some(1),
        last_updated: None,
    };

    #[test]
    fn kept_rows_find_what_the_tables_find() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let mut conn = reference_database(&dir);
        let kept = ReferenceRows::default();
        let countries = db_countries::list(&mut conn, None).expect("countries");
        assert!(countries.len() > 250, "{} countries", countries.len());
        let mut lookups = vec![
            CountryLookup::Code("ZZZ".to_owned()),
            CountryLookup::Alpha2("ZZ".to_owned()),
            CountryLookup::Numeric("999".to_owned()),
        ];
        for row in &countries {
            lookups.push(CountryLookup::Code(row.code.clone()));
            lookups.extend(row.iso2.clone().map(CountryLookup::Alpha2));
            lookups.extend(row.numeric.clone().map(CountryLookup::Numeric));
        }
        for lookup in &lookups {
            let from_table = Reading::earlier(&mut conn).country(lookup).expect("read");
            let from_memory = Reading::current(&mut conn, &kept, VERSIONS)
                .country(lookup)
                .expect("read");
            assert_eq!(from_memory, from_table, "{lookup:?}");
        }
        let codes = ["USA", "MEX", "CAN", "NOPE", "MEX"];
        assert_eq!(
            Reading::current(&mut conn, &kept, VERSIONS)
                .countries_by_codes(&codes)
                .expect("read"),
            Reading::earlier(&mut conn)
                .countries_by_codes(&codes)
                .expect("read"),
        );

        let sources = db_sources::list(&mut conn, None).expect("sources");
        let ids: Vec<&str> = sources.iter().map(|s| s.id.as_str()).collect();
        // Every id, some twice, in reverse order, with ids that name no source.
        let mut asked: Vec<&str> = ids.iter().rev().copied().collect();
        asked.extend(["no_such_source", ids[0], "", ids[ids.len() - 1]]);
        for asked in [&asked[..], &asked[..3], &["no_such_source"], &[]] {
            let from_memory = Reading::current(&mut conn, &kept, VERSIONS)
                .sources(asked)
                .expect("read");
            let from_table = Reading::earlier(&mut conn).sources(asked).expect("read");
            assert_eq!(from_memory, from_table, "{asked:?}");
        }
    }

    #[test]
    fn an_unconfirmed_reading_keeps_what_it_read_only_once_confirmed() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let mut conn = reference_database(&dir);
        let kept = ReferenceRows::default();
        let mexico = CountryLookup::Code("MEX".to_owned());
        let rename = |conn: &mut DbConnection, name: &str| {
            conn.batch_execute(&format!(
                "UPDATE countries SET name = '{name}' WHERE code = 'MEX'"
            ))
            .expect("renamed");
        };
        let name = |reading: &mut Reading<'_>| {
            reading
                .country(&mexico)
                .expect("read")
                .expect("Mexico")
                .name
        };

        rename(&mut conn, "Before");
        let mut unconfirmed = Reading::unconfirmed(&mut conn, &kept, VERSIONS);
        assert_eq!(name(&mut unconfirmed), "Before");
        drop(unconfirmed);
        rename(&mut conn, "Changed");
        assert_eq!(
            name(&mut Reading::current(&mut conn, &kept, VERSIONS)),
            "Changed",
            "rows an unconfirmed reading read are not kept"
        );

        let kept = ReferenceRows::default();
        let mut unconfirmed = Reading::unconfirmed(&mut conn, &kept, VERSIONS);
        assert_eq!(name(&mut unconfirmed), "Changed");
        unconfirmed.confirmed();
        rename(&mut conn, "After");
        assert_eq!(
            name(&mut Reading::unconfirmed(&mut conn, &kept, VERSIONS)),
            "Changed",
            "confirmed rows are kept for their version, and unconfirmed readings use them"
        );
    }

    #[test]
    fn rows_are_read_again_for_another_version() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let mut conn = reference_database(&dir);
        let kept = ReferenceRows::default();
        let mexico = CountryLookup::Code("MEX".to_owned());
        let name = |conn: &mut DbConnection, versions| {
            Reading::current(conn, &kept, versions)
                .country(&mexico)
                .expect("read")
                .map(|row| row.name)
        };
        let before = name(&mut conn, VERSIONS);
        conn.batch_execute(
            "UPDATE countries SET name = 'Estados Unidos Mexicanos' WHERE code = 'MEX'",
        )
        .expect("renamed");
        assert_eq!(
            name(&mut conn, VERSIONS),
            before,
            "the same version is kept"
        );
        let next = ReferenceVersions {
            countries: Some(2),
            ..VERSIONS
        };
        assert_eq!(
            name(&mut conn, next).as_deref(),
            Some("Estados Unidos Mexicanos"),
            "another version is read"
        );
        let unknown = ReferenceVersions {
            countries: None,
            ..VERSIONS
        };
        assert_eq!(
            name(&mut conn, unknown).as_deref(),
            Some("Estados Unidos Mexicanos"),
            "a dataset not in the catalogue is read from its table"
        );
    }
}
