//! The engine source: reads the Docker Engine API (read-only calls only: version, info, the
//! default bridge network, containers and the images they use) and turns it into facts.

pub mod map;
pub mod transport;

use std::collections::BTreeMap;
use std::time::Duration;

use bollard::Docker;
use bollard::models::{ContainerInspectResponse, ImageInspect};
use bollard::query_parameters::ListContainersOptions;
use futures_util::{StreamExt, stream};

use crate::model::{ContainerSpec, DaemonConfig, EnvVar, Exec, Healthcheck, ImageFacts, Origin, Val};

/// How many inspect calls run at once.
const CONCURRENCY: usize = 16;

#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// `--docker-host`; else `DOCKER_HOST`; else the local socket.
    pub host: Option<String>,
    pub timeout: Duration,
    /// Also created, exited and paused containers.
    pub all: bool,
    /// Every local image, not only those containers use (`--all-images`).
    pub all_images: bool,
    /// `--deep`: on the engine's own host, walk each image's layers for setuid/setgid files.
    pub deep: bool,
    /// Where the engine's host's `/` is seen (cbench's image: `/host`): the OCI bundles and
    /// image layers of a local engine are read under it. None: `/`.
    pub host_prefix: Option<std::path::PathBuf>,
    /// A container left out: cbench's own, when it runs in one (its full id).
    pub exclude: Option<String>,
}

/// One container as read from the engine.
#[derive(Debug)]
pub struct EngineContainer {
    /// `web (3f2a9c1b7d04)`.
    pub label: String,
    /// What another container's `container:X` mode may call it: its full id and its name.
    pub names: Vec<String>,
    pub spec: ContainerSpec,
    /// `running`, `created`, `exited`...
    pub state: String,
    /// The Compose project and service that made it (its `com.docker.compose.*` labels).
    pub compose: Option<(String, String)>,
    /// The Compose files it was made from (`com.docker.compose.project.config_files`).
    pub compose_files: Vec<std::path::PathBuf>,
    /// Its labels (for `--label`).
    pub labels: BTreeMap<String, String>,
}

#[derive(Debug, Default)]
pub struct EngineFacts {
    pub address: String,
    pub daemon: DaemonConfig,
    pub containers: Vec<EngineContainer>,
    pub images: Vec<ImageFacts>,
    /// Things that happened while reading and were handled (e.g. a container removed between
    /// list and inspect): reported, not fatal.
    pub notes: Vec<String>,
}

/// Why the engine could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    #[error("no Docker engine at {address} (is dockerd running?)")]
    NotFound { address: String },
    #[error(
        "permission denied on {address}: reading the engine needs root or the socket's group, and that access is itself root-equivalent"
    )]
    PermissionDenied { address: String },
    #[error("the Docker engine at {address} did not answer in time (--timeout)")]
    Timeout { address: String },
    #[error("the Docker engine at {address} speaks API {version}, older than the 1.24 cbench needs")]
    TooOld { address: String, version: String },
    #[error("TLS with the Docker engine at {address} failed: {message}")]
    Tls { address: String, message: String },
    #[error("cannot read the Docker engine at {address}: {message}")]
    Other { address: String, message: String },
}

fn classify(address: &str, e: bollard::errors::Error) -> EngineError {
    use bollard::errors::Error as E;
    let address = address.to_string();
    match e {
        E::SocketNotFoundError(_) => EngineError::NotFound { address },
        E::RequestTimeoutError => EngineError::Timeout { address },
        // serde's message quotes the value it choked on: an engine field may be a secret.
        E::JsonDataError { message, .. } => {
            EngineError::Other { address, message: format!("malformed answer: {}", crate::redact::without_quoted_values(&message)) }
        }
        other => {
            // The cause is often deep in the chain (hyper → rustls → io).
            let mut message = other.to_string();
            let mut source = std::error::Error::source(&other);
            while let Some(cause) = source {
                message.push_str(&format!(": {cause}"));
                source = cause.source();
            }
            let lower = message.to_lowercase();
            if ["tls", "certificate", "handshake", "invalidcontenttype", "corrupt message", "fatal alert"].iter().any(|w| lower.contains(w))
            {
                EngineError::Tls { address, message }
            } else if lower.contains("permission denied") {
                EngineError::PermissionDenied { address }
            } else if lower.contains("connection refused") || lower.contains("no such file") {
                EngineError::NotFound { address }
            } else {
                EngineError::Other { address, message }
            }
        }
    }
}

/// The address cbench talks to: `--docker-host`, else `DOCKER_HOST`, else the docker CLI's
/// current context (`DOCKER_CONTEXT` or `docker context use`), else the root engine's socket,
/// else — when that is absent — a rootless engine's (`$XDG_RUNTIME_DIR/docker.sock`, where
/// dockerd-rootless.sh listens).
pub fn address(opts: &EngineOptions) -> String {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    opts.host.clone().or_else(|| env("DOCKER_HOST")).or_else(|| context_host(env("DOCKER_CONTEXT"))).unwrap_or_else(|| {
        let rootless = std::env::var("XDG_RUNTIME_DIR")
            .ok()
            .filter(|d| d.starts_with('/'))
            .map(|d| format!("{}/docker.sock", d.trim_end_matches('/')));
        match rootless {
            Some(path) if !exists(ROOT_SOCKET) && exists(&path) => format!("unix://{path}"),
            _ => format!("unix://{ROOT_SOCKET}"),
        }
    })
}

const ROOT_SOCKET: &str = "/var/run/docker.sock";

/// A docker CLI file, read as host files are: a regular file only (a FIFO would block), bounded.
fn client_file(path: &std::path::Path) -> Option<Vec<u8>> {
    crate::sources::read::bytes(path, crate::sources::read::HOST_FILE, "a docker CLI file").ok()
}

/// The Docker endpoint of the docker CLI's current context, as the CLI picks it: `DOCKER_CONTEXT`,
/// else `currentContext` in `$DOCKER_CONFIG/config.json` (`~/.docker`); the context's
/// `meta.json` under `contexts/meta/` names its host. None for `default`, none set, or a context
/// not found. Only `currentContext` is read from config.json (it also holds registry
/// credentials). The client's own files, not the audited host's.
#[allow(clippy::disallowed_methods)]
fn context_host(name: Option<String>) -> Option<String> {
    let dir = std::env::var_os("DOCKER_CONFIG")
        .filter(|d| !d.is_empty())
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".docker")))?;
    let name = name.or_else(|| {
        let config: serde_json::Value = serde_json::from_slice(&client_file(&dir.join("config.json"))?).ok()?;
        config.get("currentContext")?.as_str().map(str::to_string)
    })?;
    if name == "default" {
        return None;
    }
    std::fs::read_dir(dir.join("contexts/meta")).ok()?.flatten().find_map(|entry| {
        let meta: serde_json::Value = serde_json::from_slice(&client_file(&entry.path().join("meta.json"))?).ok()?;
        (meta.get("Name")?.as_str()? == name).then(|| meta.pointer("/Endpoints/docker/Host")?.as_str().map(str::to_string)).flatten()
    })
}

/// Whether the socket cbench would connect to is there (the engine's own, not the host's files).
#[allow(clippy::disallowed_methods)]
fn exists(path: &str) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

// The TLS client files are the docker CLI's (DOCKER_CERT_PATH), not the audited host's.
#[allow(clippy::disallowed_methods)]
fn connect(address: &str, timeout: Duration) -> Result<Docker, EngineError> {
    let secs = timeout.as_secs().max(1);
    let limit = transport::MAX_RESPONSE;
    let docker = if let Some(path) = address.strip_prefix("unix://").or_else(|| address.starts_with('/').then_some(address)) {
        if !std::path::Path::new(path).exists() {
            return Err(EngineError::NotFound { address: address.to_string() });
        }
        transport::connect(transport::Target::Unix(path.into()), secs, limit)
    } else if tls_verify() {
        // Like the docker CLI: DOCKER_TLS_VERIFY with ca.pem, cert.pem, key.pem in DOCKER_CERT_PATH (~/.docker).
        let dir = std::env::var_os("DOCKER_CERT_PATH")
            .filter(|d| !d.is_empty())
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| std::path::PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".docker"));
        let hostport = host_port(address, 2376);
        let config = transport::tls_config(&dir.join("ca.pem"), &dir.join("cert.pem"), &dir.join("key.pem"))
            .map_err(|message| EngineError::Tls { address: address.to_string(), message: format!("{message} (DOCKER_CERT_PATH)") })?;
        let host = hostport.rsplit_once(':').map_or(hostport.as_str(), |(h, _)| h).trim_start_matches('[').trim_end_matches(']');
        let server = rustls_pki_types::ServerName::try_from(host.to_string())
            .map_err(|e| EngineError::Tls { address: address.to_string(), message: e.to_string() })?;
        transport::connect(transport::Target::Tls { addr: hostport, server, config }, secs, limit)
    } else {
        transport::connect(transport::Target::Tcp(host_port(address, 2375)), secs, limit)
    };
    docker.map(|d| d.with_timeout(timeout)).map_err(|e| classify(address, e))
}

/// `HOST:PORT` of a `tcp://` address; like the docker CLI, `tcp://HOST` alone means port
/// `default` (2375, or 2376 with TLS).
fn host_port(address: &str, default: u16) -> String {
    let hostport = address.trim_start_matches("tcp://").trim_start_matches("http://").trim_start_matches("https://").trim_end_matches('/');
    let has_port = hostport.rsplit_once(':').is_some_and(|(h, p)| !h.is_empty() && !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    if has_port { hostport.to_string() } else { format!("{hostport}:{default}") }
}

/// `DOCKER_TLS_VERIFY` set to anything but empty or 0, as the docker CLI reads it.
fn tls_verify() -> bool {
    std::env::var("DOCKER_TLS_VERIFY").is_ok_and(|v| !v.is_empty() && v != "0")
}

/// Read everything cbench needs from the engine. Blocking: runs its own small runtime.
pub fn collect(opts: &EngineOptions) -> Result<EngineFacts, EngineError> {
    let address = address(opts);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| EngineError::Other { address: address.clone(), message: e.to_string() })?;
    rt.block_on(collect_async(&address, opts))
}

/// Run one Engine API call with `timeout` for the whole of it, the body included (bollard's own
/// timeout ends when the headers arrive: an engine that sends its body a byte a second would
/// hold cbench forever).
async fn within<T>(timeout: Duration, call: impl Future<Output = Result<T, bollard::errors::Error>>) -> Result<T, bollard::errors::Error> {
    tokio::time::timeout(timeout, call).await.unwrap_or(Err(bollard::errors::Error::RequestTimeoutError))
}

/// CIS 4.8: the setuid and setgid files of an image, read through the overlay2 directories its
/// inspect names (`GraphDriver.Data`: LowerDir, UpperDir; readable by root on the engine's
/// host). A path in an upper layer hides the same path below it. Bounded: 2,000,000 entries.
/// The engine's own storage, named by the engine (as the OCI bundles of bundle_truth), not the
/// host's configuration: read directly.
#[allow(clippy::disallowed_methods)]
fn layer_setuid(prefix: Option<&std::path::Path>, img: &ImageInspect, name: &str) -> Result<Vec<Val<(String, u32)>>, String> {
    use std::os::unix::fs::MetadataExt;
    let driver = img.graph_driver.as_ref().ok_or("the engine names no storage driver for the image")?;
    if driver.name != "overlay2" {
        return Err(format!("the {} storage driver's layers are not read (overlay2 only)", driver.name));
    }
    let data = &driver.data;
    let layers: Vec<&str> = data
        .get("UpperDir")
        .map(String::as_str)
        .into_iter()
        .chain(data.get("LowerDir").map(|l| l.split(':').collect::<Vec<_>>()).unwrap_or_default())
        .filter(|d| !d.is_empty())
        .collect();
    if layers.is_empty() {
        return Err("the engine names no layer directories for the image".into());
    }
    let mut seen: std::collections::BTreeMap<String, Option<(u32, String)>> = std::collections::BTreeMap::new();
    let mut budget = 2_000_000usize;
    for layer in &layers {
        let under = |p: &str| prefix.map_or_else(|| std::path::PathBuf::from(p), |pre| pre.join(p.trim_start_matches('/')));
        let mut stack = vec![(under(layer), String::new())];
        while let Some((dir, rel)) = stack.pop() {
            let entries = std::fs::read_dir(&dir).map_err(|e| format!("{} cannot be read: {e}", dir.display()))?;
            for e in entries.flatten() {
                budget = budget.checked_sub(1).ok_or("more than 2,000,000 entries in the image's layers: not read to the end")?;
                let path = format!("{rel}/{}", e.file_name().to_string_lossy());
                let Ok(m) = e.metadata() else { continue };
                if m.is_dir() {
                    stack.push((e.path(), path));
                } else if let std::collections::btree_map::Entry::Vacant(slot) = seen.entry(path) {
                    let special = m.is_file() && m.mode() & 0o6000 != 0;
                    slot.insert(special.then(|| (m.mode() & 0o7777, e.path().display().to_string())));
                }
            }
        }
    }
    Ok(seen
        .into_iter()
        .filter_map(|(path, v)| {
            let (mode, real) = v?;
            Some(Val::new((path, mode), Origin::Field(format!("image {name} layer file {real}"))))
        })
        .collect())
}

/// Today's date, UTC, as YYYY-MM-DD (the clock is a source's to read, not a rule's).
fn today() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    let z = secs.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

async fn collect_async(address: &str, opts: &EngineOptions) -> Result<EngineFacts, EngineError> {
    let t = opts.timeout;
    let docker = connect(address, t)?;
    // bollard joins each path onto `/vX.Y` with Url::join, which drops the prefix: its requests
    // are unversioned and the engine answers in its own API version (measured: dockerd 20.10
    // refuses /v1.47/ paths, and answers these). Nothing to negotiate, so the first calls go
    // together (Podman's compatible service takes ~250 ms for /version and ~200 ms for /info).
    let (version, info, bridge) = tokio::join!(
        within(t, docker.version()),
        within(t, docker.info()),
        within(t, docker.inspect_network("bridge", None::<bollard::query_parameters::InspectNetworkOptions>))
    );
    let version = version.map_err(|e| classify(address, e))?;
    let api = version.api_version.clone().unwrap_or_default();
    if api_older_than(&api, (1, 24)) {
        return Err(EngineError::TooOld { address: address.to_string(), version: api });
    }
    let info = info.map_err(|e| classify(address, e))?;
    let bridge = bridge.ok();
    let mut daemon = map::daemon_config(&info, bridge.as_ref());
    daemon.version = version.version.clone().map(|v| Val::new(v, Origin::Field("engine /version .Version".into())));
    daemon.today = Some(today());
    // Podman's Docker-compatible service (`podman system service`) names itself in the
    // components; it has no dockerd, daemon.json, userland proxy or live-restore.
    daemon.podman = version
        .components
        .iter()
        .flatten()
        .find(|c| c.name == "Podman Engine")
        .map(|c| Val::new(c.version.clone(), Origin::Field("engine /version .Components[Podman Engine]".into())));
    // Podman's compatible /info leaves rootless mode out (a rootless service too, measured with
    // Podman 4.3): its silence is no answer.
    if daemon.podman.is_some() && daemon.rootless.as_ref().is_some_and(|r| !r.value) {
        daemon.rootless = None;
    }

    let list = within(t, docker.list_containers(Some(ListContainersOptions { all: opts.all, ..Default::default() })))
        .await
        .map_err(|e| classify(address, e))?;
    let ids: Vec<String> = list.iter().filter_map(|c| c.id.clone()).filter(|id| opts.exclude.as_deref() != Some(id.as_str())).collect();
    let inspected: Vec<(String, Result<ContainerInspectResponse, bollard::errors::Error>)> = stream::iter(ids)
        .map(|id| {
            let docker = docker.clone();
            async move {
                let r = within(t, docker.inspect_container(&id, None::<bollard::query_parameters::InspectContainerOptions>)).await;
                (id, r)
            }
        })
        .buffered(CONCURRENCY)
        .collect()
        .await;
    // Swarm overlay networks (CIS 7.3): encrypted when created with `--opt encrypted`.
    if let Some(swarm) = daemon.swarm.as_mut() {
        let mut filters = std::collections::HashMap::new();
        filters.insert("driver".to_string(), vec!["overlay".to_string()]);
        let overlay = within(t, docker.list_networks(Some(bollard::query_parameters::ListNetworksOptions { filters: Some(filters) })))
            .await
            .map_err(|e| classify(address, e))?;
        swarm.overlay_networks = overlay
            .into_iter()
            .filter(|n| n.driver.as_deref() == Some("overlay"))
            .map(|n| {
                let name = n.name.unwrap_or_default();
                let id: String = n.id.unwrap_or_default().chars().take(12).collect();
                let encrypted = n.options.as_ref().is_some_and(|o| o.contains_key("encrypted"));
                // Two networks may share a name (a swarm's ingress while its predecessor is
                // removed): the id tells them apart.
                Val::new((format!("{name} ({id})"), encrypted), Origin::Field(format!("engine /networks/{id} .Options[encrypted]")))
            })
            .collect();
        swarm.overlay_networks.sort_by(|a, b| a.value.0.cmp(&b.value.0));
    }
    // The `docker exec` instances each container still has (CIS 5.23, 5.24): one inspect each.
    let exec_ids: Vec<(String, String)> = inspected
        .iter()
        .filter_map(|(id, r)| r.as_ref().ok().map(|c| (id, c)))
        .flat_map(|(id, c)| c.exec_ids.iter().flatten().map(move |e| (id.clone(), e.clone())))
        .collect();
    let execs: Vec<(String, String, Option<bollard::models::ExecInspectResponse>)> = stream::iter(exec_ids)
        .map(|(container, exec)| {
            let docker = docker.clone();
            async move {
                let r = within(t, docker.inspect_exec(&exec)).await.ok();
                (container, exec, r)
            }
        })
        .buffered(CONCURRENCY)
        .collect()
        .await;
    let daemon_is_podman = daemon.podman.is_some();
    let mut facts = EngineFacts { address: address.to_string(), daemon, ..Default::default() };
    let mut containers = Vec::new();
    for (id, r) in inspected {
        match r {
            // An engine that leaves out the id it was asked about (`{}`) is still named by it.
            Ok(mut c) => {
                c.id.get_or_insert(id);
                containers.push(c)
            }
            Err(bollard::errors::Error::DockerResponseServerError { status_code: 404, .. }) => {
                facts.notes.push(format!("container {} was removed while cbench read it; skipped", &id[..id.len().min(12)]));
            }
            Err(e) => return Err(classify(address, e)),
        }
    }
    // Each image once, by the id the containers run.
    let mut image_names: BTreeMap<String, String> = BTreeMap::new();
    for c in &containers {
        if let Some(id) = c.image.clone() {
            let name = c.config.as_ref().and_then(|cfg| cfg.image.clone()).unwrap_or_else(|| id.clone());
            image_names.entry(id).or_insert(name);
        }
    }
    facts.daemon.images_in_use = Some(image_names.len());
    // `--all-images`: every local image too, named by its first tag (else its id).
    if opts.all_images {
        let local = within(t, docker.list_images(Some(bollard::query_parameters::ListImagesOptions::default())))
            .await
            .map_err(|e| classify(address, e))?;
        for i in local {
            let name = i.repo_tags.iter().find(|t| *t != "<none>:<none>").cloned().unwrap_or_else(|| i.id.clone());
            image_names.entry(i.id).or_insert(name);
        }
    }
    let images: BTreeMap<String, (ImageInspect, Option<Vec<String>>)> = stream::iter(image_names.keys().cloned().collect::<Vec<_>>())
        .map(|id| {
            let docker = docker.clone();
            async move {
                let inspect = within(t, docker.inspect_image(&id)).await;
                // How each layer was made: what `docker history --no-trunc` shows.
                let history = within(t, docker.image_history(&id)).await.ok().map(|h| h.into_iter().map(|l| l.created_by).collect());
                (id.clone(), inspect.map(|i| (i, history)))
            }
        })
        .buffered(CONCURRENCY)
        .filter_map(|(id, r)| async move { r.ok().map(|i| (id, i)) })
        .collect()
        .await;
    // Named volumes of the local driver that bind a host path (`docker volume create -o o=bind
    // -o device=/etc`): each inspected once; one that cannot be read stays a volume.
    let mut volume_names: Vec<String> = containers
        .iter()
        .flat_map(|c| c.mounts.iter().flatten())
        .filter(|m| m.typ.as_deref() == Some("volume") && m.driver.as_deref().is_none_or(|d| d == "local"))
        .filter_map(|m| m.name.clone())
        .collect();
    volume_names.sort();
    volume_names.dedup();
    let bind_volumes: BTreeMap<String, String> = stream::iter(volume_names)
        .map(|name| {
            let docker = docker.clone();
            async move { (name.clone(), within(t, docker.inspect_volume(&name)).await) }
        })
        .buffered(CONCURRENCY)
        .filter_map(|(name, r)| async move {
            let options = r.ok()?.options;
            let bind = options.get("o").is_some_and(|o| o.split(',').any(|o| matches!(o.trim(), "bind" | "rbind")));
            let device = options.get("device").filter(|d| d.starts_with('/'))?;
            bind.then(|| (name, device.clone()))
        })
        .collect()
        .await;
    // On the engine's own host, the OCI bundle of a running container is what its process
    // really runs with (readable as root).
    let local = address.starts_with("unix://") || address.starts_with('/');
    for c in &containers {
        let image = c.image.as_ref().and_then(|id| images.get(id)).map(|(i, _)| i);
        let state = c.state.as_ref().and_then(|s| s.status.as_ref()).map(|s| s.to_string()).unwrap_or_default();
        let labels = c.config.as_ref().and_then(|cfg| cfg.labels.as_ref());
        let label = |k: &str| labels.and_then(|l| l.get(k)).cloned();
        let compose = label("com.docker.compose.project").zip(label("com.docker.compose.service"));
        let compose_files = label("com.docker.compose.project.config_files")
            .map(|files| files.split(',').filter(|f| !f.is_empty()).map(std::path::PathBuf::from).collect())
            .unwrap_or_default();
        let mut spec = map::container_spec(c, image, &bind_volumes);
        if daemon_is_podman {
            // Podman records the nofile and nproc limits it gives every container (from its own
            // limits): they are its defaults, not overrides. (An explicit --ulimit nofile= on
            // Podman is then not told apart: a known gap, in the README.)
            spec.ulimits.retain(|u| !matches!(u.value.as_str(), "RLIMIT_NOFILE" | "RLIMIT_NPROC"));
        }
        let id = c.id.clone().unwrap_or_default();
        spec.execs = Some(
            execs
                .iter()
                .filter(|(container, _, _)| *container == id)
                .filter_map(|(_, exec, r)| {
                    // An exec the engine no longer answers for is gone: nothing to judge.
                    let p = r.as_ref()?.process_config.as_ref()?;
                    let command = std::iter::once(p.entrypoint.clone().unwrap_or_default())
                        .chain(p.arguments.clone().unwrap_or_default())
                        .collect::<Vec<_>>()
                        .join(" ");
                    let short = &exec[..exec.len().min(12)];
                    Some(Val::new(
                        Exec { privileged: p.privileged == Some(true), user: p.user.clone().unwrap_or_default(), command },
                        Origin::Field(format!("engine /exec/{short}/json .ProcessConfig")),
                    ))
                })
                .collect(),
        );
        if local
            && state == "running"
            && let Some(id) = c.id.as_deref()
        {
            bundle_truth(opts.host_prefix.as_deref(), id, &mut spec, &mut facts.notes);
        }
        facts.containers.push(EngineContainer {
            label: map::container_label(c),
            names: map::container_names(c),
            spec,
            state,
            compose,
            compose_files,
            labels: labels.map(|l| l.iter().map(|(k, v)| (k.clone(), v.clone())).collect()).unwrap_or_default(),
        });
    }
    facts.containers.sort_by(|a, b| a.label.cmp(&b.label));
    for (id, name) in image_names {
        let Some((img, history)) = images.get(&id) else {
            facts.notes.push(format!("image {name} could not be inspected; its checks were skipped"));
            continue;
        };
        let history: Option<Vec<Val<String>>> = history.as_ref().map(|h| {
            h.iter()
                .enumerate()
                .map(|(i, h)| Val::new(h.clone(), Origin::Field(format!("image {name} history, layer {}", i + 1))))
                .collect()
        });
        let config = img.config.as_ref();
        let user = config.and_then(|c| c.user.clone()).map(|u| Val::new(u, Origin::Field(format!("image {name} .Config.User"))));
        let healthcheck = config.and_then(|c| c.healthcheck.as_ref()).map(|h| {
            let disabled = h.test.as_ref().and_then(|t| t.first()).is_some_and(|t| t == "NONE");
            let h = if disabled { Healthcheck::Disabled } else { Healthcheck::Defined };
            Val::new(h, Origin::Field(format!("image {name} .Config.Healthcheck")))
        });
        let declared_at = Origin::Field(format!("image {name}"));
        let env = config
            .and_then(|c| c.env.as_ref())
            .into_iter()
            .flatten()
            .map(|kv| {
                let (k, v) = kv.split_once('=').map_or((kv.as_str(), None), |(k, v)| (k, Some(v.to_string())));
                // An image's ENV is written in its Dockerfile: literal text.
                let var = EnvVar { name: k.to_string(), value: v, literal: true, default: None };
                Val::new(var, Origin::Field(format!("image {name} .Config.Env")))
            })
            .collect();
        let mut labels: Vec<Val<EnvVar>> = config
            .and_then(|c| c.labels.as_ref())
            .into_iter()
            .flatten()
            .map(|(k, v)| {
                let var = EnvVar { name: k.clone(), value: Some(v.clone()), literal: true, default: None };
                Val::new(var, Origin::Field(format!("image {name} .Config.Labels")))
            })
            .collect();
        labels.sort_by(|a, b| a.value.name.cmp(&b.value.name));
        let setuid = if !opts.deep {
            Err("needs --deep (a walk of the image's layers)".to_string())
        } else if !local {
            Err("the image's layers are on the engine's host, not this one".to_string())
        } else {
            layer_setuid(opts.host_prefix.as_deref(), img, &name)
        };
        facts.images.push(ImageFacts { name, declared_at, user, healthcheck, env, labels, history, setuid });
    }
    Ok(facts)
}

/// Where Docker's containerd keeps the runtime bundle of a running container.
const BUNDLE_DIRS: [&str; 2] =
    ["/run/docker/containerd/daemon/io.containerd.runtime.v2.task/moby", "/run/containerd/io.containerd.runtime.v2.task/moby"];

/// Replace what the bundle states with certainty: the effective capabilities, no-new-privileges,
/// the seccomp filter and the masked paths. A bundle that exists but cannot be read is noted.
// A live read of the local engine's host outside HostRoot (known gap: the engine source has no
// HostRoot yet); only for a local engine, whose bundles are this machine's.
#[allow(clippy::disallowed_methods)]
fn bundle_truth(prefix: Option<&std::path::Path>, id: &str, spec: &mut ContainerSpec, notes: &mut Vec<String>) {
    let base = |d: &str| prefix.map_or_else(|| std::path::PathBuf::from(d), |p| p.join(d.trim_start_matches('/')));
    let Some(path) = BUNDLE_DIRS.iter().map(|d| base(d).join(id).join("config.json")).find(|p| p.exists()) else { return };
    let bundle = match crate::sources::oci::load(&path) {
        Ok(b) => b,
        Err(e) => {
            notes.push(format!("{}: {} (capabilities and seccomp come from inspect instead)", e.path.display(), e.message));
            return;
        }
    };
    let truth = crate::sources::oci::container_spec(&path.display().to_string(), &bundle);
    spec.cap_add = truth.cap_add;
    spec.cap_drop = truth.cap_drop;
    spec.security.no_new_privileges = truth.security.no_new_privileges;
    spec.security.seccomp = truth.security.seccomp.or(spec.security.seccomp.take().filter(|s| s.value != "unconfined"));
    spec.security.systempaths_unconfined = truth.security.systempaths_unconfined;
}

fn api_older_than(api: &str, min: (u32, u32)) -> bool {
    let mut parts = api.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let v = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    !api.is_empty() && v < min
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_versions() {
        assert!(api_older_than("1.12", (1, 24)));
        assert!(!api_older_than("1.41", (1, 24)));
        assert!(!api_older_than("", (1, 24)));
    }
}
