//! `--format prometheus`: the metrics node_exporter's textfile collector reads, checked by
//! Prometheus' own `promtool check metrics` (Debian's prometheus package) and against the JSON
//! report of the same run. Without promtool the oracle part skips loudly, unless
//! CBENCH_REQUIRE_PROMTOOL is set: then it fails.
#![allow(clippy::disallowed_methods)]

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::*;

/// `promtool check metrics` on `text`: Some(its complaints) when promtool ran.
fn promtool(text: &str) -> Option<(bool, String)> {
    let child =
        Command::new("promtool").args(["check", "metrics"]).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn();
    let Ok(mut child) = child else {
        assert!(std::env::var_os("CBENCH_REQUIRE_PROMTOOL").is_none(), "CBENCH_REQUIRE_PROMTOOL is set but promtool is not installed");
        eprintln!("\n\n*** SKIPPED: promtool is not installed (Debian package prometheus) ***\n");
        return None;
    };
    child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    Some((out.status.success(), String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr)))
}

/// The value of the series whose line starts with `prefix`.
fn value(text: &str, prefix: &str) -> f64 {
    text.lines()
        .find(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no {prefix} in\n{text}"))
        .rsplit(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn host_metrics_are_valid_and_agree_with_the_json_report() {
    // A root whose path needs escaping in a label value: a double quote and a backslash.
    let root = fixture_root("debian-docker.io");
    let odd = root.path().join("host \"one\" \\ a");
    std::fs::rename(root.path().join("etc"), root.path().join("etc-moved")).unwrap();
    std::fs::create_dir(&odd).unwrap();
    for entry in std::fs::read_dir(root.path()).unwrap().flatten() {
        let name = entry.file_name();
        if entry.path() != odd {
            let target = if name == "etc-moved" { odd.join("etc") } else { odd.join(&name) };
            std::fs::rename(entry.path(), target).unwrap();
        }
    }
    let r = odd.to_str().unwrap();
    let text = cbench(&["host", "--root", r, "--format", "prometheus"]);
    assert_eq!(text.code, 1, "{}", text.stderr);
    let (_, json) = json(&["host", "--root", r]);
    if let Some((ok, complaints)) = promtool(&text.stdout) {
        assert!(ok, "promtool: {complaints}\n{}", text.stdout);
    }
    // Every check: one series per outcome, 1 for the one it had.
    // (JSON's `*` entries are whole sections that could not run: no check, no series.)
    let checks: Vec<&serde_json::Value> = json["checks"].as_array().unwrap().iter().filter(|c| c["rule"] != "*").collect();
    let ones = text.stdout.lines().filter(|l| l.starts_with("cbench_check{") && l.ends_with(" 1")).count();
    let zeros = text.stdout.lines().filter(|l| l.starts_with("cbench_check{") && l.ends_with(" 0")).count();
    assert_eq!((ones, zeros), (checks.len(), checks.len() * 5));
    // The escaped root in the subject label.
    let subject = format!("daemon {} (daemon.json and dockerd flags)", r).replace('\\', "\\\\").replace('"', "\\\"");
    let line =
        format!("cbench_check{{rule=\"userns-remap-disabled\",cis=\"2.10\",section=\"daemon\",subject=\"{subject}\",outcome=\"fail\"}} 1");
    assert!(text.stdout.lines().any(|l| l == line), "{line} not in\n{}", text.stdout);
    // Findings per severity as the JSON summary counts them.
    for sev in ["critical", "high", "medium", "low", "info"] {
        let want = json["findings"].as_array().unwrap().iter().filter(|f| f["severity"] == sev && f["suppressed"] == false).count();
        assert_eq!(value(&text.stdout, &format!("cbench_findings{{severity=\"{sev}\"}}")), want as f64, "{sev}");
    }
    // Each section's score as the text report shows it.
    let text_report = cbench(&["host", "--root", r]).stdout;
    let score = text_report.lines().last().unwrap().to_string();
    let daemon = (
        value(&text.stdout, "cbench_section_checks_passed{section=\"daemon\"}"),
        value(&text.stdout, "cbench_section_checks_scored{section=\"daemon\"}"),
    );
    assert!(score.contains(&format!("daemon {}/{}", daemon.0, daemon.1)), "{score} vs {daemon:?}");
    // The engine sections were not asked for offline: each skipped section is a series.
    let skipped: Vec<&str> =
        json["checks"].as_array().unwrap().iter().filter(|c| c["rule"] == "*").map(|c| c["section"].as_str().unwrap()).collect();
    for s in &skipped {
        assert!(text.stdout.lines().any(|l| l.starts_with(&format!("cbench_section_skipped{{section=\"{s}\""))), "{s}");
    }
    assert!(!skipped.is_empty());
    assert!(value(&text.stdout, "cbench_run_duration_seconds") > 0.0);
    assert!(value(&text.stdout, "cbench_run_timestamp_seconds") > 1.7e9);
    // No finding's message or evidence reaches the metrics: the insecure registry's name does not.
    assert!(json.to_string().contains("registry.lan:5000"));
    assert!(!text.stdout.contains("registry.lan"), "{}", text.stdout);
}

/// `--output FILE` replaces the file whole (a temporary file beside it, renamed: nothing else
/// is left in the directory); a directory that does not exist is exit 2 with the path named.
/// `--every N` audits again every N seconds, each report replacing the last.
#[test]
fn output_file_atomic_and_every() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cbench.prom");
    std::fs::write(&file, "old\n").unwrap();
    let f = file.to_str().unwrap();
    let r = cbench(&["host", "--root", "fixtures/hosts/debian-docker.io", "--format", "prometheus", "--output", f]);
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout, "");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.starts_with("# HELP cbench_check "), "{text}");
    let names: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(names, ["cbench.prom"]);
    let missing = dir.path().join("nope/cbench.prom");
    let r = cbench(&["host", "--root", "fixtures/hosts/debian-docker.io", "--format", "prometheus", "--output", missing.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("nope/cbench.prom"), "{}", r.stderr);

    // --every 1: two audits within three seconds, then stopped.
    let every = dir.path().join("every.prom");
    let mut child = Command::new(env!("CARGO_BIN_EXE_cbench"))
        .args(["host", "--root", "fixtures/hosts/debian-docker.io", "--format", "prometheus", "--every", "1", "--output"])
        .arg(&every)
        .current_dir(root())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(2500));
    child.kill().unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.matches("cbench: audit done; the next in 1 s").count() >= 2, "{stderr}");
    assert!(std::fs::read_to_string(&every).unwrap().contains("cbench_run_timestamp_seconds "));
}
