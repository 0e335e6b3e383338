use std::collections::BTreeMap;

use serde_json::Value;

use crate::backend_test;
use crate::helpers::TestApp;

fn number(value: &Value) -> f64 {
    value
        .as_f64()
        .unwrap_or_else(|| panic!("not a number: {value}"))
}

/// `period → value` of a series' observations.
async fn values(app: &TestApp, path: &str) -> BTreeMap<String, Option<f64>> {
    let body = app.get(path).await.json();
    body["data"]["observations"]
        .as_array()
        .unwrap_or_else(|| panic!("no observations: {body}"))
        .iter()
        .map(|o| {
            (
                o["period"].as_str().expect("period").to_owned(),
                o["value"].as_f64(),
            )
        })
        .collect()
}

backend_test! {
    async fn mexico_lists_general_and_border_minimum_wages_with_latest_values(app: TestApp) {
        let body = app.get("/v1/wages/mx").await.json();

        let series = body["data"].as_array().expect("data");
        let listed: Vec<&str> = body["meta"]["sources"]
            .as_array()
            .expect("sources")
            .iter()
            .map(|s| s["id"].as_str().expect("id"))
            .collect();
        for id in ["mx.minimum_wage.general", "mx.minimum_wage.border"] {
            let entry = series.iter().find(|s| s["id"] == id).unwrap_or_else(|| panic!("{id} missing"));
            assert_eq!(entry["unit"], "MXN per day");
            assert_eq!(entry["country"]["iso2"], "MX");
            assert!(entry["latest"]["value"].is_number(), "{entry}");
            assert!(entry["latest"]["valid_from"].is_string());
            let source = entry["source_id"].as_str().expect("source");
            assert!(listed.contains(&source), "{source} not in meta.sources");
        }
        let general = series.iter().find(|s| s["id"] == "mx.minimum_wage.general").expect("general");
        assert_eq!(general["headline"], true);
        assert_eq!(general["frequency"], "event");
        assert_eq!(body["meta"]["dataset"]["id"], "wages");
    }
}

backend_test! {
    async fn the_2019_minimum_wages_are_102_68_general_and_176_72_border(app: TestApp) {
        for (series, expected) in [("general", 102.68), ("border", 176.72)] {
            let path = format!("/v1/wages/mx/series/mx.minimum_wage.{series}?from=2019&to=2019&frequency=A");
            let years = values(&app, &path).await;
            assert_eq!(years.get("2019"), Some(&Some(expected)), "{series}: {years:?}");

            let stored = app.get(&format!("/v1/wages/MEX/series/mx.minimum_wage.{series}?from=2019&to=2019")).await.json();
            let rows = stored["data"]["observations"].as_array().expect("rows");
            assert_eq!(rows.len(), 1);
            assert_eq!(rows[0]["start"], "2019-01-01");
            assert_eq!(number(&rows[0]["value"]), expected);
        }
    }
}

backend_test! {
    async fn usd_per_day_for_january_2019_uses_that_months_rate_and_names_it(app: TestApp) {
        let rate_body = app.get("/v1/fx?base=USD&quote=MXN&frequency=M&from=2019-01&to=2019-01").await.json();
        let rate = number(&rate_body["data"][0]["rate"]);

        let body = app
            .get("/v1/wages/mx/series/mx.minimum_wage.general?from=2019-01&to=2019-01&frequency=M&currency=USD&per=day")
            .await
            .json();

        let observation = &body["data"]["observations"][0];
        assert_eq!(observation["period"], "2019-01");
        assert!((number(&observation["value"]) - 102.68 / rate).abs() < 1e-9, "{observation}");
        let fx = &observation["fx"][0];
        assert_eq!(fx["period"], "2019-01");
        assert_eq!(fx["series_id"], "fx.usd_mxn.fix_monthly");
        assert_eq!(number(&fx["rate"]), rate);
        assert_eq!(body["meta"]["unit"], "USD per day");
        let transformations = body["meta"]["transformations"].to_string();
        assert!(transformations.contains("fx.usd_mxn.fix_monthly"), "{transformations}");
        let sources = body["meta"]["sources"].to_string();
        assert!(sources.contains(fx["source_id"].as_str().expect("source")), "rate source not in meta.sources");
    }
}

backend_test! {
    async fn comparing_oecd_average_wages_gives_a_ratio_for_every_year_both_have(app: TestApp) {
        let mexico = values(&app, "/v1/wages/mx/series/mx.average_wage.oecd").await;
        let united_states = values(&app, "/v1/wages/us/series/us.average_wage.oecd").await;
        let both: Vec<&String> = mexico.keys().filter(|year| united_states.contains_key(*year)).collect();
        assert!(both.len() >= 20);

        let body = app.get("/v1/wages/compare?countries=mx,us&measure=average_wage&base=us").await.json();

        let periods = body["data"].as_array().expect("periods");
        for year in both {
            let period = periods.iter().find(|p| p["period"] == year.as_str()).unwrap_or_else(|| panic!("{year} missing"));
            let mx = &period["values"][0];
            let us = &period["values"][1];
            assert_eq!(mx["country"]["code"], "MEX");
            let expected = mexico[year].expect("value") / united_states[year].expect("value");
            assert!((number(&mx["ratio_to_base"]) - expected).abs() < 1e-12, "{year}");
            assert_eq!(number(&us["ratio_to_base"]), 1.0);
        }
        assert_eq!(body["meta"]["unit"], "USD PPP per year at constant 2025 prices (OECD AV_AN_WAGE, 2025 release)");
    }
}

backend_test! {
    async fn a_country_without_a_value_in_a_period_says_so(app: TestApp) {
        let body = app
            .get("/v1/wages/compare?countries=us,mx,ca&measure=minimum_wage&currency=USD&per=hour&from=2005&to=2010")
            .await
            .json();

        let periods = body["data"].as_array().expect("periods");
        let years: Vec<&str> = periods.iter().map(|p| p["period"].as_str().expect("period")).collect();
        assert_eq!(years, ["2005", "2006", "2007", "2008", "2009", "2010"]);
        for period in periods {
            assert_eq!(period["values"].as_array().expect("values").len(), 3);
            let mexico = &period["values"][1];
            assert_eq!(mexico["value"], Value::Null, "general series starts in 2015");
            assert!(mexico["missing"].is_string());
        }
        let canada_2007 = &periods[2]["values"][2];
        assert!(canada_2007["value"].is_number(), "Ontario's 2007 rate is known: {canada_2007}");
        let warnings = body["meta"]["warnings"].to_string();
        assert!(warnings.contains("stands in for the whole country"), "{warnings}");
    }
}

backend_test! {
    async fn working_time_and_currency_conversions_are_stated(app: TestApp) {
        let body = app
            .get("/v1/wages/us/series/us.minimum_wage.federal?from=2015&to=2015&per=year")
            .await
            .json();
        assert_eq!(number(&body["data"]["observations"][0]["value"]), 7.25 * 2080.0);
        assert_eq!(body["meta"]["unit"], "USD per year");
        assert!(body["meta"]["transformations"].to_string().contains("40 hours"));

        let mexico = app
            .get("/v1/wages/mx/series/mx.minimum_wage.general?from=2019&to=2019&frequency=A&per=hour")
            .await
            .json();
        let hourly = number(&mexico["data"]["observations"][0]["value"]);
        assert!((hourly - 102.68 * 7.0 / 48.0).abs() < 1e-9);
        assert!(mexico["meta"]["transformations"].to_string().contains("48 ordinary working hours"));
    }
}

backend_test! {
    async fn a_period_without_an_exchange_rate_is_null_with_a_warning(app: TestApp) {
        let body = app
            .get("/v1/wages/us/series/us.minimum_wage.federal?from=1988&to=1993&frequency=A&currency=MXN")
            .await
            .json();

        let observations = body["data"]["observations"].as_array().expect("observations");
        assert_eq!(observations.len(), 6);
        let by_year: BTreeMap<&str, &Value> = observations.iter().map(|o| (o["period"].as_str().expect("p"), &o["value"])).collect();
        assert_eq!(by_year["1988"], &Value::Null, "Banxico's FIX starts in November 1991");
        assert!(by_year["1993"].is_number());
        assert!(body["meta"]["warnings"].to_string().contains("no exchange rate for 1988"));
    }
}

backend_test! {
    async fn csv_gives_the_observations(app: TestApp) {
        let response = app
            .get("/v1/wages/mx/series/mx.minimum_wage.border?frequency=A&format=csv")
            .await;
        assert_eq!(response.status, 200);
        let text = response.text();
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("period,start,end,value,unit,partial,fx_rates,note"));
        assert!(text.contains("\n2019,2019-01-01,2019-12-31,176.72,MXN per day,false,,"), "{text}");
    }
}

backend_test! {
    async fn wage_errors_name_the_parameter_and_what_exists(app: TestApp) {
        let problem = app.get("/v1/wages/xx").await.problem(404, "unknown-country");
        assert_eq!(problem["help"], "/v1/countries");

        let problem = app.get("/v1/wages/mx/series/us.minimum_wage.federal").await.problem(404, "unknown-series");
        assert_eq!(problem["help"], "/v1/wages/mx");

        let problem = app.get("/v1/wages/mx?measure=bananas").await.problem(404, "unknown-measure");
        assert!(problem["allowed"].as_array().expect("allowed").contains(&"minimum_wage".into()));

        let cases = [
            ("/v1/wages/mx/series/mx.minimum_wage.general?from=2020&to=2019", "from"),
            ("/v1/wages/mx/series/mx.minimum_wage.general?to=2019-13", "to"),
            ("/v1/wages/mx/series/mx.minimum_wage.general?currency=EUR", "currency"),
            ("/v1/wages/mx/series/mx.minimum_wage.general?per=fortnight", "per"),
            ("/v1/wages/mx/series/mx.minimum_wage.general?currency=USD", "frequency"),
            ("/v1/wages/mx/series/mx.minimum_wage_real_index.base_1994?per=hour", "per"),
            ("/v1/wages/mx/series/mx.average_wage.oecd?currency=MXN", "currency"),
            ("/v1/wages/us/series/us.average_hourly_earnings.manufacturing?frequency=D", "frequency"),
            ("/v1/wages/us/series/us.minimum_wage.federal?frequency=D&currency=MXN", "frequency"),
            ("/v1/wages/mx/series/MX.General", "series"),
            ("/v1/wages/compare?countries=mx,us&measure=minimum_wage&currency=local", "currency"),
            ("/v1/wages/compare?countries=mx,us&measure=minimum_wage&base=ca", "base"),
            ("/v1/wages/compare?measure=minimum_wage", "countries"),
            ("/v1/fx?base=USD&quote=USD", "quote"),
            ("/v1/fx?quote=CAD&frequency=D", "frequency"),
        ];
        for (path, param) in cases {
            let problem = app.get(path).await.problem(400, "invalid-parameter");
            assert_eq!(problem["param"], param, "{path}: {problem}");
        }
        app.get("/v1/wages/compare?countries=mx,us&measure=bananas").await.problem(404, "unknown-measure");
        app.get("/v1/prices?measure=bananas").await.problem(404, "unknown-measure");
    }
}

backend_test! {
    async fn exchange_rates_invert_and_cross_through_the_dollar(app: TestApp) {
        let direct = app.get("/v1/fx?base=USD&quote=CAD&frequency=A&from=2019&to=2019").await.json();
        let inverse = app.get("/v1/fx?base=CAD&quote=USD&frequency=A&from=2019&to=2019").await.json();
        let cad_per_usd = number(&direct["data"][0]["rate"]);
        assert!((number(&inverse["data"][0]["rate"]) - 1.0 / cad_per_usd).abs() < 1e-12);

        let cross = app.get("/v1/fx?base=MXN&quote=CAD&frequency=A&from=2019&to=2019").await.json();
        let legs = cross["data"][0]["legs"].as_array().expect("legs");
        assert_eq!(legs.len(), 2);
        let expected = number(&legs[1]["rate"]) / number(&legs[0]["rate"]);
        assert!((number(&cross["data"][0]["rate"]) - expected).abs() < 1e-12);

        let daily = app.get("/v1/fx?frequency=D&from=2019-01-01&to=2019-01-31").await.json();
        let days = daily["data"].as_array().expect("days");
        assert!(days.len() >= 20 && days.len() <= 23, "{} business days", days.len());
        let monthly = app.get("/v1/fx?frequency=M&from=2019-01&to=2019-01").await.json();
        let mean = days.iter().map(|d| number(&d["rate"])).sum::<f64>() / days.len() as f64;
        assert!((mean - number(&monthly["data"][0]["rate"])).abs() < 1e-3, "published monthly mean");
    }
}

backend_test! {
    async fn prices_come_in_long_form_and_aggregate_by_period(app: TestApp) {
        let body = app.get("/v1/prices?country=us,mx,ca&measure=inflation&from=2016&to=2016").await.json();
        let rows = body["data"].as_array().expect("rows");
        let countries: Vec<&str> = rows.iter().map(|r| r["country"].as_str().expect("country")).collect();
        assert_eq!(countries.len(), 3, "{countries:?}");
        assert!(rows.iter().all(|r| r["period"] == "2016" && r["unit"] == "percent"));

        let monthly = app.get("/v1/prices?country=us&measure=cpi&from=2019&to=2019").await.json();
        let months: Vec<f64> = monthly["data"].as_array().expect("rows").iter().map(|r| number(&r["value"])).collect();
        assert_eq!(months.len(), 12);
        let annual = app.get("/v1/prices?country=us&measure=cpi&from=2019&to=2019&frequency=A").await.json();
        let mean = months.iter().sum::<f64>() / 12.0;
        assert!((number(&annual["data"][0]["value"]) - mean).abs() < 1e-9);
    }
}

backend_test! {
    async fn a_day_or_a_month_gets_the_minimum_wage_in_force_then(app: TestApp) {
        let federal = values(&app, "/v1/wages/us/series/us.minimum_wage.federal?frequency=D&from=2009-07-23&to=2009-07-24").await;
        assert_eq!(federal, BTreeMap::from([("2009-07-23".to_owned(), Some(6.55)), ("2009-07-24".to_owned(), Some(7.25))]));

        let mexico = values(&app, "/v1/wages/mx/series/mx.minimum_wage.general?frequency=M&from=2017-11&to=2018-01").await;
        assert_eq!(mexico, BTreeMap::from([("2017-11".to_owned(), Some(80.04)), ("2017-12".to_owned(), Some(88.36)), ("2018-01".to_owned(), Some(88.36))]));

        let july = values(&app, "/v1/wages/us/series/us.minimum_wage.federal?frequency=M&from=2009-07&to=2009-07").await;
        let expected = (6.55 * 23.0 + 7.25 * 8.0) / 31.0;
        assert!((july["2009-07"].expect("value") - expected).abs() < 1e-9, "July 2009 is time-weighted: {july:?}");

        let body = app.get("/v1/wages/us/series/us.minimum_wage.federal?frequency=D&from=2025-12-31&to=2026-01-02").await.json();
        let warnings = body["meta"]["warnings"].to_string();
        assert!(warnings.contains("2026-01-01 to 2026-01-02") && warnings.contains("ends in 2025-12-31"), "{warnings}");

        let zone_c = app.get("/v1/wages/mx/series/mx.minimum_wage.zone_c?frequency=D&from=2012-11-26&to=2012-11-27").await.json();
        assert_eq!(zone_c["data"]["observations"].as_array().expect("days").len(), 1, "zone C ends on 2012-11-26");
        assert!(zone_c["meta"]["warnings"].to_string().contains("no figures for 2012-11-27"));
    }
}

backend_test! {
    async fn every_province_and_the_latest_rates_are_served(app: TestApp) {
        let canada = app.get("/v1/wages/ca?measure=minimum_wage").await.json();
        let ids: Vec<&str> = canada["data"].as_array().expect("series").iter().map(|s| s["id"].as_str().expect("id")).collect();
        assert_eq!(ids.len(), 13, "{ids:?}");
        assert!(ids.contains(&"ca.minimum_wage.quebec") && ids.contains(&"ca.minimum_wage.nunavut"));

        let mexico = values(&app, "/v1/wages/mx/series/mx.minimum_wage.border?frequency=A&from=2026&to=2026").await;
        assert!(mexico["2026"].is_some(), "the 2026 rate is published");

        let compare = app.get("/v1/wages/compare?countries=mx,us&measure=minimum_wage&currency=USD&per=hour&base=us&from=2021&to=2025").await.json();
        for period in compare["data"].as_array().expect("periods") {
            assert!(period["values"][0]["ratio_to_base"].is_number(), "{period}");
        }

        let earnings = app.get("/v1/wages/compare?countries=mx,us&measure=average_hourly_earnings&from=2024&to=2024").await.json();
        assert!(earnings["meta"]["warnings"].to_string().contains("no Mexican or Canadian manufacturing wage series is loaded yet"));
    }
}

backend_test! {
    async fn a_mean_over_a_period_that_has_not_ended_is_partial(app: TestApp) {
        let body = app.get("/v1/fx?base=USD&quote=MXN&frequency=A&from=2025&to=2026").await.json();
        let rows = body["data"].as_array().expect("rates");
        assert_eq!(rows[0]["partial"], false);
        assert_eq!(rows[1]["period"], "2026");
        assert_eq!(rows[1]["partial"], true, "2026 is under way");
        assert!(body["meta"]["warnings"].to_string().contains("2026"));

        let early = app.get("/v1/fx?base=USD&quote=MXN&frequency=A&from=1985&to=1995").await.json();
        let warnings = early["meta"]["warnings"].to_string();
        assert!(warnings.contains("no figures for 1985-") && warnings.contains("rates begins in"), "{warnings}");
    }
}

backend_test! {
    async fn a_ratio_between_different_units_is_null(app: TestApp) {
        let body = app.get("/v1/wages/compare?countries=mx,de&measure=average_wage&base=de&from=2016&to=2016").await.json();
        let values = body["data"][0]["values"].as_array().expect("values");
        assert!(values[0]["value"].is_number() && values[1]["value"].is_number());
        assert_eq!(values[0]["ratio_to_base"], Value::Null, "2025-release prices against the 2019 extract's");
        assert_eq!(values[1]["ratio_to_base"], 1.0);
        assert!(body["meta"]["warnings"].to_string().contains("different units"));
    }
}
