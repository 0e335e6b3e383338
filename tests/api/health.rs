use crate::backend_test;
use crate::helpers::{Backend, TestApp};

backend_test! {
    async fn healthz_answers_without_touching_the_database(app: TestApp) {
        let response = app.get("/healthz").await;
        assert_eq!(response.status, 200);
        assert_eq!(response.json()["status"], "ok");
    }
}

backend_test! {
    async fn readyz_names_the_backend_when_migrations_are_applied(app: TestApp) {
        let response = app.get("/readyz").await;
        assert_eq!(response.status, 200);
        let expected = match app.backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        };
        assert_eq!(response.json()["database"], expected);
    }
}

backend_test! {
    async fn readyz_is_503_when_the_migrations_are_reverted(app: TestApp) {
        let pool = trilateral::db::connect(&app.db.url, app.db.config().pool_options()).expect("connect");
        let mut conn = pool.manager().connect_to_serve().expect("connection");
        trilateral::db::revert_all_migrations(&mut conn).expect("revert");

        let response = app.get("/readyz").await;

        response.problem(503, "not-ready");
    }
}
