//! Version 1 of the API.

pub mod canonical;
pub mod catalog;
pub mod countries;
pub mod datasets;
pub mod imports;
pub mod sources;
pub mod trade;
pub mod treaties;
pub mod vintages;
pub mod wages;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers the v1 operations.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(countries::list_countries)
        .service(countries::get_country)
        .service(sources::list_sources)
        .service(sources::get_source)
        .service(datasets::list_datasets)
        .service(vintages::list_changes)
        .service(vintages::list_versions)
        .service(vintages::list_row_changes)
        .service(vintages::download_dataset)
        .service(catalog::get_catalog)
        .service(imports::import)
        .service(imports::list_imports);
    wages::configure(cfg);
    trade::configure(cfg);
    treaties::configure(cfg);
}
