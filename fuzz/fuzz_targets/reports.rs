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
    cbench::commands::compose::judge_services(&mut run, &project.services, true);
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
