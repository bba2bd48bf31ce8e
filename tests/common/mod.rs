#![allow(dead_code)]
//! Helpers shared by the integration tests: run the real binary with a scrubbed environment.
// Tests read fixtures and the machine they run on to compare with what cbench reads.
#![allow(clippy::disallowed_methods)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Run `cbench ARGS` in `cwd` (the repository root when None) with only PATH and NO_COLOR set.
pub fn cbench_in(cwd: Option<&Path>, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cbench"));
    cmd.args(args).current_dir(cwd.map_or_else(root, Path::to_path_buf)).env_clear().env("NO_COLOR", "1");
    if let Some(path) = std::env::var_os("PATH") {
        cmd.env("PATH", path);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out: Output = cmd.output().expect("run cbench");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub fn cbench(args: &[&str]) -> Run {
    cbench_in(None, args, &[])
}

pub fn json(args: &[&str]) -> (i32, serde_json::Value) {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let r = cbench(&all);
    let v = serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("invalid JSON ({e}): {}\n{}", r.stdout, r.stderr));
    (r.code, v)
}

/// `(line, rule)` of every unsuppressed finding in a JSON report, sorted.
pub fn lines_and_rules(report: &serde_json::Value) -> Vec<(u64, String)> {
    let mut out: Vec<(u64, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["suppressed"] == false)
        .map(|f| (f["location"]["line"].as_u64().unwrap_or(0), f["rule"].as_str().unwrap().to_string()))
        .collect();
    out.sort();
    out
}

/// What a container started with Docker's defaults trips (whatever describes it).
pub const DEFAULT_CONTAINER_RULES: [&str; 8] = [
    "capabilities-not-dropped",
    "no-new-privileges-not-set",
    "writable-root-filesystem",
    "runs-as-root",
    "memory-not-limited",
    "cpu-not-limited",
    "pids-not-limited",
    "healthcheck-missing",
];

/// A copy of fixture root `fixtures/hosts/NAME` in a temporary directory, symlinks kept, with
/// the modes its `.modes` file lists applied (git keeps only 0644 and 0755).
#[allow(dead_code)]
pub fn fixture_root(name: &str) -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap().flatten() {
            let (src, dst) = (e.path(), to.join(e.file_name()));
            let kind = e.file_type().unwrap();
            if kind.is_symlink() {
                std::os::unix::fs::symlink(std::fs::read_link(&src).unwrap(), &dst).unwrap();
            } else if kind.is_dir() {
                copy(&src, &dst);
            } else if e.file_name() != ".modes" {
                std::fs::copy(&src, &dst).unwrap();
            }
        }
    }
    let from = root().join("fixtures/hosts").join(name);
    let dir = tempfile::Builder::new().prefix(&format!("cbench-{name}-")).tempdir().unwrap();
    copy(&from, dir.path());
    for line in std::fs::read_to_string(from.join(".modes")).unwrap_or_default().lines() {
        if let Some((path, mode)) = line.split_once(' ') {
            let mode = u32::from_str_radix(mode.trim(), 8).unwrap();
            std::fs::set_permissions(dir.path().join(path), std::fs::Permissions::from_mode(mode)).unwrap();
        }
    }
    dir
}

/// Write `text` to `root/path` (parents made) with permission bits `mode`. An absolute `path`
/// is taken under `root` too (`Path::join` would replace the root with it: the machine's /etc).
#[allow(dead_code)]
pub fn put(root: &Path, path: &str, text: &str, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    let p = root.join(path.trim_start_matches('/'));
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, text).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// The CIS Docker Benchmark's ids in order, for a section 2 of `section2` recommendations:
/// v1.6.0's 117 (18 in section 2) or v1.8.0's 118 (19).
pub fn cis_ids(section2: u32) -> Vec<String> {
    [("1.1", 18), ("1.2", 2), ("2", section2), ("3", 24), ("4", 12), ("5", 32), ("6", 2), ("7", 9)]
        .iter()
        .flat_map(|(p, n)| (1..=*n).map(move |i| format!("{p}.{i}")))
        .collect()
}

/// A root file system tarball of Debian's busybox-static (`bin/busybox` and the applets
/// named), in `dir`: what the engine tests import as their image.
pub fn busybox_rootfs(dir: &Path, applets: &[&str]) -> PathBuf {
    let busybox = ["/bin/busybox", "/usr/bin/busybox"].into_iter().find(|p| Path::new(p).exists()).expect("busybox-static installed");
    std::fs::create_dir_all(dir.join("bin")).unwrap();
    std::fs::copy(busybox, dir.join("bin/busybox")).unwrap();
    for link in applets {
        std::os::unix::fs::symlink("busybox", dir.join("bin").join(link)).unwrap();
    }
    let tar = dir.join("rootfs.tar");
    let ok = Command::new("tar").arg("-C").arg(dir).arg("-cf").arg(&tar).arg("bin").status().unwrap().success();
    assert!(ok, "tar");
    tar
}

/// (id, result) of every recommendation in a docker-bench-json log, in order, the extra
/// `cbench` section left out.
pub fn bench_results(log: &serde_json::Value) -> Vec<(String, String)> {
    log["tests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["id"] != "cbench")
        .flat_map(|t| t["results"].as_array().unwrap().iter())
        .map(|r| (r["id"].as_str().unwrap().to_string(), r["result"].as_str().unwrap().to_string()))
        .collect()
}

/// A local user's (uid, gid, home) from /etc/passwd (the unprivileged user .ci/run runs the
/// rootless engines as).
pub fn passwd_user(name: &str) -> (u32, u32, String) {
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap();
    let f: Vec<&str> = passwd
        .lines()
        .map(|l| l.split(':').collect::<Vec<_>>())
        .find(|f| f[0] == name)
        .unwrap_or_else(|| panic!("{name} not in /etc/passwd"));
    (f[2].parse().unwrap(), f[3].parse().unwrap(), f[5].to_string())
}

/// The rules found per container (by name, the subject's first word) in a `cbench host` JSON
/// report, for the containers named.
pub fn rules_by_container(
    report: &serde_json::Value,
    names: &[&str],
) -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
    let mut out: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> = Default::default();
    for f in report["findings"].as_array().unwrap() {
        let name = f["subject"]["name"].as_str().unwrap().split(' ').next().unwrap().to_string();
        if names.contains(&name.as_str()) {
            out.entry(name).or_default().insert(f["rule"].as_str().unwrap().to_string());
        }
    }
    out
}
