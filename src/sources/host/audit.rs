//! Audit rules: the loaded rules (`auditctl -l`, live, when the binary exists and answers) are
//! authoritative; otherwise `/etc/audit/rules.d/*.rules` in augenrules' order (natural sort),
//! or `/etc/audit/audit.rules`. Both `-w PATH -p PERMS` and `-a LIST,ACTION -F ...` forms.

use super::{HostRoot, systemd};
use crate::model::{AuditFacts, AuditRule, Origin, Val};

/// Parse one rule line (comments and blank lines give None).
pub fn parse_rule(line: &str) -> Option<AuditRule> {
    let line = line.split('#').next()?.trim();
    if line.is_empty() {
        return None;
    }
    let words: Vec<&str> = line.split_whitespace().collect();
    let arg = |i: usize| words.get(i + 1).copied().unwrap_or("");
    match words[0] {
        "-D" if words.len() == 1 => Some(AuditRule::Delete),
        "-e" => Some(AuditRule::Enable(arg(0).to_string())),
        "-w" => {
            let mut perms = "rwxa".to_string();
            for (i, w) in words.iter().enumerate() {
                if *w == "-p" {
                    perms = arg(i).to_string();
                }
            }
            Some(AuditRule::Watch { path: arg(0).to_string(), perms })
        }
        "-a" | "-A" => {
            let mut parts = arg(0).split(',');
            let (a, b) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
            // auditctl takes `list,action` or `action,list`.
            let (list, action) = if matches!(a, "always" | "never") { (b, a) } else { (a, b) };
            let mut fields = Vec::new();
            for (i, w) in words.iter().enumerate() {
                if *w == "-F" {
                    let f = arg(i);
                    if let Some(at) = f.find(['=', '!', '<', '>', '&']) {
                        let rest = &f[at..];
                        let op_len = rest.find(|c: char| !matches!(c, '=' | '!' | '<' | '>' | '&')).unwrap_or(rest.len());
                        fields.push((f[..at].to_string(), rest[..op_len].to_string(), rest[op_len..].to_string()));
                    }
                }
            }
            Some(AuditRule::Syscall { list: list.to_string(), action: action.to_string(), fields })
        }
        _ => None,
    }
}

/// `ls -v` order: digit runs compare as numbers.
fn natural_key(name: &str) -> Vec<(u64, String)> {
    let mut out = Vec::new();
    let mut rest = name;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        if digits > 0 {
            out.push((rest[..digits].parse().unwrap_or(u64::MAX), String::new()));
            rest = &rest[digits..];
        } else {
            let text = rest.find(|c: char| c.is_ascii_digit()).unwrap_or(rest.len());
            out.push((0, rest[..text].to_string()));
            rest = &rest[text..];
        }
    }
    out
}

fn parse_text(text: &str, origin: impl Fn(u32) -> Origin) -> Vec<Val<AuditRule>> {
    text.lines().enumerate().filter_map(|(i, l)| parse_rule(l).map(|r| Val::new(r, origin(i as u32 + 1)))).collect()
}

/// The rules files say, in the order augenrules would load them.
pub fn configured(root: &HostRoot) -> (String, Vec<Val<AuditRule>>, Option<String>) {
    if root.denied("/etc/audit/rules.d") {
        return (root.display("/etc/audit/rules.d"), Vec::new(), Some(root.display("/etc/audit/rules.d")));
    }
    let mut names: Vec<String> = root.list("/etc/audit/rules.d").into_iter().filter(|n| n.ends_with(".rules")).collect();
    names.sort_by_key(|n| natural_key(n));
    if names.is_empty() {
        let path = "/etc/audit/audit.rules";
        let denied = root.denied(path).then(|| root.display(path));
        let text = root.read_to_string(path).unwrap_or_default();
        return (root.display(path), parse_text(&text, |l| root.origin(path, l)), denied);
    }
    let mut rules = Vec::new();
    let mut denied = None;
    for n in &names {
        let path = format!("/etc/audit/rules.d/{n}");
        if root.denied(&path) {
            denied.get_or_insert(root.display(&path));
        }
        let text = root.read_to_string(&path).unwrap_or_default();
        rules.extend(parse_text(&text, |l| root.origin(&path, l)));
    }
    (root.display("/etc/audit/rules.d"), rules, denied)
}

/// The rules the kernel has loaded (`auditctl -l`, root or CAP_AUDIT_CONTROL).
fn loaded(root: &HostRoot) -> Option<Vec<Val<AuditRule>>> {
    let text = root.command("auditctl", &["-l"]).ok()?;
    Some(parse_text(&text, |l| Origin::Field(format!("auditctl -l, rule {l}"))))
}

/// Docker's files and directories an audit should watch, by what they are (the audit rules say
/// their CIS ids). Binaries are looked for in every usual directory (Debian installs
/// /usr/sbin/dockerd).
const DOCKER_PATHS: &[&str] = &[
    "dockerd",
    "/run/containerd",
    "/etc/docker",
    "/etc/default/docker",
    "/etc/docker/daemon.json",
    "/etc/containerd/config.toml",
    "/etc/sysconfig/docker",
    "containerd",
    "containerd-shim",
    "containerd-shim-runc-v1",
    "containerd-shim-runc-v2",
    "runc",
];

const BIN_DIRS: &[&str] = &["/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin", "/bin", "/sbin"];

/// The Docker paths that exist on this host, each with what it is (`dockerd`, `data root`,
/// `docker.service`, `containerd.sock`, or the path itself).
/// `units`: Docker's systemd units as loaded (their fragments and drop-ins are audited too).
pub fn docker_paths(root: &HostRoot, data_root: &str, units: &[systemd::Unit]) -> Vec<(String, &'static str)> {
    let mut out: Vec<(String, &'static str)> = Vec::new();
    let mut add = |p: String, what: &'static str| {
        if !out.iter().any(|(q, _)| *q == p) && root.exists(&p) {
            out.push((p, what));
        }
    };
    for what in DOCKER_PATHS {
        if what.starts_with('/') {
            add(what.to_string(), what);
        } else {
            for dir in BIN_DIRS {
                // /bin and /sbin are often links to /usr: the file is reported once, where it is.
                let p = format!("{dir}/{what}");
                if root.exists(&p) && !root.is_link(dir) {
                    add(p, what);
                }
            }
        }
    }
    add(data_root.to_string(), "data root");
    for u in units.iter().filter(|u| !u.masked) {
        let what = if u.name == "docker.socket" { "docker.socket" } else { "docker.service" };
        for f in &u.files {
            add(f.clone(), what);
        }
    }
    // containerd's socket: its own daemon's, or the one dockerd starts (Debian's docker.io).
    add("/run/containerd/containerd.sock".into(), "containerd.sock");
    add("/run/docker/containerd/containerd.sock".into(), "containerd.sock");
    out
}

/// Is auditd (or Flatcar's audit-rules.service) going to load the rules?
fn active(root: &HostRoot) -> Option<Val<bool>> {
    // Live, the kernel says whether it audits: `auditctl -s` prints `enabled 0|1|2`.
    if root.is_live() {
        match root.command("auditctl", &["-s"]) {
            Ok(status) => {
                if let Some(n) = status.lines().find_map(|l| l.strip_prefix("enabled ")) {
                    let n = n.trim();
                    return Some(Val::new(n != "0", Origin::Field(format!("auditctl -s: enabled {n}"))));
                }
            }
            // auditctl is there but answers only root: the kernel's state is unknown, and an
            // enabled unit is no proof that the kernel audits.
            Err(false) if !root.auditor_is_root() => return None,
            Err(_) => {}
        }
        let running = root
            .entries("/proc")
            .ok()?
            .iter()
            .any(|pid| root.read_to_string(&format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim() == "auditd"));
        // Through a mount (cbench's container) auditctl cannot ask the kernel: a running or
        // enabled auditd is no proof that it audits (the kernel may say `enabled 0`); only
        // nothing to load the rules at all is certain.
        if root.is_mounted() && (running || enabled_unit(root).is_some()) {
            return None;
        }
        if running {
            return Some(Val::new(true, Origin::Field("auditd process".into())));
        }
    }
    if let Some((unit, link)) = enabled_unit(root) {
        return Some(Val::new(true, Origin::Field(format!("{} enabled ({})", unit, root.display(&link)))));
    }
    Some(Val::new(false, Origin::Field("no auditd process, auditd.service / audit-rules.service not enabled".into())))
}

/// The audit unit that is enabled (not masked), and the link that enables it.
fn enabled_unit(root: &HostRoot) -> Option<(&'static str, String)> {
    ["auditd.service", "audit-rules.service"].into_iter().find_map(|unit| {
        let u = systemd::load(root, unit)?;
        if u.masked {
            return None;
        }
        systemd::enabled(root, unit).map(|link| (unit, link))
    })
}

pub fn collect(root: &HostRoot, data_root: &str, units: &[systemd::Unit]) -> AuditFacts {
    let (source, rules, unreadable) = match root.is_live().then(|| loaded(root)).flatten() {
        Some(rules) => ("auditctl -l (loaded rules)".to_string(), rules, None),
        None => configured(root),
    };
    let active = active(root);
    let active_unknown = (active.is_none() && root.is_mounted()).then(|| {
        "the kernel's audit state needs `auditctl -s` (CAP_AUDIT_CONTROL), which cbench's container does not run; a running or enabled auditd is no proof that the kernel audits".to_string()
    });
    AuditFacts {
        source,
        rules,
        active,
        active_unknown,
        paths: docker_paths(root, data_root, units),
        unreadable,
        docker_execs: Some(docker_execs(root)),
    }
}

/// The log auditd writes (its default `log_file`).
const AUDIT_LOG: &str = "/var/log/audit/audit.log";

/// `docker exec` command lines in the audit log (read through HostRoot, with its size limit).
fn docker_execs(root: &HostRoot) -> Result<Vec<Val<Vec<String>>>, String> {
    let text = match root.read(AUDIT_LOG) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(format!("no audit log at {}", root.display(AUDIT_LOG))),
        Err(e) => return Err(format!("{} cannot be read: {e}", root.display(AUDIT_LOG))),
    };
    Ok(text
        .lines()
        .enumerate()
        .filter_map(|(i, l)| {
            let argv = execve_argv(l)?;
            let docker = argv.first().is_some_and(|a0| a0 == "docker" || a0.ends_with("/docker"));
            (docker && argv.get(1).map(String::as_str) == Some("exec")).then(|| Val::new(argv, root.origin_at(AUDIT_LOG, i as u32 + 1, 1)))
        })
        .collect())
}

/// The arguments of an EXECVE record: `a0="docker" a1="exec" a2=2D2D7072...` (auditd writes an
/// argument with a space, a quote or a control character as hex, unquoted).
pub fn execve_argv(line: &str) -> Option<Vec<String>> {
    if !line.starts_with("type=EXECVE ") {
        return None;
    }
    let mut args: Vec<(usize, String)> = Vec::new();
    for field in line.split(' ') {
        let Some((key, value)) = field.split_once('=') else { continue };
        let Some(n) = key.strip_prefix('a').and_then(|n| n.parse::<usize>().ok()) else { continue };
        let value = if let Some(q) = value.strip_prefix('"') {
            q.strip_suffix('"').unwrap_or(q).to_string()
        } else if value.len() % 2 == 0 && value.bytes().all(|b| b.is_ascii_hexdigit()) {
            let bytes: Vec<u8> = (0..value.len()).step_by(2).filter_map(|i| u8::from_str_radix(&value[i..i + 2], 16).ok()).collect();
            String::from_utf8_lossy(&bytes).into_owned()
        } else {
            value.to_string()
        };
        args.push((n, value));
    }
    args.sort_by_key(|(n, _)| *n);
    (!args.is_empty()).then(|| args.into_iter().map(|(_, v)| v).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_forms_and_either_order() {
        assert_eq!(
            parse_rule("-w /usr/bin/dockerd -k docker -p wa  # comment"),
            Some(AuditRule::Watch { path: "/usr/bin/dockerd".into(), perms: "wa".into() })
        );
        assert_eq!(parse_rule("-w /etc/docker"), Some(AuditRule::Watch { path: "/etc/docker".into(), perms: "rwxa".into() }));
        let Some(AuditRule::Syscall { list, action, fields }) = parse_rule("-a exit,always -F path=/usr/sbin/runc -F perm=wa -F key=d")
        else {
            panic!()
        };
        assert_eq!((list.as_str(), action.as_str()), ("exit", "always"));
        assert_eq!(fields[0], ("path".into(), "=".into(), "/usr/sbin/runc".into()));
        let Some(AuditRule::Syscall { fields, .. }) = parse_rule("-a exclude,always -F msgtype>=1300") else { panic!() };
        assert_eq!(fields[0], ("msgtype".into(), ">=".into(), "1300".into()));
        assert_eq!(parse_rule("# nothing"), None);
        assert_eq!(parse_rule("-b 8192"), None);
    }

    #[test]
    fn execve_records() {
        let l = r#"type=EXECVE msg=audit(1764000000.100:812): argc=4 a0="docker" a1="exec" a2="--privileged" a3="web""#;
        assert_eq!(execve_argv(l).unwrap(), ["docker", "exec", "--privileged", "web"]);
        // "sh -c id" has spaces: auditd writes it in hex.
        let l = "type=EXECVE msg=audit(1764000000.200:813): argc=5 a0=\"docker\" a1=\"exec\" a2=\"-u\" a3=\"0\" a4=7368202D63206964";
        assert_eq!(execve_argv(l).unwrap(), ["docker", "exec", "-u", "0", "sh -c id"]);
        assert_eq!(execve_argv("type=SYSCALL msg=audit(1:2): arch=c000003e"), None);
    }

    #[test]
    fn augenrules_natural_order() {
        let mut names = vec!["99-default.rules", "10-base.rules", "9-early.rules", "100-late.rules"];
        names.sort_by_key(|n| natural_key(n));
        assert_eq!(names, ["9-early.rules", "10-base.rules", "99-default.rules", "100-late.rules"]);
    }
}
