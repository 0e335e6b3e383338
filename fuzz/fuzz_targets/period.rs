//! Fuzz target: the checks of `trilateral::fuzzing::period` on arbitrary input.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| trilateral::fuzzing::period(data));
