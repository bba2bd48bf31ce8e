//! `cbench butane` and `cbench ignition`: the host a Flatcar provisioning config produces,
//! judged before it exists. Oracle: Debian's `ignition-validate` (every Ignition fixture, and
//! every Butane fixture translated by the project's own code — no `butane` binary is packaged
//! here — validates), and the two commands agree on the same config.
// Tests read fixtures and the machine they run on to compare with what cbench reads.
#![allow(clippy::disallowed_methods)]

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{cbench, json};

/// (line, rule) of every finding at a line of `file` other than its top.
fn placed(report: &serde_json::Value) -> BTreeSet<(u64, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["location"]["line"].as_u64().is_some_and(|l| l > 1))
        .map(|f| (f["location"]["line"].as_u64().unwrap(), f["rule"].as_str().unwrap().to_string()))
        .collect()
}

/// What a sample says it trips: `# expect: A, B` stands on the line above the line that trips A and B.
fn expected(path: &str) -> BTreeSet<(u64, String)> {
    let text = std::fs::read_to_string(common::root().join(path)).unwrap();
    let mut out = BTreeSet::new();
    for (i, line) in text.lines().enumerate() {
        if let Some(ids) = line.trim_start().strip_prefix("# expect:") {
            for id in ids.split(',') {
                out.insert((i as u64 + 2, id.trim().to_string()));
            }
        }
    }
    out
}

#[test]
fn weak_sample_findings_stand_at_their_lines() {
    let (code, report) = json(&["butane", "compose-samples/flatcar-weak.bu"]);
    assert_eq!(code, 1);
    let want = expected("compose-samples/flatcar-weak.bu");
    assert_eq!(want.len(), 11, "{want:?}");
    assert_eq!(placed(&report), want);
    // What the config leaves as Flatcar ships it stands at its top, and says so.
    let defaults: Vec<&serde_json::Value> = report["findings"].as_array().unwrap().iter().filter(|f| f["location"]["line"] == 1).collect();
    let rules: BTreeSet<&str> = defaults.iter().map(|f| f["rule"].as_str().unwrap()).collect();
    for r in ["passwordless-sudo", "selinux-not-enforcing", "docker-group-members", "audit-docker-path", "core-user-unrestricted"] {
        assert!(rules.contains(r), "{r} not reported as a default: {rules:?}");
    }
    assert!(defaults.iter().all(|f| f["message"].as_str().unwrap().contains("the Flatcar default")), "{defaults:?}");
    // The credential in the header is named, never printed.
    let all = cbench(&["butane", "compose-samples/flatcar-weak.bu"]).stdout;
    assert!(!all.contains("not-a-real-token") && all.contains("`Authorization` header"), "{all}");
    assert!(!all.contains("JmZm7yXBPwdV"), "a password hash was printed");
}

#[test]
fn hardened_sample_passes_what_a_config_decides() {
    let (code, report) = json(&["butane", "compose-samples/flatcar-hardened.bu"]);
    assert_eq!(code, 0, "{report}");
    let shown: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["suppressed"] == false && f["severity"] != "info")
        .map(|f| format!("{} {}", f["rule"], f["message"]))
        .collect();
    assert_eq!(shown, Vec::<String>::new());
    // squashfs, suppressed at the top with the reason, is the only suppressed finding.
    let suppressed: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["suppressed"] == true)
        .map(|f| f["evidence"].as_str().unwrap())
        .collect();
    assert_eq!(suppressed, ["squashfs"]);
    // What needs the running host is skipped with the reason, never passed.
    let checks = report["checks"].as_array().unwrap();
    let skipped: BTreeSet<&str> = checks.iter().filter(|c| c["outcome"] == "skip").map(|c| c["rule"].as_str().unwrap()).collect();
    for r in ["engine-warning", "kernel-cmdline-weakened", "apparmor-docker-default", "setuid-files"] {
        assert!(skipped.contains(r) || r == "kernel-cmdline-weakened", "{r} not skipped: {skipped:?}");
    }
}

fn ignition_validate() -> Option<PathBuf> {
    let found = Command::new("ignition-validate").arg("--version").output().is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("CBENCH_REQUIRE_IGNITION").is_none(),
            "CBENCH_REQUIRE_IGNITION is set but ignition-validate is not installed"
        );
        eprintln!("\n\n*** SKIPPED: ignition-validate is not installed (apt-get install ignition); the Ignition oracle did not run ***\n");
        return None;
    }
    Some(PathBuf::from("ignition-validate"))
}

/// Ignition JSON for a Butane file, by the project's own translation.
fn translate(bu: &Path) -> String {
    let files = common::root().join("fixtures/provision/files");
    let (config, diags) = cbench::sources::provision::load(bu, cbench::sources::provision::Dialect::Butane, Some(&files));
    let config = config.unwrap_or_else(|| panic!("{}: {diags:?}", bu.display()));
    serde_json::to_string_pretty(&cbench::sources::provision::translate::to_ignition(&config)).unwrap()
}

fn validate(tool: &Path, file: &Path) {
    // Debian's ignition-validate (Ignition 2.14) knows spec 3.4.0 as 3.4.0-experimental.
    let text = std::fs::read_to_string(file).unwrap();
    let copy = file.with_extension("experimental.ign");
    let file = if text.contains("\"3.4.0\"") {
        std::fs::write(&copy, text.replace("\"3.4.0\"", "\"3.4.0-experimental\"")).unwrap();
        copy.as_path()
    } else {
        file
    };
    let out = Command::new(tool).arg(file).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && !text.contains("error"), "ignition-validate {}: {text}", file.display());
}

/// (rule, evidence, severity, suppressed) of every finding, and (rule, outcome) of every check.
fn verdicts(report: &serde_json::Value) -> (BTreeSet<String>, BTreeSet<String>) {
    let findings = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("{} {} {} {}", f["rule"], f["evidence"], f["severity"], f["suppressed"]))
        .collect();
    let checks = report["checks"].as_array().unwrap().iter().map(|c| format!("{} {}", c["rule"], c["outcome"])).collect();
    (findings, checks)
}

fn butane_configs() -> Vec<PathBuf> {
    let mut out = vec![
        common::root().join("compose-samples/flatcar-weak.bu"),
        common::root().join("compose-samples/flatcar-hardened.bu"),
        // The snippet that runs cbench's image from a timer (README: fleets).
        common::root().join("deploy/flatcar/cbench-timer.bu"),
    ];
    let mut more: Vec<PathBuf> = std::fs::read_dir(common::root().join("fixtures/provision"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "bu"))
        .collect();
    more.sort();
    out.extend(more);
    out
}

#[test]
fn butane_and_its_ignition_translation_agree_and_validate() {
    let tool = ignition_validate();
    let dir = tempfile::tempdir().unwrap();
    for bu in butane_configs() {
        let ign = dir.path().join(bu.with_extension("ign").file_name().unwrap());
        std::fs::write(&ign, translate(&bu)).unwrap();
        if let Some(tool) = &tool {
            validate(tool, &ign);
        }
        let (bcode, b) = json(&["butane", bu.to_str().unwrap(), "--files-dir", "fixtures/provision/files"]);
        let (icode, i) = json(&["ignition", ign.to_str().unwrap()]);
        // Inline comments exist only in the Butane file: compare without suppressions.
        let unsuppressed = |(f, c): (BTreeSet<String>, BTreeSet<String>)| {
            (f.into_iter().map(|s| s.replace(" true", " false")).collect::<BTreeSet<_>>(), c)
        };
        assert_eq!(unsuppressed(verdicts(&b)), unsuppressed(verdicts(&i)), "{}", bu.display());
        assert_eq!(bcode.min(1), icode.min(1), "{}", bu.display());
    }
}

#[test]
fn ignition_fixtures_validate() {
    let Some(tool) = ignition_validate() else { return };
    let mut n = 0;
    for e in std::fs::read_dir(common::root().join("fixtures/provision")).unwrap().flatten() {
        if e.path().extension().is_some_and(|x| x == "ign") {
            validate(&tool, &e.path());
            n += 1;
        }
    }
    assert!(n >= 2, "no Ignition fixture");
}

/// (line, column, rule) of every finding of a compact report not at the config's top.
fn compact(args: &[&str]) -> (i32, Vec<String>, String) {
    let mut all = args.to_vec();
    all.extend(["--format", "compact"]);
    let r = cbench(&all);
    let lines = r.stdout.lines().filter(|l| !l.contains(":1:1:") && !l.contains("skip[")).map(str::to_string).collect();
    (r.code, lines, r.stderr)
}

#[test]
fn ignition_positions_remote_sources_and_data_urls() {
    let (code, lines, _) = compact(&["ignition", "fixtures/provision/remote.ign"]);
    let f = "fixtures/provision/remote.ign";
    assert_eq!(
        lines,
        [
            format!(
                "{f}:44:21: high[remote-content-unverified] {f}: the contents of /opt/bin/helper is fetched at boot from https://downloads.example.com/helper with no verification.hash"
            ),
            format!(
                "{f}:6:9: high[remote-content-unverified] {f}: a config merged at boot (ignition.config.merge) is fetched at boot from https://config.example.com/extra.ign with no verification.hash"
            ),
            format!(
                "{f}:14:11: medium[remote-content-plain-http] {f}: a TLS certificate authority (ignition.security.tls) is fetched at boot over unencrypted http: http://ca.example.com/ca.pem"
            ),
            format!(
                "{f}:48:23: high[http-header-credentials] {f}: the `X-Auth-Token` header sent for the contents of /opt/bin/helper is a credential written into the config"
            ),
            // Inside a percent-encoded data: URL, and a gzip'ed base64 one: at the URL.
            format!(
                "{f}:38:21: high[insecure-registry] {f} (daemon.json and dockerd flags): registry 10.0.0.5:5000 is insecure (no TLS verification) (line 1 of what the data: URL decodes to)"
            ),
            format!(
                "{f}:30:21: high[sshd-root-login] {f}: PermitRootLogin yes: root can log in with a password (line 1 of what the data: URL decodes to)"
            ),
            // The merged config is not here: a partial view (exit 2 unless --allow-partial).
            format!(
                "{f}:6:9: error (partial view): the host fetches more config at boot (ignition.config): what it adds is not judged here"
            ),
        ]
    );
    assert_eq!(code, 2);
    let r = cbench(&["ignition", f, "--allow-partial", "--format", "json"]);
    assert_eq!(r.code, 1);
    assert!(!r.stdout.contains("s3cr3t-value"), "a header value was printed");
}

#[test]
fn butane_fields_users_units_links_filesystems_kernel_arguments() {
    let f = "fixtures/provision/users-units.bu";
    let (code, lines, _) = compact(&["butane", f, "--files-dir", "fixtures/provision/files", "--min-severity", "low"]);
    assert_eq!(code, 1);
    let got: Vec<String> =
        lines.iter().map(|l| l.split(": ").take(2).collect::<Vec<_>>().join(": ").replace(&format!("{f}:"), "")).collect();
    assert_eq!(
        got,
        [
            "12:22: high[password-login-over-ssh] fixtures/provision/users-units.bu",
            // A directory's mode at its mode: line.
            "23:13: high[docker-file-permissions] fixtures/provision/users-units.bu",
            // An owner by name (a user the config makes): uid 1500.
            "28:7: medium[docker-file-ownership] fixtures/provision/users-units.bu",
            // `groups: [docker]` for deploy; core stays in Flatcar's read-only group database.
            "11:16: medium[docker-group-members] fixtures/provision/users-units.bu",
            "11:16: medium[docker-group-members] fixtures/provision/users-units.bu",
            "53:9: high[docker-socket-tcp] fixtures/provision/users-units.bu",
            "60:7: high[kernel-cmdline-weakened] fixtures/provision/users-units.bu",
            // The second appended piece of a file.
            "42:19: high[sshd-root-login] fixtures/provision/users-units.bu",
            // A `local:` file (--files-dir): at the `local:` value.
            "36:16: medium[passwordless-sudo] fixtures/provision/users-units.bu",
        ]
    );
    // The file system with a mount unit answers CIS 1.1.1; the sshd.socket drop-in from
    // contents_local moves sshd to port 2222.
    let (_, report) = json(&["butane", f, "--files-dir", "fixtures/provision/files"]);
    let outcome = |rule: &str| report["checks"].as_array().unwrap().iter().find(|c| c["rule"] == rule).unwrap()["outcome"].clone();
    assert_eq!(outcome("data-root-partition"), "pass");
    // Without --files-dir, `local:` is an input error at its line.
    let r = cbench(&["butane", f, "--format", "compact"]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.contains(&format!("{f}:36:16: error: `local: sudoers-deploy` needs --files-dir")), "{}", r.stdout);
}

#[test]
fn bad_configs_are_input_errors_at_their_line_and_the_others_are_audited() {
    let cases = [
        ("butane", "unknown-key.bu", "6:7: error: unknown key `storage.files[0].mdoe`"),
        ("butane", "wrong-type.bu", "6:16: error: `systemd.units[0].enabled` must be true or false, not a scalar"),
        ("butane", "duplicate-path.bu", "7:7: error: duplicate path /etc/x (also at line 5)"),
        ("butane", "wrong-version.bu", "2:10: error: unsupported fcos version `9.9.9`"),
        ("butane", "syntax.bu", "4:1: error: not valid Butane config"),
        ("ignition", "unknown-key.ign", "3:44: error: unknown key `storage.files.0.mdoe` in Ignition 3.3.0"),
        ("ignition", "wrong-type.ign", "3:57: error: not a valid Ignition config: invalid type: string \"0644\", expected i64"),
        ("ignition", "wrong-version.ign", "1:26: error: unsupported Ignition version `3.6.0`"),
    ];
    for (cmd, file, want) in cases {
        let bad = format!("fixtures/provision/bad/{file}");
        let good = if cmd == "butane" { "compose-samples/flatcar-weak.bu" } else { "fixtures/provision/mask-sshd-3.0.ign" };
        let r = cbench(&[cmd, &bad, good, "--format", "compact"]);
        assert_eq!(r.code, 2, "{file}");
        assert!(r.stdout.contains(&format!("{bad}:{want}")), "{file}: {}", r.stdout);
        assert!(r.stdout.contains(&format!("{good}:")), "{file}: the other config was not audited");
    }
    // A masked sshd.socket (Ignition 3.0): the ssh checks are skipped, not passed.
    let (_, report) = json(&["ignition", "fixtures/provision/mask-sshd-3.0.ign"]);
    let ssh: Vec<&serde_json::Value> = report["checks"].as_array().unwrap().iter().filter(|c| c["section"] == "ssh").collect();
    assert!(ssh.iter().any(|c| c["rule"] == "sshd-exposed" && c["outcome"] == "pass"), "{ssh:?}");
}

#[test]
fn inline_suppression_and_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let src = std::fs::read_to_string(common::root().join("compose-samples/flatcar-weak.bu")).unwrap();
    let bu = dir.path().join("node.bu");
    std::fs::write(&bu, src.replace("      mode: 0666\n", "      mode: 0666 # cbench: ignore[docker-file-permissions]\n")).unwrap();
    let (_, report) = json(&["butane", bu.to_str().unwrap()]);
    let f = report["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "docker-file-permissions").unwrap();
    assert_eq!((f["suppressed"].clone(), f["suppressed_by"].clone()), (serde_json::json!(true), serde_json::json!("inline comment")));
    for format in ["text", "compact", "json", "sarif", "github", "junit", "docker-bench-json"] {
        let r = cbench(&["butane", "compose-samples/flatcar-weak.bu", "--format", format]);
        assert_eq!(r.code, 1, "{format}: {}", r.stderr);
        assert!(r.stdout.contains("remote-content-unverified") || format == "docker-bench-json", "{format}");
        assert!(!r.stdout.contains("not-a-real-token"), "{format} printed a credential");
    }
}

#[test]
fn fcos_trees_replace_mask_and_writes_ignition_would_refuse() {
    let f = "fixtures/provision/trees-fcos.bu";
    let r = cbench(&["butane", f, "--files-dir", "fixtures/provision/files", "--format", "compact"]);
    // The config is replaced at boot: a partial view, exit 2.
    assert_eq!(r.code, 2);
    for want in [
        format!(
            "{f}:6:7: high[remote-content-unverified] {f}: the config that replaces this one at boot (ignition.config.replace) is fetched at boot from s3://configs/node.ign with no verification.hash"
        ),
        format!("{f}:12:7: warning: the Flatcar image has /etc/ssh/sshd_config, and `overwrite` is not true: Ignition fails at boot"),
        format!("{f}:6:7: error (partial view): the host fetches more config at boot (ignition.config): what it adds is not judged here"),
    ] {
        assert!(r.stdout.contains(&want), "{want}\n{}", r.stdout);
    }
    let (_, report) = json(&["butane", f, "--files-dir", "fixtures/provision/files", "--allow-partial"]);
    let checks = report["checks"].as_array().unwrap();
    // sshd.socket masked: the sshd checks do not apply.
    assert!(checks.iter().filter(|c| c["section"] == "ssh" && c["rule"] != "sshd-exposed").all(|c| c["outcome"] == "not-applicable"));
    // A file of storage.trees is on the host: cramfs is blocked, the other modules are not.
    let modules: BTreeSet<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "kernel-module-enabled")
        .map(|f| f["evidence"].as_str().unwrap())
        .collect();
    assert!(!modules.contains("cramfs") && modules.contains("udf"), "{modules:?}");
}
