//! Fuzz target: the checks of `trilateral::fuzzing::country_code` on arbitrary input.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| trilateral::fuzzing::country_code(data));
