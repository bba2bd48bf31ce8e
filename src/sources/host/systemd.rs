//! systemd units as systemd reads them: the unit search path, drop-ins (`UNIT.d/*.conf`, in
//! name order, a file in an earlier directory shadowing one of the same name in a later one),
//! masking, and list resets on an empty assignment.

use super::HostRoot;
use crate::model::Val;

/// The system unit search path, highest priority first.
pub const SEARCH_PATH: [&str; 5] =
    ["/etc/systemd/system", "/run/systemd/system", "/usr/local/lib/systemd/system", "/usr/lib/systemd/system", "/lib/systemd/system"];

#[derive(Debug, Default, Clone)]
pub struct Unit {
    pub name: String,
    /// The unit file, then its drop-ins, in the order systemd applies them.
    pub files: Vec<String>,
    pub masked: bool,
    /// `(section, key, value)` in application order, each with file:line.
    pub settings: Vec<Val<(String, String, String)>>,
    /// Its files (or drop-in directories) that could not be read, shown: its settings are then
    /// not all known.
    pub unreadable: Vec<String>,
}

impl Unit {
    /// The effective value of a single-valued key: the last assignment.
    pub fn get(&self, section: &str, key: &str) -> Option<Val<String>> {
        self.settings.iter().rev().find(|s| s.value.0 == section && s.value.1 == key).map(|s| Val::new(s.value.2.clone(), s.origin.clone()))
    }

    /// The effective values of a list key: assignments accumulate, an empty one resets.
    pub fn list(&self, section: &str, key: &str) -> Vec<Val<String>> {
        let mut out = Vec::new();
        for s in self.settings.iter().filter(|s| s.value.0 == section && s.value.1 == key) {
            if s.value.2.is_empty() {
                out.clear();
            } else {
                out.push(Val::new(s.value.2.clone(), s.origin.clone()));
            }
        }
        out
    }
}

/// Where unit `name` is enabled: the first `*.wants/NAME` or `*.requires/NAME` link found in the
/// search path; None when it is not enabled.
pub fn enabled(root: &HostRoot, name: &str) -> Option<String> {
    for dir in SEARCH_PATH {
        for sub in root.list(dir).into_iter().filter(|d| d.ends_with(".wants") || d.ends_with(".requires")) {
            let link = format!("{dir}/{sub}/{name}");
            if root.exists(&link) {
                return Some(link);
            }
        }
    }
    None
}

/// Load unit `name` (e.g. `docker.socket`); None when no unit file exists.
pub fn load(root: &HostRoot, name: &str) -> Option<Unit> {
    let mut unit = Unit { name: name.to_string(), ..Default::default() };
    let fragment = SEARCH_PATH.iter().map(|d| format!("{d}/{name}")).find(|p| root.is_masked(p) || root.is_file(p))?;
    if root.is_masked(&fragment) {
        unit.masked = true;
        unit.files.push(fragment);
        return Some(unit);
    }
    unit.files.push(fragment);
    // Drop-ins: by file name; the first directory in the search path that has a name wins.
    let mut dropins: Vec<(String, String)> = Vec::new();
    for dir in SEARCH_PATH {
        let d = format!("{dir}/{name}.d");
        let names = root.entries(&d).unwrap_or_else(|p| {
            unit.unreadable.push(p);
            Vec::new()
        });
        for file in names.into_iter().filter(|f| f.ends_with(".conf")) {
            if !dropins.iter().any(|(n, _)| *n == file) {
                dropins.push((file.clone(), format!("{d}/{file}")));
            }
        }
    }
    dropins.sort();
    unit.files.extend(dropins.into_iter().filter(|(_, p)| !root.is_masked(p)).map(|(_, p)| p));
    for file in unit.files.clone() {
        let text = match root.read(&file) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(_) => {
                unit.unreadable.push(root.display(&file));
                continue;
            }
        };
        let mut section = String::new();
        for (line_no, line) in logical_lines(&text) {
            if let Some(s) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                section = s.to_string();
            } else if let Some((k, v)) = line.split_once('=') {
                let value = (section.clone(), k.trim().to_string(), v.trim().to_string());
                unit.settings.push(Val::new(value, root.origin(&file, line_no)));
            }
        }
    }
    Some(unit)
}

/// The lines of a unit file as systemd.syntax(7) reads them, each with the number of its first
/// line: blank lines and `#`/`;` comments dropped, a line ending in `\` continued on the next
/// (the backslash becomes a space; comment lines inside a continuation are skipped).
pub fn logical_lines(text: &str) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    let mut pending: Option<(u32, String)> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.starts_with('#') || line.starts_with(';') || (line.is_empty() && pending.is_none()) {
            continue;
        }
        let (start, mut acc) = pending.take().unwrap_or((i as u32 + 1, String::new()));
        match line.strip_suffix('\\') {
            Some(head) => {
                acc.push_str(head);
                acc.push(' ');
                pending = Some((start, acc));
            }
            None => {
                acc.push_str(line);
                out.push((start, acc.trim().to_string()));
            }
        }
    }
    if let Some((start, acc)) = pending {
        out.push((start, acc.trim().to_string()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &std::path::Path, path: &str, text: &str) {
        let p = root.join(path.trim_start_matches('/'));
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    #[test]
    fn dropins_shadowing_and_resets() {
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        write(r, "/usr/lib/systemd/system/docker.socket", "[Socket]\nListenStream=/run/docker.sock\nSocketGroup=docker\nSocketMode=0660\n");
        write(r, "/usr/lib/systemd/system/docker.socket.d/10-a.conf", "[Socket]\nSocketMode=0666\n");
        write(r, "/etc/systemd/system/docker.socket.d/10-a.conf", "[Socket]\nSocketMode=0600\n");
        write(
            r,
            "/etc/systemd/system/docker.socket.d/20-group.conf",
            "[Socket]\nSocketGroup=root\nListenStream=\nListenStream=/run/docker2.sock\n",
        );
        let u = load(&HostRoot::new(r), "docker.socket").unwrap();
        assert_eq!(
            u.files,
            [
                "/usr/lib/systemd/system/docker.socket",
                "/etc/systemd/system/docker.socket.d/10-a.conf",
                "/etc/systemd/system/docker.socket.d/20-group.conf"
            ]
        );
        assert_eq!(u.get("Socket", "SocketMode").unwrap().value, "0600");
        assert_eq!(u.get("Socket", "SocketGroup").unwrap().value, "root");
        assert_eq!(u.list("Socket", "ListenStream").iter().map(|v| v.value.as_str()).collect::<Vec<_>>(), ["/run/docker2.sock"]);
        std::fs::create_dir_all(r.join("etc/systemd/system")).unwrap();
        std::os::unix::fs::symlink("/dev/null", r.join("etc/systemd/system/sshd.socket")).unwrap();
        write(r, "/usr/lib/systemd/system/sshd.socket", "[Socket]\nListenStream=22\n");
        assert!(load(&HostRoot::new(r), "sshd.socket").unwrap().masked);
        assert!(load(&HostRoot::new(r), "nope.socket").is_none());
    }

    #[test]
    fn continuation_lines_join_and_comments_inside_are_skipped() {
        let text = "[Service]\nExecStart=/usr/bin/dockerd \\\n# a comment in the middle\n  -H tcp://0.0.0.0:2375 \\\n  --containerd=/run/containerd/containerd.sock\nRestart=always\n";
        let lines = logical_lines(text);
        assert_eq!(
            lines,
            [
                (1, "[Service]".to_string()),
                (2, "ExecStart=/usr/bin/dockerd  -H tcp://0.0.0.0:2375  --containerd=/run/containerd/containerd.sock".to_string()),
                (6, "Restart=always".to_string())
            ]
        );
    }
}
