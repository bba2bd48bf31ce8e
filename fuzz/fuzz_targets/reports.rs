//! Any bytes as a Compose file, judged and rendered in every format: no writer may panic, no
//! human format may carry a control character of the input (nothing can start a line of its
//! own or drive the terminal), and each report is bounded by the input (past SARIF's constant rule catalog).
#![no_main]

use std::path::Path;

use cbench::report::{Format, Run, Style, render_string};
use cbench::sources::compose::{LoadOptions, load_text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let path = "/nonexistent/fuzz/compose.yaml";
    let project = load_text(Path::new(path), text.to_string(), &LoadOptions::default());
    let mut run = Run::default();
    let modes: Vec<cbench::rules::Modes> = project.services.iter().map(|s| cbench::rules::Modes::of(&s.spec)).collect();
    let mut members = Vec::new();
    for (s, modes) in project.services.iter().zip(&modes) {
        let subject = cbench::model::Subject { kind: "service", name: s.name.clone() };
        members.push((cbench::rules::judge_container(&mut run, "services", subject, &s.spec, true, None), &s.spec.mounts[..], modes));
    }
    cbench::rules::judge_project(&mut run, &members);
    run.diagnostics.extend(project.diagnostics);
    run.files = project.files.len();
    for f in project.files {
        run.sources.insert(f.path.to_string(), f.text);
    }
    run.finish(Default::default(), None);
    let style = Style { color: false, expand: false, max_items: None };
    for format in [Format::Text, Format::Compact, Format::Github, Format::Junit, Format::Json, Format::Sarif] {
        let out = render_string(&run, format, &style);
        assert!(out.len() <= 1_000_000 + 2_000 * data.len(), "{format:?}: {} bytes out of {}", out.len(), data.len());
        if matches!(format, Format::Text | Format::Compact | Format::Github) {
            assert!(!out.contains(|c: char| c.is_control() && c != '\n'), "{format:?} carries a control character");
        }
    }
});
