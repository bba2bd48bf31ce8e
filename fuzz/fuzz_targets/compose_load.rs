//! Any bytes as a Compose file: loading, converting and judging must never panic.
#![no_main]

use std::path::Path;

use cbench::sources::compose::{LoadOptions, load_text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let project = load_text(Path::new("/nonexistent/fuzz/compose.yaml"), text.to_string(), &LoadOptions::default());
    let mut run = cbench::report::Run::default();
    let modes: Vec<cbench::rules::Modes> = project.services.iter().map(|s| cbench::rules::Modes::of(&s.spec)).collect();
    let mut members = Vec::new();
    for (s, modes) in project.services.iter().zip(&modes) {
        let subject = cbench::model::Subject { kind: "service", name: s.name.clone() };
        members.push((cbench::rules::judge_container(&mut run, "services", subject, &s.spec, true, None), &s.spec.mounts[..], modes));
    }
    cbench::rules::judge_project(&mut run, &members);
});
