//! Users, groups, sudo and PAM: /etc/passwd, /etc/group, /etc/shadow (hash state only: the
//! hash itself is never kept), Flatcar's /usr/share/baselayout/{passwd,group} when nsswitch
//! names `usrfiles` or `altfiles`; sudoers with `#include` / `@includedir`; PAM `su` and the
//! password stack.

use std::collections::BTreeMap;

use super::HostRoot;
use crate::model::{Accounts, Password, SudoRule, User, Val};

/// The files a database is read from, in nsswitch order.
fn db_files(root: &HostRoot, db: &str) -> Vec<String> {
    let mut files = vec![format!("/etc/{db}")];
    let nss = root.read_to_string("/etc/nsswitch.conf").unwrap_or_default();
    let extra = nss.lines().any(|l| {
        l.split('#')
            .next()
            .unwrap_or("")
            .trim()
            .strip_prefix(&format!("{db}:"))
            .is_some_and(|v| v.contains("usrfiles") || v.contains("altfiles"))
    });
    if extra {
        files.push(format!("/usr/share/baselayout/{db}"));
    }
    files
}

fn records<'a>(text: &'a str) -> impl Iterator<Item = (u32, Vec<&'a str>)> + 'a {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|(i, l)| (i as u32 + 1, l.split(':').collect()))
}

/// Group name to members, over every group file nsswitch reads.
pub fn groups(root: &HostRoot) -> BTreeMap<String, Vec<Val<String>>> {
    let mut out: BTreeMap<String, Vec<Val<String>>> = BTreeMap::new();
    for file in db_files(root, "group") {
        let Ok(text) = root.read_to_string(&file) else { continue };
        for (line, f) in records(&text).filter(|(_, f)| f.len() >= 4) {
            let members = out.entry(f[0].to_string()).or_default();
            for m in f[3].split(',').map(str::trim).filter(|m| !m.is_empty()) {
                if !members.iter().any(|v| v.value == m) {
                    members.push(Val::new(m.to_string(), root.origin(&file, line)));
                }
            }
        }
    }
    out
}

/// The name of group id `gid`, when a group file names it.
pub fn group_name(root: &HostRoot, gid: u32) -> Option<String> {
    db_files(root, "group").into_iter().find_map(|file| {
        let text = root.read_to_string(&file).ok()?;
        records(&text).find(|(_, f)| f.len() >= 3 && f[2] == gid.to_string()).map(|(_, f)| f[0].to_string())
    })
}

/// The name of user id `uid`.
pub fn user_name(root: &HostRoot, uid: u32) -> Option<String> {
    db_files(root, "passwd").into_iter().find_map(|file| {
        let text = root.read_to_string(&file).ok()?;
        records(&text).find(|(_, f)| f.len() >= 3 && f[2] == uid.to_string()).map(|(_, f)| f[0].to_string())
    })
}

/// The name and home directory of user id `uid`.
pub fn user_home(root: &HostRoot, uid: u32) -> Option<(String, String)> {
    db_files(root, "passwd").into_iter().find_map(|file| {
        let text = root.read_to_string(&file).ok()?;
        records(&text).find(|(_, f)| f.len() >= 6 && f[2] == uid.to_string()).map(|(_, f)| (f[0].to_string(), f[5].to_string()))
    })
}

fn password_state(hash: &str) -> Password {
    if hash.is_empty() {
        Password::Empty
    } else if hash.starts_with('!') || hash.starts_with('*') {
        Password::Locked
    } else {
        Password::Set
    }
}

fn users(root: &HostRoot) -> (Vec<Val<User>>, bool) {
    let mut shadow: BTreeMap<String, Password> = BTreeMap::new();
    let unreadable = match root.read_to_string("/etc/shadow") {
        Ok(text) => {
            for (_, f) in records(&text).filter(|(_, f)| f.len() >= 2) {
                shadow.insert(f[0].to_string(), password_state(f[1]));
            }
            false
        }
        Err(e) => e.kind() != std::io::ErrorKind::NotFound,
    };
    let mut out: Vec<Val<User>> = Vec::new();
    for file in db_files(root, "passwd") {
        let Ok(text) = root.read_to_string(&file) else { continue };
        for (line, f) in records(&text).filter(|(_, f)| f.len() >= 7) {
            if out.iter().any(|u| u.value.name == f[0]) {
                continue;
            }
            // A hash in passwd itself (no `x`) counts as the password.
            let password = if f[1] == "x" { shadow.get(f[0]).copied() } else { Some(password_state(f[1])) };
            let user = User { name: f[0].into(), uid: f[2].parse().unwrap_or(u32::MAX), shell: f[6].trim().into(), password };
            out.push(Val::new(user, root.origin(&file, line)));
        }
    }
    (out, unreadable)
}

/// sudo's MAX_SUDOERS_DEPTH.
const SUDOERS_MAX_DEPTH: u32 = 128;

/// Sudoers: /etc/sudoers and what it includes. `@includedir` / `#includedir` read every file
/// of the directory whose name has no `.` and does not end in `~`, as sudo does.
fn sudoers(root: &HostRoot, path: &str, depth: u32, files: &mut Vec<String>, rules: &mut Vec<Val<SudoRule>>, denied: &mut Option<String>) {
    if files.iter().any(|f| f == path) {
        return;
    }
    // sudo stops at 128 levels of includes ("too many levels of includes"): what lies deeper is
    // unknown to cbench too, and said so, never dropped in silence.
    if depth > SUDOERS_MAX_DEPTH {
        denied.get_or_insert(format!("{}: includes nested deeper than sudo's {SUDOERS_MAX_DEPTH} levels", root.display(path)));
        return;
    }
    let Ok(text) = root.read_to_string(path) else {
        if root.denied(path) {
            denied.get_or_insert(format!("not readable without root: {}", root.display(path)));
        }
        return;
    };
    files.push(path.to_string());
    let dir_of = |p: &str| p.rsplit_once('/').map_or("/etc".to_string(), |(d, _)| d.to_string());
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let include = |word: &str| line.strip_prefix(word).map(|rest| rest.trim().to_string());
        if let Some(dir) = include("@includedir").or_else(|| include("#includedir")) {
            let dir = if dir.starts_with('/') { dir } else { format!("{}/{dir}", dir_of(path)) };
            if root.denied(&dir) {
                denied.get_or_insert(format!("not readable without root: {}", root.display(&dir)));
            }
            for name in root.list(&dir).into_iter().filter(|n| !n.contains('.') && !n.ends_with('~')) {
                sudoers(root, &format!("{dir}/{name}"), depth + 1, files, rules, denied);
            }
        } else if let Some(file) = include("@include").or_else(|| include("#include")) {
            let file = if file.starts_with('/') { file } else { format!("{}/{file}", dir_of(path)) };
            sudoers(root, &file, depth + 1, files, rules, denied);
        } else if let Some(rule) = user_spec(line) {
            rules.push(Val::new(rule, root.origin(path, i as u32 + 1)));
        }
    }
}

/// `WHO HOST=(RUNAS) [TAG:] CMDS`: who, and whether the last tag given is NOPASSWD.
/// Defaults, aliases and comments give None.
fn user_spec(line: &str) -> Option<SudoRule> {
    let line = line.split('#').next()?.trim();
    let first = line.split_whitespace().next()?;
    if line.is_empty() || first.starts_with("Defaults") || first.ends_with("_Alias") || !line.contains('=') {
        return None;
    }
    let (who, rest) = line.split_once(char::is_whitespace)?;
    let nopasswd = match (rest.rfind("NOPASSWD:"), rest.rfind(" PASSWD:").or_else(|| rest.rfind(")PASSWD:"))) {
        (Some(n), Some(p)) => n > p,
        (Some(_), None) => true,
        _ => false,
    };
    Some(SudoRule { who: who.split(',').map(|w| w.trim().to_string()).collect(), nopasswd })
}

/// The first line of PAM file `path` (following `@include` / `include` / `substack`) whose
/// module is one of `modules`, and whether the file exists.
fn pam_find(root: &HostRoot, path: &str, kind: &str, modules: &[&str], depth: u32) -> Option<Val<String>> {
    let text = root.read_to_string(path).ok()?;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or("").trim();
        let words: Vec<&str> = line.split_whitespace().collect();
        if words.len() >= 2 && words[0] == "@include" && depth < 8 {
            if let Some(v) = pam_find(root, &format!("/etc/pam.d/{}", words[1]), kind, modules, depth + 1) {
                return Some(v);
            }
        } else if words.len() >= 3 && words[0].trim_start_matches('-') == kind {
            if matches!(words[1], "include" | "substack") && depth < 8 {
                if let Some(v) = pam_find(root, &format!("/etc/pam.d/{}", words[2]), kind, modules, depth + 1) {
                    return Some(v);
                }
                continue;
            }
            // `auth [success=1 default=ignore] pam_x.so`: the module follows the control.
            let module = words.iter().skip(1).find(|w| w.contains(".so")).copied().unwrap_or("");
            let module = module.rsplit('/').next().unwrap_or(module);
            if modules.contains(&module) {
                return Some(Val::new(line.to_string(), root.origin(path, i as u32 + 1)));
            }
        }
    }
    None
}

pub fn collect(root: &HostRoot) -> Accounts {
    let (users, shadow_unreadable) = users(root);
    let mut files = Vec::new();
    let mut rules = Vec::new();
    let mut denied = None;
    sudoers(root, "/etc/sudoers", 0, &mut files, &mut rules, &mut denied);
    // Flatcar has no /etc/sudoers of its own: /usr/share/baselayout/sudoers includes /etc/sudoers.d.
    if files.is_empty() && denied.is_none() {
        sudoers(root, "/usr/share/baselayout/sudoers", 0, &mut files, &mut rules, &mut denied);
    }
    let sudoers_d = super::file_facts(root, "/etc/sudoers.d", "/etc/sudoers.d");
    let pam_read = root.is_dir("/etc/pam.d") || root.is_dir("/usr/lib/pam.d");
    let pam = |file: &str, kind: &str, modules: &[&str]| {
        pam_find(root, &format!("/etc/pam.d/{file}"), kind, modules, 0)
            .or_else(|| pam_find(root, &format!("/usr/lib/pam.d/{file}"), kind, modules, 0))
    };
    let quality = ["pam_pwquality.so", "pam_cracklib.so", "pam_passwdqc.so"];
    Accounts {
        users,
        shadow_unreadable,
        groups: groups(root),
        sudo_rules: rules,
        sudoers_unreadable: denied,
        sudoers_files: files,
        sudoers_d,
        pam_wheel: pam("su", "auth", &["pam_wheel.so"]),
        pam_quality: ["common-password", "system-auth", "password-auth", "passwd"].iter().find_map(|f| pam(f, "password", &quality)),
        pam_read,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sudo_skips_names_with_a_dot_or_a_tilde() {
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        std::fs::create_dir_all(r.join("etc/sudoers.d")).unwrap();
        std::fs::write(r.join("etc/sudoers"), "root ALL=(ALL) ALL\n@includedir /etc/sudoers.d\n").unwrap();
        std::fs::write(r.join("etc/sudoers.d/ci"), "ci ALL=(ALL) NOPASSWD: ALL\n").unwrap();
        std::fs::write(r.join("etc/sudoers.d/old.bak"), "bak ALL=(ALL) NOPASSWD: ALL\n").unwrap();
        std::fs::write(r.join("etc/sudoers.d/ci~"), "tilde ALL=(ALL) NOPASSWD: ALL\n").unwrap();
        let a = collect(&HostRoot::new(r));
        let got: Vec<(Vec<String>, bool)> = a.sudo_rules.iter().map(|r| (r.value.who.clone(), r.value.nopasswd)).collect();
        assert_eq!(got, [(vec!["root".to_string()], false), (vec!["ci".to_string()], true)]);
        assert_eq!(user_spec("core ALL=(ALL) NOPASSWD: /bin/ls, PASSWD: ALL").map(|r| r.nopasswd), Some(false));
        assert_eq!(user_spec("Defaults env_reset"), None);
        assert_eq!(a.sudoers_files, ["/etc/sudoers", "/etc/sudoers.d/ci"]);
    }

    #[test]
    fn pam_follows_includes_and_controls() {
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        std::fs::create_dir_all(r.join("etc/pam.d")).unwrap();
        std::fs::write(r.join("etc/pam.d/su"), "auth sufficient pam_rootok.so\n# auth required pam_wheel.so\n").unwrap();
        std::fs::write(r.join("etc/pam.d/passwd"), "@include common-password\n").unwrap();
        std::fs::write(r.join("etc/pam.d/common-password"), "password [success=1 default=ignore] /lib/security/pam_pwquality.so retry=3\n")
            .unwrap();
        let a = collect(&HostRoot::new(r));
        assert_eq!(a.pam_wheel, None);
        assert_eq!(a.pam_quality.unwrap().origin.to_string(), format!("{}/etc/pam.d/common-password:1:1", r.display()));
    }
}
