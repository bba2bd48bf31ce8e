//! systemd units as systemd reads them: cbench's unit reader (search path, drop-in order and
//! shadowing, continuation lines, comments inside them, `ExecStart=` resets, quoting, `%%`,
//! prefixes) against `systemd-analyze verify --root` (systemd's own loader, offline), which
//! dumps the unit it loaded. Skipped loudly without systemd-analyze unless
//! CBENCH_REQUIRE_SYSTEMD=1.

// Tests read fixtures and the machine they run on to compare with what cbench reads.
#![allow(clippy::disallowed_methods)]

mod common;

use std::path::Path;
use std::process::Command;

use cbench::sources::host::{HostRoot, daemon, systemd};
use common::put;

/// What systemd loaded for `unit` under `root`: (fragment and drop-ins, the ExecStart command
/// line words), or None without systemd-analyze.
fn systemd_loaded(root: &Path, unit: &str) -> Option<(Vec<String>, Vec<String>)> {
    let Ok(out) = Command::new("systemd-analyze")
        .arg("verify")
        .arg(format!("--root={}", root.display()))
        .arg(unit)
        .env("SYSTEMD_LOG_LEVEL", "debug")
        .output()
    else {
        assert!(std::env::var_os("CBENCH_REQUIRE_SYSTEMD").is_none(), "CBENCH_REQUIRE_SYSTEMD is set but systemd-analyze is missing");
        eprintln!("skipped: systemd-analyze is not installed");
        return None;
    };
    let text = String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    let prefix = root.display().to_string();
    let mut files = Vec::new();
    let mut command = Vec::new();
    let mut in_exec_start = false;
    for line in text.lines().map(str::trim) {
        if let Some(p) = line.strip_prefix("Fragment Path: ").or_else(|| line.strip_prefix("DropIn Path: ")) {
            files.push(p.strip_prefix(&prefix).unwrap_or(p).to_string());
        } else if line == "-> ExecStart:" {
            in_exec_start = true;
        } else if let Some(c) = line.strip_prefix("Command Line: ").filter(|_| in_exec_start) {
            command = c.split_whitespace().map(str::to_string).collect();
            in_exec_start = false;
        }
    }
    assert!(!files.is_empty(), "systemd-analyze did not load {unit}:\n{text}");
    Some((files, command))
}

fn cbench_loaded(root: &Path, unit: &str) -> (Vec<String>, Vec<String>) {
    let u = systemd::load(&HostRoot::new(root), unit).expect("unit");
    let exec = u.list("Service", "ExecStart").pop().map(|v| daemon::exec_words(&v.value)).unwrap_or_default();
    (u.files, exec)
}

fn case(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    // The command must exist for systemd to accept the unit.
    put(dir.path(), "usr/bin/dockerd", "#!/bin/sh\n", 0o755);
    for (path, text) in files {
        put(dir.path(), path, text, 0o644);
    }
    dir
}

#[test]
fn units_load_as_systemd_loads_them() {
    let cases: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("plain", vec![("lib/systemd/system/docker.service", "[Service]\nExecStart=/usr/bin/dockerd -H fd://\n")]),
        (
            "continuation lines, a comment inside them, quotes",
            vec![(
                "lib/systemd/system/docker.service",
                "[Service]\nExecStart=/usr/bin/dockerd \\\n# the API\n  \"-H\" 'tcp://0.0.0.0:2375' \\\n  --containerd=/run/containerd/containerd.sock\n",
            )],
        ),
        (
            "drop-ins: reset, name order across directories, shadowing",
            vec![
                ("lib/systemd/system/docker.service", "[Service]\nExecStart=/usr/bin/dockerd -H fd://\n"),
                (
                    "usr/lib/systemd/system/docker.service.d/10-a.conf",
                    "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H unix:///a.sock\n",
                ),
                (
                    "etc/systemd/system/docker.service.d/10-a.conf",
                    "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H unix:///etc.sock\n",
                ),
                (
                    "run/systemd/system/docker.service.d/20-b.conf",
                    "[Service]\nExecStart=\nExecStart=-/usr/bin/dockerd -H tcp://127.0.0.1:2375 --log-level=debug\n",
                ),
            ],
        ),
        (
            "/etc shadows the fragment; %% is %",
            vec![
                ("lib/systemd/system/docker.service", "[Service]\nExecStart=/usr/bin/dockerd -H fd://\n"),
                ("etc/systemd/system/docker.service", "[Service]\nExecStart=/usr/bin/dockerd --label=load=100%%\n"),
            ],
        ),
    ];
    for (what, files) in cases {
        let dir = case(&files);
        let Some(theirs) = systemd_loaded(dir.path(), "docker.service") else { return };
        let ours = cbench_loaded(dir.path(), "docker.service");
        assert_eq!(ours, theirs, "{what}");
    }
}
