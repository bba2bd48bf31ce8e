//! Any text interpolated against a small environment: nothing may panic or recurse without
//! bound, the output is bounded by the input (each `${...}` yields at most one value), and an
//! error never quotes the text.
#![no_main]

use cbench::sources::compose::interpolate::{InterpolateError, interpolate};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let lookup = |k: &str| match k {
        "A" => Some("0123456789".to_string()),
        "E" => Some(String::new()),
        _ => None,
    };
    match interpolate(text, &lookup) {
        Ok(r) => assert!(r.text.len() <= 10 * text.len() + 10, "{} bytes out of {}", r.text.len(), text.len()),
        Err(InterpolateError::Required { .. }) => {}
        Err(e) => {
            let m = e.to_string();
            assert!(m.len() < 200, "{m}");
        }
    }
});
