//! `cbench host --fix-out DIR`: a remediation bundle, never a write to the audited host. From the
//! findings and the host's own files (read through `HostRoot`), a tree to lay over the host's
//! root (`etc/docker/daemon.json` merged with the host's, a sysctl.d file that sorts after every
//! other, modprobe.d, an sshd drop-in or the whole sshd_config, a docker.socket drop-in, audit
//! rules, sudoers.d, PAM, SELinux, a tmp.mount drop-in), `apply.sh ROOT` for what files cannot
//! say (modes, ownership; and on the live root, reloading what reads them), a README listing
//! what needs a person and why, and on Flatcar `fix.bu`, the same files as one Butane config.

use std::collections::BTreeMap;

use crate::model::{Finding, HostFacts, Origin};
use crate::runner::Run;
use crate::sources::host::HostRoot;

/// A file of the bundle: its host path, text and mode.
#[derive(Debug, Clone, PartialEq)]
pub struct File {
    pub path: String,
    pub text: String,
    pub mode: u32,
}

/// What `--fix-out` writes.
#[derive(Debug, Default)]
pub struct Bundle {
    pub files: Vec<File>,
    /// Modes to set on files the bundle does not write (host path, mode).
    pub modes: Vec<(String, u32)>,
    /// Files to give to their owner (host path; root:root, or the uid of a rootless engine's user).
    pub owners: Vec<(String, Option<u32>)>,
    /// apply.sh lines run only when the root is `/` (reloading what reads the files).
    pub live_commands: Vec<String>,
    /// (rule, evidence, what a person must do and why).
    pub manual: Vec<(&'static str, String, String)>,
    /// (rule, evidence) the bundle fixes: after it is applied those findings are gone.
    pub claims: Vec<(&'static str, String)>,
    pub flatcar: bool,
}

/// sshd keywords and the value each ssh rule's fix sets (first value wins in sshd).
const SSHD: &[(&str, &[(&str, &str)])] = &[
    ("PermitRootLogin", &[("PermitRootLogin", "no")]),
    ("PasswordAuthentication", &[("PasswordAuthentication", "no")]),
    ("KbdInteractiveAuthentication", &[("KbdInteractiveAuthentication", "no")]),
    ("ChallengeResponseAuthentication", &[("KbdInteractiveAuthentication", "no")]),
    ("PermitEmptyPasswords", &[("PermitEmptyPasswords", "no")]),
    ("MaxAuthTries", &[("MaxAuthTries", "3")]),
    ("AllowTcpForwarding", &[("DisableForwarding", "yes")]),
    ("AllowAgentForwarding", &[("DisableForwarding", "yes")]),
    ("AllowStreamLocalForwarding", &[("DisableForwarding", "yes")]),
    ("X11Forwarding", &[("X11Forwarding", "no")]),
    ("PermitUserEnvironment", &[("PermitUserEnvironment", "no")]),
    ("HostbasedAuthentication", &[("HostbasedAuthentication", "no")]),
    ("LoginGraceTime", &[("LoginGraceTime", "60")]),
    ("ClientAliveInterval", &[("ClientAliveInterval", "300"), ("ClientAliveCountMax", "3")]),
    ("ClientAliveCountMax", &[("ClientAliveInterval", "300"), ("ClientAliveCountMax", "3")]),
];

/// The daemon.json key and value each daemon rule's fix sets.
fn daemon_fix(rule: &str) -> Option<(&'static str, serde_json::Value)> {
    Some(match rule {
        "icc-enabled" => ("icc", false.into()),
        "live-restore-disabled" => ("live-restore", true.into()),
        "no-new-privileges-default-off" => ("no-new-privileges", true.into()),
        "userland-proxy-enabled" => ("userland-proxy", false.into()),
        "experimental-enabled" => ("experimental", false.into()),
        "debug-logging" => ("debug", false.into()),
        _ => return None,
    })
}

/// Why a rule's findings are left to a person.
fn why_manual(rule: &str) -> &'static str {
    match rule {
        "userns-remap-disabled" => {
            "remapping needs /etc/subuid and /etc/subgid ranges and changes the owner of every existing volume: plan it"
        }
        "daemon-tcp-without-tls" | "docker-socket-tcp" => {
            "TLS needs certificates a person issues (or the TCP listener removed, if nothing uses it)"
        }
        "remote-logging-not-configured" => "the log endpoint is yours to choose",
        "authorization-plugin-missing" => "an authorization plugin and its policy are yours to choose",
        "default-ulimit-not-set" => "the limits depend on the workloads",
        "insecure-registry" => "the registry needs a certificate first, or its users must move",
        "docker-group-members" | "privileged-group-members" | "rkt-group-members" => {
            "who keeps access is a person's decision (on Flatcar: the hardening guide's `SocketGroup=root` drop-in)"
        }
        "passwordless-sudo" | "uid-zero-user" | "empty-password" | "root-password-login" => {
            "accounts and their credentials are a person's decision"
        }
        "sshd-access-not-limited" => "AllowUsers / AllowGroups must name the people who log in",
        "sshd-weak-crypto" => "the algorithms every client supports must be checked first",
        "kernel-cmdline-weakened" => "the boot configuration differs per boot loader: remove the parameter there",
        "data-root-partition" => "a disk or partition must be set aside for /var/lib/docker",
        "password-quality-missing" => "pam_pwquality must be installed and its policy chosen",
        "core-user-unrestricted" => {
            "core has a password: the core-passwd sudoers drop-in would not stop it; give core /sbin/nologin and log in as your own user"
        }
        "auditd-inactive" => "auditd must be installed and enabled (`systemctl enable --now auditd`)",
        "kernel-module-enabled" => "Flatcar needs squashfs for its system extensions (Docker is one): it stays loadable",
        "apparmor-docker-default" | "mac-inactive" => "enabling a MAC system changes what every process may do: test it first",
        _ => "no automatic fix: see `cbench explain` for the change",
    }
}

/// Rules whose fix keeps what the host does for nearly every workload; the others (SELinux
/// enforcing, sshd settings that can lock a login out, the socket's access, daemon defaults
/// containers may rely on, /tmp noexec) are unsafe: `cbench butane --fix --unsafe-fixes`.
pub const SAFE: &[&str] = &[
    "kernel-sysctl",
    "kernel-module-enabled",
    "audit-docker-path",
    "audit-events-discarded",
    "live-restore-disabled",
    "debug-logging",
    "experimental-enabled",
    "docker-file-permissions",
    "docker-file-ownership",
    "system-file-permissions",
    "sudoers-d-permissions",
    "sshd-config-permissions",
    "su-not-restricted",
];

/// The bundle for `run`'s shown findings on the host `root`, whose facts are `facts`.
pub fn bundle(run: &Run, facts: &HostFacts, root: &HostRoot) -> Bundle {
    bundle_of(run, facts, root, &|_| true)
}

/// The bundle for the shown findings of the rules `wanted` keeps (the others are left alone:
/// neither fixed nor listed).
pub fn bundle_of(run: &Run, facts: &HostFacts, root: &HostRoot, wanted: &dyn Fn(&str) -> bool) -> Bundle {
    let mut b = Bundle { flatcar: run.flatcar, ..Bundle::default() };
    let shown: Vec<&Finding> = run.findings.iter().filter(|f| !f.suppressed && !f.hidden && wanted(f.rule)).collect();
    let host_path = |shown: &str| -> String {
        let top = root.display("/");
        match shown.strip_prefix(top.trim_end_matches('/')) {
            Some(rest) if top != "/" => {
                if rest.is_empty() {
                    "/".into()
                } else {
                    rest.to_string()
                }
            }
            _ => shown.to_string(),
        }
    };
    let mut json_keys: BTreeMap<&'static str, serde_json::Value> = BTreeMap::new();
    let flags = crate::sources::host::daemon::flag_names(root);
    let mut sysctl: BTreeMap<String, String> = BTreeMap::new();
    let mut modules: Vec<String> = Vec::new();
    let mut sshd: Vec<(&str, &str)> = Vec::new();
    let mut watches: Vec<String> = Vec::new();
    let mut handled = Vec::new();
    for f in &shown {
        let fixed = match f.rule {
            r if daemon_fix(r).is_some() => {
                // A setting made by a dockerd flag cannot also be in daemon.json (dockerd refuses
                // to start): it is changed where the flag is.
                let (key, _) = daemon_fix(r).unwrap();
                let from_flag = flags.iter().any(|fl| fl == key || (key == "debug" && (fl == "log-level" || fl == "D")));
                if from_flag {
                    false
                } else {
                    let (k, v) = daemon_fix(r).unwrap();
                    json_keys.insert(k, v);
                    if f.evidence.starts_with("log-level") {
                        json_keys.insert("log-level", "info".into());
                    }
                    true
                }
            }
            "kernel-sysctl" => match crate::rules::kernel::EXPECTED.iter().find(|(k, _)| *k == f.evidence) {
                Some((k, values)) => {
                    sysctl.insert(k.to_string(), values[0].to_string());
                    true
                }
                None => false,
            },
            // Flatcar needs squashfs for its system extensions (Docker is one).
            "kernel-module-enabled" if b.flatcar && f.evidence == "squashfs" => false,
            "kernel-module-enabled" => {
                modules.push(f.evidence.clone());
                true
            }
            "docker-file-permissions" | "system-file-permissions" | "sudoers-d-permissions" | "sshd-config-permissions" => {
                mode_fix(f, facts, &host_path, &mut b)
            }
            // A Match block's value wins for its users: it is changed there, by a person.
            r if r.starts_with("sshd-") && f.message.contains("in `Match ") => false,
            r if r.starts_with("sshd-") => match SSHD.iter().find(|(k, _)| *k == f.evidence) {
                Some((_, set)) => {
                    for kv in set.iter() {
                        if !sshd.contains(kv) {
                            sshd.push(*kv);
                        }
                    }
                    true
                }
                None => false,
            },
            "audit-docker-path" if !f.message.contains("the watch is void") => {
                watches.push(f.evidence.clone());
                true
            }
            "docker-file-ownership" => {
                let owner = facts.docker_files.iter().find(|x| x.path == f.evidence).and_then(|x| x.owner.as_ref().map(|(uid, _)| *uid));
                b.owners.push((host_path(&f.evidence), owner));
                true
            }
            _ => false,
        };
        if fixed {
            b.claims.push((f.rule, f.evidence.clone()));
            handled.push(*f as *const Finding);
        }
    }
    // Whole-file fixes: one per rule, claimed for all its findings.
    let mut whole = |rule: &'static str, b: &mut Bundle, ok: bool| {
        if ok {
            for f in shown.iter().filter(|f| f.rule == rule) {
                b.claims.push((rule, f.evidence.clone()));
                handled.push(*f as *const Finding);
            }
        }
    };
    let has = |rule: &str| shown.iter().any(|f| f.rule == rule);
    if !json_keys.is_empty() {
        daemon_json(root, facts, &json_keys, &mut b);
    }
    if !sysctl.is_empty() {
        let name = sysctl_name(root);
        let text: String = std::iter::once("# Written by cbench host --fix-out: the hardening checklists' kernel settings.\n".to_string())
            .chain(sysctl.iter().map(|(k, v)| format!("{k} = {v}\n")))
            .collect();
        b.files.push(File { path: format!("/etc/sysctl.d/{name}"), text, mode: 0o644 });
        b.live_commands.push("sysctl --system".into());
    }
    if !modules.is_empty() {
        let text: String = std::iter::once("# Written by cbench host --fix-out: modules a container host does not need.\n".to_string())
            .chain(modules.iter().map(|m| format!("install {m} /bin/true\n")))
            .collect();
        b.files.push(File { path: "/etc/modprobe.d/00-cbench.conf".into(), text, mode: 0o644 });
    }
    if !sshd.is_empty() {
        let main = facts.sshd.as_ref().map_or("/etc/ssh/sshd_config".to_string(), |s| host_path(&s.main));
        sshd_fix(root, &main, &sshd, &mut b);
    }
    let socket = has("docker-socket-mode") && facts.docker_socket.as_ref().is_some_and(|s| !s.unit.starts_with("stat "));
    if socket {
        b.files.push(File {
            path: format!("/etc/systemd/system/docker.socket.d/{}", last_name(root, "docker.socket.d", "zz-cbench.conf")),
            text: "# Written by cbench host --fix-out\n[Socket]\nSocketMode=0660\n".into(),
            mode: 0o644,
        });
        b.live_commands.push("systemctl daemon-reload".into());
    }
    whole("docker-socket-mode", &mut b, socket);
    // Docker's files the bundle adds are audited too (CIS 1.1.x watches every one of them).
    let added: Vec<String> = b.files.iter().map(|f| f.path.clone()).collect();
    let audits = !watches.is_empty() || !facts.audit.paths.is_empty();
    if audits {
        if added.iter().any(|p| p.starts_with("/etc/docker/")) && !watches.iter().any(|w| w == "/etc/docker") {
            watches.push("/etc/docker".into());
        }
        for p in added.iter().filter(|p| p.contains("/docker.socket.d/") || p.contains("/docker.service.d/")) {
            let dir = p.rsplit_once('/').map_or(p.as_str(), |(d, _)| d).to_string();
            if !watches.contains(&dir) {
                watches.push(dir);
            }
        }
    }
    if !watches.is_empty() {
        let text: String = std::iter::once("## Written by cbench host --fix-out: CIS Docker Benchmark 1.1.x watches.\n".to_string())
            .chain(watches.iter().map(|p| format!("-w {p} -p wa -k docker\n")))
            .collect();
        b.files.push(File { path: "/etc/audit/rules.d/50-cbench-docker.rules".into(), text, mode: 0o640 });
        b.live_commands.push("augenrules --load".into());
    }
    let discard = has("audit-events-discarded") && audit_discard_fix(root, &shown, &mut b);
    whole("audit-events-discarded", &mut b, discard);
    let su = has("su-not-restricted") && su_fix(root, &mut b);
    whole("su-not-restricted", &mut b, su);
    // The drop-in works as long as core has no password (the hardening guide's condition).
    let core_password =
        facts.accounts.users.iter().any(|u| u.value.name == "core" && u.value.password == Some(crate::model::Password::Set));
    let core = has("core-user-unrestricted") && b.flatcar && !core_password;
    if core {
        b.files.push(File {
            path: "/etc/sudoers.d/core-passwd".into(),
            text: "# Flatcar hardening guide (written by cbench host --fix-out): sudo asks core for a password it does not have.\ncore ALL=(ALL) ALL\n".into(),
            mode: 0o440,
        });
    }
    whole("core-user-unrestricted", &mut b, core);
    whole("passwordless-sudo", &mut b, core && shown.iter().filter(|f| f.rule == "passwordless-sudo").all(|f| f.evidence == "core"));
    let selinux = has("selinux-not-enforcing") && selinux_fix(root, &mut b);
    whole("selinux-not-enforcing", &mut b, selinux);
    let tmp = shown.iter().any(|f| f.rule == "tmp-mount-options" && f.evidence == "/tmp") && tmp_fix(root, &mut b);
    if tmp {
        for f in shown.iter().filter(|f| f.rule == "tmp-mount-options" && f.evidence == "/tmp") {
            b.claims.push((f.rule, f.evidence.clone()));
            handled.push(*f as *const Finding);
        }
    }
    for f in &shown {
        if !handled.contains(&(*f as *const Finding)) && f.severity > crate::model::Severity::Info {
            let why = match &f.origin {
                _ if f.rule.starts_with("sshd-") && f.message.contains("in `Match ") => {
                    "set in a Match block, whose value wins for its users: change it there".to_string()
                }
                _ if daemon_fix(f.rule).is_some() => format!(
                    "set by a dockerd flag ({}): change it there (dockerd refuses a setting both in daemon.json and on its command line)",
                    f.origin
                ),
                _ => why_manual(f.rule).to_string(),
            };
            b.manual.push((f.rule, f.evidence.clone(), why));
        }
    }
    // A file an earlier bundle wrote (its header says so) keeps its lines; the new ones are added.
    for f in &mut b.files {
        if let Ok(old) = root.read_to_string(&f.path)
            && old.contains("Written by cbench")
        {
            let mut text = old.clone();
            for line in f.text.lines().filter(|l| !l.contains("Written by cbench")) {
                if !old.lines().any(|o| o == line) {
                    text.push_str(line);
                    text.push('\n');
                }
            }
            f.text = text;
        }
    }
    // A claim is (rule, evidence): one left to a person (a Match block's value) voids it.
    let manual: Vec<(&str, String)> = b.manual.iter().map(|(r, e, _)| (*r, e.clone())).collect();
    b.claims.retain(|c| !manual.contains(c));
    b.claims.dedup();
    b.live_commands.dedup();
    b
}

fn mode_fix(f: &Finding, facts: &HostFacts, host_path: &dyn Fn(&str) -> String, b: &mut Bundle) -> bool {
    let files = facts.docker_files.iter().chain(&facts.system_files).chain(facts.sshd.iter().flat_map(|s| &s.files));
    let Some(file) = files.into_iter().find(|x| x.path == f.evidence) else { return false };
    // The most open mode the message names ("more open than 0644").
    let max = f.message.split("more open than ").nth(1).and_then(|m| m.split_whitespace().next());
    let Some(max) = max.and_then(|m| u32::from_str_radix(m.trim_end_matches([')', ',']), 8).ok()) else { return false };
    b.modes.push((host_path(&file.path), file.mode.value & max));
    true
}

/// daemon.json: the host's own with the fixed keys set (every other key kept, with its value).
/// The one the audited daemon reads: a rootless engine's is its user's, and stays its user's.
fn daemon_json(root: &HostRoot, facts: &HostFacts, keys: &BTreeMap<&'static str, serde_json::Value>, b: &mut Bundle) {
    let path = if facts.daemon_json.is_empty() { "/etc/docker/daemon.json" } else { facts.daemon_json.as_str() };
    let mut json = match root.read_to_string(path) {
        Ok(t) => match serde_json::from_str::<serde_json::Value>(&t) {
            Ok(v @ serde_json::Value::Object(_)) => v,
            _ => {
                b.manual.push(("icc-enabled", path.into(), "daemon.json is not valid JSON: repair it first".into()));
                return;
            }
        },
        Err(_) => serde_json::json!({}),
    };
    for (k, v) in keys {
        json[*k] = v.clone();
    }
    if keys.contains_key("debug") {
        json.as_object_mut().map(|o| o.remove("debug"));
    }
    b.files.push(File { path: path.into(), text: serde_json::to_string_pretty(&json).unwrap_or_default() + "\n", mode: 0o644 });
    match &facts.daemon_user {
        Some((uid, name)) => {
            b.owners.push((path.into(), Some(*uid)));
            b.live_commands
                .push(format!("echo 'restart the rootless engine as {name} (systemctl --user restart docker) for daemon.json to apply'"));
        }
        None => b.live_commands.push("systemctl reload-or-restart docker".into()),
    }
}

/// A drop-in name for unit directory `dir` (`docker.socket.d`) that sorts after every drop-in
/// the host has for it (the last one wins).
fn last_name(root: &HostRoot, dir: &str, name: &str) -> String {
    let mut name = name.to_string();
    if let Some(ours) = root.list(&format!("/etc/systemd/system/{dir}")).into_iter().find(|n| n.ends_with("-cbench.conf")) {
        return ours;
    }
    for d in crate::sources::host::systemd::SEARCH_PATH {
        for n in root.list(&format!("{d}/{dir}")) {
            while name <= n {
                name.insert(0, 'z');
            }
        }
    }
    name
}

/// A sysctl.d name that sorts after every file of the host's sysctl directories.
fn sysctl_name(root: &HostRoot) -> String {
    if let Some(ours) = root.list("/etc/sysctl.d").into_iter().find(|n| n.ends_with("-cbench.conf")) {
        return ours;
    }
    let mut last = String::new();
    for dir in ["/etc/sysctl.d", "/run/sysctl.d", "/usr/local/lib/sysctl.d", "/usr/lib/sysctl.d", "/lib/sysctl.d"] {
        for n in root.list(dir) {
            if n > last {
                last = n;
            }
        }
    }
    let mut name = "zz-cbench.conf".to_string();
    while name <= last {
        name.insert(0, 'z');
    }
    name
}

/// sshd: a drop-in when the main config includes sshd_config.d before setting any of the
/// keywords (first value wins), else the whole main config with the settings on top.
fn sshd_fix(root: &HostRoot, main: &str, set: &[(&str, &str)], b: &mut Bundle) {
    let text = root.read_to_string(main).unwrap_or_default();
    let block: String = set.iter().map(|(k, v)| format!("{k} {v}\n")).collect();
    let mut include_first = false;
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let kw = line.split_whitespace().next().unwrap_or_default();
        if kw.eq_ignore_ascii_case("include") && line.contains("sshd_config.d") {
            include_first = true;
            break;
        }
        if set.iter().any(|(k, _)| k.eq_ignore_ascii_case(kw)) || kw.eq_ignore_ascii_case("match") {
            break;
        }
    }
    if include_first {
        b.files.push(File {
            path: "/etc/ssh/sshd_config.d/00-cbench.conf".into(),
            text: format!("# Written by cbench host --fix-out\n{block}"),
            mode: 0o600,
        });
    } else {
        b.files.push(File {
            path: main.to_string(),
            text: format!("# Written by cbench host --fix-out (first value wins)\n{block}\n{text}"),
            mode: 0o600,
        });
    }
    b.live_commands.push("systemctl reload sshd 2>/dev/null || systemctl reload ssh 2>/dev/null || true".into());
}

/// The audit rule that discards every event, commented out in its file (an /etc file).
fn audit_discard_fix(root: &HostRoot, shown: &[&Finding], b: &mut Bundle) -> bool {
    let mut by_file: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    for f in shown.iter().filter(|f| f.rule == "audit-events-discarded") {
        // On a provisioned host the rule is a Flatcar default: its place is a related origin.
        let default = f.related.iter().find_map(|o| match o {
            Origin::Field(s) => {
                let (path, line) = s.strip_prefix(crate::sources::host::vfs::DEFAULT_ORIGIN)?.split(' ').next()?.rsplit_once(':')?;
                Some((path.to_string(), line.parse::<u32>().ok()?))
            }
            _ => None,
        });
        let (host, line) = match (&f.origin, default) {
            (_, Some((path, line))) => (path, line),
            (Origin::File { path, line, .. }, None) => {
                let top = root.display("/");
                (
                    if top == "/" { path.to_string() } else { path.strip_prefix(top.trim_end_matches('/')).unwrap_or(path).to_string() },
                    *line,
                )
            }
            _ => return false,
        };
        let line = &line;
        if !host.starts_with("/etc/") {
            return false;
        }
        by_file.entry(host).or_default().push(*line);
    }
    for (path, lines) in by_file {
        let Ok(text) = root.read_to_string(&path) else { return false };
        let fixed: String = text
            .lines()
            .enumerate()
            .map(|(i, l)| {
                if lines.contains(&(i as u32 + 1)) {
                    format!("# disabled by cbench (it drops every event): {l}\n")
                } else {
                    format!("{l}\n")
                }
            })
            .collect();
        b.files.push(File { path, text: fixed, mode: 0o640 });
    }
    b.live_commands.push("augenrules --load".into());
    true
}

/// pam.d/su with `auth required pam_wheel.so use_uid` after pam_rootok (or first).
fn su_fix(root: &HostRoot, b: &mut Bundle) -> bool {
    let Some(text) = ["/etc/pam.d/su", "/usr/lib/pam.d/su"].iter().find_map(|p| root.read_to_string(p).ok()) else { return false };
    let mut out = String::new();
    let mut done = false;
    for line in text.lines() {
        let is_auth = line.trim_start().starts_with("auth");
        if !done && is_auth && !line.contains("pam_rootok") {
            out.push_str("auth       required     pam_wheel.so use_uid\n");
            done = true;
        }
        out.push_str(line);
        out.push('\n');
    }
    if !done {
        out.push_str("auth       required     pam_wheel.so use_uid\n");
    }
    b.files.push(File { path: "/etc/pam.d/su".into(), text: out, mode: 0o644 });
    true
}

/// /etc/selinux/config with SELINUX=enforcing (a file, replacing Flatcar's link into /usr).
fn selinux_fix(root: &HostRoot, b: &mut Bundle) -> bool {
    let Ok(text) = root.read_to_string("/etc/selinux/config") else { return false };
    let mut out: String = text
        .lines()
        .map(|l| if l.trim_start().starts_with("SELINUX=") { "SELINUX=enforcing\n".to_string() } else { format!("{l}\n") })
        .collect();
    if !out.contains("SELINUX=enforcing") {
        out.push_str("SELINUX=enforcing\n");
    }
    b.files.push(File { path: "/etc/selinux/config".into(), text: out, mode: 0o644 });
    true
}

/// /tmp from tmp.mount: a drop-in with noexec, nosuid, nodev.
fn tmp_fix(root: &HostRoot, b: &mut Bundle) -> bool {
    if !crate::sources::host::systemd::SEARCH_PATH.iter().any(|d| root.is_file(&format!("{d}/tmp.mount"))) {
        return false;
    }
    b.files.push(File {
        path: format!("/etc/systemd/system/tmp.mount.d/{}", last_name(root, "tmp.mount.d", "zz-cbench.conf")),
        text: "# Written by cbench host --fix-out\n[Mount]\nOptions=mode=1777,strictatime,nosuid,nodev,noexec\n".into(),
        mode: 0o644,
    });
    b.live_commands.push("systemctl daemon-reload".into());
    true
}

impl Bundle {
    /// apply.sh: lay the tree beside it over ROOT (default /), then what files cannot say.
    pub fn script(&self) -> String {
        let mut s = String::from(
            "#!/bin/sh\n# Written by cbench host --fix-out. Usage: ./apply.sh [ROOT]   (default /)\n# Lays this bundle's files over ROOT, then sets modes and owners; on / it also reloads what reads them.\nset -eu\nROOT=${1:-/}\nROOT=${ROOT%/}\nHERE=$(cd \"$(dirname \"$0\")\" && pwd)\n",
        );
        for f in &self.files {
            s.push_str(&format!(
                "mkdir -p \"$ROOT{dir}\"\nrm -f \"$ROOT{p}\"\ncp \"$HERE/files{p}\" \"$ROOT{p}\"\nchmod {m:04o} \"$ROOT{p}\"\n",
                dir = f.path.rsplit_once('/').map_or("/", |(d, _)| d),
                p = f.path,
                m = f.mode
            ));
        }
        for c in self.commands() {
            s.push_str(&c);
            s.push('\n');
        }
        if !self.live_commands.is_empty() {
            s.push_str("if [ -z \"$ROOT\" ]; then\n");
            for c in &self.live_commands {
                s.push_str(&format!("  {c}\n"));
            }
            s.push_str("fi\n");
        }
        s
    }

    /// The shell lines for modes and owners (`"$ROOT"` is the root).
    fn commands(&self) -> Vec<String> {
        let chmod = self.modes.iter().map(|(p, m)| format!("chmod {m:04o} \"$ROOT{p}\""));
        let chown = self.owners.iter().map(|(p, owner)| match owner {
            Some(uid) => format!("chown {uid} \"$ROOT{p}\""),
            None => format!("chown 0:0 \"$ROOT{p}\""),
        });
        chmod.chain(chown).collect()
    }

    /// README: what the bundle changes, and what needs a person, with why.
    pub fn readme(&self) -> String {
        let mut s = String::from(
            "# cbench host --fix-out\n\nApply with `./apply.sh` (on this host) or `./apply.sh /mnt/root` (an image). Files:\n\n",
        );
        for f in &self.files {
            s.push_str(&format!("- `{}` ({:04o})\n", f.path, f.mode));
        }
        if !self.modes.is_empty() || !self.owners.is_empty() {
            s.push_str("\nModes and owners set by apply.sh:\n\n");
            for c in self.commands() {
                s.push_str(&format!("- `{c}`\n"));
            }
        }
        s.push_str("\n## Needs a person\n\n");
        if self.manual.is_empty() {
            s.push_str("Nothing.\n");
        }
        for (rule, evidence, why) in &self.manual {
            s.push_str(&format!("- {rule} ({evidence}): {why}\n"));
        }
        s.push('\n');
        s
    }

    /// fixes.json: what the bundle fixes and what it leaves, for tools.
    pub fn json(&self) -> String {
        let fixed: Vec<_> = self.claims.iter().map(|(r, e)| serde_json::json!({ "rule": r, "evidence": e })).collect();
        let manual: Vec<_> = self.manual.iter().map(|(r, e, why)| serde_json::json!({ "rule": r, "evidence": e, "why": why })).collect();
        let files: Vec<_> = self.files.iter().map(|f| serde_json::json!({ "path": f.path, "mode": format!("{:04o}", f.mode) })).collect();
        serde_json::to_string_pretty(&serde_json::json!({ "version": 1, "files": files, "fixed": fixed, "needs_a_person": manual }))
            .unwrap_or_default()
            + "\n"
    }

    /// On Flatcar: the bundle's files as one Butane config.
    pub fn butane(&self) -> String {
        let mut s = String::from(
            "# Written by cbench host --fix-out: this host's fixes for the next provisioning.\nvariant: flatcar\nversion: 1.0.0\nstorage:\n  files:\n",
        );
        for f in &self.files {
            s.push_str(&format!(
                "    - path: {}\n      overwrite: true\n      mode: 0{:o}\n      contents:\n        inline: |\n",
                f.path, f.mode
            ));
            for line in f.text.lines() {
                s.push_str(&format!("          {line}\n"));
            }
        }
        s
    }
}
