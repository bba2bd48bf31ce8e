//! sshd: the units that start it (sshd.socket on Flatcar, ssh.service on Debian) and
//! sshd_config with `Include` (globs, sorted, relative to /etc/ssh) and `Match` blocks. The
//! first value of a keyword wins, as sshd reads it.

use super::{HostRoot, file_facts, systemd};
use crate::model::{SshdFacts, Val};

const UNITS: &[&str] = &["sshd.socket", "sshd.service", "ssh.socket", "ssh.service"];

struct Reader<'a> {
    root: &'a HostRoot,
    facts: SshdFacts,
    /// The Match line in effect (None: global).
    current_match: Option<String>,
}

impl Reader<'_> {
    fn read(&mut self, path: &str, depth: u32) {
        if depth > 16 || self.facts.files.iter().any(|f| f.path == self.root.display(path)) {
            return;
        }
        let Ok(text) = self.root.read_to_string(path) else {
            if self.root.denied(path) {
                self.facts.unreadable.get_or_insert(self.root.display(path));
            }
            return;
        };
        if let Some(f) = file_facts(self.root, path, "sshd_config") {
            self.facts.files.push(f);
        }
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (key, value) = match line.find(|c: char| c.is_whitespace() || c == '=') {
                Some(at) => (&line[..at], line[at..].trim_start_matches(|c: char| c.is_whitespace() || c == '=').trim()),
                None => (line, ""),
            };
            let key = key.to_ascii_lowercase();
            let value = value.trim_matches('"').to_string();
            let origin = self.root.origin(path, i as u32 + 1);
            match key.as_str() {
                "include" => {
                    for pattern in value.split_whitespace() {
                        let pattern = if pattern.starts_with('/') { pattern.to_string() } else { format!("/etc/ssh/{pattern}") };
                        for file in glob(self.root, &pattern) {
                            self.read(&file, depth + 1);
                        }
                    }
                }
                "match" => {
                    self.current_match = if value.eq_ignore_ascii_case("all") { None } else { Some(format!("Match {value}")) };
                }
                _ => match &self.current_match {
                    None => {
                        self.facts.settings.entry(key).or_insert(Val::new(value, origin));
                    }
                    Some(m) => self.facts.matched.push(Val::new((key, value, m.clone()), origin)),
                },
            }
        }
    }
}

/// Files matching `pattern` (wildcards in the last component), sorted.
fn glob(root: &HostRoot, pattern: &str) -> Vec<String> {
    let Some((dir, name)) = pattern.rsplit_once('/') else { return vec![] };
    if !name.contains(['*', '?', '[']) {
        return vec![pattern.to_string()];
    }
    let Ok(matcher) = globset::Glob::new(name).map(|g| g.compile_matcher()) else { return vec![] };
    root.list(dir).into_iter().filter(|n| matcher.is_match(n)).map(|n| format!("{dir}/{n}")).collect()
}

pub fn collect(root: &HostRoot) -> Option<SshdFacts> {
    let units: Vec<(String, bool, bool)> = UNITS
        .iter()
        .filter_map(|u| {
            systemd::load(root, u).map(|unit| (u.to_string(), unit.masked, !unit.masked && systemd::enabled(root, u).is_some()))
        })
        .collect();
    let main = "/etc/ssh/sshd_config";
    if units.is_empty() && !root.exists(main) {
        return None;
    }
    let mut reader = Reader { root, facts: SshdFacts { units, main: root.display(main), ..Default::default() }, current_match: None };
    reader.read(main, 0);
    Some(reader.facts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn includes_first_value_and_match() {
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        std::fs::create_dir_all(r.join("etc/ssh/sshd_config.d")).unwrap();
        std::fs::write(
            r.join("etc/ssh/sshd_config"),
            "Include /etc/ssh/sshd_config.d/*.conf\nPermitRootLogin yes\nPasswordAuthentication=no\nMatch User ci\n  PasswordAuthentication yes\n",
        )
        .unwrap();
        std::fs::write(r.join("etc/ssh/sshd_config.d/50-root.conf"), "permitrootlogin no\n").unwrap();
        std::fs::write(r.join("etc/ssh/sshd_config.d/10-first.conf"), "MaxAuthTries 3\nPermitRootLogin prohibit-password\n").unwrap();
        std::fs::write(r.join("etc/ssh/sshd_config.d/x.txt"), "MaxAuthTries 9\n").unwrap();
        let f = collect(&HostRoot::new(r)).unwrap();
        // 10-first.conf sorts before 50-root.conf: its value wins, and both win over the main file.
        assert_eq!(f.settings["permitrootlogin"].value, "prohibit-password");
        assert_eq!(f.settings["maxauthtries"].value, "3");
        assert_eq!(f.settings["passwordauthentication"].value, "no");
        assert_eq!(f.matched[0].value, ("passwordauthentication".into(), "yes".into(), "Match User ci".into()));
        assert_eq!(f.files.len(), 3);
    }
}
