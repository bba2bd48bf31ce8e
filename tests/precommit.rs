//! The pre-commit hook, used from this checkout by a real `pre-commit` in a throwaway repository:
//! committing an insecure Compose file fails with the finding, a hardened one passes.
// Tests read fixtures and the machine they run on to compare with what cbench reads.
#![allow(clippy::disallowed_methods)]

mod common;

use std::path::Path;
use std::process::{Command, Output};

fn git(dir: &Path, args: &[&str]) -> Output {
    Command::new("git").args(args).current_dir(dir).output().expect("git")
}

#[test]
fn hook_blocks_an_insecure_compose_file_and_passes_a_hardened_one() {
    let available = Command::new("pre-commit").arg("--version").output().is_ok_and(|o| o.status.success());
    if !available {
        assert!(std::env::var_os("CBENCH_REQUIRE_PRECOMMIT").is_none(), "CBENCH_REQUIRE_PRECOMMIT is set but pre-commit is not installed");
        eprintln!("\n\n*** SKIPPED: pre-commit is not installed (pip install pre-commit); the hook test did not run ***\n");
        return;
    }
    let root = common::root();
    let head = String::from_utf8(git(&root, &["rev-parse", "HEAD"]).stdout).unwrap().trim().to_string();
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    let home = root.join("target/pre-commit-home");
    assert!(git(repo, &["init", "-q", "-b", "main"]).status.success());
    git(repo, &["config", "user.email", "t@example.com"]);
    git(repo, &["config", "user.name", "t"]);
    std::fs::write(
        repo.join(".pre-commit-config.yaml"),
        format!(
            "repos:\n  - repo: {}\n    rev: {head}\n    hooks:\n      - id: cbench-compose\n      - id: cbench-butane\n",
            root.display()
        ),
    )
    .unwrap();
    let pc =
        |args: &[&str]| Command::new("pre-commit").args(args).current_dir(repo).env("PRE_COMMIT_HOME", &home).output().expect("pre-commit");
    let install = pc(&["install"]);
    assert!(install.status.success(), "{}", String::from_utf8_lossy(&install.stderr));

    std::fs::copy(root.join("compose-samples/insecure.yaml"), repo.join("docker-compose.yml")).unwrap();
    git(repo, &["add", "."]);
    let commit = Command::new("git").args(["commit", "-m", "insecure"]).current_dir(repo).env("PRE_COMMIT_HOME", &home).output().unwrap();
    let out = String::from_utf8_lossy(&commit.stdout).to_string() + &String::from_utf8_lossy(&commit.stderr);
    assert!(!commit.status.success(), "the hook let an insecure file through:\n{out}");
    assert!(out.contains("critical[privileged-container]: service `app`"), "{out}");
    assert!(out.contains("docker-compose.yml:6:17"), "{out}");
    assert!(git(repo, &["log", "--oneline"]).stdout.is_empty(), "nothing may be committed");

    std::fs::copy(root.join("compose-samples/hardened.yaml"), repo.join("docker-compose.yml")).unwrap();
    git(repo, &["add", "."]);
    let commit = Command::new("git").args(["commit", "-m", "hardened"]).current_dir(repo).env("PRE_COMMIT_HOME", &home).output().unwrap();
    let out = String::from_utf8_lossy(&commit.stdout).to_string() + &String::from_utf8_lossy(&commit.stderr);
    assert!(commit.status.success(), "the hook refused a hardened file:\n{out}");
    assert!(out.contains("cbench compose") && out.contains("Passed"), "{out}");

    // The Butane hook: a weak Flatcar config is refused at its lines, a hardened one passes.
    std::fs::copy(root.join("compose-samples/flatcar-weak.bu"), repo.join("node.bu")).unwrap();
    git(repo, &["add", "."]);
    let commit = Command::new("git").args(["commit", "-m", "weak node"]).current_dir(repo).env("PRE_COMMIT_HOME", &home).output().unwrap();
    let out = String::from_utf8_lossy(&commit.stdout).to_string() + &String::from_utf8_lossy(&commit.stderr);
    assert!(!commit.status.success(), "the hook let a weak Butane config through:\n{out}");
    assert!(out.contains("docker-socket-tcp") && out.contains("node.bu:50:9"), "{out}");
    std::fs::copy(root.join("compose-samples/flatcar-hardened.bu"), repo.join("node.bu")).unwrap();
    git(repo, &["add", "."]);
    let commit =
        Command::new("git").args(["commit", "-m", "hardened node"]).current_dir(repo).env("PRE_COMMIT_HOME", &home).output().unwrap();
    let out = String::from_utf8_lossy(&commit.stdout).to_string() + &String::from_utf8_lossy(&commit.stderr);
    assert!(commit.status.success(), "the hook refused a hardened Butane config:\n{out}");
    assert!(out.contains("cbench butane") && out.contains("Passed"), "{out}");
}
