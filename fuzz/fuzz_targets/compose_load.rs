//! Any bytes as a Compose file: loading, converting and judging must never panic.
#![no_main]

use std::path::Path;

use cbench::sources::compose::{LoadOptions, load_text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let project = load_text(Path::new("/nonexistent/fuzz/compose.yaml"), text.to_string(), &LoadOptions::default());
    let mut run = cbench::report::Run::default();
    cbench::commands::compose::judge_services(&mut run, &project.services, true);
});
