//! A treaty's World Bank Deep Trade Agreements flags, by year and directed pair of parties.

use std::collections::BTreeMap;

/// One stored flag: whether the agreement between `exporter` and `importer` had `provision` in
/// `year`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DtaFlag<'a> {
    pub year: i32,
    pub exporter: &'a str,
    pub importer: &'a str,
    pub provision: &'a str,
    pub value: i32,
}

/// A provision flag with what its code means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MeantFlag<'a> {
    pub code: &'a str,
    /// Empty where the code has no meaning in the reference data.
    pub meaning: &'a str,
    pub value: i32,
}

/// The flags of one directed pair in one year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairYear<'a> {
    pub year: i32,
    pub exporter: &'a str,
    pub importer: &'a str,
    pub flags: Vec<MeantFlag<'a>>,
}

/// The flags grouped by year, exporter and importer (in that order), each group in the order the
/// flags come, with their meanings from `meanings`.
pub fn by_pair_year<'a>(
    flags: impl IntoIterator<Item = DtaFlag<'a>>,
    meanings: &'a BTreeMap<String, String>,
) -> Vec<PairYear<'a>> {
    let mut grouped: BTreeMap<(i32, &str, &str), Vec<MeantFlag<'a>>> = BTreeMap::new();
    for flag in flags {
        grouped
            .entry((flag.year, flag.exporter, flag.importer))
            .or_default()
            .push(MeantFlag {
                code: flag.provision,
                meaning: meanings.get(flag.provision).map_or("", String::as_str),
                value: flag.value,
            });
    }
    grouped
        .into_iter()
        .map(|((year, exporter, importer), flags)| PairYear {
            year,
            exporter,
            importer,
            flags,
        })
        .collect()
}

/// The warning of a treaty whose flags by pair and year are `groups`, when the bundled extract
/// has none for it.
pub fn no_flags_warning(treaty_name: &str, groups: &[PairYear]) -> Option<String> {
    groups.is_empty().then(|| {
        format!(
            "the bundled World Bank DTA extract has no flags for {treaty_name}; it covers NAFTA (agreement 27) among these agreements"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_group_by_year_and_pair_with_their_meanings() {
        let flag = |year, exporter, provision, value| DtaFlag {
            year,
            exporter,
            importer: "USA",
            provision,
            value,
        };
        let meanings = BTreeMap::from([("lm_prov_10".to_owned(), "labour standards".to_owned())]);
        let flags = [
            flag(2016, "MEX", "lm_prov_10", 0),
            flag(2015, "MEX", "lm_prov_10", 1),
            flag(2016, "CAN", "lm_prov_10", 1),
            flag(2016, "MEX", "lm_prov_99", 1),
        ];
        let grouped = by_pair_year(flags, &meanings);
        let keys: Vec<(i32, &str)> = grouped.iter().map(|g| (g.year, g.exporter)).collect();
        assert_eq!(keys, [(2015, "MEX"), (2016, "CAN"), (2016, "MEX")]);
        let mex_2016 = &grouped[2].flags;
        assert_eq!(
            mex_2016,
            &[
                MeantFlag {
                    code: "lm_prov_10",
                    meaning: "labour standards",
                    value: 0
                },
                MeantFlag {
                    code: "lm_prov_99",
                    meaning: "",
                    value: 1
                },
            ]
        );
        assert!(by_pair_year([], &meanings).is_empty());
        assert_eq!(no_flags_warning("NAFTA", &grouped), None);
    }

    #[test]
    fn a_treaty_without_flags_is_named_in_the_warning() {
        assert_eq!(
            no_flags_warning("Trans-Pacific Partnership Agreement", &[]).as_deref(),
            Some(
                "the bundled World Bank DTA extract has no flags for Trans-Pacific Partnership Agreement; it covers NAFTA (agreement 27) among these agreements"
            )
        );
    }
}
