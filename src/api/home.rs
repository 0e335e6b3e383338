//! `/`: for a person in a browser, a page that shows at a glance what the service holds (its
//! datasets, the headline charts) and where to go next; for an API client, the same links as
//! JSON. The page is plain HTML with no script: the charts are the API's own `format=svg` answers.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use super::AppState;
use crate::db::{self, datasets};
use crate::error::ApiError;

/// Where a newcomer goes next.
const LINKS: [(&str, &str, &str); 5] = [
    (
        "docs",
        "/docs/",
        "Swagger UI: every operation, tried from the browser",
    ),
    ("openapi", "/openapi.json", "The OpenAPI 3.1 document"),
    (
        "datasets",
        "/v1/datasets",
        "The datasets, their versions and coverage",
    ),
    (
        "sources",
        "/v1/sources",
        "Every source: publisher, licence, transformations",
    ),
    (
        "countries",
        "/v1/countries",
        "Country codes in every scheme the data uses",
    ),
];

/// The headline charts, each an answer of the API drawn as SVG.
const CHARTS: [(&str, &str); 3] = [
    (
        "Mexico's general minimum wage next to the U.S. federal rate, in dollars per hour",
        "/v1/wages/compare?countries=mx,us&measure=minimum_wage&currency=USD&per=hour&from=2000&format=svg",
    ),
    (
        "U.S. goods trade with Mexico",
        "/v1/trade/balance?country=us&partner=mx&from=1990&format=svg",
    ),
    (
        "U.S. goods trade with Canada",
        "/v1/trade/balance?country=us&partner=ca&from=1990&format=svg",
    ),
];

/// The home page, or its links as JSON for a client that does not ask for HTML.
pub async fn home(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let wants_html = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    let response = |content_type: &str, body: String| {
        HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, content_type.to_owned()))
            // The page lists the datasets as they stand; it is small and read rarely.
            .insert_header((header::CACHE_CONTROL, "no-cache"))
            .insert_header((header::VARY, "Accept"))
            .body(body)
    };
    if !wants_html {
        let links: serde_json::Map<String, serde_json::Value> = LINKS
            .iter()
            .map(|(name, href, _)| ((*name).to_owned(), (*href).into()))
            .collect();
        let charts: Vec<_> = CHARTS
            .iter()
            .map(|(title, href)| json!({"title": title, "href": href}))
            .collect();
        let body = json!({"name": "Trilateral", "links": links, "charts": charts});
        return Ok(response("application/json", body.to_string()));
    }
    let held = db::run(&state.pool, |conn| {
        datasets::list(conn).map_err(|e| ApiError::unavailable(e.to_string()))
    })
    .await?;
    Ok(response("text/html; charset=utf-8", page(&held)))
}

fn page(held: &[datasets::DatasetRow]) -> String {
    let rows: String = held
        .iter()
        .map(|d| {
            let coverage = match (&d.coverage_first, &d.coverage_last) {
                (Some(first), Some(last)) => format!("{first} to {last}"),
                _ => String::new(),
            };
            format!(
                "<tr><td><a href=\"/v1/datasets\">{}</a></td><td>{}</td><td class=\"n\">{}</td><td>{}</td><td class=\"n\">{}</td></tr>",
                escape(&d.id),
                escape(&d.title),
                d.row_count,
                escape(&coverage),
                d.version
            )
        })
        .collect();
    let links: String = LINKS
        .iter()
        .map(|(_, href, what)| format!("<li><a href=\"{href}\">{href}</a>: {}</li>", escape(what)))
        .collect();
    let charts: String = CHARTS
        .iter()
        .map(|(title, href)| {
            let href = escape(href);
            format!(
                "<figure><a href=\"{href}\"><img src=\"{href}\" alt=\"{0}\" width=\"960\" height=\"540\"></a><figcaption>{0}</figcaption></figure>",
                escape(title)
            )
        })
        .collect();
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Trilateral</title>\
<style>body{{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}}\
table{{border-collapse:collapse;width:100%}}td,th{{border-bottom:1px solid #ddd;padding:.3em;text-align:left}}\
td.n{{text-align:right}}img{{max-width:100%;height:auto;border:1px solid #eee}}</style></head><body>\
<h1>Trilateral</h1><p>North American economic integration data over HTTP: trade flows between the \
United States, Mexico and Canada, minimum and average wages with exchange rates and prices, and the \
provisions of the treaties that govern that trade. Every number names its source and licence.</p>\
<ul>{links}</ul><h2>Headline charts</h2>{charts}<h2>What it holds</h2>\
<table><thead><tr><th>dataset</th><th>title</th><th>rows</th><th>coverage</th><th>version</th></tr></thead>\
<tbody>{rows}</tbody></table></body></html>\n"
    )
}

/// Text made safe to place in HTML, in an element or an attribute.
fn escape(text: &str) -> String {
    let mut safe = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => safe.push_str("&amp;"),
            '<' => safe.push_str("&lt;"),
            '>' => safe.push_str("&gt;"),
            '"' => safe.push_str("&quot;"),
            '\'' => safe.push_str("&#39;"),
            c => safe.push(c),
        }
    }
    safe
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_for_elements_and_attributes() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
