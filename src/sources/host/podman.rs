//! Podman's own configuration, where Podman reads it (containers.conf(5), containers-registries
//! .conf(5), containers-policy.json(5), containers-storage.conf(5)): the settings that stand for
//! dockerd's (no-new-privileges, seccomp, user namespaces, insecure registries, image signature
//! policy), each at its file's line, and the files themselves for their owner and mode.
//! A rootless Podman reads its user's files (`~/.config/containers/`) over the system's.

use serde::Deserialize;
use toml::Spanned;

use super::HostRoot;
use crate::model::{DaemonConfig, DiagKind, Diagnostic, Origin, Val};
use crate::sources::compose::yaml;

/// The configuration files Podman reads, in the order it reads them (a later one overrides an
/// earlier one key by key), for a home (`Some`: a rootless user's) or the system.
fn containers_conf(root: &HostRoot, home: Option<&str>) -> Vec<String> {
    let mut files = vec!["/usr/share/containers/containers.conf".to_string(), "/etc/containers/containers.conf".to_string()];
    files.extend(drop_ins(root, "/etc/containers/containers.conf.d"));
    if let Some(h) = home {
        files.push(format!("{h}/.config/containers/containers.conf"));
        files.extend(drop_ins(root, &format!("{h}/.config/containers/containers.conf.d")));
    }
    files
}

fn drop_ins(root: &HostRoot, dir: &str) -> Vec<String> {
    let mut names: Vec<String> = root.list(dir).into_iter().filter(|n| n.ends_with(".conf")).collect();
    names.sort();
    names.into_iter().map(|n| format!("{dir}/{n}")).collect()
}

/// The user's own file when it exists, else the system's (registries.conf, policy.json and
/// storage.conf are replaced, not merged, by a rootless user's).
fn own_or_system(root: &HostRoot, home: Option<&str>, name: &str, system: &str) -> String {
    home.map(|h| format!("{h}/.config/containers/{name}")).filter(|p| root.exists(p)).unwrap_or_else(|| system.to_string())
}

#[derive(Deserialize, Default)]
struct ContainersConf {
    #[serde(default)]
    containers: Containers,
}

#[derive(Deserialize, Default)]
struct Containers {
    no_new_privileges: Option<Spanned<bool>>,
    seccomp_profile: Option<Spanned<String>>,
    userns: Option<Spanned<String>>,
}

#[derive(Deserialize, Default)]
struct RegistriesConf {
    #[serde(default)]
    registry: Vec<Registry>,
    /// Version 1's `[registries.insecure] registries = [...]`.
    registries: Option<V1>,
}

#[derive(Deserialize)]
struct Registry {
    location: Option<String>,
    prefix: Option<String>,
    insecure: Option<Spanned<bool>>,
}

#[derive(Deserialize)]
struct V1 {
    insecure: Option<V1List>,
}

#[derive(Deserialize)]
struct V1List {
    #[serde(default)]
    registries: Vec<Spanned<String>>,
}

/// The line and column of byte offset `at` in `text`.
fn position(text: &str, at: usize) -> (u32, u32) {
    let before = &text[..at.min(text.len())];
    (before.matches('\n').count() as u32 + 1, before.rsplit('\n').next().unwrap_or("").chars().count() as u32 + 1)
}

/// A Podman service on this host, at unix socket `socket`: rootless when the socket is a user's
/// (its compatible `/info` does not say; a rootless Podman cannot make a root-owned socket, a
/// rootful one runs as root), then its configuration read into `config`.
pub fn local(root: &HostRoot, config: &mut DaemonConfig, socket: &str) -> Vec<Diagnostic> {
    let mut home = None;
    if let Ok((uid, _, _)) = root.stat(socket) {
        let origin = Origin::Field(format!("stat {}", root.display(socket)));
        if config.rootless.as_ref().is_none_or(|r| !r.value) {
            config.rootless = Some(Val::new(uid != 0, origin.clone()));
        }
        if uid != 0 {
            let (name, h) = super::accounts::user_home(root, uid).map_or((uid.to_string(), None), |(n, h)| (n, Some(h)));
            home.clone_from(&h);
            config.user = Some(Val::new(crate::model::DaemonUser { uid, name, home: h }, origin));
        }
    }
    apply(root, config, home.as_deref())
}

/// Read Podman's configuration into `config` (each setting with its origin, or Podman's
/// default); diagnostics for files Podman would refuse. `home`: a rootless Podman's user's home.
pub fn apply(root: &HostRoot, config: &mut DaemonConfig, home: Option<&str>) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let mut unreadable: Option<String> = None;
    let mut read = |path: &str| -> Option<String> {
        match root.read(path) {
            Ok(bytes) => Some(String::from_utf8_lossy(&bytes).into_owned()),
            Err(e) if matches!(e.kind(), std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory) => None,
            Err(_) => {
                unreadable.get_or_insert(root.display(path));
                None
            }
        }
    };
    let diag = |out: &mut Vec<Diagnostic>, path: &str, text: &str, e: &toml::de::Error| {
        let (line, col) = e.span().map_or((1, 1), |s| position(text, s.start));
        out.push(Diagnostic {
            kind: DiagKind::Error,
            path: root.display(path),
            line: Some(line),
            col: Some(col),
            message: format!("invalid TOML: {} (Podman will not start)", e.message().lines().next().unwrap_or("")),
        });
    };
    let at = |path: &str, text: &str, span: std::ops::Range<usize>| {
        let (line, col) = position(text, span.start);
        root.origin_at(path, line, col)
    };

    // containers.conf: the last file that sets a key wins.
    let default = |what: &str| Origin::Field(format!("Podman default ({what} not set in containers.conf)"));
    let (mut nnp, mut seccomp, mut userns) = (None, None, None);
    for path in containers_conf(root, home) {
        let Some(text) = read(&path) else { continue };
        match toml::from_str::<ContainersConf>(&text) {
            Ok(c) => {
                if let Some(v) = c.containers.no_new_privileges {
                    nnp = Some(Val::new(*v.get_ref(), at(&path, &text, v.span())));
                }
                if let Some(v) = c.containers.seccomp_profile {
                    seccomp = Some(Val::new(v.get_ref().clone(), at(&path, &text, v.span())));
                }
                if let Some(v) = c.containers.userns {
                    userns = Some(Val::new(v.get_ref().clone(), at(&path, &text, v.span())));
                }
            }
            Err(e) => diag(&mut diagnostics, &path, &text, &e),
        }
    }
    config.no_new_privileges = Some(nnp.unwrap_or_else(|| Val::new(false, default("no_new_privileges"))));
    // The engine reports whether seccomp is on; a profile a file names explicitly is where it is set.
    if let Some(s) = seccomp.filter(|s| !s.value.is_empty()) {
        let value = if s.value == "unconfined" { "unconfined".to_string() } else { s.value.clone() };
        config.seccomp_profile = Some(Val::new(value, s.origin));
    }
    // `host` (the default) shares the host's user namespace: root in a container is root.
    config.userns = Some(match userns {
        Some(u) => Val::new(!matches!(u.value.as_str(), "" | "host"), u.origin),
        None => Val::new(false, default("userns")),
    });

    // registries.conf (and its drop-ins): registries without TLS verification.
    let registries = own_or_system(root, home, "registries.conf", "/etc/containers/registries.conf");
    let mut reg_files = vec![registries];
    reg_files.extend(drop_ins(root, "/etc/containers/registries.conf.d"));
    config.insecure_registries.clear();
    for path in reg_files {
        let Some(text) = read(&path) else { continue };
        match toml::from_str::<RegistriesConf>(&text) {
            Ok(r) => {
                for reg in r.registry {
                    if let Some(i) = reg.insecure.filter(|i| *i.get_ref()) {
                        let name = reg.location.or(reg.prefix).unwrap_or_default();
                        config.insecure_registries.push(Val::new(name, at(&path, &text, i.span())));
                    }
                }
                for r in r.registries.and_then(|v| v.insecure).map(|l| l.registries).unwrap_or_default() {
                    config.insecure_registries.push(Val::new(r.get_ref().clone(), at(&path, &text, r.span())));
                }
            }
            Err(e) => diag(&mut diagnostics, &path, &text, &e),
        }
    }

    // policy.json: the default requirement for images from registries it does not name.
    let policy = own_or_system(root, home, "policy.json", "/etc/containers/policy.json");
    config.content_trust = match read(&policy) {
        // Without a policy Podman refuses every pull: nothing unsigned comes in.
        None => Some(Val::new(true, Origin::Field(format!("{} is absent: Podman refuses to pull", root.display(&policy))))),
        Some(text) => match serde_json::from_str::<serde_json::Value>(&text) {
            Err(e) => {
                diagnostics.push(Diagnostic {
                    kind: DiagKind::Error,
                    path: root.display(&policy),
                    line: Some(e.line() as u32),
                    col: Some(e.column() as u32),
                    message: "invalid JSON (Podman refuses to pull)".into(),
                });
                None
            }
            Ok(json) => {
                let positions = yaml::parse(&text, 0).ok().and_then(|d| d.into_iter().next());
                let origin = positions
                    .as_ref()
                    .and_then(|p| p.get_entry("default"))
                    .map_or_else(|| root.origin_at(&policy, 1, 1), |(k, _)| root.origin_at(&policy, k.pos.line, k.pos.col));
                let accepts_any = json["default"].as_array().is_none_or(|d| d.iter().any(|r| r["type"] == "insecureAcceptAnything"));
                Some(Val::new(!accepts_any, origin))
            }
        },
    };
    if let Some(u) = unreadable {
        config.unreadable.get_or_insert(u);
    }
    diagnostics
}

/// Podman's configuration files and sockets (system-wide), by kind, for their owner and mode.
pub const FILES: &[(&str, &str)] = &[
    ("/etc/containers", "/etc/containers"),
    ("/usr/share/containers/containers.conf", "containers.conf"),
    ("/etc/containers/containers.conf", "containers.conf"),
    ("/etc/containers/registries.conf", "registries.conf"),
    ("/etc/containers/policy.json", "policy.json"),
    ("/usr/share/containers/storage.conf", "storage.conf"),
    ("/etc/containers/storage.conf", "storage.conf"),
    ("/usr/share/containers/seccomp.json", "seccomp profile"),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Hostile files are errors, never a crash: deep nesting, wrong kinds.
    #[test]
    fn hostile_toml_is_an_error() {
        let deep = format!("[containers]\nuserns = {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
        assert!(toml::from_str::<ContainersConf>(&deep).is_err());
        assert!(toml::from_str::<ContainersConf>("[containers]\nno_new_privileges = \"yes\"\n").is_err());
        let c = toml::from_str::<ContainersConf>("[containers]\nno_new_privileges = true\n[engine]\nx = 1\n").unwrap();
        assert_eq!(c.containers.no_new_privileges.map(|v| *v.get_ref()), Some(true));
        let r = toml::from_str::<RegistriesConf>("[registries.insecure]\nregistries = [\"a:5000\"]\n").unwrap();
        assert_eq!(r.registries.and_then(|v| v.insecure).map(|l| l.registries.len()), Some(1));
    }
}
