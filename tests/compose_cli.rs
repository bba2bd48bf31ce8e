//! `cbench compose` end to end: the real binary on the shipped samples and fixtures.
// Tests read fixtures and the machine they run on to compare with what cbench reads.
#![allow(clippy::disallowed_methods)]

mod common;

use common::*;
use std::collections::BTreeSet;

#[test]
fn insecure_sample_reports_exactly_what_its_comments_say() {
    let text = std::fs::read_to_string(root().join("compose-samples/insecure.yaml")).unwrap();
    let mut want: Vec<(u64, String)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let Some((code, comment)) = line.split_once('#') else { continue };
        if code.trim().is_empty() {
            continue;
        }
        for rule in comment.split(',').map(str::trim).filter(|r| !r.is_empty()) {
            want.push((i as u64 + 1, rule.to_string()));
        }
    }
    want.sort();
    let (code, report) = json(&["compose", "compose-samples/insecure.yaml"]);
    assert_eq!(code, 1);
    assert_eq!(lines_and_rules(&report), want);
    // Every container rule of the catalog fires on the insecure sample.
    let fired: BTreeSet<String> = want.iter().map(|(_, r)| r.clone()).collect();
    let rules = cbench(&["rules", "--format", "json"]);
    let catalog: serde_json::Value = serde_json::from_str(&rules.stdout).unwrap();
    let all: BTreeSet<String> = catalog["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["family"] == "container")
        // exec-privileged, exec-as-root: only a running engine knows docker exec.
        .filter(|r| r["not_applicable"]["service"].is_null())
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(fired, all);
}

#[test]
fn insecure_sample_compact_output() {
    let r = cbench(&["compose", "compose-samples/insecure.yaml", "--format", "compact"]);
    assert_eq!(r.code, 1);
    insta::assert_snapshot!(r.stdout);
}

#[test]
fn hardened_sample_is_clean() {
    let (code, report) = json(&["compose", "compose-samples/hardened.yaml"]);
    assert_eq!(code, 0);
    assert_eq!(report["findings"], serde_json::json!([]));
    assert_eq!(report["summary"]["subjects"], 2);
    let r = cbench(&["compose", "compose-samples/hardened.yaml"]);
    assert_eq!(r.stdout, "0 findings in 2 services across 1 file\n");
}

#[test]
fn realistic_samples() {
    let r = cbench(&[
        "compose",
        "compose-samples/webapp.yaml",
        "compose-samples/monitoring.yaml",
        "--format",
        "compact",
        "--min-severity",
        "medium",
    ]);
    insta::assert_snapshot!(r.stdout);
}

#[test]
fn text_output_shows_the_line() {
    let r = cbench(&["compose", "fixtures/compose/include/compose.yaml", "--select", "docker-socket-mount,port-on-all-interfaces"]);
    assert_eq!(r.code, 1);
    insta::assert_snapshot!(r.stdout);
}

#[test]
fn json_report_shape() {
    let r = cbench(&[
        "compose",
        "fixtures/compose/include/compose.yaml",
        "--select",
        "docker-socket-mount,port-on-all-interfaces",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    insta::assert_json_snapshot!(v, { ".tool.version" => "[version]" });
}

#[test]
fn github_and_junit_output() {
    let args =
        ["compose", "fixtures/compose/include/compose.yaml", "--select", "docker-socket-mount,port-on-all-interfaces,image-not-pinned"];
    let gh = cbench(&[&args[..], &["--format", "github"]].concat());
    insta::assert_snapshot!("github", gh.stdout);
    let junit = cbench(&[&args[..], &["--format", "junit"]].concat());
    let scrubbed: String = junit.stdout.lines().map(|l| scrub_junit(l) + "\n").collect();
    insta::assert_snapshot!("junit", scrubbed);
}

fn scrub_junit(line: &str) -> String {
    // quick-junit writes no timestamps unless asked; keep the line as is.
    line.to_string()
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("tests/schemas/sarif-2.1.0.json")).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    for args in [
        vec!["compose", "compose-samples/insecure.yaml", "--format", "sarif"],
        vec!["compose", "fixtures/compose/suppress/compose.yaml", "--format", "sarif"],
        vec!["compose", "fixtures/compose/bad/wrong-types.yaml", "fixtures/compose/bad/empty.yaml", "--format", "sarif"],
    ] {
        let r = cbench(&args);
        let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        let errors: Vec<String> = validator.iter_errors(&v).map(|e| format!("{} at {}", e, e.instance_path())).collect();
        assert!(errors.is_empty(), "{args:?}: {errors:#?}");
        assert_eq!(v["version"], "2.1.0");
    }
    // The validator does reject a broken log.
    let mut broken: serde_json::Value =
        serde_json::from_str(&cbench(&["compose", "compose-samples/insecure.yaml", "--format", "sarif"]).stdout).unwrap();
    broken["runs"][0]["results"][0]["level"] = "bogus".into();
    assert!(!validator.is_valid(&broken));
    // Suppressed findings are marked, not dropped.
    let r = cbench(&["compose", "fixtures/compose/suppress/compose.yaml", "--format", "sarif"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let suppressed: Vec<&str> = v["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert_eq!(suppressed, ["cpu-not-limited", "healthcheck-missing", "privileged-container", "host-pid"]);
}

#[test]
fn exit_codes_follow_fail_on() {
    assert_eq!(cbench(&["compose", "compose-samples/insecure.yaml"]).code, 1);
    assert_eq!(cbench(&["compose", "compose-samples/hardened.yaml", "--fail-on", "info"]).code, 0);
    // only high findings: passes when failing on critical
    let f = "fixtures/compose/extends/base.yaml";
    assert_eq!(cbench(&["compose", f, "--fail-on", "critical"]).code, 0);
    assert_eq!(cbench(&["compose", f, "--fail-on", "high"]).code, 1);
    assert_eq!(cbench(&["compose", f, "--select", "nope"]).code, 2);
    assert_eq!(cbench(&["compose", "fixtures/compose/bad/empty.yaml", "compose-samples/hardened.yaml"]).code, 2);
}

#[test]
fn min_severity_select_ignore() {
    let (_, r) = json(&["compose", "compose-samples/insecure.yaml", "--min-severity", "critical"]);
    let rules: Vec<(u64, String)> = lines_and_rules(&r);
    // SYS_ADMIN (line 16) is root on the host: critical, as privileged is.
    assert_eq!(
        rules,
        [(6, "privileged-container".to_string()), (16, "dangerous-capability".to_string()), (25, "docker-socket-mount".to_string())]
    );
    let (_, r) = json(&["compose", "compose-samples/insecure.yaml", "--select", "host-pid,host-ipc", "--ignore", "host-ipc"]);
    assert_eq!(lines_and_rules(&r), [(11, "host-pid".to_string())]);
}

#[test]
fn suppressions_inline_and_config() {
    let (code, r) = json(&["compose", "fixtures/compose/suppress/compose.yaml"]);
    let all: Vec<(String, String, bool)> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["rule"].as_str().unwrap().into(), f["severity"].as_str().unwrap().into(), f["suppressed"].as_bool().unwrap()))
        .collect();
    let s = |a: &str, b: &str, c| (a.to_string(), b.to_string(), c);
    assert_eq!(
        all,
        [
            s("cpu-not-limited", "low", true),
            s("healthcheck-missing", "low", true),
            s("memory-not-limited", "medium", false),
            s("no-new-privileges-not-set", "medium", false),
            s("pids-not-limited", "medium", false),
            s("runs-as-root", "medium", false),
            s("writable-root-filesystem", "medium", false),
            // On a privileged service it points at `privileged:` (every capability).
            s("capabilities-not-dropped", "low", false),
            s("privileged-container", "critical", true),
            s("host-pid", "high", true),
            s("host-ipc", "critical", false),
        ]
    );
    assert_eq!(code, 1);
    assert_eq!(r["summary"]["suppressed"], 4);
    // --no-config ignores .cbench.toml
    let (_, r) = json(&["compose", "fixtures/compose/suppress/compose.yaml", "--no-config", "--select", "host-ipc,healthcheck-missing"]);
    let sev: Vec<(&str, &str, bool)> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["rule"].as_str().unwrap(), f["severity"].as_str().unwrap(), f["suppressed"].as_bool().unwrap()))
        .collect();
    assert_eq!(sev, [("healthcheck-missing", "low", false), ("host-ipc", "high", false)]);
}

#[test]
fn bad_input_is_reported_and_the_rest_still_audited() {
    let bad = [
        "malformed.yaml",
        "not-a-mapping.yaml",
        "services-list.yaml",
        "invalid-utf8.yaml",
        "empty.yaml",
        "duplicate-key.yaml",
        "wrong-types.yaml",
        "alias-bomb.yaml",
        "deep-nesting.yaml",
        "extends-cycle.yaml",
        "extends-missing.yaml",
        "include-missing.yaml",
        "include-cycle-a.yaml",
        "env-file.yaml",
    ];
    let mut args: Vec<String> =
        vec!["compose".into(), "--format".into(), "compact".into(), "--select".into(), "privileged-container,dangerous-capability".into()];
    args.extend(bad.iter().map(|f| format!("fixtures/compose/bad/{f}")));
    args.extend(["fixtures/compose/bad".into(), "fixtures/compose/bad/missing.yaml".into(), "compose-samples/insecure.yaml".into()]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = cbench(&refs);
    assert_eq!(r.code, 2);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    insta::assert_snapshot!(r.stdout);
}

#[test]
fn oversized_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.yaml");
    let mut text = String::from("services:\n  web:\n    image: x:1\n    labels:\n");
    while text.len() <= 16 * 1024 * 1024 {
        text.push_str(&format!("      l{}: \"{}\"\n", text.len(), "x".repeat(200)));
    }
    std::fs::write(&big, text).unwrap();
    let r = cbench(&["compose", big.to_str().unwrap(), "compose-samples/hardened.yaml", "--format", "compact"]);
    assert_eq!(r.code, 2);
    let line = r.stdout.lines().find(|l| l.contains("big.yaml")).unwrap();
    assert!(line.ends_with("is over the 16 MiB limit for a Compose file; not read"), "{line}");
}

#[test]
fn unreadable_include_is_partial_unless_allowed() {
    let r = cbench(&["compose", "fixtures/compose/bad/include-missing.yaml", "--format", "compact", "--fail-on", "critical"]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.contains("error (partial view): included file"), "{}", r.stdout);
    let r = cbench(&[
        "compose",
        "fixtures/compose/bad/include-missing.yaml",
        "--format",
        "compact",
        "--allow-partial",
        "--fail-on",
        "critical",
    ]);
    // the privileged service is still found; the partial view no longer forces exit 2
    assert_eq!(r.code, 1);
}

#[test]
fn discovery_and_override_merge() {
    let dir = root().join("fixtures/compose/merge");
    let r = cbench_in(
        Some(&dir),
        &[
            "compose",
            "--format",
            "compact",
            "--select",
            "privileged-container,port-on-all-interfaces,dangerous-capability,sensitive-host-mount",
        ],
        &[],
    );
    insta::assert_snapshot!(r.stdout);
    let empty = tempfile::tempdir().unwrap();
    let r = cbench_in(Some(empty.path()), &["compose", "--format", "compact"], &[]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.contains("no Compose file found"), "{}", r.stdout);
}

#[test]
fn merge_with_repeated_f() {
    let r = cbench(&[
        "compose",
        "-f",
        "fixtures/compose/merge/compose.yaml",
        "-f",
        "fixtures/compose/merge/compose.override.yaml",
        "--format",
        "compact",
        "--select",
        "privileged-container,port-on-all-interfaces,dangerous-capability,sensitive-host-mount",
    ]);
    let got: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(
        got,
        [
            "fixtures/compose/merge/compose.override.yaml:4:9: medium[port-on-all-interfaces] web: port 9090:90/tcp is published on every host interface",
            "fixtures/compose/merge/compose.override.yaml:5:15: high[dangerous-capability] web: adds capability NET_ADMIN",
            "fixtures/compose/merge/compose.override.yaml:9:17: critical[privileged-container] web: runs privileged: every capability, every host device, no seccomp or AppArmor confinement",
        ]
    );
}

#[test]
fn extends_and_include() {
    let r = cbench(&["compose", "fixtures/compose/extends/compose.yaml", "--format", "compact", "--min-severity", "high"]);
    insta::assert_snapshot!("extends", r.stdout);
    let r = cbench(&["compose", "fixtures/compose/include/compose.yaml", "--format", "compact", "--min-severity", "medium"]);
    insta::assert_snapshot!("include", r.stdout);
    // A value taken from an anchor or an extended file also points at the service using it.
    let (_, r) = json(&["compose", "fixtures/compose/extends/compose.yaml", "--select", "host-pid"]);
    assert_eq!(r["findings"][0]["location"], serde_json::json!({"path": "fixtures/compose/extends/compose.yaml", "line": 3, "column": 8}));
    assert_eq!(
        r["findings"][0]["related"],
        serde_json::json!([{"path": "fixtures/compose/extends/compose.yaml", "line": 11, "column": 3}])
    );
    let text = cbench(&["compose", "fixtures/compose/extends/compose.yaml", "--select", "host-pid"]).stdout;
    assert!(text.contains("see also fixtures/compose/extends/compose.yaml:11:3"), "{text}");
}

#[test]
fn interpolation_env_file_and_dotenv() {
    let f = "fixtures/compose/interpolation/compose.yaml";
    let sel = [
        "--select",
        "privileged-container,port-on-all-interfaces,secret-in-environment,image-not-pinned,runs-as-root",
        "--format",
        "compact",
    ];
    let r = cbench(&[&["compose", f][..], &sel].concat());
    insta::assert_snapshot!("interpolation_dotenv", r.stdout);
    let r = cbench(&[&["compose", f, "--env-file", "fixtures/compose/interpolation/ci.env"][..], &sel].concat());
    insta::assert_snapshot!("interpolation_env_file", r.stdout);
    // the process environment wins over .env
    let r = cbench_in(None, &[&["compose", f][..], &sel].concat(), &[("PRIVILEGED", "false"), ("APP_UID", "1000")]);
    assert!(!r.stdout.contains("privileged-container"), "{}", r.stdout);
    assert!(!r.stdout.contains("runs-as-root"), "{}", r.stdout);
}

#[test]
fn profiles_audit_everything_unless_asked() {
    let (_, r) = json(&["compose", "fixtures/compose/profiles/compose.yaml", "--select", "privileged-container,host-pid"]);
    assert_eq!(lines_and_rules(&r), [(7, "privileged-container".to_string()), (11, "host-pid".to_string())]);
    let (_, r) =
        json(&["compose", "fixtures/compose/profiles/compose.yaml", "--select", "privileged-container,host-pid", "--profile", "tools"]);
    assert_eq!(lines_and_rules(&r), [(11, "host-pid".to_string())]);
}

#[test]
fn secret_values_are_never_printed() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("compose.yaml");
    std::fs::write(
        &f,
        "services:\n  app:\n    image: a:1\n    environment:\n      - DB_PASSWORD=Sup3rS3cretValue\n      - URL=postgres://u:Sup3rS3cretValue@db/x\n    command: [\"run\", \"amqp://u:Sup3rS3cretValue@mq\"]\n",
    )
    .unwrap();
    for format in ["text", "compact", "json", "sarif", "github", "junit"] {
        let r = cbench(&["compose", f.to_str().unwrap(), "--format", format, "--color", "always"]);
        assert_eq!(r.code, 1, "{format}");
        assert!(r.stdout.contains("DB_PASSWORD"), "{format}: {}", r.stdout);
        assert!(!r.stdout.contains("Sup3rS3cretValue"), "{format} leaks the secret: {}", r.stdout);
    }
}

#[test]
fn rules_and_explain() {
    let r = cbench(&["rules"]);
    assert!(r.stdout.lines().any(|l| l.starts_with("privileged-container") && l.contains("critical") && l.contains("5.5")), "{}", r.stdout);
    let r = cbench(&["explain", "docker-socket-mount"]);
    insta::assert_snapshot!(r.stdout);
    let r = cbench(&["explain", "no-such-rule"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("unknown rule `no-such-rule`"));
}

/// `(line, rule, message)` of every unsuppressed finding.
fn findings_of(r: &Run) -> Vec<(u64, String, String)> {
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}\n{}", r.stdout, r.stderr));
    let mut out: Vec<_> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["suppressed"] == false)
        .map(|f| {
            (
                f["location"]["line"].as_u64().unwrap_or(0),
                f["rule"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn relative_bind_sources_resolve_against_the_file_however_it_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("repo/app");
    std::fs::create_dir_all(&dir).unwrap();
    // Enough `..` to reach `/` from any temporary directory; more stay at `/`.
    let up = "../".repeat(dir.components().count() + 2);
    let text = format!(
        "services:\n  web:\n    image: nginx:1.27\n    user: \"1000\"\n    volumes:\n      - .:/code\n      - ./data:/data\n      - {up}etc:/host-etc\n"
    );
    std::fs::write(dir.join("compose.yaml"), text).unwrap();
    let mount_findings =
        |r: &Run| -> Vec<(u64, String, String)> { findings_of(r).into_iter().filter(|(_, rule, _)| rule.contains("mount")).collect() };
    let want = vec![(
        8,
        "sensitive-host-mount".to_string(),
        "mounts sensitive host path /etc read-write (host configuration and password hashes)".to_string(),
    )];
    for (cwd, args) in [
        (dir.clone(), vec!["compose", "compose.yaml"]),
        (dir.clone(), vec!["compose", "./compose.yaml"]),
        (dir.clone(), vec!["compose"]),
        (tmp.path().join("repo"), vec!["compose", "app/compose.yaml"]),
        (dir.join("../.."), vec!["compose", "repo/app/../app/compose.yaml"]),
    ] {
        let mut args = args.clone();
        args.extend(["--format", "json"]);
        let r = cbench_in(Some(&cwd), &args, &[]);
        assert_eq!(mount_findings(&r), want, "{args:?} in {}: {}", cwd.display(), r.stderr);
    }
}

#[test]
fn a_service_whose_extends_file_is_missing_is_audited_with_its_own_keys() {
    let tmp = tempfile::tempdir().unwrap();
    let text = "services:\n  app:\n    extends:\n      file: missing/base.yaml\n      service: base\n    image: nginx:1.27\n    privileged: true\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock\n";
    std::fs::write(tmp.path().join("compose.yaml"), text).unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec!["compose", "compose.yaml", "--format", "json"];
        args.extend(extra);
        let r = cbench_in(Some(tmp.path()), &args, &[]);
        let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        (r.code, v)
    };
    let want_message = "extends: missing/base.yaml: cannot read: No such file or directory (os error 2); the base service \"base\" was not seen, \"app\" is audited with its own keys only";
    for (extra, code, list) in [(&[][..], 2, "errors"), (&["--allow-partial"][..], 1, "warnings")] {
        let (got, v) = run(extra);
        assert_eq!(got, code, "{extra:?}: {v}");
        let rules: Vec<(u64, String)> =
            lines_and_rules(&v).into_iter().filter(|(_, r)| r.contains("privileged") || r.contains("socket")).collect();
        assert_eq!(rules, [(7, "privileged-container".to_string()), (9, "docker-socket-mount".to_string())], "{extra:?}");
        assert_eq!(
            v[list],
            serde_json::json!([{"path": "compose.yaml", "line": 4, "column": 13, "message": want_message}]),
            "{extra:?}: {v}"
        );
        let other = if list == "errors" { "warnings" } else { "errors" };
        assert_eq!(v[other], serde_json::json!([]), "{extra:?}");
    }
}

#[test]
fn a_baseline_suppresses_what_it_records_and_survives_moved_lines() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let v1 = "services:\n  web:\n    image: nginx:1.27\n    privileged: true\n";
    std::fs::write(dir.join("compose.yaml"), v1).unwrap();
    let r = cbench_in(Some(dir), &["compose", "compose.yaml", "--write-baseline", "baseline.json", "--format", "json"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stderr, "cbench: 9 findings recorded in the baseline baseline.json\n");
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(v["findings"].as_array().unwrap().iter().all(|f| f["suppressed_by"] == "baseline"), "{v}");
    let recorded: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join("baseline.json")).unwrap()).unwrap();
    assert_eq!(recorded["findings"].as_array().unwrap().len(), 9);
    // Lines move (a comment, a key above) and a new problem comes: only it is new.
    let v2 = "# moved\nservices:\n  web:\n    # the proxy\n    image: nginx:1.27\n    privileged: true\n    pid: host\n";
    std::fs::write(dir.join("compose.yaml"), v2).unwrap();
    let r = cbench_in(Some(dir), &["compose", "compose.yaml", "--baseline", "baseline.json", "--format", "json"], &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let new: Vec<(u64, String)> = lines_and_rules(&v);
    assert_eq!(new, [(7, "host-pid".to_string())]);
    assert_eq!(v["summary"]["suppressed"], 9);
    // The same identity in SARIF, for code scanning.
    let sarif = cbench_in(Some(dir), &["compose", "compose.yaml", "--baseline", "baseline.json", "--format", "sarif"], &[]);
    let s: serde_json::Value = serde_json::from_str(&sarif.stdout).unwrap();
    let results = s["runs"][0]["results"].as_array().unwrap();
    let by_rule = |rule: &str, doc: &[serde_json::Value], key: &str| -> Vec<serde_json::Value> {
        doc.iter().filter(|f| f[key] == rule).cloned().collect()
    };
    let pid_sarif = &by_rule("host-pid", results, "ruleId")[0];
    let pid_json = &by_rule("host-pid", v["findings"].as_array().unwrap(), "rule")[0];
    assert_eq!(pid_sarif["partialFingerprints"]["cbench/v1"], pid_json["fingerprint"]);
    let privileged = &by_rule("privileged-container", results, "ruleId")[0];
    assert_eq!(privileged["suppressions"], serde_json::json!([{"kind": "external", "justification": "baseline"}]));
    // A baseline that is not one: an input error naming it, the audit still made.
    std::fs::write(dir.join("bad.json"), "{\"version\": 1, \"findings\": 3}").unwrap();
    let r = cbench_in(Some(dir), &["compose", "compose.yaml", "--baseline", "bad.json", "--format", "compact"], &[]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.contains("host-pid"), "{}", r.stdout);
    assert!(
        r.stdout.contains("bad.json:1:28: error: not a cbench baseline: invalid type: integer (value not shown), expected a sequence"),
        "{}",
        r.stdout
    );
}

#[test]
fn unknown_rule_ids_in_config_and_comments_are_said() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("compose.yaml"), "services:\n  web:  # cbench: ignore[privileged-containr]\n    image: nginx:1.27\n").unwrap();
    let r = cbench_in(Some(dir), &["compose", "compose.yaml", "--format", "json"], &[]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        v["warnings"],
        serde_json::json!([{"path": "compose.yaml", "line": 2, "column": 26, "message": "cbench: ignore[...] names an unknown rule id `privileged-containr` (see `cbench rules`); it suppresses nothing"}])
    );
    std::fs::write(dir.join(".cbench.toml"), "# typo below\nignore = [\"healthcheck-missing\", \"runs-as-rot\"]\n").unwrap();
    let r = cbench_in(Some(dir), &["compose", "compose.yaml", "--format", "json"], &[]);
    assert_eq!(r.code, 2);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let config = dir.canonicalize().unwrap().join(".cbench.toml");
    assert_eq!(
        v["errors"],
        serde_json::json!([{"path": config.display().to_string(), "line": 2, "column": 34, "message": "ignore: unknown rule id `runs-as-rot` (see `cbench rules`)"}])
    );
}

#[test]
fn the_text_report_leads_with_what_matters() {
    let r = cbench(&["compose", "compose-samples/insecure.yaml", "compose-samples/webapp.yaml"]);
    let titles: Vec<&str> = r.stdout.lines().filter(|l| l.contains("]: ")).collect();
    let severity = |l: &str| ["critical", "high", "medium", "low", "info"].iter().position(|s| l.starts_with(s)).unwrap();
    let order: Vec<usize> = titles.iter().map(|l| severity(l)).collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted, "criticals and highs first");
    // One entry per service for what it does not set; every finding is still in JSON.
    let hardening: Vec<&&str> = titles.iter().filter(|l| l.contains("[hardening]")).collect();
    assert_eq!(hardening.len(), 6, "{hardening:#?}");
    assert!(hardening.iter().any(|l| l.contains("service `metrics`: 8 hardening controls not set:")), "{hardening:#?}");
    let (_, json) = json(&["compose", "compose-samples/insecure.yaml", "compose-samples/webapp.yaml"]);
    let listed = json["findings"].as_array().unwrap().iter().filter(|f| f["suppressed"] == false).count();
    let expanded = cbench(&["compose", "compose-samples/insecure.yaml", "compose-samples/webapp.yaml", "--expand"]);
    let expanded_titles = expanded.stdout.lines().filter(|l| l.contains("]: ")).count();
    assert_eq!(expanded_titles, listed);
    assert!(titles.len() < listed);
    // A summary line per file.
    assert!(r.stdout.contains("\ncompose-samples/insecure.yaml: "), "{}", r.stdout);
    assert!(r.stdout.contains("\ncompose-samples/webapp.yaml: "), "{}", r.stdout);
}

#[test]
fn what_compose_refuses_is_refused_and_not_read_as_a_setting() {
    let r = cbench(&["compose", "fixtures/compose/bad/shapes.yaml", "--format", "json"]);
    assert_eq!(r.code, 2);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let errors: Vec<(u64, u64, &str)> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["line"].as_u64().unwrap(), e["column"].as_u64().unwrap(), e["message"].as_str().unwrap()))
        .collect();
    assert_eq!(
        errors,
        [
            (5, 5, "services.web: additional property 'privilegd' is not allowed (not a Compose service key)"),
            (6, 18, "services.web: healthcheck must be a mapping"),
            (7, 14, "services.web: cap_add must be a list"),
            (8, 13, "services.web: deploy must be null or a mapping"),
            (9, 15, "services.web: sysctls[0] must be a string"),
            (9, 18, "services.web: sysctls[1] must be a string"),
            (10, 16, "services.web.mem_limit: expected a size such as 512m or 1g, found `99999999999999999999g`"),
            (11, 11, "services.web: user must be a string"),
            (13, 9, "services.web.volumes: invalid spec: :/media: empty section between colons"),
            (15, 11, "services.scalar must be a mapping, found a scalar"),
            (16, 1, "additional property 'servics' is not allowed (not a Compose top-level key)"),
            (14, 18, "service \"web\" depends on undefined service \"Web\": invalid compose project"),
        ]
    );
    // A string is no health check, an overflowing size no limit, an integer user no user; the
    // refused sysctls are not read; the scalar service is no container.
    let rules: Vec<(u64, String)> = lines_and_rules(&v);
    let on_web: Vec<&str> = rules.iter().filter(|(l, _)| *l == 3).map(|(_, r)| r.as_str()).collect();
    for want in ["healthcheck-missing", "memory-not-limited", "runs-as-root"] {
        assert!(on_web.contains(&want), "{want}: {rules:?}");
    }
    assert!(!rules.iter().any(|(_, r)| r == "unsafe-sysctl"), "{rules:?}");
    assert_eq!(v["summary"]["subjects"], 1);
}

#[test]
fn a_tilde_is_judged_by_what_it_names_whoever_runs_cbench() {
    let tmp = tempfile::tempdir().unwrap();
    let text = "services:\n  web:\n    image: nginx:1.27\n    volumes:\n      - ~/.ssh:/keys:ro\n      - ~/data:/data\n      - ~/.docker/config.json:/cfg:ro\n      - ~:/home-all:ro\n";
    std::fs::write(tmp.path().join("compose.yaml"), text).unwrap();
    for home in ["/root", "/home/alice"] {
        let r = cbench_in(Some(tmp.path()), &["compose", "compose.yaml", "--format", "json"], &[("HOME", home)]);
        let mounts: Vec<(u64, String)> = lines_and_rules(&serde_json::from_str(&r.stdout).unwrap())
            .into_iter()
            .filter(|(_, rule)| rule == "sensitive-host-mount")
            .collect();
        // ~/.ssh, ~/.docker and the home itself, never ~/data.
        assert_eq!(
            mounts,
            [(5, "sensitive-host-mount".to_string()), (7, "sensitive-host-mount".to_string()), (8, "sensitive-host-mount".to_string())],
            "HOME={home}"
        );
    }
}

/// Defaults in `${VAR-x}` / `${VAR:-x}` templates, list and map form, as the corpus run found
/// them (awesome-compose's localstack: `- LOCALSTACK_API_KEY=${LOCALSTACK_API_KEY-}` is no
/// committed secret; a list item's default is what follows `KEY=`), and placeholders that ask
/// for the value.
#[test]
fn secret_defaults_in_list_and_map_form() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("compose.yaml");
    std::fs::write(
        &f,
        "services:\n  app:\n    image: a:1\n    environment:\n      - API_KEY=${API_KEY-}\n      - B_API_KEY=${B_API_KEY:-}\n      - ADMIN_PASSWORD=${ADMIN_PASSWORD:-changeme}\n      - CF_API_TOKEN=YOUR-CLOUDFLARE-API-TOKEN\n  db:\n    image: b:1\n    environment:\n      DB_PASSWORD: ${DB_PASSWORD-hunter2}\n      EMPTY_SECRET: ${EMPTY_SECRET:-}\n",
    )
    .unwrap();
    let (code, r) = json(&["compose", f.to_str().unwrap(), "--select", "secret-in-environment"]);
    assert_eq!(code, 1);
    assert_eq!(lines_and_rules(&r), [(7, "secret-in-environment".to_string()), (12, "secret-in-environment".to_string())]);
}
