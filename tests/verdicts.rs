//! A verdict is the truth: one regression per defect of issue 8 ("One verdict engine"), each
//! asserting the exact outcome cbench must give.
// Tests read fixtures and the machine they run on to compare with what cbench reads.
#![allow(clippy::disallowed_methods)]

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
        text_high.contains("WARN  [2.10] userns-remap-disabled: 1 finding(s) not shown (suppressed or below --min-severity)"),
        "{text_high}"
    );
    // `--select` shows one check (by its CIS v1.8.0 number, the default); the outcomes and the
    // score are the whole run's.
    let (_, one) = json(&["host", "--root", r, "--select", "2.10"]);
    let shown: Vec<_> = outcomes(&one).into_iter().filter(|(rule, _, _)| rule != "*").map(|(rule, _, o)| (rule, o)).collect();
    assert_eq!(
        shown,
        [("userns-remap-disabled".to_string(), "fail".to_string()), ("userns-remap-subids-missing".to_string(), "pass".to_string())]
    );
    assert_eq!(all["summary"]["checks"], one["summary"]["checks"]);
    // The same check by its v1.6.0 number, under --cis-version 1.6.0; 2.9 is another there.
    let (_, old) = json(&["host", "--root", r, "--select", "2.9", "--cis-version", "1.6.0"]);
    let old_shown: Vec<_> = outcomes(&old).into_iter().filter(|(rule, _, _)| rule != "*").map(|(rule, _, o)| (rule, o)).collect();
    assert_eq!(old_shown, shown);
    let (_, other) = json(&["host", "--root", r, "--select", "2.9"]);
    let other: Vec<String> = outcomes(&other).into_iter().filter(|(rule, _, _)| rule != "*").map(|(rule, _, _)| rule).collect();
    assert_eq!(other, ["default-ulimit-not-set"]);
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
    // --only with a CIS prefix runs the sections of its rules and shows those checks only.
    let (_, report) = json(&["host", "--root", "fixtures/hosts/debian-docker.io", "--only", "1.1"]);
    let mut rules: Vec<String> = outcomes(&report).into_iter().map(|(r, _, _)| r).filter(|r| r != "*").collect();
    rules.sort();
    assert_eq!(rules, ["audit-docker-path", "data-root-partition", "docker-group-members"]);
    // The sections left out are there, skipped as not selected.
    let left_out: Vec<(&str, &str)> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["rule"] == "*")
        .map(|c| (c["section"].as_str().unwrap(), c["skip"].as_str().unwrap()))
        .collect();
    assert_eq!(left_out.len(), 8, "{left_out:?}");
    assert!(left_out.iter().all(|(s, k)| *k == "not-selected" && !["socket", "audit", "fs"].contains(s)), "{left_out:?}");
    let r = cbench(&["host", "--root", "fixtures/hosts/debian-docker.io", "--only", "9.9"]);
    assert_eq!(r.code, 2);
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

/// Run the cbench binary as uid/gid 65534 (nobody) from a copy it can execute; None when the
/// test does not run as root (then it cannot switch users).
fn as_nobody(dir: &std::path::Path, args: &[&str]) -> Option<(i32, serde_json::Value)> {
    use std::os::unix::fs::MetadataExt;
    if std::fs::metadata("/proc/self").map(|m| m.uid()).unwrap_or(1) != 0 {
        eprintln!("skipped: needs root to run cbench as another user");
        return None;
    }
    let bin = dir.join("cbench-bin");
    if !bin.exists() {
        std::fs::copy(env!("CARGO_BIN_EXE_cbench"), &bin).unwrap();
    }
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    // setpriv (util-linux) drops root's supplementary groups too.
    let out = std::process::Command::new("setpriv")
        .args(["--reuid", "65534", "--regid", "65534", "--clear-groups"])
        .arg(&bin)
        .args(&all)
        .env_clear()
        .current_dir(dir)
        .output()
        .unwrap();
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    Some((out.status.code().unwrap_or(-1), report))
}

fn chmod(path: &std::path::Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// A root a non-root user can enter: the temporary directory itself is 0700.
fn open_root() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    chmod(dir.path(), 0o755);
    dir
}

/// /etc/docker/certs.d at 0700 read as empty, so docker-file-permissions passed as non-root.
#[test]
fn an_unlistable_certs_dir_skips_the_file_checks() {
    let dir = open_root();
    let r = dir.path();
    put(r, "etc/docker/certs.d/registry.lan:5000/ca.crt", "x", 0o666);
    chmod(&r.join("etc/docker/certs.d"), 0o700);
    let root = r.to_str().unwrap();
    // As root the world-writable certificate is found...
    let (_, report) = json(&["host", "--root", root, "--only", "files"]);
    assert_eq!(check(&report, "docker-file-permissions").0, "fail");
    assert_eq!(evidence_of(&report, "docker-file-permissions"), [format!("{root}/etc/docker/certs.d/registry.lan:5000/ca.crt")]);
    // ...and as nobody it is not readable: skipped with the reason, never a pass.
    let Some((_, report)) = as_nobody(r, &["host", "--root", root, "--only", "files"]) else { return };
    assert_eq!(
        check(&report, "docker-file-permissions"),
        ("skip", format!("not readable without root: {root}/etc/docker/certs.d").as_str())
    );
    assert_eq!(report["checks"].as_array().unwrap().iter().find(|c| c["rule"] == "docker-file-permissions").unwrap()["skip"], "unreadable");
}

/// An unreadable daemon.json was treated as absent: its `hosts` passed with exit 0.
#[test]
fn an_unreadable_daemon_json_is_no_pass() {
    let dir = open_root();
    let r = dir.path();
    put(r, "etc/docker/daemon.json", "{\"hosts\": [\"tcp://0.0.0.0:2375\"]}\n", 0o600);
    let root = r.to_str().unwrap();
    let (code, report) = json(&["host", "--root", root, "--only", "daemon"]);
    assert_eq!((code, check(&report, "daemon-tcp-without-tls").0), (1, "fail"));
    let Some((_, report)) = as_nobody(r, &["host", "--root", root, "--only", "daemon"]) else { return };
    assert_eq!(
        check(&report, "daemon-tcp-without-tls"),
        ("skip", format!("not readable without root: {root}/etc/docker/daemon.json").as_str())
    );
}

/// One invalid UTF-8 byte inside a string: dockerd's decoder accepts it, so must cbench.
#[test]
fn invalid_utf8_in_a_daemon_json_string_is_still_read() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    std::fs::create_dir_all(r.join("etc/docker")).unwrap();
    std::fs::write(r.join("etc/docker/daemon.json"), b"{\"labels\": [\"site=\xff\"], \"hosts\": [\"tcp://0.0.0.0:2375\"]}\n").unwrap();
    let (code, report) = json(&["host", "--root", r.to_str().unwrap(), "--only", "daemon"]);
    assert_eq!(code, 1);
    assert_eq!(evidence_of(&report, "daemon-tcp-without-tls"), ["tcp://0.0.0.0:2375"]);
}

/// An unreadable docker.service drop-in carrying `-H tcp://...` passed.
#[test]
fn an_unreadable_docker_service_dropin_is_no_pass() {
    let dir = open_root();
    let r = dir.path();
    put(r, "lib/systemd/system/docker.service", "[Service]\nExecStart=/usr/bin/dockerd -H fd://\n", 0o644);
    put(
        r,
        "etc/systemd/system/docker.service.d/tcp.conf",
        "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H tcp://0.0.0.0:2375\n",
        0o600,
    );
    let root = r.to_str().unwrap();
    let (_, report) = json(&["host", "--root", root, "--only", "daemon"]);
    assert_eq!(check(&report, "daemon-tcp-without-tls").0, "fail");
    let Some((_, report)) = as_nobody(r, &["host", "--root", root, "--only", "daemon"]) else { return };
    let want = format!("not readable without root: {root}/etc/systemd/system/docker.service.d/tcp.conf");
    assert_eq!(check(&report, "daemon-tcp-without-tls"), ("skip", want.as_str()));
}

/// An unreadable sysctl.d file read as "not configured".
#[test]
fn an_unreadable_sysctl_file_is_not_not_configured() {
    let dir = open_root();
    let r = dir.path();
    put(r, "etc/sysctl.d/90-hardening.conf", "kernel.kptr_restrict = 2\n", 0o600);
    let root = r.to_str().unwrap();
    let Some((_, report)) = as_nobody(r, &["host", "--root", root, "--only", "kernel"]) else { return };
    assert_eq!(
        check(&report, "kernel-sysctl"),
        ("skip", format!("not readable without root: {root}/etc/sysctl.d/90-hardening.conf").as_str())
    );
}

/// Sudoers includes nested deeper than 8 were dropped in silence; sudo follows 128 levels.
#[test]
fn deeply_nested_sudoers_includes_are_followed() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    put(r, "etc/passwd", "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\n", 0o644);
    put(r, "etc/sudoers", "#include /etc/sudoers.inc/1\n", 0o440);
    for i in 1..12 {
        put(r, &format!("etc/sudoers.inc/{i}"), &format!("#include /etc/sudoers.inc/{}\n", i + 1), 0o440);
    }
    put(r, "etc/sudoers.inc/12", "alice ALL=(ALL) NOPASSWD: ALL\n", 0o440);
    let (_, report) = json(&["host", "--root", r.to_str().unwrap(), "--only", "users"]);
    assert_eq!(check(&report, "passwordless-sudo").0, "fail");
    assert_eq!(evidence_of(&report, "passwordless-sudo"), ["alice"]);
    // Deeper than sudo itself goes: unknown, said so.
    put(r, "etc/sudoers", "#include /etc/sudoers.deep/1\n", 0o440);
    for i in 1..140 {
        put(r, &format!("etc/sudoers.deep/{i}"), &format!("#include /etc/sudoers.deep/{}\n", i + 1), 0o440);
    }
    let (_, report) = json(&["host", "--root", r.to_str().unwrap(), "--only", "users"]);
    let (outcome, reason) = check(&report, "passwordless-sudo");
    assert_eq!(outcome, "skip");
    assert!(reason.ends_with("includes nested deeper than sudo's 128 levels"), "{reason}");
}

/// The --deep walk skipped directories it could not read, and passed.
#[test]
fn a_deep_walk_that_cannot_read_a_directory_is_no_pass() {
    let dir = open_root();
    let r = dir.path();
    put(r, "srv/private/tool", "x", 0o4755);
    chmod(&r.join("srv/private"), 0o700);
    let root = r.to_str().unwrap();
    let (_, report) = json(&["host", "--root", root, "--only", "fs", "--deep"]);
    assert_eq!(evidence_of(&report, "setuid-files"), ["/srv/private/tool"]);
    let Some((_, report)) = as_nobody(r, &["host", "--root", root, "--only", "fs", "--deep"]) else { return };
    assert_eq!(check(&report, "setuid-files"), ("skip", format!("not readable without root: {root}/srv/private").as_str()));
}

/// auditd-inactive passed for a non-root user, who cannot ask the kernel (auditctl -s).
#[test]
fn auditd_inactive_is_unknown_to_a_non_root_user() {
    if !["/usr/sbin/auditctl", "/sbin/auditctl"].iter().any(|p| std::path::Path::new(p).exists()) {
        eprintln!("skipped: auditctl is not installed");
        return;
    }
    let dir = open_root();
    let Some((_, report)) = as_nobody(dir.path(), &["host", "--only", "audit"]) else { return };
    let (outcome, reason) = check(&report, "auditd-inactive");
    // Not applicable on a machine without Docker's files; never a pass.
    assert!(
        (outcome, reason) == ("skip", "not readable without root: the kernel's audit state (auditctl -s)") || outcome == "not-applicable",
        "{outcome}: {reason}"
    );
}

/// docker-bench-json is a drop-in for docker-bench-security's `-l` log: the shape of the log
/// recorded on a real engine (../shared/reference or a copy beside the repository), one result
/// per CIS id in its own section, every result PASS / WARN / INFO / NOTE.
#[test]
fn docker_bench_json_has_the_shape_of_docker_bench_securitys_log() {
    let reference = [
        "../shared/reference/docker-bench-security/log-4-containers.json",
        "../../shared/reference/docker-bench-security/log-4-containers.json",
    ]
    .iter()
    .map(|p| root().join(p))
    .find(|p| p.exists());
    let root_dir = fixture_root("debian-docker.io");
    let r = cbench(&["host", "--root", root_dir.path().to_str().unwrap(), "--format", "docker-bench-json", "--cis-version", "1.6.0"]);
    let ours: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let keys = |v: &serde_json::Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&ours), ["checks", "dockerbenchsecurity", "end", "score", "start", "tests"]);
    if let Some(path) = reference {
        let theirs: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        assert_eq!(keys(&ours), keys(&theirs));
        assert_eq!(keys(&ours["tests"][0]), keys(&theirs["tests"][0]));
    } else {
        eprintln!("reference log not found: shape checked against the keys it has");
    }
    assert!(ours["start"].as_u64().unwrap() > 1_700_000_000 && ours["end"].as_u64() >= ours["start"].as_u64());
    let mut seen = std::collections::BTreeSet::new();
    let (mut total, mut score) = (0, 0);
    for section in ours["tests"].as_array().unwrap() {
        let sid = section["id"].as_str().unwrap();
        for result in section["results"].as_array().unwrap() {
            let id = result["id"].as_str().unwrap();
            assert!(seen.insert(id.to_string()), "{id} appears twice");
            if sid != "cbench" {
                assert_eq!(id.split('.').next(), Some(sid), "{id} in section {sid}");
            }
            for k in keys(result) {
                assert!(["id", "desc", "result", "details", "items"].contains(&k.as_str()), "{id}: key {k}");
            }
            let res = result["result"].as_str().unwrap();
            assert!(["PASS", "WARN", "INFO", "NOTE"].contains(&res), "{id}: {res}");
            total += 1;
            score += match res {
                "PASS" => 1,
                "WARN" => -1,
                _ => 0,
            };
        }
    }
    assert_eq!((ours["checks"].as_i64().unwrap(), ours["score"].as_i64().unwrap()), (total, score));
    let result = |id: &str| {
        ours["tests"].as_array().unwrap().iter().flat_map(|s| s["results"].as_array().unwrap()).find(|r| r["id"] == id).cloned().unwrap()
    };
    // userns-remap off is 2.9's WARN, whatever else shares the id (once read as PASS).
    assert_eq!(result("2.9")["result"], "WARN");
    // Each audit path counts for its own id; every offending item is listed.
    assert_eq!(result("1.1.3")["items"], serde_json::json!(["/usr/sbin/dockerd"]));
    assert_eq!(result("1.1.4")["result"], "PASS");
    assert_eq!(result("1.1.2")["items"], serde_json::json!(["alice", "ci-runner"]));
    // Skipped and not applicable checks are there, as NOTE with the reason.
    assert_eq!(result("engine-warning")["result"], "NOTE");
    assert_eq!(result("engine-warning")["details"], "skipped: not known without the engine: only the running engine reports it");
}

/// Every format tells the same truth for the same run: on each fixture root, the outcome of
/// every check in JSON is what text, JUnit, SARIF, GitHub, compact and docker-bench-json say.
#[test]
fn every_format_agrees_on_every_outcome() {
    use std::collections::{BTreeMap, BTreeSet};
    for name in ["flatcar-default", "flatcar-hardened", "debian-docker.io", "docker-ce"] {
        let dir = fixture_root(name);
        let root = dir.path().to_str().unwrap();
        let run = |format: &str| cbench(&["host", "--root", root, "--format", format]).stdout;
        let report: serde_json::Value = serde_json::from_str(&run("json")).unwrap();
        // Host checks: one subject per section, so a rule names its check.
        let json: BTreeMap<String, String> = outcomes(&report).into_iter().filter(|(r, _, _)| r != "*").map(|(r, _, o)| (r, o)).collect();
        let with = |want: &[&str]| -> BTreeSet<String> {
            json.iter().filter(|(_, o)| want.contains(&o.as_str())).map(|(r, _)| r.clone()).collect()
        };
        let shown_findings: BTreeSet<String> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["suppressed"] == false)
            .map(|f| f["rule"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(shown_findings, with(&["fail", "info"]), "{name}: findings vs failed checks");

        // Text: one state word per check line.
        let text = run("text");
        let mut text_states: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
        for line in text.lines().filter(|l| l.starts_with("    ") && !l.trim_start().starts_with("fix:")) {
            let mut words = line.split_whitespace();
            let (Some(state), Some(mut next)) = (words.next(), words.next()) else { continue };
            if ["critical", "high", "medium", "low", "info"].contains(&next) {
                next = words.next().unwrap_or("");
            }
            if next.starts_with('[') {
                next = words.next().unwrap_or("");
            }
            let rule = next.trim_end_matches(':');
            if json.contains_key(rule) {
                text_states.entry(rule.to_string()).or_default().insert(state);
            }
        }
        for (rule, outcome) in &json {
            let want = match outcome.as_str() {
                "pass" => "PASS",
                "fail" => "WARN",
                "info" => "INFO",
                "not-applicable" => "N/A",
                "skip" => "SKIP",
                "error" => "ERROR",
                o => panic!("{o}"),
            };
            assert!(
                text_states.get(rule).is_some_and(|s| s.contains(want)),
                "{name}: {rule} is {outcome} in JSON, text says {:?}",
                text_states.get(rule)
            );
        }

        // JUnit: failures for failed checks only, skipped for skipped and not applicable ones.
        let junit = run("junit");
        let mut junit_state: BTreeMap<String, &str> = BTreeMap::new();
        for case in junit.split("<testcase name=\"").skip(1) {
            let rule = &case[..case.find('"').unwrap()];
            let body = &case[..case.find("</testcase>").or_else(|| case.find("/>")).unwrap_or(case.len())];
            let state = if body.contains("<failure") {
                "fail"
            } else if body.contains("<error") {
                "error"
            } else if body.contains("<skipped") {
                "skip"
            } else {
                "pass"
            };
            junit_state.insert(rule.to_string(), state);
        }
        for (rule, outcome) in &json {
            let want = match outcome.as_str() {
                "pass" | "info" => "pass",
                "not-applicable" | "skip" => "skip",
                o => o,
            };
            assert_eq!(junit_state.get(rule).copied(), Some(want), "{name}: {rule} ({outcome}) in JUnit");
        }

        // SARIF: results for the rules with findings; a note or an error for each skipped or
        // errored check.
        let sarif: serde_json::Value = serde_json::from_str(&run("sarif")).unwrap();
        let results: BTreeSet<String> = sarif["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["suppressions"].as_array().is_none_or(|s| s.is_empty()))
            .map(|r| r["ruleId"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(results, shown_findings, "{name}: SARIF results");
        let notes: Vec<String> = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["message"]["text"].as_str().unwrap().to_string())
            .collect();
        for rule in with(&["skip", "error"]) {
            assert!(notes.iter().any(|n| n.starts_with(&format!("{rule} on "))), "{name}: no SARIF notification for {rule}");
        }

        // Compact and GitHub: every finding's rule, and every skipped or errored check.
        let compact = run("compact");
        let github = run("github");
        for rule in &shown_findings {
            assert!(compact.lines().any(|l| l.contains(&format!("[{rule}]"))), "{name}: compact lacks {rule}");
            assert!(github.lines().any(|l| l.contains(&format!("title=cbench {rule} ("))), "{name}: github lacks {rule}");
        }
        for rule in with(&["skip", "error"]) {
            assert!(
                compact.lines().any(|l| l.contains(&format!("skip[{rule}]")) || l.contains(&format!("error[{rule}]"))),
                "{name}: compact lacks {rule}"
            );
            assert!(
                github
                    .lines()
                    .any(|l| l.contains(&format!("title=cbench {rule} (skipped)")) || l.contains(&format!("title=cbench {rule} (error)"))),
                "{name}: github lacks {rule}"
            );
        }

        // docker-bench-json: a failed check is a WARN under one of its ids, a skipped one a
        // NOTE; a passed check is never a WARN.
        let bench: serde_json::Value = serde_json::from_str(&run("docker-bench-json")).unwrap();
        let results: BTreeMap<String, String> = bench["tests"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|s| s["results"].as_array().unwrap())
            .map(|r| (r["id"].as_str().unwrap().to_string(), r["result"].as_str().unwrap().to_string()))
            .collect();
        let checks = report["checks"].as_array().unwrap();
        for c in checks.iter().filter(|c| c["rule"] != "*") {
            let rule = c["rule"].as_str().unwrap();
            let mut ids: Vec<String> = c["cis"].as_array().unwrap().iter().map(|i| i.as_str().unwrap().to_string()).collect();
            ids.push(rule.to_string());
            let got: Vec<&str> = ids.iter().filter_map(|i| results.get(i).map(String::as_str)).collect();
            match c["outcome"].as_str().unwrap() {
                "fail" | "error" => assert!(got.contains(&"WARN"), "{name}: {rule} fails but docker-bench-json says {got:?}"),
                "skip" | "not-applicable" if ids.len() == 1 => assert_eq!(got, ["NOTE"], "{name}: {rule}"),
                "pass" if ids.len() == 1 => assert_eq!(got, ["PASS"], "{name}: {rule}"),
                _ => assert!(!got.is_empty(), "{name}: {rule} missing from docker-bench-json"),
            }
        }
    }
}

/// A snapshot of a live host carries its /proc, /sys and auditctl's output: the live readers
/// are tested on it, not on the machine the tests run on. The running dockerd's first flag
/// (`-H tcp://0.0.0.0:2375`) was once skipped.
#[test]
fn a_live_snapshot_is_read_through_host_root() {
    let root = "fixtures/hosts/live-snapshot";
    let (_, report) = json(&["host", "--root", root, "--live", "--only", "daemon,audit,kernel,mac,fs"]);
    let found = |rule: &str| -> Vec<(String, String)> {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == rule)
            .map(|f| (f["evidence"].as_str().unwrap().to_string(), f["origin"].as_str().unwrap().to_string()))
            .collect()
    };
    let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
    assert_eq!(found("daemon-tcp-without-tls"), [pair("tcp://0.0.0.0:2375", "/proc/4242/cmdline (running dockerd)")]);
    assert_eq!(found("auditd-inactive"), [pair("auditd", "auditctl -s: enabled 0")]);
    // The loaded rules (`auditctl -l`) watch /usr/bin/dockerd, the only Docker file there.
    assert_eq!(check(&report, "audit-docker-path").0, "pass");
    assert_eq!(found("kernel-cmdline-weakened"), [pair("mitigations=off", "/proc/cmdline")]);
    let sysctl = found("kernel-sysctl");
    assert!(sysctl.contains(&pair("kernel.kptr_restrict", "/proc/sys/kernel/kptr_restrict")), "{sysctl:?}");
    assert!(!sysctl.iter().any(|(k, _)| k == "kernel.dmesg_restrict"), "{sysctl:?}");
    assert_eq!(check(&report, "apparmor-docker-default").0, "pass");
    assert_eq!(check(&report, "mac-inactive").0, "pass");
    assert_eq!(found("tmp-mount-options")[0].1, "/proc/self/mountinfo");
    // The same tree offline: nothing live is read, of it or of this machine.
    let (_, offline) = json(&["host", "--root", root, "--only", "audit,kernel,mac"]);
    assert_eq!(check(&offline, "apparmor-docker-default").0, "skip");
    assert!(offline["findings"].as_array().unwrap().iter().all(|f| !f["origin"].as_str().unwrap().starts_with("/proc")), "{offline}");
}

/// A symlink in the audited tree that points at a path of the auditing machine once marked
/// docker.socket as masked there, and hid a 0666 socket.
#[test]
fn symlinks_in_the_root_never_reach_the_auditing_machine() {
    let elsewhere = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink("/dev/null", elsewhere.path().join("docker.socket")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    put(r, "usr/lib/systemd/system/docker.socket", "[Socket]\nListenStream=/run/docker.sock\nSocketMode=0666\n", 0o644);
    std::fs::create_dir_all(r.join("etc/systemd")).unwrap();
    // /etc/systemd/system -> an absolute path that exists on this machine, masking the unit.
    std::os::unix::fs::symlink(elsewhere.path(), r.join("etc/systemd/system")).unwrap();
    let (_, report) = json(&["host", "--root", r.to_str().unwrap(), "--only", "socket"]);
    assert_eq!(check(&report, "docker-socket-mode").0, "fail");
    assert_eq!(evidence_of(&report, "docker-socket-mode"), ["SocketMode=0666"]);
}

/// The --deep walk skipped paths longer than PATH_MAX and passed.
#[test]
fn a_deep_walk_past_path_max_is_no_pass() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    // 260 levels of 20 characters: past PATH_MAX (4096), made one relative step at a time.
    // (Python: a shell's `cd` gives up at PATH_MAX, the kernel's relative chdir does not.)
    let ok = std::process::Command::new("python3")
        .arg("-c")
        .arg("import os, sys\nos.chdir(sys.argv[1])\nfor _ in range(260):\n    os.mkdir('aaaaaaaaaaaaaaaaaaaa'); os.chdir('aaaaaaaaaaaaaaaaaaaa')")
        .arg(r)
        .status()
        .unwrap()
        .success();
    assert!(ok);
    let (_, report) = json(&["host", "--root", r.to_str().unwrap(), "--only", "fs", "--deep"]);
    let (outcome, reason) = check(&report, "setuid-files");
    assert_eq!(outcome, "skip", "{reason}");
    assert!(reason.starts_with(&format!("not readable without root: {}/aaaaaaaaaaaaaaaaaaaa/", r.display())), "{reason}");
}

/// CIS 1.1.8 missed the containerd socket Debian's dockerd really uses.
#[test]
fn the_containerd_socket_dockerd_starts_is_audited_as_1_1_8() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    put(r, "run/docker/containerd/containerd.sock", "", 0o660);
    put(r, "etc/audit/rules.d/docker.rules", "-w /usr/bin/dockerd -p wa\n", 0o640);
    let (_, report) = json(&["host", "--root", r.to_str().unwrap(), "--only", "audit"]);
    let f = report["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "audit-docker-path").unwrap().clone();
    assert_eq!(
        (f["evidence"].as_str().unwrap(), f["cis"].clone()),
        ("/run/docker/containerd/containerd.sock", serde_json::json!(["1.1.8"]))
    );
}

/// docker-bench-json had `"tests": []` when daemon.json did not parse: the errored checks are
/// there, as WARN with the reason.
#[test]
fn docker_bench_json_reports_errored_checks() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    put(r, "etc/docker/daemon.json", "{\n  \"icc\": tru\n}\n", 0o644);
    let out =
        cbench(&["host", "--root", r.to_str().unwrap(), "--only", "daemon", "--format", "docker-bench-json", "--cis-version", "1.6.0"]);
    assert_eq!(out.code, 2);
    let log: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let section = log["tests"].as_array().unwrap().iter().find(|s| s["id"] == "2").unwrap();
    let r22 = section["results"].as_array().unwrap().iter().find(|r| r["id"] == "2.2").unwrap();
    assert_eq!(r22["result"], "WARN");
    assert!(r22["details"].as_str().unwrap().starts_with("error: cannot judge the daemon's files:"), "{r22}");
}
