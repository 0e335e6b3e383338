use diesel::RunQueryDsl;
use serde_json::Value;
use trilateral::db;
use trilateral::import::command::{ImportKind, import};

use crate::backend_test;
use crate::helpers::TestApp;

fn ids(body: &Value) -> Vec<String> {
    body["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|r| r["id"].as_str().expect("id").to_owned())
        .collect()
}

backend_test! {
    async fn searching_forced_labour_finds_tpp_19_6_and_19_3_with_snippets(app: TestApp) {
        let body = app.get("/v1/provisions/search?q=forced%20labour&limit=5").await.json();

        let results = body["data"].as_array().expect("data");
        let found = ids(&body);
        assert!(found.contains(&"tpp:19.6".to_owned()), "{found:?}");
        assert!(found.contains(&"tpp:19.3".to_owned()), "{found:?}");
        for result in results {
            let snippet = result["snippet"].as_str().expect("snippet").to_lowercase();
            assert!(snippet.contains("<mark>forced</mark>") || snippet.contains("<mark>labour</mark>"), "{snippet}");
        }
        let six = results.iter().find(|r| r["id"] == "tpp:19.6").expect("19.6");
        assert_eq!(six["heading"], "Forced Or Compulsory Labour");
        let scores: Vec<f64> = results.iter().map(|r| r["score"].as_f64().expect("score")).collect();
        assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
        let licence = body["meta"]["sources"][0]["licence"].as_str().expect("licence");
        assert_eq!(licence, "CC BY-NC 4.0");
    }
}

backend_test! {
    /// Pages followed through `links.next` give exactly the ranking one large page gives, and
    /// `meta.total` counts it; equal scores come in document order, treaty by treaty.
    async fn search_pages_through_every_match_in_one_stable_order(app: TestApp) {
        let whole = app.get("/v1/provisions/search?q=labour&limit=100").await.json();
        let total = whole["meta"]["total"].as_u64().expect("a total");
        assert!(total > 14 && total <= 100, "{total} matches");
        assert_eq!(whole["links"].get("next"), None);

        let mut paged = Vec::new();
        let mut next = Some("/v1/provisions/search?q=labour&limit=7".to_owned());
        while let Some(target) = next {
            let page = app.get(&target).await;
            assert_eq!(page.status, 200, "{target}");
            let body = page.json();
            assert_eq!(body["meta"]["total"].as_u64(), Some(total), "{target}");
            next = body["links"]["next"].as_str().map(str::to_owned);
            if let Some(next) = &next {
                let link = format!("<{next}>; rel=\"next\"");
                assert!(page.headers.get_all("link").any(|l| l.to_str().ok() == Some(link.as_str())), "{target}");
                assert!(next.contains("offset="), "{next}");
            }
            paged.extend(ids(&body));
        }
        assert_eq!(paged, ids(&whole));

        let results = whole["data"].as_array().expect("data");
        for pair in results.windows(2) {
            if pair[0]["score"] == pair[1]["score"] {
                assert!(pair[0]["treaty_id"].as_str() <= pair[1]["treaty_id"].as_str(), "{pair:?}");
            }
        }
        let ranks: Vec<u64> = results.iter().filter_map(|r| r["rank"].as_u64()).collect();
        assert_eq!(ranks, (1..=total).collect::<Vec<_>>());

        let csv = app.get("/v1/provisions/search?q=labour&limit=7&format=csv").await;
        let links: Vec<&str> = csv.headers.get_all("link").filter_map(|l| l.to_str().ok()).collect();
        assert!(links.contains(&"</v1/provisions/search?q=labour&limit=7&format=csv&offset=7>; rel=\"next\""), "{links:?}");
        app.get("/v1/provisions/search?q=labour&offset=10001").await.problem(400, "invalid-parameter");
    }
}

backend_test! {
    async fn the_search_syntax_is_one_for_both_backends(app: TestApp) {
        let phrase = app.get("/v1/provisions/search?q=%22compulsory%20labour%22&treaties=tpp&lang=en").await.json();
        assert!(ids(&phrase).contains(&"tpp:19.6".to_owned()));
        let prefix = app.get("/v1/provisions/search?q=arbitra*&treaties=nafta&limit=3").await.json();
        assert_eq!(prefix["data"].as_array().expect("data").len(), 3);
        let spanish = app.get("/v1/provisions/search?q=trabajo%20forzoso&lang=es&limit=5").await.json();
        assert!(ids(&spanish).contains(&"tpp:19.6".to_owned()), "{:?}", ids(&spanish));
        let topic = app.get("/v1/provisions/search?q=labour&topic=labour&limit=100").await.json();
        assert!(topic["data"].as_array().expect("data").iter().all(|r| r["topics"].as_array().expect("topics").contains(&"labour".into())));

        for q in ["%22open", "labour%20OR%20(forced)", "%00", "a:b", "", "l*"] {
            let problem = app.get(&format!("/v1/provisions/search?q={q}")).await.problem(400, "invalid-parameter");
            assert_eq!(problem["param"], "q", "{q}");
        }
        app.get("/v1/provisions/search?q=labour&topic=weather").await.problem(400, "invalid-parameter");
        app.get("/v1/provisions/search?q=labour&limit=0").await.problem(400, "invalid-parameter");
        app.get("/v1/provisions/search?q=labour&treaties=TPP").await.problem(400, "invalid-parameter");
    }
}

backend_test! {
    async fn tpp_19_3_comes_back_in_spanish(app: TestApp) {
        for path in ["/v1/treaties/tpp/provisions/19.3?lang=es", "/v1/treaties/tpp/provisions/tpp:19.3?lang=es"] {
            let body = app.get(path).await.json();
            let article = &body["data"];
            assert_eq!(article["id"], "tpp:19.3");
            assert_eq!(article["lang"], "es");
            assert_eq!(article["heading"], "Derechos Laborales");
            assert!(article["text"].as_str().expect("text").starts_with("1. Cada Parte adoptará"));
        }
        let english = app.get("/v1/treaties/tpp/provisions/19.3").await.json();
        assert_eq!(english["data"]["heading"], "Labour Rights");
        app.get("/v1/treaties/nafta/provisions/1901?lang=es").await.problem(404, "text-not-available");
        app.get("/v1/treaties/tpp/provisions/99.9").await.problem(404, "unknown-article");
        app.get("/v1/treaties/nafta/provisions/1901").await;
        assert_eq!(app.get("/v1/treaties/nafta/provisions/1901").await.json()["data"]["chapter"], "19");
    }
}

backend_test! {
    async fn a_stable_id_of_another_treaty_is_not_found_and_points_to_its_article(app: TestApp) {
        let problem = app.get("/v1/treaties/tpp/provisions/nafta:1901").await.problem(404, "unknown-article");
        assert_eq!(problem["param"], "article");
        let address = problem["help"].as_str().expect("help");
        assert_eq!(address, "/v1/treaties/nafta/provisions/1901");
        assert_eq!(app.get(address).await.json()["data"]["id"], "nafta:1901");
        // An id of the wrong shape is refused for its shape, whatever the treaty it names.
        for article in ["NAFTA:1901", "nafta:19%2001", "nafta:"] {
            let path = format!("/v1/treaties/tpp/provisions/{article}");
            let problem = app.get(&path).await.problem(400, "invalid-parameter");
            assert_eq!(problem["param"], "article", "{article}");
        }
    }
}

backend_test! {
    async fn comparing_labour_lists_tpp_chapter_19_and_explains_the_others(app: TestApp) {
        let body = app.get("/v1/provisions/compare?topic=labour&treaties=nafta,naalc,tpp,usmca").await.json();

        let treaties = body["data"].as_array().expect("data");
        let order: Vec<&str> = treaties.iter().map(|t| t["treaty_id"].as_str().expect("id")).collect();
        assert_eq!(order, ["nafta", "naalc", "tpp", "usmca"]);
        let tpp = &treaties[2];
        let articles: Vec<&str> = tpp["provisions"].as_array().expect("provisions").iter().map(|p| p["article"].as_str().expect("a")).collect();
        for n in 1..=15 {
            assert!(articles.contains(&format!("19.{n}").as_str()), "19.{n} missing: {articles:?}");
        }
        assert!(tpp["reason"].is_null());
        let nafta = treaties[0]["reason"].as_str().expect("nafta reason");
        assert!(nafta.contains("side agreement") && nafta.contains("naalc"), "{nafta}");
        for index in [1, 3] {
            let reason = treaties[index]["reason"].as_str().expect("reason");
            assert!(reason.contains("not loaded") && reason.contains("http"), "{reason}");
            assert_eq!(treaties[index]["text_available"], false);
        }
    }
}

backend_test! {
    async fn treaty_records_carry_dates_succession_and_side_agreements(app: TestApp) {
        let nafta = app.get("/v1/treaties/nafta").await.json();
        let record = &nafta["data"];
        assert_eq!(record["in_force"], "1994-01-01");
        assert_eq!(record["superseded_by"], serde_json::json!(["usmca"]));
        assert_eq!(record["side_agreements"], serde_json::json!(["naalc"]));
        assert_eq!(record["parties"], serde_json::json!(["CAN", "MEX", "USA"]));
        assert_eq!(record["text_available"], true);
        assert_eq!(record["languages"], serde_json::json!(["en"]));

        let usmca = app.get("/v1/treaties/usmca").await.json();
        assert_eq!(usmca["data"]["text_available"], false);
        assert!(usmca["data"]["official_text_url"].as_str().expect("url").starts_with("http"));
        assert!(usmca["meta"]["warnings"].to_string().contains("not loaded"));
        assert_eq!(app.get("/v1/treaties/tpp").await.json()["data"]["languages"], serde_json::json!(["en", "es"]));

        let all = app.get("/v1/treaties?party=mex").await.json();
        let listed = ids(&all);
        assert!(listed.contains(&"usmca".to_owned()) && listed.iter().any(|id| id.starts_with("tota_")));
        assert!(!listed.contains(&"cusfta".to_owned()));
        app.get("/v1/treaties/nonesuch").await.problem(404, "unknown-treaty");
        app.get("/v1/treaties/NAFTA").await.problem(400, "invalid-parameter");
        let problem = app.get("/v1/treaties/usmca/chapters").await.problem(404, "text-not-available");
        assert!(problem["help"].as_str().expect("help").starts_with("http"));
    }
}

backend_test! {
    async fn chapters_provisions_topics_and_coverage(app: TestApp) {
        let chapters = app.get("/v1/treaties/tpp/chapters").await.json();
        let labour = chapters["data"].as_array().expect("data").iter().find(|c| c["number"] == "19").expect("ch 19");
        assert_eq!(labour["title"], "Labour");
        assert_eq!(labour["article_count"], 15);
        assert!(labour["topics"].as_array().expect("topics").contains(&"labour".into()));
        let nafta_chapters = app.get("/v1/treaties/nafta/chapters").await.json();
        assert!(nafta_chapters["data"].as_array().expect("data").iter().any(|c| c["number"] == "19"));

        let chapter = app.get("/v1/treaties/tpp/provisions?chapter=19&lang=es").await.json();
        assert_eq!(chapter["data"].as_array().expect("data").len(), 15);
        let topic = app.get("/v1/treaties/tpp/provisions?topic=environment").await.json();
        assert!(!topic["data"].as_array().expect("data").is_empty());

        let topics = app.get("/v1/topics").await.json();
        assert!(topics["data"].as_array().expect("data").iter().any(|t| t["slug"] == "labour"));
        assert!(topics["meta"]["transformations"].to_string().contains("taxonomy version"));

        let coverage = app.get("/v1/treaties/nafta/coverage").await.json();
        let years = coverage["data"].as_array().expect("data");
        assert!(!years.is_empty());
        for year in years {
            let labour_flag = year["provisions"].as_array().expect("flags").iter().find(|p| p["code"] == "lm_prov_10").expect("lm_prov_10");
            assert_eq!(labour_flag["value"], 0, "NAFTA's labour standards are in the NAALC");
            assert!(labour_flag["meaning"].as_str().expect("meaning").contains("labor"));
        }
        let none = app.get("/v1/treaties/tpp/coverage").await.json();
        assert!(none["data"].as_array().expect("data").is_empty());
        assert!(!none["meta"]["warnings"].as_array().expect("warnings").is_empty());
    }
}

backend_test! {
    async fn a_party_a_tota_record_lists_twice_is_stored_once_at_its_first_place(app: TestApp) {
        let pool = db::connect(&app.db.url, app.db.config().pool_options()).expect("connect");
        let mut conn = pool.manager().connect_to_serve().expect("connection");
        let path = format!("{}/tests/fixtures/tota/tpp_en_excerpt_as_unknown_agreement.xml", env!("CARGO_MANIFEST_DIR"));
        let xml = std::fs::read_to_string(path).expect("fixture");
        let listed_twice = xml.replacen(
            "<partyisocode n=\"12\">VNM</partyisocode>\n    </parties_original>",
            "<partyisocode n=\"12\">VNM</partyisocode>\n      <partyisocode n=\"13\">USA</partyisocode>\n    </parties_original>",
            1,
        );
        assert_ne!(listed_twice, xml, "the fixture's party list changed; update this test");
        import(&mut conn, ImportKind::TotaXml, "twice.xml", listed_twice.as_bytes(), None, None).expect("import");
        let parties = app.get("/v1/treaties/tota_9449").await.json()["data"]["parties"].clone();
        let parties: Vec<&str> = parties.as_array().expect("parties").iter().filter_map(|p| p.as_str()).collect();
        assert_eq!(parties.len(), 12, "{parties:?}");
        assert_eq!(parties.iter().position(|p| *p == "USA"), Some(10), "{parties:?}");
    }
}

backend_test! {
    async fn a_tota_xml_text_imports_and_a_bad_one_changes_nothing(app: TestApp) {
        let pool = db::connect(&app.db.url, app.db.config().pool_options()).expect("connect");
        let mut conn = pool.manager().connect_to_serve().expect("connection");
        let fixture = |name: &str| std::fs::read(format!("{}/tests/fixtures/tota/{name}", env!("CARGO_MANIFEST_DIR"))).expect("fixture");

        let before = app.get("/v1/treaties?format=csv").await.text();
        let error = import(&mut conn, ImportKind::TotaXml, "bad.xml", fixture("tpp_en_excerpt_article_outside_chapter.xml").as_slice(), None, None)
            .expect_err("structure error")
            .to_string();
        assert!(error.contains("line 159") && error.contains("<article> is not allowed here"), "{error}");
        let error = import(&mut conn, ImportKind::TotaXml, "tpp.xml", fixture("tpp_en_excerpt.xml").as_slice(), None, None)
            .expect_err("already loaded")
            .to_string();
        assert!(error.contains("already loaded by dataset 'treaties'"), "{error}");
        assert_eq!(app.get("/v1/treaties?format=csv").await.text(), before);

        let report = import(&mut conn, ImportKind::TotaXml, "new.xml", fixture("tpp_en_excerpt_as_unknown_agreement.xml").as_slice(), None, None)
            .expect("import");
        assert_eq!((report.dataset_id.as_str(), report.version, report.rows), ("tota_9449_en", 1, 5));
        let provisions = app.get("/v1/treaties/tota_9449/provisions").await.json();
        assert_eq!(provisions["data"].as_array().expect("data").len(), 5);
        assert_eq!(app.get("/v1/treaties/tota_9449").await.json()["data"]["text_available"], true);
        let found = app.get("/v1/provisions/search?q=%22labour%20rights%22&treaties=tota_9449").await.json();
        assert!(ids(&found).contains(&"tota_9449:19.3".to_owned()), "{:?}", ids(&found));
    }
}

backend_test! {
    async fn a_footnote_is_found_with_the_article_that_carries_its_marker(app: TestApp) {
        let body = app
            .get("/v1/provisions/search?q=%22acceptable%20conditions%20of%20work%20as%20determined%20by%20that%20Party%22&treaties=tpp&lang=en")
            .await
            .json();
        let ids: Vec<&str> = body["data"].as_array().expect("hits").iter().map(|h| h["id"].as_str().expect("id")).collect();
        assert_eq!(ids.first(), Some(&"tpp:19.3"), "footnote 5 of Article 19.3.2: {ids:?}");
        assert!(!ids.contains(&"tpp:19.5"), "{ids:?}");
    }
}

backend_test! {
    async fn a_treaty_status_follows_from_its_dates(app: TestApp) {
        for (id, status) in [
            ("nafta", "terminated"),
            ("naalc", "terminated"),
            ("cusfta", "suspended"),
            ("tpp", "signed_not_in_force"),
            ("cptpp", "in_force"),
            ("usmca", "in_force"),
        ] {
            let body = app.get(&format!("/v1/treaties/{id}")).await.json();
            assert_eq!(body["data"]["status"], status, "{id}");
        }
        let cusfta = app.get("/v1/treaties/cusfta").await.json();
        assert_eq!(cusfta["data"]["suspended"], "1994-01-01");
        assert_eq!(cusfta["data"]["terminated"], serde_json::Value::Null);
    }
}

backend_test! {
    async fn articles_of_a_known_treaty_import_under_its_ids_and_a_bad_file_changes_nothing(app: TestApp) {
        let pool = db::connect(&app.db.url, app.db.config().pool_options()).expect("connect");
        let mut conn = pool.manager().connect_to_serve().expect("connection");
        let fixture = |name: &str| std::fs::read(format!("{}/tests/fixtures/articles/{name}", env!("CARGO_MANIFEST_DIR"))).expect("fixture");
        assert_eq!(app.get("/v1/treaties/usmca").await.json()["data"]["text_available"], false);

        let before = app.get("/v1/treaties?format=csv").await.text();
        let error = import(&mut conn, ImportKind::Articles, "bad.csv", fixture("unknown_treaty.csv").as_slice(), None, None)
            .expect_err("unknown treaty")
            .to_string();
        assert!(error.contains("line 3") && error.contains("one file holds one treaty"), "{error}");
        assert_eq!(app.get("/v1/treaties?format=csv").await.text(), before);

        let report = import(&mut conn, ImportKind::Articles, "usmca.csv", fixture("usmca_test_articles.csv").as_slice(), None, None)
            .expect("import");
        assert_eq!((report.dataset_id.as_str(), report.version, report.rows), ("usmca_en_text", 1, 2));
        let treaty = app.get("/v1/treaties/usmca").await.json();
        assert_eq!(treaty["data"]["text_available"], true);
        let article = app.get("/v1/treaties/usmca/provisions/23.3").await.json();
        assert!(article["data"]["text"].as_str().expect("text").contains("zyxwordtwo"));
        let found = app.get("/v1/provisions/search?q=zyxwordtwo").await.json();
        assert_eq!(ids(&found), ["usmca:23.3".to_owned()]);
        let chapters = app.get("/v1/treaties/usmca/chapters").await.json();
        let sources: Vec<&str> = chapters["meta"]["sources"].as_array().expect("sources").iter().map(|s| s["id"].as_str().expect("id")).collect();
        assert_eq!(sources, ["trilateral_articles_import"], "the text's own source, not ToTA");

        let again = import(&mut conn, ImportKind::Articles, "usmca.csv", fixture("usmca_test_articles.csv").as_slice(), None, None)
            .expect("re-import");
        assert_eq!(again.version, 2, "an import replaces its dataset and bumps the version");
        let changed = |v: &trilateral::db::vintages::VintageRow| (v.rows_added, v.rows_removed, v.rows_changed);
        assert_eq!(changed(&report.vintage), (2, 0, 0));
        assert_eq!(changed(&again.vintage), (0, 0, 0), "the same articles again change no row");
        // A revision drops 23.1 and rewords 23.3: its versions' rows are those provisions.
        let original = String::from_utf8(fixture("usmca_test_articles.csv")).expect("utf-8");
        let revision: String = original
            .lines()
            .filter(|line| !line.contains(",23.1,"))
            .map(|line| format!("{}\n", line.replace("zyxwordtwo", "zyxwordthree")))
            .collect();
        let revised = import(&mut conn, ImportKind::Articles, "usmca.csv", revision.as_bytes(), None, None)
            .expect("revision");
        assert_eq!(changed(&revised.vintage), (0, 1, 1));
        let rows = app.get("/v1/datasets/usmca_en_text/changes").await.json();
        let listed: Vec<(&str, &str)> = rows["data"].as_array().expect("data").iter().map(|r| (r["op"].as_str().expect("op"), r["article"].as_str().expect("article"))).collect();
        assert_eq!(listed, [("removed", "23.1"), ("changed", "23.3")], "{rows}");
        assert!(rows["data"][0]["text"].as_str().expect("text").contains("zyxwordone"), "a removed row as it was");
        assert!(rows["data"][1]["text"].as_str().expect("text").contains("zyxwordthree"), "a changed row as it is now");
        let first_rows = app.get("/v1/datasets/usmca_en_text/changes?from=0&to=1&format=csv").await.text();
        assert_eq!(first_rows.lines().filter(|l| l.starts_with("added,")).count(), 2, "{first_rows}");
        let unchanged = app.get("/v1/datasets/usmca_en_text/changes?from=1&to=2").await.json();
        assert_eq!(unchanged["data"], serde_json::json!([]));
        // As the vintage before the first import left it, the treaty has no text.
        let before_text = report.vintage.id - 1;
        let then = app.get(&format!("/v1/treaties/usmca?as_of={before_text}")).await.json();
        assert_eq!(then["data"]["text_available"], false, "{then}");
        let first = app.get(&format!("/v1/treaties/usmca/provisions/23.3?as_of={}", report.vintage.id)).await.json();
        assert_eq!(first["data"], article["data"]);
        // A search as of the first import: exact on Postgres; on SQLite, whose index holds the
        // texts as they are now, refused rather than answered from today's texts.
        let search = app.get(&format!("/v1/provisions/search?q=zyxwordtwo&as_of={}", report.vintage.id)).await;
        match app.backend {
            crate::helpers::Backend::Postgres => assert_eq!(ids(&search.json()), ["usmca:23.3".to_owned()]),
            crate::helpers::Backend::Sqlite => {
                search.problem(404, "unknown-vintage");
            }
        }

        // The bundled treaties dataset rewrites every record it ships, USMCA's among them, when
        // it reloads; the text another dataset loaded for USMCA must still show.
        diesel::sql_query("UPDATE datasets SET checksum = 'stale' WHERE id = 'treaties'").execute(&mut conn).expect("stale checksum");
        // A reload takes seconds: off the test's thread, which also runs the server, so that
        // the server keeps serving (and timing its keep-alive connections) meanwhile.
        let reload_pool = pool.clone();
        actix_web::rt::task::spawn_blocking(move || {
            trilateral::import::load_bundled(&mut reload_pool.manager().connect_to_serve().expect("connection")).expect("reload")
        })
        .await
        .expect("reload task");
        let reloaded = app.get("/v1/treaties/usmca?format=json").await.json();
        assert_eq!(reloaded["data"]["text_available"], true);
        assert_eq!(reloaded["data"]["languages"], serde_json::json!(["en"]));
        assert_eq!(app.get("/v1/treaties/tpp?format=json").await.json()["data"]["languages"], serde_json::json!(["en", "es"]));
    }
}
