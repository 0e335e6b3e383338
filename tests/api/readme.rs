//! The curl examples in README.md must work exactly as written.

use crate::backend_test;
use crate::helpers::TestApp;

/// `(path, expected status)` of every `curl` read in the README; a trailing `# 404 ...` comment
/// states a status other than 200. (The import example needs a key of the server's own
/// configuration: `imports.rs` holds what it shows.)
fn readme_examples() -> Vec<(String, u16)> {
    include_str!("../../README.md")
        .lines()
        .filter(|line| line.starts_with("curl ") && !line.contains("-X POST"))
        .map(|line| {
            let url = line
                .split_whitespace()
                .find(|token| token.contains("localhost:8080"))
                .unwrap_or_else(|| panic!("no URL in: {line}"))
                .trim_matches('\'');
            let (_, path) = url.split_once("localhost:8080").expect("host");
            let expected = line
                .split_once('#')
                .and_then(|(_, comment)| comment.split_whitespace().next())
                .and_then(|status| status.parse().ok())
                .unwrap_or(200);
            (path.to_owned(), expected)
        })
        .collect()
}

backend_test! {
    async fn the_readme_curl_examples_answer_as_documented(app: TestApp) {
        let examples = readme_examples();
        assert!(examples.len() >= 5, "{examples:?}");
        for (path, expected) in examples {
            let response = app.get(&path).await;
            assert_eq!(response.status.as_u16(), expected, "{path}");
        }
    }
}
