//! Sources and the data families they belong to.

named_enum! {
    /// The data family a source feeds.
    #[serde(rename_all = "snake_case")]
    #[strum(serialize_all = "snake_case")]
    pub enum SourceFamily {
        Trade,
        Wages,
        Treaties,
        Countries,
    }
}

named_enum! {
    /// The family a dataset belongs to: the answers that read it, and whose imports can change it.
    #[serde(rename_all = "snake_case")]
    #[strum(serialize_all = "snake_case")]
    pub enum DatasetFamily {
        /// Countries, currencies and sources: what every other dataset refers to.
        Reference,
        Wages,
        Trade,
        Treaties,
    }
}

named_enum! {
    /// Where a dataset came from: `bundled` ships with the service (an import never replaces
    /// it), `import` was loaded with `trilateral import`.
    #[serde(rename_all = "snake_case")]
    #[strum(serialize_all = "snake_case")]
    pub enum DatasetOrigin {
        Bundled,
        Import,
    }
}

named_enum! {
    /// Who reports the figures of a trade dataset. Where each row's `reporter` is the country whose
    /// statistics give the value, mirror comparisons mean something; where that is unknown or mixed
    /// (a compiled research dataset), they do not.
    #[serde(rename_all = "snake_case")]
    #[strum(serialize_all = "snake_case")]
    pub enum Reporting {
        /// Each row's reporter published the figure.
        Reporter,
        /// The dataset does not say which side's statistics a figure comes from, or mixes them.
        Unknown,
        /// Not a dataset of reported flows (wages, treaties, reference data).
        NotApplicable,
    }
}
