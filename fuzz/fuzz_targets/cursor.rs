//! Fuzz target: the checks of `trilateral::fuzzing::cursor` on arbitrary input.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| trilateral::fuzzing::cursor(data));
