//! The daemon's configuration as files say it: /etc/docker/daemon.json and the dockerd command
//! line of docker.service (ExecStart with its drop-ins, Environment= and EnvironmentFile=
//! expanded, as Debian's `$DOCKER_OPTS` in /etc/default/docker).

use super::{HostRoot, systemd};
use crate::model::{DaemonConfig, DaemonUser, DiagKind, Diagnostic, Origin, Val};
use crate::sources::compose::yaml;

/// The names of the flags dockerd runs with (live: the running dockerd's; offline:
/// docker.service's), without their dashes.
pub fn flag_names(root: &HostRoot) -> Vec<String> {
    let argv = match root.is_live().then(|| running_dockerd(root, 0, ROOTFUL_PID_FILES)).flatten() {
        Some(argv) => argv,
        None => dockerd_argv(root).0,
    };
    parse_flags(&argv).into_iter().map(|(k, _)| k).collect()
}

/// Where a rootful dockerd writes its process id.
const ROOTFUL_PID_FILES: &[&str] = &["/run/docker.pid", "/var/run/docker.pid"];

/// Read daemon.json and the dockerd flags; malformed input is a diagnostic.
pub fn collect(root: &HostRoot) -> (DaemonConfig, Vec<Diagnostic>) {
    let mut config = DaemonConfig::default();
    // Live, the running dockerd's own command line is authoritative; offline, docker.service's.
    let argv = match root.is_live().then(|| running_dockerd(root, 0, ROOTFUL_PID_FILES)).flatten() {
        Some(argv) => argv,
        None => {
            let (argv, unreadable) = dockerd_argv(root);
            config.unreadable = unreadable;
            argv
        }
    };
    from_files(root, config, &argv, "/etc/docker/daemon.json")
}

/// The files of a rootless engine listening on `socket` (a live host's path): the running
/// dockerd of the socket's owner (its flags), and that user's daemon.json
/// (`$XDG_CONFIG_HOME/docker/daemon.json`, `~/.config/docker/daemon.json` by default), which is
/// what dockerd-rootless.sh's dockerd reads; never /etc/docker's.
pub fn collect_rootless(root: &HostRoot, socket: &str) -> (DaemonConfig, Vec<Diagnostic>) {
    let mut config = DaemonConfig::default();
    let Ok((uid, _, _)) = root.stat(socket) else {
        config.unreadable = Some(root.display(socket));
        return (config, Vec::new());
    };
    let origin = Origin::Field(format!("stat {}", root.display(socket)));
    let (name, home) = super::accounts::user_home(root, uid).map_or((uid.to_string(), None), |(n, h)| (n, Some(h)));
    config.user = Some(Val::new(DaemonUser { uid, name, home: home.clone() }, origin.clone()));
    // dockerd-rootless.sh's dockerd writes its pid beside its socket ($XDG_RUNTIME_DIR).
    let dir = socket.rsplit_once('/').map_or("/", |(d, _)| d);
    let pid_file = format!("{dir}/docker.pid");
    let found = running_dockerd_pid(root, uid, &[pid_file.as_str()]);
    let argv = found.as_ref().and_then(|pid| dockerd_cmdline(root, pid));
    // Its flags unknown: what the files say is incomplete.
    if argv.is_none() {
        config.unreadable = Some(format!(
            "the command line of {}'s dockerd (no process of uid {uid} named dockerd in /proc)",
            config.user.as_ref().map_or("", |u| u.value.name.as_str())
        ));
    }
    let argv = argv.unwrap_or_default();
    // Its XDG_CONFIG_HOME, the one variable read from its environment; else the home's .config.
    let config_home = found
        .as_ref()
        .and_then(|pid| root.read(&format!("/proc/{pid}/environ")).ok())
        .and_then(|env| {
            env.split(|b| *b == 0)
                .find_map(|v| v.strip_prefix(b"XDG_CONFIG_HOME=").map(|p| String::from_utf8_lossy(p).into_owned()))
                .filter(|p| p.starts_with('/'))
        })
        .or_else(|| home.map(|h| format!("{}/.config", h.trim_end_matches('/'))));
    let Some(config_home) = config_home else {
        config.unreadable = Some(format!("the home of uid {uid} (not in /etc/passwd)"));
        return (config, Vec::new());
    };
    let (mut config, diags) = from_files(root, config, &argv, &format!("{config_home}/docker/daemon.json"));
    // Its API is the socket it was found on unless its flags say where.
    if config.hosts.is_empty() {
        config.hosts.push(Val::new(format!("unix://{socket}"), origin));
    }
    (config, diags)
}

/// The configuration from dockerd's command line `argv` and its daemon.json (`--config-file`,
/// else `config_default`).
fn from_files(root: &HostRoot, mut config: DaemonConfig, argv: &[Val<String>], config_default: &str) -> (DaemonConfig, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let flags = parse_flags(argv);
    let config_file = flags.iter().find(|(k, _)| k == "config-file").map_or_else(|| config_default.to_string(), |(_, v)| v.value.clone());
    config.config_file = Some(config_file.clone());
    let mut json_keys: Vec<(String, Origin)> = Vec::new();
    // dockerd's Go decoder takes invalid UTF-8 inside strings (as U+FFFD): so does this read.
    let text = match root.read(&config_file) {
        Ok(bytes) => Some(String::from_utf8_lossy(&bytes).into_owned()),
        // A FIFO, a device or a file over the limit: what dockerd runs with is not known, and
        // that is an error of the audit, never an absent file.
        Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
            config.invalid = Some(format!("{} {e}", root.display(&config_file)));
            None
        }
        Err(e) => {
            if !matches!(e.kind(), std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory) {
                config.unreadable.get_or_insert(root.display(&config_file));
            }
            None
        }
    };
    if let Some(text) = text {
        match serde_json::from_str::<serde_json::Value>(&text) {
            Err(e) => {
                // serde_json says column 0 when the error shows at a line's end: point at the
                // last character of the line before, where the bad token is.
                let (line, col) = match (e.line(), e.column()) {
                    (l, 0) if l > 1 => (l - 1, text.lines().nth(l - 2).map_or(1, |p| p.chars().count().max(1))),
                    (l, c) => (l, c),
                };
                // In the file the user edits (a provisioning config's line, for a virtual host).
                let (path, line, col) = match root.origin_at(&config_file, line as u32, col as u32) {
                    Origin::File { path, line, col } => (path.to_string(), line, col),
                    _ => (root.display(&config_file), line as u32, col as u32),
                };
                config.invalid = Some(format!("{path}:{line}:{col} is not valid JSON (dockerd will not start)"));
                diags.push(Diagnostic {
                    kind: DiagKind::Error,
                    path,
                    line: Some(line),
                    col: Some(col),
                    // The position is ours (above), not serde_json's.
                    message: format!("invalid JSON: {}", e.to_string().split(" at line ").next().unwrap_or_default()),
                })
            }
            Ok(json) => {
                // Positions from the YAML reader (JSON is YAML), values from serde_json.
                let positions = yaml::parse(&text, 0).ok().and_then(|d| d.into_iter().next());
                for (key, value) in json.as_object().into_iter().flatten() {
                    let origin = positions
                        .as_ref()
                        .and_then(|p| p.get_entry(key))
                        .map_or_else(|| root.origin_at(&config_file, 1, 1), |(k, _)| root.origin_at(&config_file, k.pos.line, k.pos.col));
                    if !KNOWN_KEYS.contains(&key.as_str())
                        && let Origin::File { path, line, col } = &origin
                    {
                        diags.push(Diagnostic {
                            kind: DiagKind::Warning,
                            path: path.to_string(),
                            line: Some(*line),
                            col: Some(*col),
                            message: format!("unknown daemon.json key `{key}`: dockerd refuses to start with it"),
                        });
                    }
                    json_keys.push((key.clone(), origin.clone()));
                    apply_json(&mut config, key, value, origin);
                }
            }
        }
    }
    for (flag, value) in &flags {
        apply_flag(&mut config, flag, value);
        // dockerd refuses to start when an option is both a flag and in daemon.json.
        let key = json_key(flag);
        if let Some((_, json_origin)) = json_keys.iter().find(|(k, _)| *k == key) {
            config.conflicts.push(Val::new(format!("--{flag} and \"{key}\" in {json_origin}"), value.origin.clone()));
        }
    }
    check_subids(&mut config, root);
    defaults(&mut config, root, &config_file);
    config.content_trust = content_trust(root);
    (config, diags)
}

/// Swarm's TCP ports (2377, 7946) listening on every interface: /proc/net/tcp and tcp6, state
/// 0A (LISTEN), local address all zeros. None when neither table can be read.
pub fn swarm_listeners(root: &HostRoot) -> Option<Vec<Val<String>>> {
    let mut out = Vec::new();
    let mut read_any = false;
    for (file, v6) in [("/proc/net/tcp", false), ("/proc/net/tcp6", true)] {
        let Ok(text) = root.read_to_string(file) else { continue };
        read_any = true;
        out.extend(wildcard_listeners(&text, v6).into_iter().map(|(port, line)| {
            let addr = if v6 { format!("[::]:{port}") } else { format!("0.0.0.0:{port}") };
            Val::new(addr, Origin::File { path: file.into(), line, col: 1 })
        }));
    }
    read_any.then_some(out)
}

/// (port, line) of the LISTEN sockets on 2377 or 7946 bound to the wildcard address in a
/// /proc/net/tcp{,6} table.
pub fn wildcard_listeners(text: &str, v6: bool) -> Vec<(u16, u32)> {
    let zeros = if v6 { 32 } else { 8 };
    text.lines()
        .enumerate()
        .skip(1)
        .filter_map(|(i, l)| {
            let mut f = l.split_whitespace();
            let local = f.nth(1)?;
            let state = f.nth(1)?;
            let (addr, port) = local.split_once(':')?;
            let port = u16::from_str_radix(port, 16).ok()?;
            (state == "0A" && addr.len() == zeros && addr.bytes().all(|b| b == b'0') && matches!(port, 2377 | 7946))
                .then_some((port, i as u32 + 1))
        })
        .collect()
}

/// `DOCKER_CONTENT_TRUST` for docker clients on this host, as the host configures it for every
/// login: /etc/environment (pam_env), then /etc/profile.d/*.sh (`export DOCKER_CONTENT_TRUST=1`);
/// `1` turns it on. Not cbench's own environment: a verdict must not depend on who runs cbench.
/// Set nowhere: off, at those files.
fn content_trust(root: &HostRoot) -> Option<Val<bool>> {
    let on = |v: &str| v.trim().trim_matches(['"', '\'']) == "1";
    let mut files = vec!["/etc/environment".to_string()];
    let mut scripts: Vec<String> =
        root.list("/etc/profile.d").into_iter().filter(|n| n.ends_with(".sh")).map(|n| format!("/etc/profile.d/{n}")).collect();
    scripts.sort();
    files.extend(scripts);
    for file in &files {
        let Ok(text) = root.read_to_string(file) else { continue };
        for (i, line) in text.lines().enumerate() {
            let line = line.trim_start().trim_start_matches("export ").trim_start();
            if let Some(v) = line.strip_prefix("DOCKER_CONTENT_TRUST=") {
                return Some(Val::new(on(v.split('#').next().unwrap_or("")), root.origin_at(file, i as u32 + 1, 1)));
            }
        }
    }
    let environment = root.display("/etc/environment");
    Some(Val::new(false, Origin::Field(format!("DOCKER_CONTENT_TRUST (not set in {environment} or /etc/profile.d)"))))
}

/// The local engine's effective values win; what only files say (listeners, TLS, conflicts,
/// and settings the engine does not report) is added. A setting the files set explicitly to
/// another value than the engine runs with (daemon.json edited, dockerd not restarted) is a
/// disagreement.
pub fn merge(engine: DaemonConfig, files: DaemonConfig) -> DaemonConfig {
    let explicit = |o: &Origin| !matches!(o, Origin::Field(s) if s.starts_with("dockerd default"));
    let mut disagreements = Vec::new();
    let mut compare = |name: &str, f: Option<(String, &Origin)>, e: Option<String>| {
        if let (Some((f, origin)), Some(e)) = (f, e)
            && explicit(origin)
            && f != e
        {
            disagreements.push(Val::new((name.to_string(), f, e), origin.clone()));
        }
    };
    fn b(v: &Option<Val<bool>>) -> Option<(String, &Origin)> {
        v.as_ref().map(|v| (v.value.to_string(), &v.origin))
    }
    fn s(v: &Option<Val<String>>) -> Option<(String, &Origin)> {
        v.as_ref().map(|v| (v.value.clone(), &v.origin))
    }
    compare("icc", b(&files.icc), engine.icc.as_ref().map(|v| v.value.to_string()));
    compare("live-restore", b(&files.live_restore), engine.live_restore.as_ref().map(|v| v.value.to_string()));
    compare("experimental", b(&files.experimental), engine.experimental.as_ref().map(|v| v.value.to_string()));
    compare("userns-remap", b(&files.userns), engine.userns.as_ref().map(|v| v.value.to_string()));
    compare("log-driver", s(&files.logging_driver), engine.logging_driver.as_ref().map(|v| v.value.clone()));
    compare("storage-driver", s(&files.storage_driver), engine.storage_driver.as_ref().map(|v| v.value.clone()));
    compare("data-root", s(&files.docker_root), engine.docker_root.as_ref().map(|v| v.value.clone()));
    // /info's Debug is the --debug flag; `log-level: debug` only the files say.
    let debug = match (&engine.debug, &files.debug) {
        (Some(e), _) if e.value => engine.debug.clone(),
        (_, Some(f)) if f.value => files.debug.clone(),
        _ => engine.debug.clone().or(files.debug.clone()),
    };
    DaemonConfig {
        debug,
        no_new_privileges: engine.no_new_privileges.or(files.no_new_privileges),
        // The engine reports seccomp when it is on: its silence is an answer, not a gap.
        seccomp_profile: if engine.version.is_some() { engine.seccomp_profile } else { engine.seccomp_profile.or(files.seccomp_profile) },
        hosts: files.hosts,
        tls_verify: files.tls_verify,
        tls_files: files.tls_files,
        userland_proxy: files.userland_proxy,
        log_address: files.log_address,
        iptables: files.iptables,
        default_ulimits: files.default_ulimits,
        cgroup_parent: files.cgroup_parent,
        storage_opts: files.storage_opts,
        content_trust: files.content_trust,
        authorization_plugins: files.authorization_plugins,
        conflicts: files.conflicts,
        userns_subids_missing: files.userns_subids_missing,
        user: files.user,
        config_file: files.config_file,
        unreadable: files.unreadable,
        disagreements,
        ..engine
    }
}

/// What dockerd does with a setting that neither daemon.json nor a flag sets.
fn defaults(c: &mut DaemonConfig, root: &HostRoot, config_file: &str) {
    let origin = Origin::Field(format!("dockerd default (not set in {} or the dockerd flags)", root.display(config_file)));
    let d = |v: bool| Some(Val::new(v, origin.clone()));
    c.icc = c.icc.take().or_else(|| d(true));
    c.userns = c.userns.take().or_else(|| d(false));
    c.live_restore = c.live_restore.take().or_else(|| d(false));
    c.debug = c.debug.take().or_else(|| d(false));
    c.experimental = c.experimental.take().or_else(|| d(false));
    c.no_new_privileges = c.no_new_privileges.take().or_else(|| d(false));
    c.tls_verify = c.tls_verify.take().or_else(|| d(false));
    c.userland_proxy = c.userland_proxy.take().or_else(|| d(true));
    c.iptables = c.iptables.take().or_else(|| d(true));
    c.logging_driver = c.logging_driver.take().or_else(|| Some(Val::new("json-file".into(), origin.clone())));
    // dockerd applies its built-in seccomp profile unless told otherwise, and picks overlay2.
    c.seccomp_profile = c.seccomp_profile.take().or_else(|| Some(Val::new("builtin".into(), origin.clone())));
    c.storage_driver = c.storage_driver.take().or_else(|| Some(Val::new("overlay2".into(), origin.clone())));
    // A swarm node keeps its state under the data root.
    let data_root = c.docker_root.as_ref().map_or("/var/lib/docker", |d| d.value.as_str()).to_string();
    let state = format!("{data_root}/swarm/state.json");
    let in_swarm = root.exists(&state);
    c.swarm_active = c.swarm_active.take().or_else(|| Some(Val::new(in_swarm, Origin::Field(root.display(&state)))));
}

/// Logging-driver options that name a remote destination.
const LOG_ADDRESS_OPTS: &[&str] = &["syslog-address", "gelf-address", "fluentd-address", "splunk-url", "loki-url"];

/// Remember the userns-remap user for the subordinate id check (`default` makes its own).
fn userns_user(c: &mut DaemonConfig, v: Option<Val<String>>) {
    c.userns_subids_missing.clear();
    if let Some(v) = v.filter(|v| !v.value.is_empty() && v.value != "default") {
        // The user part of `user[:group]`, kept as the value until the files are read.
        let user = v.value.split(':').next().unwrap_or("").to_string();
        c.userns_subids_missing.push(Val::new(user, v.origin));
    }
}

/// Which of /etc/subuid and /etc/subgid lack the userns-remap user.
fn check_subids(c: &mut DaemonConfig, root: &HostRoot) {
    let Some(user) = c.userns_subids_missing.pop() else { return };
    for file in ["/etc/subuid", "/etc/subgid"] {
        let text = root.read_to_string(file).unwrap_or_default();
        if !text.lines().any(|l| l.split(':').next() == Some(user.value.as_str())) {
            c.userns_subids_missing.push(Val::new(format!("{} has no range for {}", root.display(file), user.value), user.origin.clone()));
        }
    }
}

/// The daemon.json key of a command-line flag.
fn json_key(flag: &str) -> String {
    match flag {
        "host" => "hosts".into(),
        "insecure-registry" => "insecure-registries".into(),
        "default-ulimit" => "default-ulimits".into(),
        "authorization-plugin" => "authorization-plugins".into(),
        "storage-opt" => "storage-opts".into(),
        "tlsverify" => "tlsverify".into(),
        other => other.to_string(),
    }
}

fn apply_json(c: &mut DaemonConfig, key: &str, value: &serde_json::Value, origin: Origin) {
    let b = |v: &serde_json::Value| v.as_bool();
    let s = |v: &serde_json::Value| v.as_str().map(str::to_string);
    match key {
        "icc" => c.icc = b(value).map(|v| Val::new(v, origin)),
        "userns-remap" => {
            c.userns = s(value).map(|v| Val::new(!v.is_empty(), origin.clone()));
            userns_user(c, s(value).map(|v| Val::new(v, origin)));
        }
        "live-restore" => c.live_restore = b(value).map(|v| Val::new(v, origin)),
        "log-driver" => c.logging_driver = s(value).map(|v| Val::new(v, origin)),
        "debug" => c.debug = b(value).map(|v| Val::new(v, origin)),
        "log-level" => c.debug = s(value).map(|v| Val::new(v == "debug", origin)),
        "experimental" => c.experimental = b(value).map(|v| Val::new(v, origin)),
        "insecure-registries" => {
            c.insecure_registries = value.as_array().into_iter().flatten().filter_map(s).map(|r| Val::new(r, origin.clone())).collect()
        }
        "seccomp-profile" => c.seccomp_profile = s(value).map(|v| Val::new(v, origin)),
        "no-new-privileges" => c.no_new_privileges = b(value).map(|v| Val::new(v, origin)),
        "storage-driver" => c.storage_driver = s(value).map(|v| Val::new(v, origin)),
        "data-root" => c.docker_root = s(value).map(|v| Val::new(v, origin)),
        "hosts" => c.hosts = value.as_array().into_iter().flatten().filter_map(s).map(|h| Val::new(h, origin.clone())).collect(),
        "tlsverify" => c.tls_verify = b(value).map(|v| Val::new(v, origin)),
        "selinux-enabled" => c.selinux = b(value).map(|v| Val::new(v, origin)),
        "userland-proxy" => c.userland_proxy = b(value).map(|v| Val::new(v, origin)),
        "iptables" => c.iptables = b(value).map(|v| Val::new(v, origin)),
        "cgroup-parent" => c.cgroup_parent = s(value).map(|v| Val::new(v, origin)),
        "storage-opts" => {
            c.storage_opts = value.as_array().into_iter().flatten().filter_map(s).map(|o| Val::new(o, origin.clone())).collect()
        }
        "log-opts" => {
            for (k, v) in value.as_object().into_iter().flatten() {
                if LOG_ADDRESS_OPTS.contains(&k.as_str())
                    && let Some(v) = s(v)
                {
                    c.log_address = Some(Val::new(v, origin.clone()));
                }
            }
        }
        "default-ulimits" => {
            c.default_ulimits = value.as_object().into_iter().flatten().map(|(k, _)| Val::new(k.clone(), origin.clone())).collect()
        }
        "authorization-plugins" => {
            c.authorization_plugins = value.as_array().into_iter().flatten().filter_map(s).map(|p| Val::new(p, origin.clone())).collect()
        }
        "tlscacert" | "tlscert" | "tlskey" => {
            if let Some(path) = s(value) {
                c.tls_files.retain(|f| f.value.0 != key);
                c.tls_files.push(Val::new((key.to_string(), path), origin));
            }
        }
        _ => {}
    }
}

fn apply_flag(c: &mut DaemonConfig, flag: &str, v: &Val<String>) {
    let yes = || Val::new(v.value != "false", v.origin.clone());
    match flag {
        "icc" => c.icc = Some(yes()),
        "userns-remap" => {
            c.userns = Some(Val::new(!v.value.is_empty(), v.origin.clone()));
            userns_user(c, Some(v.clone()));
        }
        "live-restore" => c.live_restore = Some(yes()),
        "log-driver" => c.logging_driver = Some(v.clone()),
        "debug" => c.debug = Some(yes()),
        "log-level" => c.debug = Some(Val::new(v.value == "debug", v.origin.clone())),
        "experimental" => c.experimental = Some(yes()),
        "insecure-registry" => c.insecure_registries.push(v.clone()),
        "seccomp-profile" => c.seccomp_profile = Some(v.clone()),
        "no-new-privileges" => c.no_new_privileges = Some(yes()),
        "storage-driver" => c.storage_driver = Some(v.clone()),
        "data-root" => c.docker_root = Some(v.clone()),
        "host" => c.hosts.push(v.clone()),
        "tlsverify" => c.tls_verify = Some(yes()),
        "selinux-enabled" => c.selinux = Some(yes()),
        "userland-proxy" => c.userland_proxy = Some(yes()),
        "iptables" => c.iptables = Some(yes()),
        "cgroup-parent" => c.cgroup_parent = Some(v.clone()),
        "storage-opt" => c.storage_opts.push(v.clone()),
        "log-opt" => {
            if let Some((k, addr)) = v.value.split_once('=')
                && LOG_ADDRESS_OPTS.contains(&k)
            {
                c.log_address = Some(Val::new(addr.to_string(), v.origin.clone()));
            }
        }
        "default-ulimit" => c.default_ulimits.push(Val::new(v.value.split('=').next().unwrap_or("").to_string(), v.origin.clone())),
        "authorization-plugin" => c.authorization_plugins.push(v.clone()),
        "tlscacert" | "tlscert" | "tlskey" => {
            c.tls_files.retain(|f| f.value.0 != flag);
            c.tls_files.push(Val::new((flag.to_string(), v.value.clone()), v.origin.clone()));
        }
        _ => {}
    }
}

/// Flags that take no value (`--debug`, `--icc=false` still allowed).
const BOOLEAN: &[&str] = &[
    "icc",
    "live-restore",
    "debug",
    "experimental",
    "no-new-privileges",
    "tlsverify",
    "tls",
    "userland-proxy",
    "selinux-enabled",
    "iptables",
    "ip-forward",
];

/// `--opt=v`, `--opt v`, short `-H v` / `-D`, repeated list flags: (long name, value).
pub fn parse_flags(argv: &[Val<String>]) -> Vec<(String, Val<String>)> {
    let mut out = Vec::new();
    let mut i = 1; // argv[0] is dockerd
    while i < argv.len() {
        let arg = &argv[i].value;
        let (name, inline) = if let Some(long) = arg.strip_prefix("--") {
            long.split_once('=').map_or((long.to_string(), None), |(n, v)| (n.to_string(), Some(v.to_string())))
        } else if let Some(short) = arg.strip_prefix('-') {
            let long = match short.chars().next() {
                Some('H') => "host",
                Some('D') => "debug",
                Some('l') => "log-level",
                Some('s') => "storage-driver",
                Some('G') => "group",
                _ => short,
            };
            let rest = &short[short.chars().next().map_or(0, char::len_utf8)..];
            let rest = rest.strip_prefix('=').unwrap_or(rest);
            (long.to_string(), (!rest.is_empty()).then(|| rest.to_string()))
        } else {
            i += 1;
            continue;
        };
        let value = match inline {
            Some(v) => v,
            None if BOOLEAN.contains(&name.as_str()) => "true".into(),
            None => {
                i += 1;
                argv.get(i).map(|v| v.value.clone()).unwrap_or_default()
            }
        };
        out.push((name, Val::new(value, argv[i.min(argv.len() - 1)].origin.clone())));
        i += 1;
    }
    out
}

/// The dockerd command line of docker.service, variables expanded; empty without the unit.
/// Keys dockerd accepts in daemon.json (moby's daemon/config; dockerd refuses others).
const KNOWN_KEYS: &[&str] = &[
    "allow-nondistributable-artifacts",
    "api-cors-header",
    "authorization-plugins",
    "bip",
    "bip6",
    "bridge",
    "builder",
    "cdi-spec-dirs",
    "cgroup-parent",
    "cluster-advertise",
    "cluster-store",
    "cluster-store-opts",
    "containerd",
    "containerd-namespace",
    "containerd-plugins-namespace",
    "cpu-rt-period",
    "cpu-rt-runtime",
    "data-root",
    "debug",
    "default-address-pools",
    "default-cgroupns-mode",
    "default-gateway",
    "default-gateway-v6",
    "default-ipc-mode",
    "default-network-opts",
    "default-runtime",
    "default-shm-size",
    "default-ulimits",
    "dns",
    "dns-opts",
    "dns-search",
    "exec-opts",
    "exec-root",
    "experimental",
    "features",
    "fixed-cidr",
    "fixed-cidr-v6",
    "group",
    "host-gateway-ip",
    "host-gateway-ips",
    "hosts",
    "http-proxy",
    "https-proxy",
    "icc",
    "init",
    "init-path",
    "insecure-registries",
    "ip",
    "ip-forward",
    "ip-forward-no-drop",
    "ip-masq",
    "ip6tables",
    "iptables",
    "ipv6",
    "labels",
    "live-restore",
    "log-driver",
    "log-format",
    "log-level",
    "log-opts",
    "max-concurrent-downloads",
    "max-concurrent-uploads",
    "max-download-attempts",
    "metrics-addr",
    "min-api-version",
    "mtu",
    "no-new-privileges",
    "no-proxy",
    "node-generic-resources",
    "oom-score-adjust",
    "pidfile",
    "proxies",
    "raw-logs",
    "registry-mirrors",
    "runtimes",
    "seccomp-profile",
    "selinux-enabled",
    "shutdown-timeout",
    "storage-driver",
    "storage-opts",
    "swarm-default-advertise-addr",
    "tls",
    "tlscacert",
    "tlscert",
    "tlskey",
    "tlsverify",
    "userland-proxy",
    "userland-proxy-path",
    "userns-remap",
    "validate",
];

/// The command line of the running dockerd (from /run/docker.pid, else the process table),
/// argv[0] included.
fn running_dockerd(root: &HostRoot, uid: u32, pid_files: &[&str]) -> Option<Vec<Val<String>>> {
    dockerd_cmdline(root, &running_dockerd_pid(root, uid, pid_files)?)
}

/// The process id of the dockerd that user `uid` runs (root's, or a rootless engine's user's):
/// from its pid file, else the first such process in /proc.
fn running_dockerd_pid(root: &HostRoot, uid: u32, pid_files: &[&str]) -> Option<String> {
    let is_dockerd = |pid: &str| {
        root.read_to_string(&format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim() == "dockerd")
            && root.read_to_string(&format!("/proc/{pid}/status")).is_ok_and(|s| {
                s.lines().find_map(|l| l.strip_prefix("Uid:")).and_then(|u| u.split_whitespace().next()) == Some(uid.to_string().as_str())
            })
    };
    pid_files
        .iter()
        .filter_map(|p| root.read_to_string(p).ok())
        .map(|p| p.trim().to_string())
        .find(|p| is_dockerd(p))
        .or_else(|| root.entries("/proc").ok()?.into_iter().find(|p| p.chars().all(|c| c.is_ascii_digit()) && is_dockerd(p)))
}

fn dockerd_cmdline(root: &HostRoot, pid: &str) -> Option<Vec<Val<String>>> {
    let raw = root.read(&format!("/proc/{pid}/cmdline")).ok()?;
    let origin = Origin::Field(format!("/proc/{pid}/cmdline (running dockerd)"));
    Some(cmdline_words(&raw, &origin))
}

/// The words of a /proc/PID/cmdline (NUL-separated), argv[0] included: parse_flags starts
/// after it.
fn cmdline_words(raw: &[u8], origin: &Origin) -> Vec<Val<String>> {
    raw.split(|b| *b == 0).filter(|w| !w.is_empty()).map(|w| Val::new(String::from_utf8_lossy(w).into_owned(), origin.clone())).collect()
}

/// The dockerd command line docker.service gives, and the first of its files that could not be
/// read (its flags are then not all known).
fn dockerd_argv(root: &HostRoot) -> (Vec<Val<String>>, Option<String>) {
    let Some(unit) = systemd::load(root, "docker.service") else { return (Vec::new(), None) };
    let unreadable = unit.unreadable.first().cloned();
    (unit_argv(root, &unit), unreadable)
}

/// The words of an `ExecStart=` value before variables are expanded, as systemd splits them:
/// the `-@+!:` prefixes dropped, quotes removed, `%%` as `%`.
pub fn exec_words(value: &str) -> Vec<String> {
    shell_words(value.trim_start_matches(['-', '@', '+', '!', ':'])).into_iter().map(|w| w.replace("%%", "%")).collect()
}

fn unit_argv(root: &HostRoot, unit: &systemd::Unit) -> Vec<Val<String>> {
    let Some(exec) = unit.list("Service", "ExecStart").pop() else { return Vec::new() };
    let mut env: Vec<(String, String)> = Vec::new();
    for e in unit.list("Service", "EnvironmentFile") {
        let path = e.value.trim_start_matches('-');
        if let Ok(text) = root.read_to_string(path)
            && let Ok(vars) = crate::sources::compose::dotenv::parse(&text)
        {
            env.extend(vars.into_iter().filter_map(|(k, v, _)| Some((k, v?))));
        }
    }
    for e in unit.list("Service", "Environment") {
        for assignment in shell_words(&e.value) {
            if let Some((k, v)) = assignment.split_once('=') {
                env.push((k.to_string(), v.to_string()));
            }
        }
    }
    let lookup = |name: &str| env.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let mut words = Vec::new();
    for word in exec_words(&exec.value) {
        // `$VAR` unquoted splits into words, as systemd does; `${VAR}` stays one word.
        if let Some(name) = word.strip_prefix('$').filter(|n| !n.starts_with('{')) {
            words.extend(shell_words(&lookup(name).unwrap_or_default()));
        } else {
            let expanded = crate::sources::compose::interpolate::interpolate(&word, &|k| lookup(k)).map(|r| r.text).unwrap_or(word);
            words.push(expanded);
        }
    }
    words.into_iter().filter(|w| !w.is_empty()).map(|w| Val::new(w, exec.origin.clone())).collect()
}

/// Split a command line into words: whitespace, with "double" and 'single' quotes.
fn shell_words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut any = false;
    for ch in s.chars() {
        match (quote, ch) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '"' | '\'') => {
                quote = Some(ch);
                any = true;
            }
            (None, c) if c.is_whitespace() => {
                if any || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            (None, c) => cur.push(c),
        }
    }
    if any || !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(words: &[&str]) -> Vec<Val<String>> {
        words.iter().map(|w| Val::new(w.to_string(), Origin::Unset)).collect()
    }

    #[test]
    fn flags_all_forms() {
        let f = parse_flags(&argv(&[
            "dockerd",
            "-H",
            "fd://",
            "-H=tcp://0.0.0.0:2375",
            "--icc=false",
            "--debug",
            "--insecure-registry",
            "r:5000",
            "--insecure-registry=s:5000",
            "-D",
        ]));
        let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.value.as_str())).collect();
        assert_eq!(
            pairs,
            [
                ("host", "fd://"),
                ("host", "tcp://0.0.0.0:2375"),
                ("icc", "false"),
                ("debug", "true"),
                ("insecure-registry", "r:5000"),
                ("insecure-registry", "s:5000"),
                ("debug", "true")
            ]
        );
        assert_eq!(shell_words("a \"b c\" 'd'  e"), ["a", "b c", "d", "e"]);
    }

    /// The forms dockerd's flag parser (pflag) takes for a value: `-H x`, `-Hx`, `-H=x`,
    /// `--host x`, `--host=x`; repeated flags accumulate.
    #[test]
    fn every_value_form_dockerd_takes() {
        let words = exec_words("/usr/bin/dockerd -H a -Hb -H=c --host d --host=e --tlsverify --log-level warn -D");
        let argv: Vec<Val<String>> = words.into_iter().map(|w| Val::new(w, Origin::Unset)).collect();
        let pairs: Vec<(String, String)> = parse_flags(&argv).into_iter().map(|(k, v)| (k, v.value)).collect();
        let want = [
            ("host", "a"),
            ("host", "b"),
            ("host", "c"),
            ("host", "d"),
            ("host", "e"),
            ("tlsverify", "true"),
            ("log-level", "warn"),
            ("debug", "true"),
        ];
        assert_eq!(pairs, want.map(|(k, v)| (k.to_string(), v.to_string())));
    }

    #[test]
    fn live_cmdline_keeps_its_first_flag() {
        let words = cmdline_words(b"/usr/bin/dockerd\0-H\0tcp://0.0.0.0:2375\0--icc=false\0", &Origin::Unset);
        let pairs: Vec<(String, String)> = parse_flags(&words).into_iter().map(|(k, v)| (k, v.value)).collect();
        assert_eq!(pairs, [("host".to_string(), "tcp://0.0.0.0:2375".to_string()), ("icc".to_string(), "false".to_string())]);
    }
}

#[cfg(test)]
mod merge_tests {
    use super::*;

    #[test]
    fn swarm_listeners_from_proc_net_tcp() {
        let v4 = "  sl  local_address rem_address   st tx_queue\n   0: 00000000:0949 00000000:0000 0A 0\n   1: 0100007F:1F0A 00000000:0000 0A 0\n   2: 00000000:1F0A 0100007F:1234 01 0\n   3: 00000000:0016 00000000:0000 0A 0\n";
        assert_eq!(wildcard_listeners(v4, false), [(2377, 2)]);
        let v6 = "  sl  local_address remote st\n   0: 00000000000000000000000000000000:1F0A 00000000000000000000000000000000:0000 0A 0\n";
        assert_eq!(wildcard_listeners(v6, true), [(7946, 2)]);
    }

    #[test]
    fn engine_wins_and_disagreements_are_kept() {
        let file = |v: bool| Some(Val::new(v, Origin::file(&"/etc/docker/daemon.json".into(), 2, 3)));
        let default = |v: bool| Some(Val::new(v, Origin::Field("dockerd default (not set)".into())));
        let engine_says = |v: bool| Some(Val::new(v, Origin::Field("engine /info".into())));
        let files = DaemonConfig {
            icc: file(false),
            live_restore: default(false),
            debug: file(true),
            userland_proxy: file(false),
            ..Default::default()
        };
        let engine =
            DaemonConfig { icc: engine_says(true), live_restore: engine_says(true), debug: engine_says(false), ..Default::default() };
        let m = merge(engine, files);
        // The engine's value is what runs; the file's explicit icc=false is not applied yet.
        assert!(m.icc.as_ref().unwrap().value);
        let d: Vec<&(String, String, String)> = m.disagreements.iter().map(|d| &d.value).collect();
        assert_eq!(d, [&("icc".to_string(), "false".to_string(), "true".to_string())]);
        assert_eq!(m.disagreements[0].origin.to_string(), "/etc/docker/daemon.json:2:3");
        // A default is not a disagreement; `log-level: debug` (files only) still counts.
        assert!(m.debug.unwrap().value);
        assert!(!m.userland_proxy.unwrap().value);
    }
}
