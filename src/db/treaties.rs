//! Treaties, chapters, provisions and coverage flags, and the full-text search over provisions:
//! FTS5 on SQLite, a tsvector with a GIN index on Postgres, behind one function.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Double, Nullable, Text};
use serde::Serialize;
use utoipa::ToSchema;

use super::reused_sql::{Bind, ReusedSql, one_of};
use super::schema::{
    provision_topics, provisions, treaties, treaty_chapters, treaty_coverage, treaty_parties,
};
use super::{Backend, DbConnection};
use crate::domain::ids::TreatyId;
use crate::domain::search::Term;
use crate::domain::treaty::{Lang, stored_topics};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = treaties)]
#[diesel(treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct TreatyRow {
    pub id: String,
    pub dataset_id: String,
    pub name: String,
    pub other_names: Option<String>,
    pub kind: Option<String>,
    pub status: Option<String>,
    pub date_signed: Option<NaiveDate>,
    pub date_in_force: Option<NaiveDate>,
    pub date_terminated: Option<NaiveDate>,
    pub supersedes: Option<String>,
    pub superseded_by: Option<String>,
    pub side_agreement_of: Option<String>,
    pub subject_topics: Option<String>,
    pub official_text_url: Option<String>,
    pub tota_ids: Option<String>,
    pub wto_rta_id: Option<String>,
    pub wb_dta_id: Option<String>,
    pub note: Option<String>,
    pub source_id: String,
    pub date_suspended: Option<NaiveDate>,
}

/// A treaty's record with its original parties (ISO alpha-3), in the order the record lists them,
/// and the languages its text is loaded in (none where no text is), as its provisions have them.
#[derive(Debug, Clone, PartialEq)]
pub struct Treaty {
    pub record: TreatyRow,
    pub parties: Vec<String>,
    pub languages: Vec<Lang>,
}

impl Treaty {
    pub fn text_available(&self) -> bool {
        !self.languages.is_empty()
    }
}

/// One original party of one treaty.
#[derive(Debug, Clone, PartialEq, Insertable)]
#[diesel(table_name = treaty_parties)]
#[diesel(treat_none_as_default_value = false)]
struct TreatyPartyRow {
    treaty_id: String,
    party: String,
    position: i32,
}

/// One topic of one provision, the row topic filters read.
#[derive(Debug, Clone, PartialEq, Insertable)]
#[diesel(table_name = provision_topics)]
#[diesel(treat_none_as_default_value = false)]
struct ProvisionTopicRow {
    provision_id: i64,
    topic: String,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = treaty_chapters)]
#[diesel(treat_none_as_default_value = false)]
pub struct ChapterRow {
    pub treaty_id: String,
    pub dataset_id: String,
    pub lang: Lang,
    pub number: String,
    pub position: i32,
    pub title: String,
    pub topics: String,
    pub article_count: i32,
}

/// A provision as stored: also a row of its treaty dataset's canonical table (`db::canonical`).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, Serialize, ToSchema)]
#[diesel(table_name = provisions)]
#[diesel(treat_none_as_default_value = false)]
pub struct ProvisionRow {
    pub id: i64,
    pub treaty_id: String,
    pub dataset_id: String,
    pub lang: Lang,
    pub article: String,
    pub chapter: String,
    pub position: i32,
    pub heading: Option<String>,
    pub text: String,
    pub topics: String,
    pub tota_id: Option<String>,
    pub source_id: String,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = treaty_coverage)]
#[diesel(treat_none_as_default_value = false)]
pub struct CoverageRow {
    pub treaty_id: String,
    pub exporter: String,
    pub importer: String,
    pub year: i32,
    pub provision: String,
    pub value: i32,
    pub source_id: String,
}

/// Every treaty, ordered by id.
pub fn list(conn: &mut DbConnection) -> QueryResult<Vec<Treaty>> {
    let records = treaties::table
        .order(treaties::id)
        .select(TreatyRow::as_select())
        .load(conn)?;
    let mut parties = grouped(
        treaty_parties::table
            .order((treaty_parties::treaty_id, treaty_parties::position))
            .select((treaty_parties::treaty_id, treaty_parties::party))
            .load::<(String, String)>(conn)?,
    );
    let mut languages = grouped(
        provisions::table
            .select((provisions::treaty_id, provisions::lang))
            .distinct()
            .order((provisions::treaty_id, provisions::lang))
            .load::<(String, Lang)>(conn)?,
    );
    Ok(records
        .into_iter()
        .map(|record| Treaty {
            parties: parties.remove(&record.id).unwrap_or_default(),
            languages: languages.remove(&record.id).unwrap_or_default(),
            record,
        })
        .collect())
}

/// Values by treaty id, in the order read.
fn grouped<T>(rows: Vec<(String, T)>) -> BTreeMap<String, Vec<T>> {
    let mut groups: BTreeMap<String, Vec<T>> = BTreeMap::new();
    for (treaty_id, value) in rows {
        groups.entry(treaty_id).or_default().push(value);
    }
    groups
}

/// One treaty by id.
pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<Treaty>> {
    let Some(record) = treaties::table
        .find(id)
        .select(TreatyRow::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let parties = treaty_parties::table
        .filter(treaty_parties::treaty_id.eq(id))
        .order(treaty_parties::position)
        .select(treaty_parties::party)
        .load(conn)?;
    Ok(Some(Treaty {
        record,
        parties,
        languages: languages(conn, id)?,
    }))
}

pub fn chapters(
    conn: &mut DbConnection,
    treaty_id: &str,
    lang: Lang,
) -> QueryResult<Vec<ChapterRow>> {
    treaty_chapters::table
        .filter(treaty_chapters::treaty_id.eq(treaty_id))
        .filter(treaty_chapters::lang.eq(lang))
        .order(treaty_chapters::position)
        .select(ChapterRow::as_select())
        .load(conn)
}

/// A treaty's provisions in one language, in document order, optionally of one chapter and topic.
#[tracing::instrument(level = "debug", skip(conn))]
pub fn provisions(
    conn: &mut DbConnection,
    treaty_id: &str,
    lang: Lang,
    chapter: Option<&str>,
    topic: Option<&str>,
) -> QueryResult<Vec<ProvisionRow>> {
    let mut query = provisions::table
        .filter(provisions::treaty_id.eq(treaty_id.to_owned()))
        .filter(provisions::lang.eq(lang))
        .order(provisions::position)
        .select(ProvisionRow::as_select())
        .into_boxed();
    if let Some(chapter) = chapter {
        query = query.filter(provisions::chapter.eq(chapter.to_owned()));
    }
    if let Some(topic) = topic {
        query = query.filter(
            provisions::id.eq_any(
                provision_topics::table
                    .filter(provision_topics::topic.eq(topic.to_owned()))
                    .select(provision_topics::provision_id),
            ),
        );
    }
    query.load(conn)
}

pub fn provision(
    conn: &mut DbConnection,
    treaty_id: &str,
    lang: Lang,
    article: &str,
) -> QueryResult<Option<ProvisionRow>> {
    provisions::table
        .filter(provisions::treaty_id.eq(treaty_id))
        .filter(provisions::lang.eq(lang))
        .filter(provisions::article.eq(article))
        .select(ProvisionRow::as_select())
        .first(conn)
        .optional()
}

/// The sources of a treaty's text in one language (the ToTA corpus, or an operator's import).
pub fn text_sources(
    conn: &mut DbConnection,
    treaty_id: &str,
    lang: Lang,
) -> QueryResult<Vec<String>> {
    provisions::table
        .filter(provisions::treaty_id.eq(treaty_id))
        .filter(provisions::lang.eq(lang))
        .select(provisions::source_id)
        .distinct()
        .order(provisions::source_id)
        .load(conn)
}

/// The languages a treaty's text is loaded in.
pub fn languages(conn: &mut DbConnection, treaty_id: &str) -> QueryResult<Vec<Lang>> {
    provisions::table
        .filter(provisions::treaty_id.eq(treaty_id))
        .select(provisions::lang)
        .distinct()
        .order(provisions::lang)
        .load(conn)
}

pub fn coverage(conn: &mut DbConnection, treaty_id: &str) -> QueryResult<Vec<CoverageRow>> {
    treaty_coverage::table
        .filter(treaty_coverage::treaty_id.eq(treaty_id))
        .order((
            treaty_coverage::year,
            treaty_coverage::exporter,
            treaty_coverage::importer,
            treaty_coverage::provision,
        ))
        .select(CoverageRow::as_select())
        .load(conn)
}

/// The dataset that holds a treaty's text in a language, if any does.
pub fn text_owner(
    conn: &mut DbConnection,
    treaty_id: &str,
    lang: Lang,
) -> QueryResult<Option<String>> {
    provisions::table
        .filter(provisions::treaty_id.eq(treaty_id))
        .filter(provisions::lang.eq(lang))
        .select(provisions::dataset_id)
        .first(conn)
        .optional()
}

/// The largest provision id in use.
pub fn max_provision_id(conn: &mut DbConnection) -> QueryResult<i64> {
    provisions::table
        .select(diesel::dsl::max(provisions::id))
        .first::<Option<i64>>(conn)
        .map(|max| max.unwrap_or(0))
}

/// Replaces a dataset's treaties, chapters, provisions and coverage; then brings the SQLite
/// full-text index up to date (Postgres keeps its tsvector column current by itself).
pub fn replace_dataset(
    conn: &mut DbConnection,
    dataset_id: &str,
    treaties: &[Treaty],
    chapter_rows: &[ChapterRow],
    provision_rows: &[ProvisionRow],
    coverage_rows: &[CoverageRow],
) -> QueryResult<()> {
    let owned = || {
        treaties::table
            .filter(treaties::dataset_id.eq(dataset_id))
            .select(treaties::id)
    };
    diesel::delete(treaty_coverage::table.filter(treaty_coverage::treaty_id.eq_any(owned())))
        .execute(conn)?;
    diesel::delete(treaty_parties::table.filter(treaty_parties::treaty_id.eq_any(owned())))
        .execute(conn)?;
    let replaced = provisions::table
        .filter(provisions::dataset_id.eq(dataset_id))
        .select(provisions::id);
    diesel::delete(provision_topics::table.filter(provision_topics::provision_id.eq_any(replaced)))
        .execute(conn)?;
    diesel::delete(provisions::table.filter(provisions::dataset_id.eq(dataset_id)))
        .execute(conn)?;
    diesel::delete(treaty_chapters::table.filter(treaty_chapters::dataset_id.eq(dataset_id)))
        .execute(conn)?;
    replace_records(conn, dataset_id, treaties)?;
    // A party is listed once (the table's key), at its first place: some ToTA records repeat one.
    let party_rows: Vec<TreatyPartyRow> = treaties
        .iter()
        .flat_map(|t| {
            let mut seen = std::collections::HashSet::new();
            let parties = t.parties.iter().filter(move |party| seen.insert(*party));
            (0..).zip(parties).map(|(position, party)| TreatyPartyRow {
                treaty_id: t.record.id.clone(),
                party: party.clone(),
                position,
            })
        })
        .collect();
    super::insert_rows!(conn, treaty_parties::table, party_rows.as_slice())?;
    super::insert_rows!(conn, treaty_chapters::table, chapter_rows)?;
    super::insert_rows!(conn, provisions::table, provision_rows)?;
    let topic_rows: Vec<ProvisionTopicRow> = provision_rows
        .iter()
        .flat_map(|p| {
            stored_topics(&p.topics)
                .into_iter()
                .map(|topic| ProvisionTopicRow {
                    provision_id: p.id,
                    topic,
                })
        })
        .collect();
    super::insert_rows!(conn, provision_topics::table, topic_rows.as_slice())?;
    super::insert_rows!(conn, treaty_coverage::table, coverage_rows)?;
    refresh_search_index(conn)
}

/// Writes a dataset's treaty records in place of its earlier ones. A record that stays is
/// updated rather than deleted and inserted again: texts and chapters other datasets loaded for
/// it refer to it, and must neither block the reload nor lose their treaty.
fn replace_records(
    conn: &mut DbConnection,
    dataset_id: &str,
    treaties: &[Treaty],
) -> QueryResult<()> {
    let kept: Vec<&str> = treaties.iter().map(|t| t.record.id.as_str()).collect();
    diesel::delete(
        treaties::table
            .filter(treaties::dataset_id.eq(dataset_id))
            .filter(treaties::id.ne_all(&kept)),
    )
    .execute(conn)?;
    let mut new_rows = Vec::new();
    for treaty in treaties {
        let record = &treaty.record;
        // Only this dataset's own records: an id another dataset holds stays its, and the insert
        // below refuses the clash instead of taking the record over.
        let owned = treaties::table
            .find(&record.id)
            .filter(treaties::dataset_id.eq(dataset_id));
        let updated = diesel::update(owned).set(record).execute(conn)?;
        if updated == 0 {
            new_rows.push(record.clone());
        }
    }
    super::insert_rows!(conn, treaties::table, new_rows.as_slice())?;
    Ok(())
}

/// Rebuilds the SQLite FTS5 index from the provisions table (a no-op on Postgres).
pub fn refresh_search_index(conn: &mut DbConnection) -> QueryResult<()> {
    if let DbConnection::Sqlite(sqlite) = conn {
        sqlite.batch_execute("INSERT INTO provisions_fts (provisions_fts) VALUES ('rebuild')")?;
    }
    Ok(())
}

/// Filters of a search besides the query itself.
#[derive(Debug, Clone, Default)]
pub struct SearchFilter {
    pub treaties: Vec<TreatyId>,
    pub lang: Option<Lang>,
    pub topic: Option<String>,
    pub limit: i64,
    /// How many of the best matches to pass over (the pages before this one).
    pub offset: i64,
}

/// A ranked match.
#[derive(Debug, Clone, QueryableByName)]
pub struct SearchHit {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Text)]
    pub treaty_id: String,
    #[diesel(sql_type = Text)]
    pub lang: Lang,
    #[diesel(sql_type = Text)]
    pub article: String,
    #[diesel(sql_type = Text)]
    pub chapter: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub heading: Option<String>,
    #[diesel(sql_type = Text)]
    pub topics: String,
    #[diesel(sql_type = Text)]
    pub source_id: String,
    /// The full text, from which the answer's snippet is cut.
    #[diesel(sql_type = Text)]
    pub text: String,
    /// Higher is better. bm25 on SQLite (negated), ts_rank_cd on Postgres: comparable within an
    /// answer, not across backends.
    #[diesel(sql_type = Double)]
    pub score: f64,
}

/// The FTS5 form of a query: every term must match; words and prefixes as quoted tokens.
fn fts5_expression(terms: &[Term]) -> String {
    terms
        .iter()
        .map(|term| match term {
            Term::Word(word) => format!("\"{word}\""),
            Term::Phrase(words) => format!("\"{}\"", words.join(" ")),
            Term::Prefix(stem) => format!("\"{stem}\"*"),
        })
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// The terms of a search as Postgres gets them: their kinds and values as two parallel arrays,
/// which the statement turns into one tsquery per language (`tsquery_and_agg`), so that the SQL
/// text is the same for any number and mix of terms.
fn pg_terms(terms: &[Term]) -> [Bind; 2] {
    let (kinds, values) = terms
        .iter()
        .map(|term| match term {
            Term::Word(word) => ("word".to_owned(), word.clone()),
            Term::Phrase(words) => ("phrase".to_owned(), words.join(" ")),
            Term::Prefix(stem) => ("prefix".to_owned(), format!("{stem}:*")),
        })
        .unzip();
    [Bind::TextArray(kinds), Bind::TextArray(values)]
}

/// The tsquery of the terms (`pg_terms`, in CTE `terms`) in text search configuration `config`:
/// the conjunction of each term's query, in term order.
fn pg_tsquery(config: &str) -> String {
    format!(
        "(SELECT tsquery_and_agg(CASE t.kind \
         WHEN 'phrase' THEN phraseto_tsquery('{config}', t.value) \
         WHEN 'prefix' THEN to_tsquery('{config}', t.value) \
         ELSE plainto_tsquery('{config}', t.value) END ORDER BY t.n) FROM terms t)"
    )
}

/// The Postgres common table expressions a search's conditions read its tsqueries from: each
/// computed once per statement, whatever the number of rows it is compared with.
const PG_QUERIES: &str = "WITH terms AS (SELECT * FROM unnest(?::text[], ?::text[]) \
     WITH ORDINALITY AS t (kind, value, n)), query AS (SELECT ";

/// The columns of a `SearchHit` besides its score, from `provisions p`.
const HIT_COLUMNS: &str =
    "p.id, p.treaty_id, p.lang, p.article, p.chapter, p.heading, p.topics, p.source_id, p.text";

/// One page of a search: the matches in it and how many there are in all.
#[derive(Debug, Clone)]
pub struct SearchPage {
    pub hits: Vec<SearchHit>,
    pub total: i64,
}

/// A hit with the number of matches in all, which every row of a page carries where the page
/// statement counts them (`SearchSql::counted_in_page`).
#[derive(QueryableByName)]
struct PageRow {
    #[diesel(embed)]
    hit: SearchHit,
    #[diesel(sql_type = Nullable<BigInt>)]
    total: Option<i64>,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    count: i64,
}

/// The statements of a search on one backend: `with` comes before the query, `matches` is the
/// `FROM … WHERE …` of the matching provisions (aliased `p`), `binds` those of both.
struct SearchSql {
    with: String,
    matches: String,
    score: String,
    /// Byte order on Postgres, as SQLite compares, whatever the database's collation.
    collate: &'static str,
    binds: Vec<Bind>,
    /// Whether the page statement counts the matches too (a window over them), or a statement
    /// of its own does. Measured: on Postgres one statement spares a round trip and a second
    /// scan of the matches; on SQLite counting apart is faster (344 against 503 µs for a search
    /// with 146 matches), since FTS5 counts without ranking.
    counted_in_page: bool,
}

impl SearchSql {
    fn of(backend: Backend, terms: &[Term], filter: &SearchFilter) -> Self {
        let mut conditions = Vec::new();
        let mut search = match backend {
            Backend::Sqlite => {
                conditions.push("provisions_fts MATCH ?".to_owned());
                SearchSql {
                    with: String::new(),
                    matches: "provisions_fts JOIN provisions p ON p.id = provisions_fts.rowid"
                        .to_owned(),
                    score: "-bm25(provisions_fts, 5.0, 1.0)".to_owned(),
                    collate: "",
                    binds: vec![Bind::Text(fts5_expression(terms))],
                    counted_in_page: false,
                }
            }
            Backend::Postgres => {
                let (english, spanish) = (pg_tsquery("english"), pg_tsquery("spanish"));
                // Two index conditions rather than one whose query depends on the row's
                // language, which the GIN index could not answer.
                conditions.push(
                    "((p.lang = 'es' AND p.search @@ (SELECT spanish FROM query)) \
                     OR (p.lang <> 'es' AND p.search @@ (SELECT english FROM query)))"
                        .to_owned(),
                );
                SearchSql {
                    with: format!("{PG_QUERIES}{english} AS english, {spanish} AS spanish) "),
                    matches: "provisions p".to_owned(),
                    score: "ts_rank_cd(p.search, CASE p.lang WHEN 'es' THEN \
                            (SELECT spanish FROM query) ELSE (SELECT english FROM query) END)::float8"
                        .to_owned(),
                    collate: "COLLATE \"C\"",
                    binds: pg_terms(terms).into(),
                    counted_in_page: true,
                }
            }
        };
        push_filters(backend, filter, &mut conditions, &mut search.binds);
        search.matches = format!("{} WHERE {}", search.matches, conditions.join(" AND "));
        search
    }

    /// The best `limit` matches from `offset` on, with the number of matches in all where
    /// `counted_in_page`.
    fn page(&self, limit: i64, offset: i64) -> ReusedSql {
        let SearchSql {
            with,
            matches,
            score,
            collate,
            binds,
            counted_in_page,
        } = self;
        let total = if *counted_in_page {
            "COUNT(*) OVER ()"
        } else {
            "NULL"
        };
        let mut binds = binds.clone();
        binds.extend([Bind::BigInt(limit), Bind::BigInt(offset)]);
        ReusedSql {
            sql: format!(
                "{with}SELECT {HIT_COLUMNS}, ranked.score, ranked.total FROM \
                 (SELECT p.id, {score} AS score, {total} AS total FROM {matches} \
                 ORDER BY score DESC, p.treaty_id {collate}, p.position, p.lang {collate} \
                 LIMIT ? OFFSET ?) AS ranked \
                 JOIN provisions p ON p.id = ranked.id \
                 ORDER BY ranked.score DESC, p.treaty_id {collate}, p.position, p.lang {collate}"
            ),
            binds,
        }
    }

    fn count(&self) -> ReusedSql {
        ReusedSql {
            sql: format!(
                "{}SELECT COUNT(*) AS count FROM {}",
                self.with, self.matches
            ),
            binds: self.binds.clone(),
        }
    }
}

/// Ranked provisions matching every term, best first; ties in document order (treaty, position
/// in the text, language), the same on both backends. `limit` of them from `offset` on. The SQL
/// text takes as few shapes as there are combinations of filters, so that each connection
/// prepares its statements once.
#[tracing::instrument(level = "debug", skip_all)]
pub fn search(
    conn: &mut DbConnection,
    terms: &[Term],
    filter: &SearchFilter,
) -> QueryResult<SearchPage> {
    let search = SearchSql::of(conn.backend(), terms, filter);
    let page = search.page(filter.limit, filter.offset);
    let rows: Vec<PageRow> = page.load_rows(conn)?;
    let total = match rows.first() {
        Some(PageRow {
            total: Some(total), ..
        }) => *total,
        // No rows past the last match (and none at all when nothing matches).
        None if filter.offset == 0 => 0,
        _ => search
            .count()
            .load_rows::<Count>(conn)?
            .first()
            .map_or(0, |counted| counted.count),
    };
    Ok(SearchPage {
        hits: rows.into_iter().map(|row| row.hit).collect(),
        total,
    })
}

/// Adds the treaty, language and topic conditions of `filter` with their binds. The treaties
/// are one bind, a list, so that their number does not change the SQL text.
fn push_filters(
    backend: Backend,
    filter: &SearchFilter,
    conditions: &mut Vec<String>,
    binds: &mut Vec<Bind>,
) {
    if !filter.treaties.is_empty() {
        let treaties = filter.treaties.iter().map(ToString::to_string).collect();
        let (condition, bind) = one_of(backend, "p.treaty_id", treaties);
        conditions.push(condition);
        binds.push(bind);
    }
    if let Some(lang) = filter.lang {
        conditions.push("p.lang = ?".to_owned());
        binds.push(Bind::Text(lang.as_str().to_owned()));
    }
    if let Some(topic) = &filter.topic {
        conditions
            .push("p.id IN (SELECT provision_id FROM provision_topics WHERE topic = ?)".to_owned());
        binds.push(Bind::Text(topic.clone()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::search::parse;

    fn page_sql(backend: Backend, query: &str, treaties: &[&str]) -> String {
        let filter = SearchFilter {
            treaties: treaties
                .iter()
                .map(|t| TreatyId::parse(t).expect("treaty id"))
                .collect(),
            limit: 20,
            offset: 0,
            ..SearchFilter::default()
        };
        SearchSql::of(backend, &parse(query).expect("query"), &filter)
            .page(filter.limit, filter.offset)
            .sql
    }

    /// Each distinct SQL text is a statement every pooled connection prepares and keeps, so
    /// queries must not make new ones.
    #[test]
    fn the_sql_text_does_not_depend_on_the_terms_or_the_number_of_treaties() {
        for backend in [Backend::Sqlite, Backend::Postgres] {
            let one = page_sql(backend, "labour", &["nafta"]);
            for (query, treaties) in [
                ("minimum wage", &["nafta", "tpp"][..]),
                (
                    r#"labo* "forced labour" rights"#,
                    &["tpp", "cptpp", "usmca"][..],
                ),
            ] {
                assert_eq!(
                    page_sql(backend, query, treaties),
                    one,
                    "{backend:?} {query}"
                );
            }
            assert!(!one.contains("labour"), "{one}");
        }
    }
}
