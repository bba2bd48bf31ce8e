//! Audit coverage (CIS Docker Benchmark 1.1.3–1.1.18): auditd-inactive, audit-docker-path,
//! audit-events-discarded. A watch with write or attribute permission on a path, or on a
//! directory above it, covers it; a rule that discards events voids every watch.

use crate::model::{AuditRule, HostFacts, Origin, Val};
use crate::rules::{Check, Hit, HostCheck, SkipKind};

pub const RULES: &[(&str, HostCheck)] = &[
    ("auditd-inactive", auditd_inactive),
    ("audit-docker-path", audit_docker_path),
    ("audit-events-discarded", audit_events_discarded),
    ("exec-in-audit-log", exec_in_audit_log),
];

/// The rules in effect: `-D` drops what came before it.
fn effective(h: &HostFacts) -> Vec<&Val<AuditRule>> {
    let start = h.audit.rules.iter().rposition(|r| r.value == AuditRule::Delete).map_or(0, |i| i + 1);
    h.audit.rules[start..].iter().collect()
}

fn field<'a>(fields: &'a [(String, String, String)], name: &str) -> Option<&'a (String, String, String)> {
    fields.iter().find(|(n, _, _)| n == name)
}

/// Does `op value` hold for `n`?
fn holds(n: i64, op: &str, value: &str) -> bool {
    let Ok(v) = value.parse::<i64>() else { return false };
    match op {
        "=" => n == v,
        "!=" => n != v,
        "<" => n < v,
        ">" => n > v,
        "<=" => n <= v,
        ">=" => n >= v,
        _ => false,
    }
}

/// Why a rule discards the events watches produce, if it does.
fn discards(rule: &AuditRule) -> Option<String> {
    match rule {
        AuditRule::Syscall { list, action, .. } if list == "task" && action == "never" => {
            Some("`-a never,task` turns syscall auditing off for every process: no watch fires".into())
        }
        AuditRule::Syscall { list, action, fields } if list == "exclude" && action == "always" => match field(fields, "msgtype") {
            // 1300 is SYSCALL, 1302 PATH: the records a watch produces.
            Some((_, op, v)) if holds(1300, op, v) || holds(1302, op, v) => {
                Some(format!("`-a exclude,always -F msgtype{op}{v}` drops the SYSCALL and PATH records of every watch"))
            }
            None if fields.is_empty() => Some("`-a exclude,always` drops every record".into()),
            _ => None,
        },
        AuditRule::Syscall { list, action, fields }
            if list == "exit" && action == "never" && fields.iter().all(|(n, _, _)| n == "arch") =>
        {
            Some("`-a never,exit` without a filter suppresses every syscall rule after it".into())
        }
        _ => None,
    }
}

fn discarding(h: &HostFacts) -> Vec<(String, Origin)> {
    let rules = effective(h);
    let mut out: Vec<(String, Origin)> = rules.iter().filter_map(|r| discards(&r.value).map(|why| (why, r.origin.clone()))).collect();
    if let Some(e) = rules.iter().rev().find_map(|r| match &r.value {
        AuditRule::Enable(n) => Some((n, r.origin.clone())),
        _ => None,
    }) && e.0 == "0"
    {
        out.push(("`-e 0` disables auditing".into(), e.1));
    }
    out
}

fn writes(perms: &str) -> bool {
    perms.contains('w') || perms.contains('a')
}

/// Is `path` the watched `dir` (with or without its trailing slash, as `-F dir=/etc/docker/`
/// is written) or below it?
fn under(path: &str, dir: &str) -> bool {
    let dir = dir.trim_end_matches('/');
    path == dir || path.strip_prefix(dir).is_some_and(|rest| rest.starts_with('/'))
}

/// The rule that covers `path` for writes and attribute changes, if one does.
fn covering<'a>(rules: &[&'a Val<AuditRule>], path: &str) -> Option<&'a Val<AuditRule>> {
    rules.iter().copied().find(|r| match &r.value {
        AuditRule::Watch { path: w, perms } => writes(perms) && under(path, w),
        AuditRule::Syscall { list, action, fields } if list == "exit" && action == "always" => {
            let perm_ok = field(fields, "perm").is_none_or(|(_, _, p)| writes(p));
            let path_ok = field(fields, "path").is_some_and(|(_, op, p)| op == "=" && p == path)
                || field(fields, "dir").is_some_and(|(_, op, d)| op == "=" && under(path, d));
            perm_ok && path_ok
        }
        _ => false,
    })
}

/// The CIS Docker Benchmark v1.6.0 id of each kind of Docker path an audit should watch.
const CIS_IDS: &[(&str, &str)] = &[
    ("dockerd", "1.1.3"),
    ("/run/containerd", "1.1.4"),
    ("data root", "1.1.5"),
    ("/etc/docker", "1.1.6"),
    ("docker.service", "1.1.7"),
    ("containerd.sock", "1.1.8"),
    ("docker.socket", "1.1.9"),
    ("/etc/default/docker", "1.1.10"),
    ("/etc/docker/daemon.json", "1.1.11"),
    ("/etc/containerd/config.toml", "1.1.12"),
    ("/etc/sysconfig/docker", "1.1.13"),
    ("containerd", "1.1.14"),
    ("containerd-shim", "1.1.15"),
    ("containerd-shim-runc-v1", "1.1.16"),
    ("containerd-shim-runc-v2", "1.1.17"),
    ("runc", "1.1.18"),
];

fn cis_of(what: &str) -> Option<&'static str> {
    CIS_IDS.iter().find(|(w, _)| *w == what).map(|(_, id)| *id)
}

/// `1.1.10` after `1.1.9`.
fn cis_order(what: &str) -> Vec<u32> {
    cis_of(what).unwrap_or("9").split('.').map(|p| p.parse().unwrap_or(0)).collect()
}

pub fn auditd_inactive(h: &HostFacts) -> Check {
    if h.audit.paths.is_empty() {
        return Check::na("not applicable: no Docker files on this host");
    }
    match &h.audit.active {
        Some(a) if !a.value => Check::Fail(vec![Hit::new(
            format!("the kernel is not auditing, or nothing loads the audit rules ({}): every watch is inert", a.origin),
            a.origin.clone(),
            "auditd",
        )]),
        Some(_) => Check::Pass,
        None => match &h.audit.active_unknown {
            Some(why) => Check::skip(SkipKind::Offline, why.clone()),
            None => Check::skip(SkipKind::Unreadable, "not readable without root: the kernel's audit state (auditctl -s)"),
        },
    }
}

/// The audit rules could not be read: coverage is unknown.
fn unknown(h: &HostFacts) -> Option<Check> {
    h.audit.unreadable.as_ref().map(|p| Check::unreadable(p))
}

pub fn audit_docker_path(h: &HostFacts) -> Check {
    if h.audit.paths.is_empty() {
        return Check::na("not applicable: no Docker files on this host");
    }
    if let Some(skip) = unknown(h) {
        return skip;
    }
    let rules = effective(h);
    let void = discarding(h);
    let mut hits = Vec::new();
    let mut paths: Vec<&(String, &str)> = h.audit.paths.iter().collect();
    paths.sort_by(|a, b| cis_order(a.1).cmp(&cis_order(b.1)).then(a.0.cmp(&b.0)));
    for (path, what) in paths {
        let cis = cis_of(what);
        match (covering(&rules, path), void.first()) {
            (None, _) => hits.push(
                Hit::new(
                    format!("{path} is not audited: no watch for writes or attribute changes covers it"),
                    Origin::Field(h.audit.source.clone()),
                    path.clone(),
                )
                .with_cis(cis),
            ),
            (Some(rule), Some((why, at))) => hits.push(
                Hit::new(format!("{path} is watched, but the watch is void: {why} (at {at})"), rule.origin.clone(), path.clone())
                    .with_cis(cis)
                    .with_related(at.clone()),
            ),
            (Some(_), None) => {}
        }
    }
    hits.into()
}

pub fn audit_events_discarded(h: &HostFacts) -> Check {
    if let Some(skip) = unknown(h) {
        return skip;
    }
    discarding(h).into_iter().map(|(why, at)| Hit::new(format!("{why}: audit watches record nothing"), at, why)).collect::<Vec<_>>().into()
}

/// Does an effective rule make auditd record the docker client's executions: a watch with
/// `x` on it, or an execve syscall rule?
fn records_docker_execs(h: &HostFacts) -> bool {
    effective(h).iter().any(|r| match &r.value {
        AuditRule::Watch { path, perms } => (path.ends_with("/docker")) && perms.contains('x'),
        AuditRule::Syscall { fields, .. } => {
            fields.iter().any(|(k, _, v)| k == "syscall" && v.split(',').any(|s| s == "execve" || s == "all"))
        }
        _ => false,
    })
}

/// CIS 5.23 / 5.24 from auditd's history: `docker exec --privileged` and `docker exec --user
/// root` (or 0) command lines auditd recorded. No record is a pass only where the rules make
/// auditd record docker executions; else the check is skipped and says which rule to add.
pub fn exec_in_audit_log(h: &HostFacts) -> Check {
    let execs = match &h.audit.docker_execs {
        None => return Check::skip(SkipKind::Offline, "the audit log was not read"),
        Some(Err(why)) => return Check::skip(SkipKind::Offline, why.clone()),
        Some(Ok(e)) => e,
    };
    let mut hits = Vec::new();
    for e in execs {
        // Options come before the container name: `docker exec [OPTIONS] CONTAINER COMMAND`.
        let args = &e.value[2..];
        let mut i = 0;
        let (mut privileged, mut root) = (false, None::<String>);
        while i < args.len() && args[i].starts_with('-') {
            let a = args[i].as_str();
            match a {
                "--privileged" | "--privileged=true" => privileged = true,
                "-u" | "--user" => {
                    root = args.get(i + 1).cloned();
                    i += 1;
                }
                "-e" | "--env" | "-w" | "--workdir" | "--env-file" | "--detach-keys" => i += 1,
                _ => {
                    if let Some(u) = a.strip_prefix("--user=").or_else(|| a.strip_prefix("-u").filter(|u| !u.is_empty())) {
                        root = Some(u.to_string());
                    }
                }
            }
            i += 1;
        }
        let container = args.get(i).cloned().unwrap_or_default();
        if privileged {
            let mut hit = Hit::new(
                format!("auditd recorded `docker exec --privileged` into {container}"),
                e.origin.clone(),
                format!("exec --privileged {container}"),
            );
            hit.cis = Some("5.23");
            hits.push(hit.severity(crate::model::Severity::High));
        }
        if let Some(u) = root.filter(|u| matches!(u.split(':').next(), Some("root" | "0"))) {
            let mut hit = Hit::new(
                format!("auditd recorded `docker exec --user {u}` into {container}"),
                e.origin.clone(),
                format!("exec --user {u} {container}"),
            );
            hit.cis = Some("5.24");
            hits.push(hit);
        }
    }
    if hits.is_empty() && !records_docker_execs(h) {
        return Check::skip(
            SkipKind::Offline,
            "the audit rules do not record docker client executions: add `-w /usr/bin/docker -p x -k docker-exec`",
        );
    }
    hits.into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::host::audit::parse_rule;

    fn host(rules: &[&str], paths: &[&str]) -> HostFacts {
        let mut h = HostFacts::default();
        h.audit.rules =
            rules.iter().enumerate().map(|(i, r)| Val::new(parse_rule(r).unwrap(), Origin::Field(format!("rule {i}")))).collect();
        h.audit.paths = paths.iter().map(|p| (p.to_string(), "runc")).collect();
        h.audit.source = "rules".into();
        h
    }

    fn uncovered(c: Check) -> Vec<String> {
        match c {
            Check::Fail(hits) => hits.into_iter().map(|h| h.evidence).collect(),
            _ => vec![],
        }
    }

    #[test]
    fn watches_cover_paths_and_what_is_below_them() {
        let paths = ["/usr/sbin/dockerd", "/var/lib/docker", "/etc/docker/daemon.json", "/usr/bin/runc", "/etc/dockerfile"];
        let h = host(
            &["-w /usr/sbin/dockerd -p wa", "-w /var/lib -p wa", "-w /etc/docker -p r", "-a always,exit -F dir=/etc/docker -F perm=w"],
            &paths,
        );
        // In CIS order, then by path.
        assert_eq!(uncovered(audit_docker_path(&h)), ["/etc/dockerfile", "/usr/bin/runc"]);
        // -D drops what came before it.
        let h = host(&["-w /usr/bin/runc -p wa", "-D", "-a exit,always -F path=/usr/bin/runc -F perm=x"], &["/usr/bin/runc"]);
        assert_eq!(uncovered(audit_docker_path(&h)), ["/usr/bin/runc"]);
        let h = host(&["-a exit,always -F path=/usr/bin/runc -F perm=wa"], &["/usr/bin/runc"]);
        assert_eq!(audit_docker_path(&h), Check::Pass);
    }

    #[test]
    fn discarding_rules_void_coverage() {
        for discard in ["-a exclude,always -F msgtype>0", "-a never,task", "-e 0", "-a exclude,always -F msgtype=1300"] {
            let h = host(&["-w /usr/bin/runc -p wa", discard], &["/usr/bin/runc"]);
            assert_eq!(uncovered(audit_events_discarded(&h)).len(), 1, "{discard}");
            assert_eq!(uncovered(audit_docker_path(&h)), ["/usr/bin/runc"], "{discard}");
        }
        for harmless in ["-a exclude,always -F msgtype=1105", "-e 1", "-a never,exit -F exe=/usr/bin/foo"] {
            let h = host(&["-w /usr/bin/runc -p wa", harmless], &["/usr/bin/runc"]);
            assert_eq!(audit_events_discarded(&h), Check::Pass, "{harmless}");
        }
    }
    #[test]
    fn docker_exec_from_the_audit_log() {
        let mut h = host(&["-w /usr/bin/dockerd -p wa -k docker"], &["/usr/bin/dockerd"]);
        let line = |n: u32, argv: &[&str]| {
            Val::new(argv.iter().map(|a| a.to_string()).collect::<Vec<_>>(), Origin::Field(format!("audit.log:{n}")))
        };
        h.audit.docker_execs = Some(Ok(vec![]));
        assert!(matches!(exec_in_audit_log(&h), Check::Skip(_, why) if why.contains("-w /usr/bin/docker -p x")));
        h = host(&["-w /usr/bin/docker -p x -k docker-exec"], &["/usr/bin/docker"]);
        h.audit.docker_execs = Some(Ok(vec![]));
        assert!(matches!(exec_in_audit_log(&h), Check::Pass));
        h.audit.docker_execs = Some(Ok(vec![
            line(3, &["docker", "exec", "--privileged", "web", "sh"]),
            line(4, &["docker", "exec", "-e", "A=--privileged", "-u", "0", "db", "id"]),
            line(5, &["docker", "exec", "--user=app", "web", "id"]),
            line(6, &["/usr/bin/docker", "exec", "-it", "-uroot:root", "cache", "sh"]),
        ]));
        let Check::Fail(hits) = exec_in_audit_log(&h) else { panic!() };
        let got: Vec<(String, Option<&str>, Origin)> = hits.into_iter().map(|h| (h.message, h.cis, h.origin)).collect();
        assert_eq!(
            got,
            [
                ("auditd recorded `docker exec --privileged` into web".to_string(), Some("5.23"), Origin::Field("audit.log:3".into())),
                ("auditd recorded `docker exec --user 0` into db".to_string(), Some("5.24"), Origin::Field("audit.log:4".into())),
                (
                    "auditd recorded `docker exec --user root:root` into cache".to_string(),
                    Some("5.24"),
                    Origin::Field("audit.log:6".into())
                ),
            ]
        );
        h.audit.docker_execs = Some(Err("no audit log at /var/log/audit/audit.log".into()));
        assert!(matches!(exec_in_audit_log(&h), Check::Skip(..)));
    }
}
