//! A verdict is the truth: one regression per defect of issue 8 ("One verdict engine"), each
//! asserting the exact outcome cbench must give.

mod common;

use common::*;

/// The outcome and reason of check `rule` in a JSON host report (the first one for that rule).
fn check<'a>(report: &'a serde_json::Value, rule: &str) -> (&'a str, &'a str) {
    let c = report["checks"].as_array().unwrap().iter().find(|c| c["rule"] == rule).unwrap_or_else(|| panic!("no check {rule}"));
    (c["outcome"].as_str().unwrap(), c["reason"].as_str().unwrap_or(""))
}

fn evidence_of(report: &serde_json::Value, rule: &str) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .map(|f| f["evidence"].as_str().unwrap().to_string())
        .collect()
}

/// `ExecStart=/usr/bin/dockerd \` continued on the next line with `-H tcp://0.0.0.0:2375`.
#[test]
fn a_continuation_line_does_not_hide_a_tcp_listener() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    put(
        r,
        "etc/systemd/system/docker.service",
        "[Service]\nExecStart=/usr/bin/dockerd \\\n    -H fd:// \\\n    -H tcp://0.0.0.0:2375 \\\n    --containerd=/run/containerd/containerd.sock\n",
        0o644,
    );
    let (_, report) = json(&["host", "--root", r.to_str().unwrap(), "--only", "daemon"]);
    assert_eq!(check(&report, "daemon-tcp-without-tls").0, "fail");
    assert_eq!(evidence_of(&report, "daemon-tcp-without-tls"), ["tcp://0.0.0.0:2375"]);
}

/// (rule, subject, outcome) of every check in a JSON report.
fn outcomes(report: &serde_json::Value) -> Vec<(String, String, String)> {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let s = |v: &serde_json::Value| v.as_str().unwrap_or("").to_string();
            (s(&c["rule"]), s(&c["subject"]["name"]), s(&c["outcome"]))
        })
        .collect()
}

fn score_line(text: &str) -> &str {
    text.lines().last().unwrap_or("")
}

/// `--min-severity high` once turned failing host checks into PASS and raised the score.
#[test]
fn min_severity_changes_what_is_shown_never_the_verdict() {
    let root = fixture_root("debian-docker.io");
    let r = root.path().to_str().unwrap();
    let (_, all) = json(&["host", "--root", r]);
    let (code, high) = json(&["host", "--root", r, "--min-severity", "high"]);
    assert_eq!(outcomes(&all), outcomes(&high));
    assert_eq!(all["summary"]["checks"], high["summary"]["checks"]);
    assert!(high["findings"].as_array().unwrap().iter().all(|f| f["severity"] == "high" || f["severity"] == "critical"));
    assert_eq!(code, 1);
    let text_all = cbench(&["host", "--root", r]).stdout;
    let text_high = cbench(&["host", "--root", r, "--min-severity", "high"]).stdout;
    assert_eq!(score_line(&text_all), score_line(&text_high));
    // userns-remap-disabled (medium) still fails, its finding not shown.
    assert!(
        text_high.contains("WARN  [2.9] userns-remap-disabled: 1 finding(s) not shown (suppressed or below --min-severity)"),
        "{text_high}"
    );
    // `--select` shows one check; the outcomes and the score are the whole run's.
    let (_, one) = json(&["host", "--root", r, "--select", "2.9"]);
    let shown: Vec<_> = outcomes(&one).into_iter().filter(|(rule, _, _)| rule != "*").map(|(rule, _, o)| (rule, o)).collect();
    assert_eq!(
        shown,
        [("userns-remap-disabled".to_string(), "fail".to_string()), ("userns-remap-subids-missing".to_string(), "pass".to_string())]
    );
    assert_eq!(all["summary"]["checks"], one["summary"]["checks"]);
}

/// A check whose findings are all suppressed once showed PASS.
#[test]
fn a_check_whose_findings_are_all_suppressed_still_fails() {
    let root = fixture_root("debian-docker.io");
    let r = root.path().to_str().unwrap();
    let args = ["host", "--root", r, "--only", "socket", "--ignore", "docker-group-members:alice,docker-group-members:ci-runner"];
    let (_, report) = json(&args);
    assert_eq!(check(&report, "docker-group-members").0, "fail");
    let suppressed: Vec<bool> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "docker-group-members")
        .map(|f| f["suppressed"].as_bool().unwrap())
        .collect();
    assert_eq!(suppressed, [true, true]);
    let text = cbench(&args).stdout;
    assert!(text.contains("WARN  [1.1.2] docker-group-members: 2 finding(s) not shown (suppressed or below --min-severity)"), "{text}");
    assert!(!text.contains("PASS  [1.1.2] docker-group-members"), "{text}");
    let mut junit_args = args.to_vec();
    junit_args.extend(["--format", "junit"]);
    let junit = cbench(&junit_args).stdout;
    assert!(
        junit.contains(
            r#"<testcase name="docker-group-members" classname="cbench.socket">
            <failure message="failed (its findings are suppressed or not shown)""#
        ),
        "{junit}"
    );
}

/// A check whose findings are all INFO was a pass in text and a failure in JUnit.
#[test]
fn only_informational_findings_pass_in_every_format() {
    let root = fixture_root("docker-ce");
    let r = root.path().to_str().unwrap();
    let (_, report) = json(&["host", "--root", r, "--only", "users"]);
    assert_eq!(check(&report, "privileged-group-members").0, "info");
    let junit = cbench(&["host", "--root", r, "--only", "users", "--format", "junit"]).stdout;
    let case = junit.split("<testcase name=\"privileged-group-members\"").nth(1).unwrap();
    let case = &case[..case.find("</testcase>").unwrap_or(case.len())];
    assert!(!case.contains("<failure"), "{case}");
    assert!(case.contains("<system-out>"), "{case}");
    let text = cbench(&["host", "--root", r, "--only", "users"]).stdout;
    assert!(text.contains("INFO  info     privileged-group-members: ubuntu is in group sudo"), "{text}");
}

/// `--select 5.4` was an error; CIS ids and prefixes name rules everywhere.
#[test]
fn select_and_ignore_take_cis_ids_and_prefixes() {
    let (_, report) = json(&["compose", "compose-samples/insecure.yaml", "--select", "5.4"]);
    let rules: std::collections::BTreeSet<&str> =
        report["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap()).collect();
    assert_eq!(rules.into_iter().collect::<Vec<_>>(), ["capabilities-not-dropped", "dangerous-capability"]);
    let (_, report) = json(&["host", "--root", "fixtures/hosts/debian-docker.io", "--only", "audit,socket", "--ignore", "1.1"]);
    let rules: Vec<String> = outcomes(&report).into_iter().map(|(rule, _, _)| rule).collect();
    assert!(!rules.iter().any(|r| r == "audit-docker-path" || r == "docker-group-members"), "{rules:?}");
    assert!(rules.iter().any(|r| r == "docker-socket-mode"), "{rules:?}");
    let r = cbench(&["compose", "compose-samples/insecure.yaml", "--select", "9.9"]);
    assert_eq!((r.code, r.stderr.as_str()), (2, "cbench: unknown rule or CIS id `9.9` (see `cbench rules`)\n"));
    let r = cbench(&["host", "--root", "fixtures/hosts/debian-docker.io", "--select", "kernel-sysctl:net.ipv4.ip_forward"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "cbench: `--select kernel-sysctl:net.ipv4.ip_forward`: RULE:EVIDENCE suppresses one finding and only goes with --ignore\n"
    );
}

/// Two services named `db` in two files were one JUnit suite name.
#[test]
fn junit_suites_are_named_by_file_and_service() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.yaml"), dir.path().join("b.yaml"));
    std::fs::write(&a, "services:\n  db:\n    image: postgres:16\n").unwrap();
    std::fs::write(&b, "services:\n  db:\n    image: postgres:16\n    privileged: true\n").unwrap();
    let r = cbench(&["compose", a.to_str().unwrap(), b.to_str().unwrap(), "--format", "junit"]);
    let suites: Vec<&str> =
        r.stdout.lines().filter_map(|l| l.trim().strip_prefix("<testsuite name=\"")).map(|l| &l[..l.find('"').unwrap()]).collect();
    assert_eq!(suites, [format!("{} service db", a.display()), format!("{} service db", b.display())]);
    // One test case per check, failures only for failed checks.
    let head = r.stdout.lines().nth(1).unwrap();
    let checks = cbench::rules::container_rule_ids().len();
    assert!(head.starts_with(&format!("<testsuites name=\"cbench\" tests=\"{}\"", 2 * checks)), "{head}");
}
