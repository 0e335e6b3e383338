//! Fuzz target: the checks of `trilateral::fuzzing::search_query` on arbitrary input.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| trilateral::fuzzing::search_query(data));
