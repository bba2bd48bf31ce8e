//! `cbench host` against a mock Engine API (wiremock) for what a real engine will not do on
//! demand: errors, timeouts, malformed JSON, an old API version, a container removed between
//! list and inspect, an empty host. The responses are recordings of a real engine
//! (fixtures/engine/, Docker 20.10.24, API 1.41).
// Tests read fixtures and the machine they run on to compare with what cbench reads.
#![allow(clippy::disallowed_methods)]

mod common;

use std::time::Duration;

use common::*;
use serde_json::Value;
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn fixture(name: &str) -> Value {
    let text = std::fs::read_to_string(root().join("fixtures/engine").join(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Serve `body` as JSON for GET on `path` (with or without the /vX.YY prefix).
async fn serve(server: &MockServer, path: &str, response: ResponseTemplate) {
    Mock::given(method("GET")).and(path_regex(format!(r"^(/v[0-9.]+)?{path}$"))).respond_with(response).mount(server).await;
}

fn ok(body: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

/// A mock engine with one container (web), as recorded.
async fn engine(containers: Value) -> MockServer {
    let server = MockServer::start().await;
    serve(&server, "/version", ok(fixture("version.json"))).await;
    serve(&server, "/info", ok(fixture("info.json"))).await;
    serve(&server, "/networks/bridge", ok(fixture("network-bridge.json"))).await;
    serve(&server, "/containers/json", ok(containers)).await;
    serve(&server, "/containers/[0-9a-f]+/json", ok(fixture("container-web.json"))).await;
    serve(&server, "/images/sha256:[0-9a-f]+/json", ok(fixture("image.json"))).await;
    server
}

async fn host(server: &MockServer, extra: &[&str]) -> Run {
    let address = format!("tcp://{}", server.address());
    let mut args: Vec<String> = vec!["host".into(), "--docker-host".into(), address];
    args.extend(extra.iter().map(|s| s.to_string()));
    tokio::task::spawn_blocking(move || {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        cbench(&refs)
    })
    .await
    .unwrap()
}

fn rules_of(run: &Run) -> Vec<(String, String)> {
    let v: Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout));
    let mut out: Vec<(String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["subject"]["kind"].as_str().unwrap().to_string(), f["rule"].as_str().unwrap().to_string()))
        .collect();
    out.sort();
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn recorded_engine_gives_exact_findings_and_never_prints_the_environment() {
    let server = engine(fixture("containers.json")).await;
    let run = host(&server, &["--format", "json", "--only", "daemon,containers,images"]).await;
    assert_eq!(run.code, 1, "{}", run.stderr);
    let pairs = |kind: &str, rules: &[&str]| rules.iter().map(|r| (kind.to_string(), r.to_string())).collect::<Vec<_>>();
    let mut want = pairs(
        "container",
        &[
            "capabilities-not-dropped",
            "cpu-not-limited",
            "dangerous-capability",
            "default-bridge-network",
            "docker-socket-mount",
            "healthcheck-missing",
            "memory-not-limited",
            "no-new-privileges-not-set",
            "pids-not-limited",
            "port-on-all-interfaces",
            "published-ports",
            "runs-as-root",
            "writable-root-filesystem",
        ],
    );
    want.extend(pairs(
        "daemon",
        &[
            "container-sprawl",
            "daemon-runs-as-root",
            "engine-version-outdated",
            "icc-enabled",
            "image-sprawl",
            "live-restore-disabled",
            "remote-logging-not-configured",
            "userns-remap-disabled",
        ],
    ));
    want.extend(pairs("image", &["image-healthcheck-missing", "image-runs-as-root"]));
    want.sort();
    assert_eq!(rules_of(&run), want);
    for format in ["text", "json", "sarif", "compact", "github", "junit"] {
        let run = host(&server, &["--format", format]).await;
        assert!(!run.stdout.contains("hunter2"), "{format} prints an environment value");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn empty_host() {
    let server = engine(serde_json::json!([])).await;
    let run = host(&server, &["--only", "containers,images"]).await;
    assert_eq!(run.code, 0);
    assert!(run.stdout.ends_with("Score: containers 0/0 · images 0/0 · overall 0/0 checks passed\n"), "{}", run.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn container_removed_between_list_and_inspect_is_skipped_and_noted() {
    let server = MockServer::start().await;
    serve(&server, "/version", ok(fixture("version.json"))).await;
    serve(&server, "/info", ok(fixture("info.json"))).await;
    serve(&server, "/networks/bridge", ok(fixture("network-bridge.json"))).await;
    let mut list = fixture("containers.json");
    let mut gone = list[0].clone();
    gone["Id"] = Value::from("0000000000aa".repeat(5) + "0000");
    list.as_array_mut().unwrap().push(gone);
    serve(&server, "/containers/json", ok(list)).await;
    serve(
        &server,
        "/containers/0000000000aa[0-9a-f]+/json",
        ResponseTemplate::new(404).set_body_json(serde_json::json!({"message": "No such container"})),
    )
    .await;
    serve(&server, "/containers/[0-9a-f]+/json", ok(fixture("container-web.json"))).await;
    serve(&server, "/images/sha256:[0-9a-f]+/json", ok(fixture("image.json"))).await;
    let run = host(&server, &["--only", "containers"]).await;
    assert!(run.stdout.contains("container 0000000000aa was removed while cbench read it; skipped"), "{}", run.stdout);
    assert!(run.stdout.contains("privileged") || run.stdout.contains("docker-socket-mount"), "{}", run.stdout);
    assert_eq!(run.code, 1);
}

/// Engine failures skip the engine sections with the reason: a partial view, exit 2; with
/// --allow-partial the exit code follows the findings (none).
async fn skipped_with(server: &MockServer, extra: &[&str], reason: &str) {
    let mut args = vec!["--only", "daemon,containers,images"];
    args.extend(extra);
    let run = host(server, &args).await;
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stdout.contains("SKIP  engine unreachable: ") && run.stdout.contains(reason), "want {reason:?} in:\n{}", run.stdout);
    assert!(run.stdout.contains("error (partial view): "), "{}", run.stdout);
    args.push("--allow-partial");
    assert_eq!(host(server, &args).await.code, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn server_error() {
    let server = MockServer::start().await;
    serve(&server, "/version", ok(fixture("version.json"))).await;
    serve(&server, "/info", ResponseTemplate::new(500).set_body_json(serde_json::json!({"message": "boom"}))).await;
    skipped_with(&server, &[], "boom").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn timeout() {
    let server = MockServer::start().await;
    serve(&server, "/version", ok(fixture("version.json"))).await;
    serve(&server, "/info", ok(fixture("info.json")).set_delay(Duration::from_secs(5))).await;
    skipped_with(&server, &["--timeout", "1"], "did not answer in time").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_json() {
    let server = MockServer::start().await;
    serve(&server, "/version", ok(fixture("version.json"))).await;
    serve(&server, "/info", ResponseTemplate::new(200).set_body_raw("{\"ID\": ", "application/json")).await;
    skipped_with(&server, &[], "cannot read the Docker engine").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn old_api_version() {
    let server = MockServer::start().await;
    let mut version = fixture("version.json");
    version["ApiVersion"] = "1.12".into();
    version["MinAPIVersion"] = "1.12".into();
    serve(&server, "/version", ok(version)).await;
    skipped_with(&server, &[], "speaks API 1.12, older than the 1.24 cbench needs").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn docker_bench_json_log_shape() {
    let server = engine(fixture("containers.json")).await;
    // docker-bench-security numbers by CIS v1.6.0: its users choose that numbering.
    let run = host(&server, &["--format", "docker-bench-json", "--cis-version", "1.6.0"]).await;
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["dockerbenchsecurity"], "1.6.0");
    let results: Vec<(String, String, String)> = v["tests"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["results"].as_array().unwrap().iter().map(move |r| (t["id"].as_str().unwrap().to_string(), r)))
        .map(|(section, r)| (section, r["id"].as_str().unwrap().to_string(), r["result"].as_str().unwrap().to_string()))
        .collect();
    let t = |s: &str, id: &str, r: &str| (s.to_string(), id.to_string(), r.to_string());
    // Daemon: as recorded (no-new-privileges is not reported by this engine: NOTE).
    for want in [t("2", "2.2", "WARN"), t("2", "2.9", "WARN"), t("2", "2.13", "INFO"), t("2", "2.3", "PASS"), t("2", "2.14", "NOTE")] {
        assert!(results.contains(&want), "{want:?} not in {results:?}");
    }
    for want in [t("4", "4.1", "WARN"), t("5", "5.32", "WARN"), t("5", "5.5", "PASS"), t("5", "5.30", "INFO")] {
        assert!(results.contains(&want), "{want:?} not in {results:?}");
    }
    assert_eq!(v["checks"].as_u64().unwrap() as usize, results.len());
    let score: i64 = results
        .iter()
        .map(|(_, _, r)| match r.as_str() {
            "PASS" => 1,
            "WARN" => -1,
            _ => 0,
        })
        .sum();
    assert_eq!(v["score"], score);
}

async fn host_env(server: &MockServer, env: Vec<(String, String)>) -> Run {
    let address = format!("tcp://{}", server.address());
    tokio::task::spawn_blocking(move || {
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        cbench_in(None, &["host", "--docker-host", &address, "--only", "daemon"], &env)
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn tls_as_the_docker_cli_configures_it() {
    let server = engine(fixture("containers.json")).await;
    let certs = tempfile::tempdir().unwrap();
    let dir = certs.path().to_str().unwrap().to_string();
    let env = |d: &str| vec![("DOCKER_TLS_VERIFY".to_string(), "1".to_string()), ("DOCKER_CERT_PATH".to_string(), d.to_string())];
    // No certificates where DOCKER_CERT_PATH says.
    let run = host_env(&server, env(&dir)).await;
    assert_eq!(run.code, 2);
    assert!(run.stdout.contains(&format!("failed: cannot read {dir}/key.pem (DOCKER_CERT_PATH)")), "{}", run.stdout);
    // Certificates, but the engine does not speak TLS: a TLS failure, named as such.
    let sh =
        |cmd: &str| assert!(std::process::Command::new("sh").arg("-c").arg(cmd).current_dir(&dir).status().unwrap().success(), "{cmd}");
    sh("openssl req -x509 -newkey rsa:2048 -nodes -keyout ca-key.pem -out ca.pem -days 1 -subj /CN=ca 2>/dev/null");
    sh("openssl req -newkey rsa:2048 -nodes -keyout key.pem -out client.csr -subj /CN=client 2>/dev/null");
    sh("openssl x509 -req -in client.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -out cert.pem -days 1 2>/dev/null");
    let run = host_env(&server, env(&dir)).await;
    assert_eq!(run.code, 2);
    assert!(
        run.stdout.contains(&format!("SKIP  engine unreachable: TLS with the Docker engine at tcp://{} failed", server.address())),
        "{}",
        run.stdout
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn apparmor_profile_missing_only_on_an_apparmor_host() {
    // This engine reports no AppArmor: the check is skipped.
    let server = engine(fixture("containers.json")).await;
    let run = host(&server, &["--only", "containers", "--select", "apparmor-profile-missing"]).await;
    assert!(
        run.stdout.contains("N/A   [5.2] apparmor-profile-missing: not applicable: the engine does not report AppArmor"),
        "{}",
        run.stdout
    );
    // On an AppArmor host, the recorded container (AppArmorProfile "") fires; docker-default passes.
    for (profile, fires) in [("", true), ("docker-default", false)] {
        let server = MockServer::start().await;
        let mut info = fixture("info.json");
        info["SecurityOptions"].as_array_mut().unwrap().push("name=apparmor".into());
        let mut container = fixture("container-web.json");
        container["AppArmorProfile"] = profile.into();
        serve(&server, "/version", ok(fixture("version.json"))).await;
        serve(&server, "/info", ok(info)).await;
        serve(&server, "/networks/bridge", ok(fixture("network-bridge.json"))).await;
        serve(&server, "/containers/json", ok(fixture("containers.json"))).await;
        serve(&server, "/containers/[0-9a-f]+/json", ok(container)).await;
        serve(&server, "/images/sha256:[0-9a-f]+/json", ok(fixture("image.json"))).await;
        let run = host(&server, &["--only", "containers", "--select", "apparmor-profile-missing", "--format", "json"]).await;
        assert_eq!(rules_of(&run).len(), usize::from(fires), "profile {profile:?}: {}", run.stdout);
    }
}

/// Every recommendation of both numberings is answered in docker-bench-json: v1.6.0's 117
/// (docker-bench-security's own list: 1.1.1-18, 1.2.1-2, 2.1-18, 3.1-24, 4.1-12, 5.1-32,
/// 6.1-2, 7.1-9) and v1.8.0's 118 (2.7 devicemapper added, 2.8-2.19 after it); the same
/// check carries the number of the version asked for.
#[tokio::test(flavor = "multi_thread")]
async fn docker_bench_json_answers_every_recommendation_in_both_numberings() {
    let server = engine(fixture("containers.json")).await;
    for (version, two) in [("1.6.0", 18), ("1.8.0", 19)] {
        let run = host(&server, &["--format", "docker-bench-json", "--cis-version", version]).await;
        let v: Value = serde_json::from_str(&run.stdout).unwrap();
        let results = bench_results(&v);
        let ids: Vec<String> = results.iter().map(|(id, _)| id.clone()).collect();
        assert_eq!(ids, cis_ids(two), "{version}");
        let result = |id: &str| results.iter().find(|(i, _)| i == id).map(|(_, r)| r.as_str()).unwrap();
        // live-restore (off on the recorded engine): 2.15 in v1.6.0, 2.16 in v1.8.0.
        assert_eq!(result(if version == "1.6.0" { "2.15" } else { "2.16" }), "WARN");
        // A manual recommendation no rule checks: NOTE with what a person does.
        assert_eq!(result("4.3"), "NOTE");
    }
}

/// CIS 5.23: a `docker exec --privileged` still running, as the engine answers for it (the
/// shape recorded from Docker 20.10's /exec/{id}/json; this sandbox's runtime refuses to run a
/// privileged exec, so the real engine cannot be made to show one).
#[tokio::test(flavor = "multi_thread")]
async fn a_running_privileged_exec_is_found() {
    let exec = "bf2d1789cb7922ebad470fd95eeb085448756bb4872a44049a99a2c2dfbe29c8";
    let mut web = fixture("container-web.json");
    web["ExecIDs"] = serde_json::json!([exec]);
    let server = MockServer::start().await;
    serve(&server, "/version", ok(fixture("version.json"))).await;
    serve(&server, "/info", ok(fixture("info.json"))).await;
    serve(&server, "/networks/bridge", ok(fixture("network-bridge.json"))).await;
    serve(&server, "/containers/json", ok(fixture("containers.json"))).await;
    serve(&server, "/containers/[0-9a-f]+/json", ok(web)).await;
    serve(&server, "/images/sha256:[0-9a-f]+/json", ok(fixture("image.json"))).await;
    let answer = serde_json::json!({
        "ID": exec, "Running": true, "ExitCode": null,
        "ProcessConfig": {"tty": true, "entrypoint": "sh", "arguments": [], "privileged": true, "user": ""},
        "OpenStdin": true, "OpenStderr": true, "OpenStdout": true, "CanRemove": false,
        "ContainerID": "9c9cf8b6379feef2ed0cc8f8df67fa01bf12b4416308a0f4afd9b975eae230fd", "DetachKeys": "", "Pid": 15104
    });
    serve(&server, &format!("/exec/{exec}/json"), ok(answer)).await;
    let run = host(&server, &["--format", "json", "--select", "exec-privileged,exec-as-root"]).await;
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    let found: Vec<(String, String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["rule"].as_str().unwrap().into(), f["message"].as_str().unwrap().into(), f["origin"].as_str().unwrap().into()))
        .collect();
    assert_eq!(
        found,
        [(
            "exec-privileged".to_string(),
            "`docker exec --privileged` ran `sh` in it".to_string(),
            "engine /exec/bf2d1789cb79/json .ProcessConfig".to_string()
        )]
    );
}
