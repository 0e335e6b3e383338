use diesel::prelude::*;
use diesel::sql_types::Text;
use trilateral::db::{self, DbConnection};

use crate::backend_test;
use crate::helpers::TestApp;

#[derive(QueryableByName)]
struct TableName {
    #[diesel(sql_type = Text)]
    name: String,
}

/// The application's tables, leaving out the migration bookkeeping and SQLite internals.
fn tables(conn: &mut DbConnection) -> Vec<String> {
    let sql = match conn.backend() {
        db::Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') \
             AND name NOT LIKE 'sqlite_%' AND name <> '__diesel_schema_migrations' ORDER BY name"
        }
        db::Backend::Postgres => {
            "SELECT table_name AS name FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_name <> '__diesel_schema_migrations' ORDER BY table_name"
        }
    };
    diesel::sql_query(sql)
        .load::<TableName>(conn)
        .expect("list tables")
        .into_iter()
        .map(|t| t.name)
        .collect()
}

backend_test! {
    async fn every_migration_reverts_cleanly_and_applies_again(app: TestApp) {
        let pool = db::connect(&app.db.url, app.db.config().pool_options()).expect("connect");
        let mut conn = pool.manager().connect_to_serve().expect("connection");
        let migrated = tables(&mut conn);
        assert!(migrated.contains(&"countries".to_owned()), "{migrated:?}");

        let reverted = db::revert_all_migrations(&mut conn).expect("revert all");
        assert!(!reverted.is_empty());
        assert_eq!(tables(&mut conn), Vec::<String>::new(), "down.sql left tables behind");

        let applied = db::run_migrations(&mut conn).expect("apply again");
        assert_eq!(applied.len(), reverted.len());
        assert_eq!(tables(&mut conn), migrated);
    }
}

backend_test! {
    async fn a_restart_keeps_the_loaded_data_and_its_version(app: TestApp) {
        let before = app.get("/v1/countries/mx").await.json();

        // A second replica starting against the same database (off the runtime that serves `app`).
        let config = app.db.config();
        actix_web::rt::task::spawn_blocking(move || trilateral::prepare_database(&config))
            .await
            .expect("start-up thread")
            .expect("second start");

        let after = app.get("/v1/countries/mx").await.json();
        assert_eq!(before["meta"]["dataset"], after["meta"]["dataset"]);
        assert_eq!(after["meta"]["dataset"]["version"], 1);
    }
}

#[derive(QueryableByName)]
struct Parties {
    #[diesel(sql_type = Text)]
    parties: String,
}

#[derive(QueryableByName)]
struct TextColumns {
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    languages: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    text_available: bool,
}

backend_test! {
    async fn the_party_table_keeps_every_treatys_parties_in_order_across_the_migration(app: TestApp) {
        let before = app.get("/v1/treaties/tpp").await.json();
        let pool = db::connect(&app.db.url, app.db.config().pool_options()).expect("connect");
        let mut conn = pool.manager().connect_to_serve().expect("connection");

        // Back to the `;`-joined column the parties lived in before their table, data and all.
        // (Newer migrations are reverted first, down to the one that made the table.)
        let mut reverted = Vec::new();
        while !reverted.last().is_some_and(|v: &String| v.ends_with("000008")) {
            reverted.push(db::revert_last_migration(&mut conn).expect("revert"));
            assert!(reverted.len() < 20, "no migration 000008 among {reverted:?}");
        }
        let joined = diesel::sql_query("SELECT parties FROM treaties WHERE id = 'nafta'")
            .get_result::<Parties>(&mut conn)
            .expect("parties column");
        assert_eq!(joined.parties, "CAN;MEX;USA");
        // The text languages went back into the record, as its provisions have them.
        let text = diesel::sql_query("SELECT languages, text_available FROM treaties WHERE id = 'tpp'")
            .get_result::<TextColumns>(&mut conn)
            .expect("text columns");
        assert_eq!((text.languages.as_deref(), text.text_available), (Some("en;es"), true));

        db::run_migrations(&mut conn).expect("apply again");
        // Another query string, so that the answer is read afresh rather than from the memo.
        let after = app.get("/v1/treaties/tpp?format=json").await.json();
        assert_eq!(after["data"]["parties"], before["data"]["parties"]);
        assert_eq!(after["data"]["signed"], before["data"]["signed"]);
        assert_eq!(after["data"]["parties"].as_array().map(Vec::len), Some(12));
        let mexican = app.get("/v1/treaties?party=mex").await.json();
        let ids: Vec<&str> = mexican["data"]
            .as_array()
            .expect("treaties")
            .iter()
            .filter_map(|t| t["id"].as_str())
            .collect();
        assert!(ids.contains(&"nafta") && ids.contains(&"tpp"), "{ids:?}");
        assert!(!ids.contains(&"cusfta"), "{ids:?}");
    }
}

backend_test! {
    async fn a_flow_may_sit_in_two_datasets_and_the_revert_refuses_to_lose_one(app: TestApp) {
        use trilateral::import::command::{ImportKind, import};
        let pool = db::connect(&app.db.url, app.db.config().pool_options()).expect("connect");
        let mut conn = pool.manager().connect_to_serve().expect("connection");
        let csv = "reporter,partner,flow,period,classification,product_code,value_usd,source_id\n\
                   USA,JPN,export,2023,H6,TOTAL,1,un_comtrade_api\n";
        let import_into = |conn: &mut DbConnection, dataset| import(conn, ImportKind::Csv, "f.csv", csv.as_bytes(), Some(dataset), None);
        import_into(&mut conn, "copy_a").expect("first dataset");
        import_into(&mut conn, "copy_b").expect("the same flow in a second dataset");
        // The migrations after 000012 (on Postgres, the search's tsquery aggregate) keep none of
        // these rows: they come off first, and back with the rest at the end.
        while !db::latest_applied_migration(&mut conn)
            .expect("migrations read")
            .is_some_and(|version| version.ends_with("000012"))
        {
            db::revert_last_migration(&mut conn).expect("newer migration reverted");
        }

        // Back to one dataset per flow: refused while two datasets share one, changing nothing.
        let refused = db::revert_last_migration(&mut conn);
        assert!(refused.is_err(), "{refused:?}");
        let latest = db::latest_applied_migration(&mut conn).expect("migrations read");
        assert!(latest.is_some_and(|version| version.ends_with("000012")));

        diesel::sql_query("DELETE FROM trade_flows WHERE dataset_id = 'copy_b'")
            .execute(&mut conn)
            .expect("second copy deleted");
        let reverted = db::revert_last_migration(&mut conn).expect("revert");
        assert!(reverted.ends_with("000012"), "{reverted}");
        assert!(import_into(&mut conn, "copy_b").is_err(), "the old key holds again");

        db::run_migrations(&mut conn).expect("apply again");
        import_into(&mut conn, "copy_b").expect("and the new one again");
    }
}
