//! `cbench compose --fix`: proved on every Compose file of compose-samples/ and fixtures/ (in a
//! copy of its directory) and on generated cases. After `--fix --unsafe-fixes`: (1) Docker
//! Compose v2 still resolves the file, (2) the resolved model differs from before only in the
//! fields the fixes name, (3) the fixed findings are gone on re-audit (what is left of the
//! fixable rules is what the fix run said it could not fix), (4) a second run changes nothing,
//! (5) `--diff` wrote nothing.
// Tests read fixtures and the machine they run on to compare with what cbench reads.
#![allow(clippy::disallowed_methods)]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{cbench_in, root};

/// The fields a Compose fix may change.
const FIXED_FIELDS: &[&str] = &["privileged", "read_only", "cap_drop", "security_opt", "ports", "restart"];
/// Rules that have a fix.
const FIXABLE: &[&str] = &[
    "no-new-privileges-not-set",
    "privileged-container",
    "writable-root-filesystem",
    "capabilities-not-dropped",
    "port-on-all-interfaces",
    "restart-policy-unbounded",
];

fn oracle() -> bool {
    let ok = Command::new("docker-compose").arg("version").output().is_ok_and(|o| o.status.success());
    if !ok {
        assert!(std::env::var_os("CBENCH_REQUIRE_ORACLE").is_none(), "CBENCH_REQUIRE_ORACLE is set but docker-compose is not on PATH");
        eprintln!("\n\n*** SKIPPED: docker-compose is not installed; fixes are checked without the Compose oracle ***\n");
    }
    ok
}

/// `docker-compose config` of `file` in `dir`: the services, or Compose's complaint.
fn resolved(dir: &Path, file: &str) -> Result<serde_json::Value, String> {
    let out = Command::new("docker-compose")
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap())
        .env("HOME", "/nonexistent")
        .env("COMPOSE_PROFILES", "*")
        .args(["-f", file, "config", "--format", "json"])
        .output()
        .unwrap();
    // The PyPI wrapper exits 0 even on errors: what Compose refused is on stderr.
    let err = String::from_utf8_lossy(&out.stderr).trim().to_string();
    if !out.status.success() || out.stdout.is_empty() {
        return Err(err);
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).map_err(|e| format!("{e}: {err}"))?;
    Ok(v["services"].clone())
}

/// The services without the fields a fix may change.
fn unfixed_fields(services: &serde_json::Value) -> serde_json::Value {
    let mut s = services.clone();
    for (_, svc) in s.as_object_mut().into_iter().flatten() {
        for f in FIXED_FIELDS {
            svc.as_object_mut().map(|o| o.remove(*f));
        }
    }
    s
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        let t = to.join(e.file_name());
        if p.is_dir() {
            copy_dir(&p, &t);
        } else {
            std::fs::copy(&p, &t).unwrap();
        }
    }
}

/// Every file of `dir` by name, with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(snapshot(&p));
        } else {
            out.insert(p.clone(), std::fs::read(&p).unwrap());
        }
    }
    out
}

/// Rule ids of the shown findings of fixable rules, in a JSON report.
fn fixable(report: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(report).unwrap_or_else(|e| panic!("{e}: {report}"));
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["suppressed"] == false && FIXABLE.contains(&f["rule"].as_str().unwrap()))
        .map(|f| format!("{} {}", f["rule"].as_str().unwrap(), f["origin"].as_str().unwrap()))
        .collect()
}

/// Fix `file` (relative to `dir`, a copy) and prove the five properties; returns the number of
/// fixes applied.
fn prove(dir: &Path, file: &str, with_oracle: bool) -> usize {
    let args = |extra: &[&str]| {
        let mut a = vec!["compose", file, "--no-config", "--allow-partial", "--unsafe-fixes", "--format", "json"];
        a.extend(extra);
        a.into_iter().map(str::to_string).collect::<Vec<_>>()
    };
    let run = |extra: &[&str]| {
        let a = args(extra);
        cbench_in(Some(dir), &a.iter().map(String::as_str).collect::<Vec<_>>(), &[("HOME", "/nonexistent")])
    };
    let before_files = snapshot(dir);
    let before_model = if with_oracle { resolved(dir, file).ok() } else { None };
    // (5) --diff writes nothing, and says whether there is something to fix.
    let diff = run(&["--diff"]);
    assert_eq!(snapshot(dir), before_files, "{file}: --diff wrote");
    let fixed = run(&["--fix"]);
    let applied: usize = fixed
        .stderr
        .lines()
        .find_map(|l| l.strip_prefix("cbench: ")?.split(" fixes applied").next()?.parse().ok())
        .unwrap_or_else(|| panic!("{file}: no summary: {}", fixed.stderr));
    assert_eq!(diff.code == 1, applied > 0, "{file}: --diff exit {} with {applied} fixes\n{}", diff.code, diff.stdout);
    // (3) What is left of the fixable rules is what the fix run could not fix.
    let not_fixed = fixed.stderr.lines().filter(|l| l.contains(": not fixed: ")).count();
    let left = fixable(&fixed.stdout);
    assert_eq!(left.len(), not_fixed, "{file}: left {left:?}\n{}", fixed.stderr);
    // (4) A second run changes nothing.
    let after_files = snapshot(dir);
    let again = run(&["--fix"]);
    assert!(again.stderr.contains("cbench: 0 fixes applied to 0 files"), "{file}: {}", again.stderr);
    assert_eq!(snapshot(dir), after_files, "{file}: the second run changed something");
    // (1), (2) Compose still resolves it, and only the fixed fields changed.
    if let Some(before) = before_model {
        let after = resolved(dir, file).unwrap_or_else(|e| panic!("{file}: Compose refuses the fixed file: {e}"));
        assert_eq!(unfixed_fields(&after), unfixed_fields(&before), "{file}: a field no fix names changed");
        if applied > 0 {
            assert_ne!(after, before, "{file}: fixes applied, nothing changed for Compose");
        }
    }
    applied
}

#[test]
fn every_sample_and_fixture_is_fixed_and_proved() {
    let with_oracle = oracle();
    let mut files = Vec::new();
    for top in ["compose-samples", "fixtures/compose"] {
        collect(&root().join(top), &mut files);
    }
    let mut total = 0;
    let mut proved = 0;
    for f in files {
        let dir = f.parent().unwrap();
        let name = f.file_name().unwrap().to_str().unwrap().to_string();
        // Files cbench (and Compose) refuse are not fixed.
        let check =
            cbench_in(Some(dir), &["compose", &name, "--no-config", "--allow-partial", "--format", "json"], &[("HOME", "/nonexistent")]);
        if check.code == 2 {
            continue;
        }
        let work = tempfile::tempdir().unwrap();
        copy_dir(dir, work.path());
        total += prove(work.path(), &name, with_oracle);
        proved += 1;
    }
    assert!(proved >= 15, "only {proved} files proved");
    assert!(total >= 20, "only {total} fixes applied");
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        let s = p.to_string_lossy().to_string();
        if p.is_dir() {
            if !s.ends_with("/bad") {
                collect(&p, out);
            }
        } else if (s.ends_with(".yaml") || s.ends_with(".yml")) && !s.contains(".override.") {
            out.push(p);
        }
    }
}

/// A generated case: its name, its files (name, text), compose.yaml after the fix.
type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);

/// Generated cases: anchors, `extends`, override files, flow style, comments on the changed
/// line, CRLF.
#[test]
fn generated_cases_are_fixed_where_values_are_declared() {
    let with_oracle = oracle();
    let cases: &[Case] = &[
        (
            "anchor",
            &[(
                "compose.yaml",
                "x-base: &base\n  image: nginx:1.27\n  privileged: true   # shared\n  restart: always\nservices:\n  a:\n    <<: *base\n  b:\n    <<: *base\n    ports: [\"8080:80\"]\n",
            )],
            // The anchor's values are fixed once, in the anchor; each service gets its own keys.
            "x-base: &base\n  image: nginx:1.27\n  privileged: false  # shared\n  restart: on-failure:5\nservices:\n  a:\n    read_only: true\n    <<: *base\n  b:\n    read_only: true\n    <<: *base\n    ports: [\"127.0.0.1:8080:80\"]\n",
        ),
        (
            "extends",
            &[
                ("base.yaml", "services:\n  web:\n    image: nginx:1.27\n    privileged: true\n"),
                (
                    "compose.yaml",
                    "services:\n  app:\n    extends:\n      file: base.yaml\n      service: web\n    read_only: true\n    cap_drop: [ALL]\n    security_opt: [\"no-new-privileges:true\"]\n",
                ),
            ],
            // The extending file is unchanged: the value is fixed in the base file.
            "services:\n  app:\n    extends:\n      file: base.yaml\n      service: web\n    read_only: true\n    cap_drop: [ALL]\n    security_opt: [\"no-new-privileges:true\"]\n",
        ),
        (
            "crlf-flow-comments",
            &[(
                "compose.yaml",
                "services:\r\n  web:   # the front\r\n    image: nginx:1.27\r\n    read_only: false # TODO\r\n    cap_drop: [NET_RAW]\r\n    ports:\r\n      - '443:443'   # public\r\n",
            )],
            "services:\r\n  web:   # the front\r\n    security_opt:\r\n      - no-new-privileges:true\r\n    image: nginx:1.27\r\n    read_only: true  # TODO\r\n    cap_drop: [NET_RAW]\r\n    ports:\r\n      - '127.0.0.1:443:443' # public\r\n",
        ),
        (
            "interpolated",
            &[(
                "compose.yaml",
                "services:\n  web:\n    image: nginx:1.27\n    privileged: ${PRIV:-true}\n    read_only: true\n    cap_drop: [ALL]\n    security_opt: [no-new-privileges:true]\n",
            )],
            // Never edited: the variable is named.
            "services:\n  web:\n    image: nginx:1.27\n    privileged: ${PRIV:-true}\n    read_only: true\n    cap_drop: [ALL]\n    security_opt: [no-new-privileges:true]\n",
        ),
    ];
    for (name, files, want) in cases {
        let dir = tempfile::tempdir().unwrap();
        for (f, text) in *files {
            std::fs::write(dir.path().join(f), text).unwrap();
        }
        prove(dir.path(), "compose.yaml", with_oracle);
        assert_eq!(std::fs::read_to_string(dir.path().join("compose.yaml")).unwrap(), *want, "{name}");
    }
    // The extends base got the fix; the interpolated value was named, not edited.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("base.yaml"), cases[1].1[0].1).unwrap();
    std::fs::write(dir.path().join("compose.yaml"), cases[1].1[1].1).unwrap();
    let r = cbench_in(Some(dir.path()), &["compose", "--fix", "--unsafe-fixes", "--no-config"], &[]);
    assert!(r.stderr.contains("1 fixes applied to 1 files"), "{}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("base.yaml")).unwrap(),
        "services:\n  web:\n    image: nginx:1.27\n    privileged: false\n"
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("compose.yaml"), cases[3].1[0].1).unwrap();
    let r = cbench_in(Some(dir.path()), &["compose", "--fix", "--unsafe-fixes", "--no-config"], &[]);
    assert!(
        r.stderr.contains(
            "privileged-container at ./compose.yaml:4:17: not fixed: the value comes from ${PRIV}: change the variable, not the file"
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn safe_fixes_by_default_unsafe_on_request_and_the_newcomer_path() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(root().join("compose-samples/insecure.yaml"), dir.path().join("insecure.yaml")).unwrap();
    let r = cbench_in(Some(dir.path()), &["compose", "insecure.yaml", "--diff"], &[]);
    assert_eq!(r.code, 1);
    // Only the safe fix (no-new-privileges) without --unsafe-fixes.
    let changed: Vec<&str> = r.stdout.lines().filter(|l| l.starts_with('+') && !l.starts_with("+++")).collect();
    assert_eq!(
        changed.iter().filter(|l| l.contains("no-new-privileges:true")).count(),
        changed.iter().filter(|l| l.contains("- no-new")).count()
    );
    assert!(r.stderr.contains("more findings have an unsafe fix (--unsafe-fixes)"), "{}", r.stderr);
    let r = cbench_in(Some(dir.path()), &["compose", "insecure.yaml", "--fix", "--unsafe-fixes", "--format", "compact"], &[]);
    for rule in FIXABLE.iter().filter(|r| **r != "capabilities-not-dropped") {
        assert!(!r.stdout.contains(&format!("[{rule}]")), "{rule} left after the fix:\n{}", r.stdout);
    }
}

/// SARIF carries each fix (code scanning can offer it): valid against the SARIF 2.1.0 schema,
/// and its replacements, applied to the file, give what `--fix --unsafe-fixes` writes in its
/// first round.
#[test]
fn sarif_fixes_are_the_edits_fix_writes() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("insecure.yaml");
    std::fs::copy(root().join("compose-samples/insecure.yaml"), &file).unwrap();
    let r = cbench_in(Some(dir.path()), &["compose", "insecure.yaml", "--format", "sarif"], &[]);
    let sarif: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("tests/schemas/sarif-2.1.0.json")).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    assert!(validator.is_valid(&sarif), "{:?}", validator.iter_errors(&sarif).map(|e| e.to_string()).collect::<Vec<_>>());
    let text = std::fs::read_to_string(&file).unwrap();
    let starts: Vec<usize> = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
    let offset = |line: u64, col: u64| {
        let s = starts[line as usize - 1];
        s + text[s..].chars().take(col as usize - 1).map(char::len_utf8).sum::<usize>()
    };
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    for result in sarif["runs"][0]["results"].as_array().unwrap() {
        for fix in result["fixes"].as_array().into_iter().flatten() {
            for change in fix["artifactChanges"].as_array().unwrap() {
                assert_eq!(change["artifactLocation"]["uri"], "insecure.yaml");
                for rep in change["replacements"].as_array().unwrap() {
                    let d = &rep["deletedRegion"];
                    let e = (
                        offset(d["startLine"].as_u64().unwrap(), d["startColumn"].as_u64().unwrap()),
                        offset(d["endLine"].as_u64().unwrap(), d["endColumn"].as_u64().unwrap()),
                        rep["insertedContent"]["text"].as_str().unwrap().to_string(),
                    );
                    if !edits.contains(&e) {
                        edits.push(e);
                    }
                }
            }
        }
    }
    assert!(edits.len() >= 8, "{edits:?}");
    edits.sort();
    let mut out = String::new();
    let mut at = 0;
    for (s, e, t) in &edits {
        out.push_str(&text[at..*s]);
        out.push_str(t);
        at = *e;
    }
    out.push_str(&text[at..]);
    // One round of --fix (the SARIF fixes are for today's findings).
    let diff = cbench_in(Some(dir.path()), &["compose", "insecure.yaml", "--diff", "--unsafe-fixes"], &[]);
    let fixed_dir = tempfile::tempdir().unwrap();
    std::fs::write(fixed_dir.path().join("insecure.yaml"), &out).unwrap();
    let added: Vec<&str> = diff.stdout.lines().filter(|l| l.starts_with('+') && !l.starts_with("+++")).map(|l| &l[1..]).collect();
    for line in added {
        assert!(out.lines().any(|l| l == line), "{line} not in the SARIF-fixed file");
    }
}

/// No check that passed (or was informational or not applicable) in `before` fails in `after`.
fn nothing_newly_fails(before: &serde_json::Value, after: &serde_json::Value, what: &str) {
    let outcome = |r: &serde_json::Value| -> BTreeMap<String, String> {
        r["checks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["rule"].as_str().unwrap().to_string(), c["outcome"].as_str().unwrap().to_string()))
            .collect()
    };
    let (ob, oa) = (outcome(before), outcome(after));
    for (rule, o) in &ob {
        if matches!(o.as_str(), "pass" | "info" | "not-applicable") {
            assert_ne!(oa.get(rule).map(String::as_str), Some("fail"), "{what}: {rule} passed and fails after the fix");
        }
    }
}

/// Every file under `dir` with its bytes and mode (symlinks as their target).
fn tree(dir: &Path) -> BTreeMap<PathBuf, (Vec<u8>, u32)> {
    use std::os::unix::fs::PermissionsExt;
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        let m = std::fs::symlink_metadata(&p).unwrap();
        if m.file_type().is_symlink() {
            out.insert(p.clone(), (std::fs::read_link(&p).unwrap().into_os_string().into_encoded_bytes(), 0));
        } else if m.is_dir() {
            out.extend(tree(&p));
        } else {
            out.insert(p.clone(), (std::fs::read(&p).unwrap(), m.permissions().mode()));
        }
    }
    out
}

/// `cbench host --fix-out DIR` on every fixture root: the root is byte for byte unchanged; laid
/// over a copy with `apply.sh COPY`, every finding the bundle says it fixes is gone and no
/// check that passed fails; on Flatcar, fix.bu is a Butane config cbench reads.
#[test]
fn host_fix_out_bundles_fix_what_they_claim_and_break_nothing() {
    for name in ["flatcar-default", "flatcar-hardened", "debian-docker.io", "docker-ce"] {
        let original = common::fixture_root(name);
        let before_tree = tree(original.path());
        let out = tempfile::tempdir().unwrap();
        let dir = out.path().join("bundle");
        let r = cbench_in(
            None,
            &["host", "--root", original.path().to_str().unwrap(), "--fix-out", dir.to_str().unwrap(), "--format", "json"],
            &[],
        );
        assert!(r.stderr.contains("remediation bundle in"), "{name}: {}", r.stderr);
        assert_eq!(tree(original.path()), before_tree, "{name}: the audited root was written");
        let before: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        // A second bundle never goes into a directory that is not empty.
        let again = cbench_in(None, &["host", "--root", original.path().to_str().unwrap(), "--fix-out", dir.to_str().unwrap()], &[]);
        assert_eq!(again.code, 2, "{name}: {}", again.stderr);
        // Lay it over a copy.
        let copy = common::fixture_root(name);
        let apply = Command::new("sh").arg(dir.join("apply.sh")).arg(copy.path()).output().unwrap();
        assert!(apply.status.success(), "{name}: apply.sh: {}", String::from_utf8_lossy(&apply.stderr));
        let after = cbench_in(None, &["host", "--root", copy.path().to_str().unwrap(), "--format", "json"], &[]);
        let after: serde_json::Value = serde_json::from_str(&after.stdout).unwrap();
        let claims: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join("fixes.json")).unwrap()).unwrap();
        let left: Vec<(String, String)> = after["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["suppressed"] == false)
            .map(|f| (f["rule"].as_str().unwrap().to_string(), f["evidence"].as_str().unwrap().replace(copy.path().to_str().unwrap(), "")))
            .collect();
        let mut fixed = 0;
        for c in claims["fixed"].as_array().unwrap() {
            let claim =
                (c["rule"].as_str().unwrap().to_string(), c["evidence"].as_str().unwrap().replace(original.path().to_str().unwrap(), ""));
            assert!(!left.contains(&claim), "{name}: {claim:?} is claimed fixed and is still found");
            fixed += 1;
        }
        nothing_newly_fails(&before, &after, name);
        if name == "flatcar-default" {
            assert!(fixed >= 50, "{name}: only {fixed} fixed");
            let bu = dir.join("fix.bu");
            let r = cbench_in(None, &["butane", bu.to_str().unwrap(), "--format", "json"], &[]);
            assert_ne!(r.code, 2, "fix.bu is not a Butane config cbench reads: {}", r.stdout);
            // The bundle's own Butane config, judged: what the bundle fixes is fixed there too.
            let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
            let bad: Vec<&str> = v["findings"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| f["rule"] == "kernel-sysctl" || f["rule"] == "sshd-root-login")
                .map(|f| f["rule"].as_str().unwrap())
                .collect();
            assert_eq!(bad, Vec::<&str>::new());
        }
    }
}

/// `cbench butane --fix`: the weak sample is fixed in place; its translation still validates;
/// what is left is what the fix run said it could not fix; nothing that passed fails; a second
/// run changes nothing; `--diff` writes nothing; the hardened sample needs nothing.
#[test]
fn butane_fix_writes_the_bundle_into_the_config() {
    let dir = tempfile::tempdir().unwrap();
    let bu = dir.path().join("node.bu");
    std::fs::copy(root().join("compose-samples/flatcar-weak.bu"), &bu).unwrap();
    let original = std::fs::read(&bu).unwrap();
    let p = bu.to_str().unwrap();
    let (_, before) = common::json(&["butane", p]);
    let diff = cbench_in(None, &["butane", p, "--diff"], &[]);
    assert_eq!(diff.code, 1, "{}", diff.stderr);
    assert_eq!(std::fs::read(&bu).unwrap(), original, "--diff wrote");
    // Safe fixes only: the kernel settings go in, sshd stays as it is.
    let safe = cbench_in(None, &["butane", p, "--fix", "--format", "json"], &[]);
    let after_safe: serde_json::Value = serde_json::from_str(&safe.stdout).unwrap();
    let rules = |r: &serde_json::Value| -> Vec<String> {
        r["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap().to_string()).collect()
    };
    assert!(!rules(&after_safe).contains(&"kernel-sysctl".to_string()), "{}", safe.stderr);
    assert!(rules(&after_safe).contains(&"sshd-root-login".to_string()));
    let fixed = cbench_in(None, &["butane", p, "--fix", "--unsafe-fixes", "--format", "json"], &[]);
    let after: serde_json::Value = serde_json::from_str(&fixed.stdout).unwrap();
    // What is left (above info) is what the run said it could not fix, by rule and evidence.
    let left: std::collections::BTreeSet<String> = after["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["suppressed"] == false && f["severity"] != "info")
        .map(|f| format!("{} ({})", f["rule"].as_str().unwrap(), f["evidence"].as_str().unwrap()))
        .collect();
    let said: std::collections::BTreeSet<String> = fixed
        .stderr
        .lines()
        .filter_map(|l| l.strip_prefix("cbench: ")?.split(" in ").next().filter(|s| s.contains(" (")).map(str::to_string))
        .collect();
    for l in &left {
        assert!(said.contains(l), "{l} is left and the fix run did not say why\n{}", fixed.stderr);
    }
    assert!(left.len() <= 14, "{left:?}");
    nothing_newly_fails(&before, &after, "node.bu");
    // A second run changes nothing.
    assert_eq!(cbench_in(None, &["butane", p, "--diff", "--unsafe-fixes"], &[]).code, 0);
    // The fixed config still translates to Ignition that ignition-validate accepts.
    let (config, diags) = cbench::sources::provision::load(&bu, cbench::sources::provision::Dialect::Butane, None);
    let config = config.unwrap_or_else(|| panic!("{diags:?}"));
    let ign = dir.path().join("node.ign");
    std::fs::write(&ign, serde_json::to_string(&cbench::sources::provision::translate::to_ignition(&config)).unwrap()).unwrap();
    if Command::new("ignition-validate").arg("--version").output().is_ok_and(|o| o.status.success()) {
        let out = Command::new("ignition-validate").arg(&ign).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    // Every Butane fixture: fixed, it still loads and translates to valid Ignition, and a second
    // run changes nothing.
    let files = root().join("fixtures/provision/files");
    for e in std::fs::read_dir(root().join("fixtures/provision")).unwrap().flatten() {
        let path = e.path();
        if path.extension().is_none_or(|x| x != "bu") {
            continue;
        }
        let copy = dir.path().join(path.file_name().unwrap());
        std::fs::copy(&path, &copy).unwrap();
        let c = copy.to_str().unwrap();
        let f = files.to_str().unwrap();
        let r = cbench_in(None, &["butane", c, "--files-dir", f, "--fix", "--unsafe-fixes", "--allow-partial", "--format", "compact"], &[]);
        assert!(!r.stdout.contains(": error:"), "{}: the fixed config does not load:\n{}", path.display(), r.stdout);
        assert_eq!(cbench_in(None, &["butane", c, "--files-dir", f, "--diff", "--unsafe-fixes"], &[]).code, 0, "{}", path.display());
        let (config, diags) = cbench::sources::provision::load(&copy, cbench::sources::provision::Dialect::Butane, Some(&files));
        let config = config.unwrap_or_else(|| panic!("{diags:?}"));
        let ign = dir.path().join("fixture.ign");
        std::fs::write(
            &ign,
            serde_json::to_string(&cbench::sources::provision::translate::to_ignition(&config))
                .unwrap()
                .replace("\"3.4.0\"", "\"3.4.0-experimental\""),
        )
        .unwrap();
        if Command::new("ignition-validate").arg("--version").output().is_ok_and(|o| o.status.success()) {
            let out = Command::new("ignition-validate").arg(&ign).output().unwrap();
            assert!(out.status.success(), "{}: {}", path.display(), String::from_utf8_lossy(&out.stderr));
        }
    }
    // The hardened sample: nothing to fix.
    let hardened = dir.path().join("hardened.bu");
    std::fs::copy(root().join("compose-samples/flatcar-hardened.bu"), &hardened).unwrap();
    let r = cbench_in(None, &["butane", hardened.to_str().unwrap(), "--diff", "--unsafe-fixes"], &[]);
    assert_eq!((r.code, r.stdout.as_str()), (0, ""), "{}", r.stderr);
    // Ignition configs are fixed in their Butane source.
    assert_eq!(cbench_in(None, &["ignition", ign.to_str().unwrap(), "--fix"], &[]).code, 2);
}

/// A value an override file sets is fixed in the override file; the base file is not touched.
#[test]
fn override_file_values_are_fixed_in_the_override() {
    let dir = tempfile::tempdir().unwrap();
    let base =
        "services:\n  web:\n    image: nginx:1.27\n    read_only: true\n    cap_drop: [ALL]\n    security_opt: [no-new-privileges:true]\n";
    std::fs::write(dir.path().join("compose.yaml"), base).unwrap();
    std::fs::write(dir.path().join("compose.override.yaml"), "services:\n  web:\n    privileged: true\n").unwrap();
    let r = cbench_in(Some(dir.path()), &["compose", "--fix", "--unsafe-fixes", "--no-config"], &[]);
    assert!(r.stderr.contains("1 fixes applied to 1 files"), "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(dir.path().join("compose.yaml")).unwrap(), base);
    assert_eq!(std::fs::read_to_string(dir.path().join("compose.override.yaml")).unwrap(), "services:\n  web:\n    privileged: false\n");
    if oracle() {
        let out = Command::new("docker-compose").current_dir(dir.path()).args(["config", "--format", "json"]).output().unwrap();
        let v: serde_json::Value =
            serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
        // Compose leaves out a false `privileged`.
        assert!(v["services"]["web"]["privileged"] != true, "{v}");
    }
}
