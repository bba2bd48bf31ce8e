//! Hostile input cannot hurt or fool cbench (issue 10): bounded reads, bounded time and memory,
//! no secret printed, no forged output line. Each test runs the real binary under a wall-clock
//! bound and an address-space limit (`prlimit --as`), so a hang or a runaway allocation fails
//! the test instead of the machine.
// Tests build hostile trees (FIFOs, sparse files, symlinks to devices).
#![allow(clippy::disallowed_methods)]

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// `cbench ARGS` in `cwd`, killed after `secs` seconds (then the test fails), with at most
/// `mib` MiB of address space.
fn bounded(cwd: &Path, args: &[&str], secs: u64, mib: u64) -> Run {
    bounded_env(cwd, args, secs, mib, &[])
}

/// `bounded` with the variables `env` set.
fn bounded_env(cwd: &Path, args: &[&str], secs: u64, mib: u64, env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new("prlimit");
    cmd.arg(format!("--as={}", mib << 20)).arg("--").arg(env!("CARGO_BIN_EXE_cbench")).args(args);
    cmd.current_dir(cwd).env_clear().env("NO_COLOR", "1").stdout(Stdio::piped()).stderr(Stdio::piped());
    cmd.envs(env.iter().copied());
    if let Some(path) = std::env::var_os("PATH") {
        cmd.env("PATH", path);
    }
    let mut child = cmd.spawn().expect("prlimit (util-linux) runs cbench");
    let start = Instant::now();
    // Read both pipes on threads: a large report must not block the child.
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let t_out = std::thread::spawn(move || {
        let mut s = Vec::new();
        std::io::Read::read_to_end(&mut out, &mut s).ok();
        s
    });
    let t_err = std::thread::spawn(move || {
        let mut s = Vec::new();
        std::io::Read::read_to_end(&mut err, &mut s).ok();
        s
    });
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(secs) {
            child.kill().ok();
            child.wait().ok();
            panic!("cbench {args:?} ran longer than {secs} s");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Run {
        code: status.code().unwrap_or_else(|| panic!("cbench {args:?} was killed: {status:?}")),
        stdout: String::from_utf8_lossy(&t_out.join().unwrap()).into_owned(),
        stderr: String::from_utf8_lossy(&t_err.join().unwrap()).into_owned(),
    }
}

fn mkfifo(path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    assert!(Command::new("mkfifo").arg(path).status().unwrap().success());
}

const SERVICE: &str = "services:\n  web:\n    image: nginx:1.27\n    privileged: true\n";

/// A FIFO or a device where a Compose file, an include, an env file or `.env` is expected is an
/// input error naming it — read without blocking, never read to exhaustion — and the other
/// files are still audited.
#[test]
fn fifos_and_devices_are_input_errors_in_compose() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    mkfifo(&d.join("fifo.yaml"));
    std::os::unix::fs::symlink("/dev/zero", d.join("zero.yaml")).unwrap();
    // A project whose .env, env_file and include are FIFOs.
    mkfifo(&d.join("p/.env"));
    mkfifo(&d.join("p/web.env"));
    mkfifo(&d.join("p/inc.yaml"));
    put(
        d,
        "p/compose.yaml",
        "include:\n  - inc.yaml\nservices:\n  web:\n    image: nginx:1.27\n    env_file: web.env\n    privileged: true\n",
        0o644,
    );
    put(d, "ok.yaml", SERVICE, 0o644);
    let r = bounded(
        d,
        &["compose", "fifo.yaml", "zero.yaml", "p/compose.yaml", "ok.yaml", "--format", "compact", "--select", "privileged-container"],
        20,
        512,
    );
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    let errors: Vec<&str> = r.stdout.lines().filter(|l| l.contains("error:")).collect();
    assert_eq!(
        errors,
        [
            "fifo.yaml: error: is a FIFO, not a regular file; not read",
            "zero.yaml: error: is a character device, not a regular file; not read",
            "p/.env: error: env file is a FIFO, not a regular file; not read",
            "p/compose.yaml:6:15: error: services.web.env_file: p/web.env is a FIFO, not a regular file; not read",
            "p/inc.yaml: error: is a FIFO, not a regular file; not read",
        ],
        "{}",
        r.stdout
    );
    // What could be read is audited: both privileged services.
    assert!(r.stdout.contains("\nok.yaml:4:17: critical[privileged-container]"), "{}", r.stdout);
    assert!(r.stdout.starts_with("p/compose.yaml:7:17: critical[privileged-container]"), "{}", r.stdout);
}

#[test]
fn an_env_file_that_is_a_fifo_is_an_error_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    mkfifo(&d.join("web.env"));
    put(d, "compose.yaml", "services:\n  web:\n    image: nginx:1.27\n    env_file: web.env\n    privileged: true\n", 0o644);
    let r = bounded(d, &["compose", "--format", "compact", "--select", "privileged-container"], 20, 512);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stdout.lines().collect::<Vec<_>>(),
        [
            "./compose.yaml:5:17: critical[privileged-container] web: runs privileged: every capability, every host device, no seccomp or AppArmor confinement",
            "./compose.yaml:4:15: error: services.web.env_file: ./web.env is a FIFO, not a regular file; not read",
        ]
    );
}

/// Host files: a FIFO daemon.json is an error outcome for the daemon checks (never "absent",
/// never a hang), an 8 GiB sparse file is refused by its size, a FIFO sshd_config leaves the
/// sshd checks skipped; each is an input error (exit 2) naming the file.
#[test]
fn host_files_that_are_fifos_or_huge_are_errors_not_absent() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    mkfifo(&r.join("etc/docker/daemon.json"));
    mkfifo(&r.join("etc/ssh/sshd_config"));
    for fifo in ["etc/os-release", "etc/audit/audit.rules", "etc/sysctl.d/99-hardening.conf", "etc/sudoers", "etc/selinux/config"] {
        mkfifo(&r.join(fifo));
    }
    std::fs::File::create(r.join("etc/passwd")).unwrap().set_len(8 << 30).unwrap();
    let root = r.to_str().unwrap();
    let out = bounded(r, &["host", "--root", root, "--format", "json"], 30, 1024);
    assert_eq!(out.code, 2, "{}", out.stderr);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let outcome = |rule: &str| {
        let c = report["checks"].as_array().unwrap().iter().find(|c| c["rule"] == rule).unwrap();
        (c["outcome"].as_str().unwrap().to_string(), c["reason"].as_str().unwrap_or("").to_string())
    };
    assert_eq!(
        outcome("icc-enabled"),
        ("error".into(), format!("cannot judge the daemon's files: {root}/etc/docker/daemon.json is a FIFO, not a regular file; not read"))
    );
    // Skipped, and the reason is the refusal (not "without root": root could not read it either).
    assert_eq!(
        outcome("sshd-root-login"),
        ("skip".into(), format!("cannot be read: {root}/etc/ssh/sshd_config is a FIFO, not a regular file; not read"))
    );
    let diags: Vec<String> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| format!("{}: {}", d["path"].as_str().unwrap(), d["message"].as_str().unwrap()))
        .collect();
    let mut want: Vec<String> = [
        "etc/docker/daemon.json",
        "etc/os-release",
        "etc/audit/audit.rules",
        "etc/sysctl.d/99-hardening.conf",
        "etc/sudoers",
        "etc/selinux/config",
        "etc/ssh/sshd_config",
    ]
    .iter()
    .map(|p| format!("{root}/{p}: is a FIFO, not a regular file; not read"))
    .chain([format!("{root}/etc/passwd: is over the 16 MiB limit for a host file; not read")])
    .collect();
    let mut diags = diags;
    diags.sort();
    want.sort();
    assert_eq!(diags, want);
    // An 8 GiB sparse daemon.json: refused by its size, an error outcome (before: read whole).
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    std::fs::create_dir_all(r.join("etc/docker")).unwrap();
    std::fs::File::create(r.join("etc/docker/daemon.json")).unwrap().set_len(8 << 30).unwrap();
    let root = r.to_str().unwrap();
    let out = bounded(r, &["host", "--root", root, "--only", "daemon", "--format", "compact"], 30, 1024);
    assert_eq!(out.code, 2);
    assert!(
        out.stdout.contains(&format!("error[icc-enabled] cannot judge the daemon's files: {root}/etc/docker/daemon.json is over the 16 MiB limit for a host file; not read")),
        "{}",
        out.stdout
    );
}

/// The docker CLI's files, read to find its current context, are read as host files are: a
/// FIFO where config.json or a context's meta.json stands does not hold cbench.
#[test]
fn a_docker_cli_config_that_is_a_fifo_does_not_block() {
    let dir = tempfile::tempdir().unwrap();
    mkfifo(&dir.path().join("config.json"));
    std::fs::create_dir_all(dir.path().join("contexts/meta/x")).unwrap();
    mkfifo(&dir.path().join("contexts/meta/x/meta.json"));
    let config = dir.path().to_str().unwrap();
    for env in [vec![("DOCKER_CONFIG", config)], vec![("DOCKER_CONFIG", config), ("DOCKER_CONTEXT", "x")]] {
        let r = bounded_env(&root(), &["host", "--only", "daemon", "--allow-partial", "--format", "json"], 20, 1024, &env);
        let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stderr));
        // No context could be read: the engine looked for is the root engine's.
        let daemon = report["checks"].as_array().unwrap().iter().find(|c| c["section"] == "daemon").unwrap();
        let name = daemon["subject"]["name"].as_str().unwrap();
        assert!(name.starts_with("unix:///var/run/docker.sock") || name.ends_with("(files only: engine unreachable)"), "{name}");
    }
}

#[test]
fn an_oci_config_that_is_a_fifo_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    mkfifo(&dir.path().join("bundle/config.json"));
    let r = bounded(dir.path(), &["oci", "bundle", "--format", "compact"], 20, 512);
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout.trim_end(), "bundle/config.json: error: is a FIFO, not a regular file; not read", "{}", r.stderr);
}

/// No byte that came from an input can move the cursor, set the window title, open a link or
/// start an output line of its own: escaped in every human format, exact in JSON.
#[test]
fn control_characters_from_inputs_are_escaped_in_human_formats() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let name = "x\n    PASS  forged\x1b]8;;http://evil/\x07.yaml";
    put(
        d,
        name,
        "services:\n  \"web\\e[2J\\e]0;pwned\\a\\nerror: forged\":\n    image: \"nginx:1.27\\e[31m\"\n    privileged: true\n",
        0o644,
    );
    for format in ["text", "compact", "github", "junit"] {
        let r = bounded(d, &["compose", name, "--format", format, "--select", "privileged-container,image-not-pinned"], 20, 512);
        assert_eq!(r.code, 1, "{format}: {}{}", r.stdout, r.stderr);
        for (stream, text) in [("stdout", &r.stdout), ("stderr", &r.stderr)] {
            assert!(!text.contains(['\x1b', '\x07']), "{format} {stream}: {text}");
            assert!(
                !text.lines().any(|l| l.starts_with("error: forged") || l.trim_start().starts_with("PASS  forged")),
                "{format}: {text}"
            );
        }
        let newline = if format == "github" { "%0A" } else { r"\n" };
        assert!(r.stdout.contains(&format!(r"web\x1b[2J\x1b]0;pwned\x07{newline}error: forged")), "{format}: {}", r.stdout);
    }
    let r = bounded(d, &["compose", name, "--format", "compact", "--select", "privileged-container"], 20, 512);
    assert_eq!(r.stdout.lines().count(), 1, "{}", r.stdout);
    // JSON stays exact.
    let r = bounded(d, &["compose", name, "--format", "json"], 20, 512);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["findings"][0]["location"]["path"], name);
}

#[test]
fn control_characters_from_a_host_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    put(r, "etc/os-release", "ID=debian\nPRETTY_NAME=\"Debian\x1b[2J\x1b]0;owned\x07\"\n", 0o644);
    put(r, "etc/passwd", "root:x:0:0::/root:/bin/sh\nci:x:1000:1000::/home/ci:/bin/sh\n", 0o644);
    put(r, "etc/sudoers", "root ALL=(ALL) ALL\n@includedir /etc/sudoers.d\n", 0o440);
    put(r, "etc/sudoers.d/ci\n    PASS  forged", "ci ALL=(ALL) NOPASSWD: ALL\n", 0o440);
    let root = r.to_str().unwrap();
    for format in ["text", "compact", "github", "junit"] {
        let out = bounded(r, &["host", "--root", root, "--only", "users", "--format", format], 30, 1024);
        assert!(!out.stdout.contains(['\x1b', '\x07']), "{format}: {}", out.stdout);
        assert!(!out.stdout.lines().any(|l| l.trim_start().starts_with("PASS  forged")), "{format}: {}", out.stdout);
    }
    let out = bounded(r, &["host", "--root", root, "--format", "text", "--only", "users"], 30, 1024);
    assert!(out.stdout.starts_with("Host: Debian\\x1b[2J\\x1b]0;owned\\x07\n"), "{}", out.stdout);
    assert!(out.stdout.contains("sudoers.d/ci\\n    PASS  forged"), "{}", out.stdout);
}

/// Distinctive secret values planted in every place a Compose user can write one — block,
/// flow, list and anchored environments, merge keys, multi-line and quoted scalars with ` #`,
/// build args, env files (one line YAML-style, one malformed), `.env`, malformed templates —
/// and in an OCI bundle's env; no format, neither stream, shows any of them.
#[test]
fn planted_secrets_never_leave() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let compose = r#"x-env: &env {API_TOKEN: PLANTa1, privileged: true}
x-base: &base
  privileged: true
  environment: {SESSION_SECRET: PLANTb2, OTHER: "PLANTc3 #PLANTd4"}
services:
  flow:
    image: nginx
    environment: [MYSQL_ROOT_PASSWORD=PLANTe5, "DB_PASSWORD=PLANTf6 #PLANTg7"]
    privileged: true
  block:
    image: nginx
    privileged: true
    environment:
      AWS_SECRET_ACCESS_KEY: PLANTh8
      PRIVATE_KEY: |
        PLANTi9
        PLANTj10
      TEMPLATE: "PLANTk11${"
      BAD_OP: "${UNSET:PLANTl12}"
      DEEP: "${A:-${B:-${C:-PLANTm13}}}"
    build:
      context: .
      args:
        GITHUB_TOKEN: PLANTn14
        NPM_TOKEN: "${NPM_TOKEN:-PLANTo15}"
  anchored:
    <<: *base
    image: nginx
  aliased:
    image: nginx
    environment: *env
  merged:
    image: nginx
    environment:
      <<: *env
      PASSWORD: PLANTp16
  listed:
    image: nginx
    build:
      context: .
      args: [SECRET_ARG=PLANTq17]
    env_file: [app.env]
    environment:
      - REDIS_PASSWORD=PLANTr18
"#;
    put(d, "compose.yaml", compose, 0o644);
    put(d, "app.env", "DB_PASSWORD: PLANTs19\nexport TOKEN=PLANTt20\nPLANTu21 PLANTv22\n", 0o644);
    put(d, ".env", "ADMIN_PASSWORD=PLANTw23\nNOT A LINE PLANTx24\n", 0o644);
    put(
        d,
        "bundle/config.json",
        r#"{"ociVersion":"1.0.2","process":{"env":["PASSWORD=PLANTy25", 7],"cwd":"/","args":["sh"]},"root":{"path":"rootfs"}}"#,
        0o644,
    );
    let formats = ["text", "compact", "json", "sarif", "github", "junit"];
    let mut seen = 0;
    for format in formats {
        for args in [vec!["compose", "compose.yaml", "--pedantic"], vec!["oci", "bundle"]] {
            let mut all = args.clone();
            all.extend(["--format", format, "--color", "always"]);
            let r = bounded(d, &all, 20, 512);
            for (stream, text) in [("stdout", &r.stdout), ("stderr", &r.stderr)] {
                assert!(!text.contains("PLANT"), "{format} {stream} of {args:?} shows a secret:\n{text}");
            }
            seen += r.stdout.len();
        }
    }
    // The reports said something: the secrets were found, by name.
    let r = bounded(d, &["compose", "compose.yaml", "--format", "compact"], 20, 512);
    for name in ["MYSQL_ROOT_PASSWORD", "AWS_SECRET_ACCESS_KEY", "SESSION_SECRET", "API_TOKEN", "REDIS_PASSWORD", "TOKEN"] {
        assert!(r.stdout.contains(name), "{name} not reported:\n{}", r.stdout);
    }
    assert!(r.stdout.contains("invalid template: the `${` at character 9 of the value is never closed"), "{}", r.stdout);
    assert!(seen > 10_000);
}

/// `${A:-` nested 15,000 deep (a 90 KB file), YAML nested 20,000 deep, a chain of 40 includes:
/// each a clear error at its place, and the other files still audited (no stack overflow).
#[test]
fn recursion_an_input_drives_is_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let deep = format!("{}x{}", "${A:-".repeat(15_000), "}".repeat(15_000));
    put(d, "interp.yaml", &format!("services:\n  web:\n    image: nginx:1.27\n    environment:\n      X: \"{deep}\"\n"), 0o644);
    put(d, "nested.yaml", &format!("services:\n  web: {}{}\n", "[".repeat(20_000), "]".repeat(20_000)), 0o644);
    for i in 0..40 {
        put(d, &format!("inc{i}.yaml"), &format!("include:\n  - inc{}.yaml\nservices:\n  s{i}:\n    image: nginx:1.27\n", i + 1), 0o644);
    }
    put(d, "inc40.yaml", "services:\n  last:\n    image: nginx:1.27\n", 0o644);
    put(d, "ok.yaml", SERVICE, 0o644);
    let r = bounded(
        d,
        &["compose", "interp.yaml", "nested.yaml", "inc0.yaml", "ok.yaml", "--format", "compact", "--select", "privileged-container"],
        30,
        1024,
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    let errors: Vec<&str> = r.stdout.lines().filter(|l| l.contains("error:")).collect();
    assert_eq!(
        errors,
        [
            "interp.yaml:5:10: error: invalid template: `${...}` nested more than 32 levels deep at character 161 of the value",
            "nested.yaml:2:263: error: nesting too deep (more than 256 levels)",
            "inc31.yaml:2:5: error: include: nested more than 32 files deep; not read",
        ]
    );
    assert!(r.stdout.starts_with("ok.yaml:4:17: critical[privileged-container]"), "{}", r.stdout);
}

/// A chain of 1,000 services, each extending the one before (26 KB), resolves in linear time:
/// 71 s before (the root was cloned at every step of every chain); a broken chain is one error.
#[test]
fn a_long_extends_chain_is_linear() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut chain = String::from("services:\n  s0:\n    image: nginx:1.27\n    privileged: true\n");
    let mut broken = String::from("services:\n");
    for i in 1..1000 {
        chain.push_str(&format!("  s{i}:\n    extends: s{}\n", i - 1));
        broken.push_str(&format!("  s{i}:\n    extends: s{}\n", i - 1));
    }
    put(d, "chain.yaml", &chain, 0o644);
    put(d, "broken.yaml", &broken, 0o644);
    let r = bounded(d, &["compose", "chain.yaml", "--format", "compact", "--select", "privileged-container"], 20, 1024);
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout.lines().count(), 1000);
    assert!(r.stdout.lines().all(|l| l.starts_with("chain.yaml:4:17: critical[privileged-container]")), "{}", r.stdout);
    let r = bounded(d, &["compose", "broken.yaml", "--format", "compact"], 20, 1024);
    assert_eq!(r.stdout, "broken.yaml:3:14: error: extends: service \"s0\" not found in broken.yaml\n");
}

/// How a misbehaving engine answers `GET /containers/json` (everything else as recorded).
#[derive(Clone, Copy)]
enum Misbehave {
    /// Headers, then the body a byte a second.
    Slow,
    /// A chunked body that never ends, as fast as the socket takes it.
    Endless,
    /// 1,000 containers, each inspected as `{}`.
    EmptyContainers,
    /// One container whose inspect holds planted secrets, one of them where a boolean belongs.
    Malformed,
}

/// A raw HTTP/1.1 engine on a local port (wiremock cannot drip or stream a body).
fn misbehaving_engine(how: Misbehave) -> String {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("tcp://{}", listener.local_addr().unwrap());
    let fixture = |name: &str| std::fs::read_to_string(root().join("fixtures/engine").join(name)).unwrap();
    let (version, info, bridge) = (fixture("version.json"), fixture("info.json"), fixture("network-bridge.json"));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (version, info, bridge) = (version.clone(), info.clone(), bridge.clone());
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request = String::new();
                reader.read_line(&mut request).ok();
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                }
                let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
                let mut out = stream;
                let full = |out: &mut std::net::TcpStream, body: &str| {
                    let _ =
                        write!(out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}", body.len());
                };
                if path.ends_with("/version") {
                    full(&mut out, &version);
                } else if path.ends_with("/info") {
                    full(&mut out, &info);
                } else if path.contains("/networks/") {
                    full(&mut out, &bridge);
                } else if path.contains("/containers/json") {
                    match how {
                        Misbehave::Slow => {
                            let _ = write!(out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n[");
                            for _ in 0..1000 {
                                std::thread::sleep(Duration::from_secs(1));
                                if out.write_all(b" ").is_err() {
                                    return;
                                }
                            }
                        }
                        Misbehave::Endless => {
                            let _ = write!(out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
                            let chunk = format!("{:x}\r\n{}\r\n", 65536, " ".repeat(65536));
                            while out.write_all(chunk.as_bytes()).is_ok() {}
                        }
                        Misbehave::Malformed => full(&mut out, &format!("[{{\"Id\":\"{:064x}\"}}]", 7)),
                        Misbehave::EmptyContainers => {
                            let list: Vec<String> = (0..1000).map(|i| format!("{{\"Id\":\"{i:064x}\"}}")).collect();
                            full(&mut out, &format!("[{}]", list.join(",")));
                        }
                    }
                } else if path.contains("/containers/") && matches!(how, Misbehave::Malformed) {
                    full(&mut out, r#"{"Id":"7","Config":{"Env":["DB_PASSWORD=PLANTz26"]},"HostConfig":{"Privileged":"PLANTz27"}}"#);
                } else if path.contains("/containers/") {
                    full(&mut out, "{}");
                } else {
                    let _ = write!(out, "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\n{{}}");
                }
            });
        }
    });
    address
}

/// `--timeout` bounds each whole request, body included: an engine that sends its body a
/// byte a second does not hold cbench (before: past 30 s, forever).
#[test]
fn an_engine_that_drips_its_body_is_timed_out() {
    let address = misbehaving_engine(Misbehave::Slow);
    let start = Instant::now();
    let r = bounded(&root(), &["host", "--docker-host", &address, "--timeout", "2", "--only", "containers"], 20, 1024);
    assert!(start.elapsed() < Duration::from_secs(10), "{:?}", start.elapsed());
    assert_eq!(r.code, 2);
    assert!(r.stdout.contains("did not answer in time (--timeout)"), "{}", r.stdout);
}

/// An endless body is cut at the response limit (64 MiB): the engine sections are skipped
/// with why, in bounded memory (before: 4.7 GB in 6 s).
#[test]
fn an_endless_engine_response_is_cut_at_the_limit() {
    let address = misbehaving_engine(Misbehave::Endless);
    let r = bounded(&root(), &["host", "--docker-host", &address, "--timeout", "60", "--only", "containers"], 60, 1024);
    assert_eq!(r.code, 2);
    assert!(r.stdout.contains("the response is over the 64 MiB limit"), "{}", r.stdout);
}

/// 1,000 containers the engine describes as `{}`: each one subject, one report line block,
/// linear (before: the text report repeated lines 64³ times for 64 of them).
#[test]
fn empty_container_answers_make_a_linear_report() {
    let address = misbehaving_engine(Misbehave::EmptyContainers);
    let r = bounded(&root(), &["host", "--docker-host", &address, "--only", "containers", "--format", "text"], 60, 2048);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines = r.stdout.lines().count();
    let containers = r.stdout.lines().filter(|l| l.starts_with("  container  (0000")).count();
    assert_eq!(containers, 1000, "{}", &r.stdout[..2000.min(r.stdout.len())]);
    assert!(lines < 1000 * 40, "{lines} lines");
}

/// serde's message for a malformed engine answer quotes the value it choked on: cbench's does
/// not, in any format.
#[test]
fn a_malformed_engine_answer_does_not_echo_its_values() {
    let address = misbehaving_engine(Misbehave::Malformed);
    for format in ["text", "compact", "json", "sarif", "github", "junit"] {
        let r = bounded(&root(), &["host", "--docker-host", &address, "--only", "containers", "--format", format], 30, 1024);
        assert_eq!(r.code, 2, "{format}");
        assert!(!r.stdout.contains("PLANT") && !r.stderr.contains("PLANT"), "{format}: {}{}", r.stdout, r.stderr);
        assert!(
            r.stdout.contains("malformed answer: invalid type: string (value not shown), expected a boolean"),
            "{format}: {}",
            r.stdout
        );
    }
}
