//! The one diesel schema for both backends. Only portable SQL types are used (Text, Integer,
//! BigInt, Double, Bool, Timestamp); the migrations write `DOUBLE PRECISION` on both sides so a
//! float is 8 bytes everywhere.

diesel::table! {
    datasets (id) {
        id -> Text,
        family -> Text,
        title -> Text,
        description -> Text,
        version -> BigInt,
        last_updated -> Timestamp,
        row_count -> BigInt,
        coverage_first -> Nullable<Text>,
        coverage_last -> Nullable<Text>,
        checksum -> Text,
        origin -> Text,
        basis -> Text,
        reporting -> Text,
    }
}

diesel::table! {
    sources (id) {
        id -> Text,
        family -> Text,
        publisher -> Text,
        title -> Text,
        url -> Nullable<Text>,
        licence -> Text,
        coverage -> Text,
        transformations -> Text,
        notes -> Nullable<Text>,
        basis -> Text,
    }
}

diesel::table! {
    currencies (code) {
        code -> Text,
        numeric -> Text,
        name -> Text,
        minor_units -> Nullable<Integer>,
    }
}

diesel::table! {
    countries (code) {
        code -> Text,
        iso2 -> Nullable<Text>,
        iso3 -> Nullable<Text>,
        numeric -> Nullable<Text>,
        name -> Text,
        kind -> Text,
        currency_code -> Nullable<Text>,
        currency_codes -> Nullable<Text>,
        former_iso2 -> Nullable<Text>,
        former_numeric -> Nullable<Text>,
        valid_from -> Nullable<Integer>,
        valid_to -> Nullable<Integer>,
        related_codes -> Nullable<Text>,
        note -> Nullable<Text>,
        source_id -> Text,
    }
}

diesel::table! {
    series (id) {
        id -> Text,
        dataset_id -> Text,
        topic -> Text,
        country -> Nullable<Text>,
        region -> Nullable<Text>,
        measure -> Text,
        name -> Text,
        description -> Text,
        unit -> Text,
        currency -> Nullable<Text>,
        base_currency -> Nullable<Text>,
        per -> Nullable<Text>,
        price_basis -> Text,
        frequency -> Text,
        time_basis -> Text,
        headline -> Bool,
        source_id -> Text,
        first_period -> Text,
        last_period -> Text,
        latest_period -> Nullable<Text>,
        latest_start -> Nullable<Text>,
        latest_value -> Nullable<Double>,
        observation_count -> BigInt,
    }
}

diesel::table! {
    observations (series_id, period) {
        series_id -> Text,
        period -> Text,
        period_start -> Date,
        period_end -> Date,
        value -> Nullable<Double>,
        source_id -> Text,
        note -> Nullable<Text>,
        caveat -> Nullable<Text>,
    }
}

diesel::table! {
    trade_flows (id) {
        id -> BigInt,
        dataset_id -> Text,
        reporter -> Text,
        partner -> Text,
        flow -> Text,
        period -> Text,
        period_start -> Date,
        frequency -> Text,
        classification -> Text,
        product_code -> Text,
        value_usd -> Double,
        source_id -> Text,
        note -> Nullable<Text>,
        added_in -> BigInt,
    }
}

diesel::table! {
    treaties (id) {
        id -> Text,
        dataset_id -> Text,
        name -> Text,
        other_names -> Nullable<Text>,
        kind -> Nullable<Text>,
        status -> Nullable<Text>,
        date_signed -> Nullable<Date>,
        date_in_force -> Nullable<Date>,
        date_terminated -> Nullable<Date>,
        supersedes -> Nullable<Text>,
        superseded_by -> Nullable<Text>,
        side_agreement_of -> Nullable<Text>,
        subject_topics -> Nullable<Text>,
        official_text_url -> Nullable<Text>,
        tota_ids -> Nullable<Text>,
        wto_rta_id -> Nullable<Text>,
        wb_dta_id -> Nullable<Text>,
        note -> Nullable<Text>,
        source_id -> Text,
        date_suspended -> Nullable<Date>,
    }
}

diesel::table! {
    treaty_chapters (treaty_id, lang, number) {
        treaty_id -> Text,
        dataset_id -> Text,
        lang -> Text,
        number -> Text,
        position -> Integer,
        title -> Text,
        topics -> Text,
        article_count -> Integer,
    }
}

diesel::table! {
    provisions (id) {
        id -> BigInt,
        treaty_id -> Text,
        dataset_id -> Text,
        lang -> Text,
        article -> Text,
        chapter -> Text,
        position -> Integer,
        heading -> Nullable<Text>,
        text -> Text,
        topics -> Text,
        tota_id -> Nullable<Text>,
        source_id -> Text,
    }
}

diesel::table! {
    treaty_coverage (treaty_id, exporter, importer, year, provision) {
        treaty_id -> Text,
        exporter -> Text,
        importer -> Text,
        year -> Integer,
        provision -> Text,
        value -> Integer,
        source_id -> Text,
    }
}

diesel::table! {
    treaty_parties (treaty_id, party) {
        treaty_id -> Text,
        party -> Text,
        position -> Integer,
    }
}

diesel::table! {
    provision_topics (provision_id, topic) {
        provision_id -> BigInt,
        topic -> Text,
    }
}

diesel::table! {
    import_log (id) {
        id -> BigInt,
        received_at -> Timestamp,
        made_by -> Text,
        kind -> Text,
        dataset_id -> Nullable<Text>,
        dry_run -> Bool,
        result -> Text,
        rows -> Nullable<BigInt>,
        version -> Nullable<BigInt>,
        bytes -> BigInt,
        checksum -> Nullable<Text>,
        detail -> Nullable<Text>,
    }
}

diesel::table! {
    vintages (id) {
        id -> BigInt,
        dataset_id -> Text,
        version -> BigInt,
        made_at -> Timestamp,
        row_count -> BigInt,
        rows_added -> BigInt,
        rows_removed -> BigInt,
        rows_changed -> BigInt,
        checksum -> Nullable<Text>,
        kept -> Bool,
    }
}

diesel::joinable!(provision_topics -> provisions (provision_id));
diesel::joinable!(treaty_parties -> treaties (treaty_id));
diesel::joinable!(countries -> sources (source_id));
diesel::joinable!(trade_flows -> sources (source_id));
diesel::joinable!(series -> sources (source_id));
diesel::joinable!(observations -> series (series_id));
diesel::joinable!(observations -> sources (source_id));
diesel::joinable!(countries -> currencies (currency_code));

diesel::allow_tables_to_appear_in_same_query!(
    datasets,
    sources,
    currencies,
    countries,
    series,
    observations,
    trade_flows,
    treaties,
    treaty_chapters,
    provisions,
    provision_topics,
    treaty_parties,
    treaty_coverage
);
