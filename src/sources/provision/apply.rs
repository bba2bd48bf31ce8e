//! The host a config produces: the Flatcar base tree with the config applied as Ignition
//! applies it on first boot (and as Flatcar's first boot finishes it: presets enable units,
//! `kernelArguments` land in the OEM grub.cfg). Every entry the config writes or changes
//! remembers where, so findings point at the config.

use super::{At, Config, Dialect, Node_, Resource};
use crate::sources::host::vfs::{self, Entry, Kind, Place, Placed, Tree};

/// Where Ignition puts units, and where Flatcar's update-ssh-keys reads Ignition's keys.
const UNIT_DIR: &str = "/etc/systemd/system";
/// Flatcar's GRUB reads `set linux_append=...` from the OEM partition.
const OEM_GRUB: &str = "/oem/grub.cfg";

/// The host `config` produces, and what it says of the config along the way (a write that
/// Ignition would refuse at boot).
pub fn host(config: &Config) -> (Tree, Vec<(At, String)>) {
    let mut a = Apply { c: config, tree: super::base::tree(&config.path), notes: Vec::new() };
    // Ignition's files stage makes groups and users first, then files (whose owners they may be).
    a.groups();
    a.users();
    a.filesystems();
    for d in &config.directories {
        let placed = a.placed(d, Vec::new());
        let (uid, gid) = a.owner(d, 0, 0);
        a.tree.insert(&d.path, Entry { kind: Kind::Dir, uid, gid, mode: d.mode.map_or(0o755, |m| m.0), placed });
    }
    for f in &config.files {
        a.file(f);
    }
    for l in &config.links {
        a.overwriting(&l.node);
        let placed = a.placed(&l.node, Vec::new());
        let (uid, gid) = a.owner(&l.node, 0, 0);
        let kind = if l.hard {
            // A hard link is the target's file.
            match a.tree.get(&vfs::normalise(&l.target)) {
                Some(e) => e.kind.clone(),
                None => continue,
            }
        } else {
            Kind::Link(l.target.clone())
        };
        a.tree.insert(&l.node.path, Entry { kind, uid, gid, mode: 0o777, placed });
    }
    a.units();
    a.kernel_arguments();
    (a.tree, a.notes)
}

struct Apply<'c> {
    c: &'c Config,
    tree: Tree,
    notes: Vec<(At, String)>,
}

impl Apply<'_> {
    fn placed(&self, n: &Node_, lines: Vec<Option<Place>>) -> Placed {
        Placed::Config { path: self.c.path.clone(), at: n.at, mode_at: n.mode.map(|m| m.1), lines, created: true }
    }

    /// A config line for a changed line of an image file.
    fn changed(&self, at: At, lines: Vec<Option<Place>>) -> Placed {
        Placed::Config { path: self.c.path.clone(), at, mode_at: None, lines, created: false }
    }

    /// Ignition refuses to replace what is there unless `overwrite: true` (a file it would
    /// only append to, or a directory, is fine).
    fn overwriting(&mut self, n: &Node_) {
        let path = vfs::normalise(&n.path);
        if let Some(e) = self.tree.get(&path)
            && e.kind != Kind::Dir
            && n.overwrite != Some(true)
        {
            let what = if e.placed == Placed::Base { "the Flatcar image has" } else { "the config already wrote" };
            self.notes.push((n.at, format!("{what} {path}, and `overwrite` is not true: Ignition fails at boot")));
        }
        self.tree.remove(&path);
    }

    /// uid and gid of an entry: the config's (by id, or by name through the host's databases).
    fn owner(&mut self, n: &Node_, uid: u32, gid: u32) -> (u32, u32) {
        let mut resolve = |o: &Option<(Result<u32, String>, At)>, db: &str, default: u32| match o {
            None => default,
            Some((Ok(id), _)) => *id,
            Some((Err(name), at)) => match self.lookup(db, name) {
                Some(id) => id,
                None => {
                    self.notes.push((
                        *at,
                        format!("no {} named `{name}` on this host: Ignition fails at boot", if db == "passwd" { "user" } else { "group" }),
                    ));
                    65534
                }
            },
        };
        (resolve(&n.user, "passwd", uid), resolve(&n.group, "group", gid))
    }

    /// The id of user/group `name` in /etc/DB or the image's /usr/share/baselayout/DB.
    fn lookup(&self, db: &str, name: &str) -> Option<u32> {
        if name == "root" {
            return Some(0);
        }
        [format!("/etc/{db}"), format!("/usr/share/baselayout/{db}")].iter().find_map(|p| {
            let text = self.text(p)?;
            text.lines().find_map(|l| {
                let f: Vec<&str> = l.split(':').collect();
                (f.len() > 2 && f[0] == name).then(|| f[2].parse().ok()).flatten()
            })
        })
    }

    fn text(&self, path: &str) -> Option<String> {
        match &self.tree.get(path)?.kind {
            Kind::File(d) => Some(String::from_utf8_lossy(d).into_owned()),
            _ => None,
        }
    }

    fn file(&mut self, f: &super::FileSpec) {
        let path = vfs::normalise(&f.node.path);
        let old = self.tree.get(&path).cloned();
        let (mut data, mut lines, base_mode, base_owner) = match (&f.contents, &old) {
            (Some(r), _) => {
                self.overwriting(&f.node);
                let (d, l) = contents(r);
                (d, l, 0o644, (0, 0))
            }
            // Only appended to: the file as it is (or empty).
            (None, Some(Entry { kind: Kind::File(d), mode, uid, gid, placed })) => {
                let n = count_lines(d);
                let lines = match placed {
                    Placed::Config { lines, .. } => lines.clone(),
                    Placed::Base => vec![None; n],
                };
                (d.to_vec(), lines, *mode, (*uid, *gid))
            }
            (None, _) => (Vec::new(), Vec::new(), 0o644, (0, 0)),
        };
        for piece in &f.append {
            let (d, l) = contents(piece);
            lines.truncate(count_lines(&data));
            data.extend_from_slice(&d);
            lines.extend(l);
        }
        let (uid, gid) = self.owner(&f.node, base_owner.0, base_owner.1);
        let placed = self.placed(&f.node, lines);
        // Contents fetched at boot: the file exists, what it says is not known before.
        let kind = if f.contents.as_ref().is_some_and(|r| r.data.is_none()) || f.append.iter().any(|r| r.data.is_none()) {
            let url =
                f.contents.iter().chain(&f.append).find_map(|r| r.source.as_ref().filter(|_| r.data.is_none())).map(|s| s.value.clone());
            Kind::Remote(super::redact_url(&url.unwrap_or_default()))
        } else {
            Kind::File(data.into())
        };
        self.tree.insert(&path, Entry { kind, uid, gid, mode: f.node.mode.map_or(base_mode, |m| m.0), placed });
    }

    /// Butane's `with_mount_unit`: a `.mount` unit for each file system with a path.
    fn filesystems(&mut self) {
        for fs in self.c.filesystems.iter().filter(|f| f.with_mount_unit && self.c.dialect == Dialect::Butane) {
            let Some(path) = &fs.path else { continue };
            let (name, text) = mount_unit(fs, path);
            let lines = Place::lines(count_lines(text.as_bytes()), fs.at.0, fs.at.1, false);
            let placed = Placed::Config { path: self.c.path.clone(), at: fs.at, mode_at: None, lines, created: true };
            self.tree.insert(
                &format!("{UNIT_DIR}/{name}"),
                Entry { kind: Kind::File(text.into_bytes().into()), uid: 0, gid: 0, mode: 0o644, placed },
            );
            self.enable(&name, fs.at);
        }
    }

    fn units(&mut self) {
        for u in &self.c.units {
            let unit_path = format!("{UNIT_DIR}/{}", u.name);
            if let Some(r) = &u.contents {
                let (data, lines) = contents(r);
                let placed = Placed::Config { path: self.c.path.clone(), at: u.at, mode_at: None, lines, created: true };
                self.tree.remove(&unit_path);
                self.tree.insert(&unit_path, Entry { kind: Kind::File(data.into()), uid: 0, gid: 0, mode: 0o644, placed });
            }
            for (name, at, r) in &u.dropins {
                let Some(r) = r else { continue };
                let (data, lines) = contents(r);
                let placed = Placed::Config { path: self.c.path.clone(), at: *at, mode_at: None, lines, created: true };
                self.tree
                    .insert(&format!("{unit_path}.d/{name}"), Entry { kind: Kind::File(data.into()), uid: 0, gid: 0, mode: 0o644, placed });
            }
            match u.enabled {
                Some((true, at)) => self.enable(&u.name, at),
                Some((false, _)) => {
                    // Presets disable what /etc enables; what the image enables in /usr stays.
                    for dir in self.tree.children(UNIT_DIR).into_iter().filter(|d| d.ends_with(".wants") || d.ends_with(".requires")) {
                        self.tree.remove(&format!("{UNIT_DIR}/{dir}/{}", u.name));
                    }
                }
                None => {}
            }
            if let Some((true, at)) = u.mask {
                let lines = Place::lines(1, at.0, at.1, false);
                let placed = Placed::Config { path: self.c.path.clone(), at, mode_at: None, lines, created: true };
                self.tree.remove(&unit_path);
                self.tree.insert(&unit_path, Entry { kind: Kind::Link("/dev/null".into()), uid: 0, gid: 0, mode: 0o777, placed });
            }
        }
    }

    /// Enable unit `name` as its [Install] section says (Ignition writes a preset; Flatcar's
    /// first boot applies it): a link in each WantedBy/RequiredBy target's directory.
    fn enable(&mut self, name: &str, at: At) {
        let fragment =
            [format!("{UNIT_DIR}/{name}"), format!("/usr/lib/systemd/system/{name}")].into_iter().find(|p| self.tree.get(p).is_some());
        let Some(fragment) = fragment else {
            self.notes.push((at, format!("unit {name} is enabled but neither the config nor the image has it")));
            return;
        };
        let text = self.text(&fragment).unwrap_or_default();
        let mut section = "";
        for line in text.lines().map(str::trim) {
            if line.starts_with('[') {
                section = if line == "[Install]" { "install" } else { "" };
                continue;
            }
            let Some((k, v)) = line.split_once('=') else { continue };
            let dir = match (section, k.trim()) {
                ("install", "WantedBy") => "wants",
                ("install", "RequiredBy") => "requires",
                _ => continue,
            };
            for target in v.split_whitespace() {
                let lines = Place::lines(1, at.0, at.1, false);
                let placed = Placed::Config { path: self.c.path.clone(), at, mode_at: None, lines, created: true };
                self.tree.insert(
                    &format!("{UNIT_DIR}/{target}.{dir}/{name}"),
                    Entry { kind: Kind::Link(fragment.clone()), uid: 0, gid: 0, mode: 0o777, placed },
                );
            }
        }
    }

    /// Change the lines of image file `path`: `edit` gets (text lines, their places).
    fn edit(&mut self, path: &str, at: At, edit: impl FnOnce(&mut Vec<String>, &mut Vec<Option<Place>>)) {
        let old = self.tree.get(path).cloned();
        let text = old.as_ref().and_then(|e| match &e.kind {
            Kind::File(d) => Some(String::from_utf8_lossy(d).into_owned()),
            _ => None,
        });
        let mut lines: Vec<String> = text.unwrap_or_default().lines().map(str::to_string).collect();
        let mut places = match old.as_ref().map(|e| &e.placed) {
            Some(Placed::Config { lines, .. }) => lines.clone(),
            _ => vec![None; lines.len()],
        };
        places.resize(lines.len(), None);
        edit(&mut lines, &mut places);
        let mut data = lines.join("\n");
        data.push('\n');
        let (mode, uid, gid) = old.as_ref().map_or((0o644, 0, 0), |e| (e.mode, e.uid, e.gid));
        let placed = match old.map(|e| e.placed) {
            Some(Placed::Config { at, mode_at, created, .. }) => {
                Placed::Config { path: self.c.path.clone(), at, mode_at, lines: places, created }
            }
            _ => self.changed(at, places),
        };
        self.tree.insert(path, Entry { kind: Kind::File(data.into_bytes().into()), uid, gid, mode, placed });
    }

    fn groups(&mut self) {
        for g in &self.c.groups {
            let place = Some(Place { line: g.at.0, col: g.at.1, block: false, nth: 0 });
            let (name, gid) = (g.name.clone(), g.gid);
            let exists = g.should_exist;
            self.edit("/etc/group", g.at, |lines, places| {
                if let Some(i) = lines.iter().position(|l| l.split(':').next() == Some(&name)) {
                    lines.remove(i);
                    places.remove(i);
                }
                if exists {
                    lines.push(format!("{name}:x:{}:", gid.unwrap_or(1000)));
                    places.push(place);
                }
            });
        }
    }

    fn users(&mut self) {
        for u in &self.c.users {
            let name = u.name.clone();
            // The user as the image has it (Flatcar's core is in /etc/passwd and baselayout).
            let image = ["/etc/passwd", "/usr/share/baselayout/passwd"]
                .iter()
                .find_map(|p| self.text(p)?.lines().find(|l| l.split(':').next() == Some(&name)).map(str::to_string));
            if !u.should_exist {
                for (file, at) in [("/etc/passwd", u.at), ("/etc/shadow", u.at)] {
                    let name = name.clone();
                    self.edit(file, at, |lines, places| {
                        if let Some(i) = lines.iter().position(|l| l.split(':').next() == Some(&name)) {
                            lines.remove(i);
                            places.remove(i);
                        }
                    });
                }
                continue;
            }
            let image_missing = image.is_none();
            let mut f: Vec<String> = image
                .unwrap_or_else(|| format!("{name}:x:{uid}:{uid}::/home/{name}:/bin/bash", uid = u.uid.unwrap_or(1000)))
                .split(':')
                .map(str::to_string)
                .collect();
            f.resize(7, String::new());
            if let Some(uid) = u.uid {
                f[2] = uid.to_string();
            }
            if let Some(g) = &u.gecos {
                f[4] = g.clone();
            }
            if let Some(h) = &u.home_dir {
                f[5] = h.clone();
            }
            if let Some((s, _)) = &u.shell {
                f[6] = s.clone();
            }
            let passwd_at = u.shell.as_ref().map_or(u.at, |s| s.1);
            let changed = image_missing || u.shell.is_some() || u.uid.is_some() || u.gecos.is_some() || u.home_dir.is_some();
            let line = f.join(":");
            let home = f[5].clone();
            let uid: u32 = f[2].parse().unwrap_or(1000);
            // A user the config only gives keys or groups keeps the image's line (and origin).
            if changed {
                self.set_line("/etc/passwd", &name, line, passwd_at);
            }
            if let Some((at, set)) = u.password_hash {
                // The hash itself never enters the tree: its state does.
                let state = if set { "$6$cbench$set-by-the-config" } else { "" };
                self.set_line("/etc/shadow", &name, format!("{name}:{state}:19000:0:99999:7:::"), at);
            } else if !self.text("/etc/shadow").unwrap_or_default().lines().any(|l| l.split(':').next() == Some(&name)) {
                self.set_line("/etc/shadow", &name, format!("{name}:*:19000:0:99999:7:::"), u.at);
            }
            for (group, at) in &u.groups {
                self.add_member(group, &name, *at);
            }
            if !u.ssh_keys.is_empty() {
                let keys: String = u.ssh_keys.iter().map(|(k, _)| format!("{k}\n")).collect();
                let lines = u.ssh_keys.iter().map(|(_, at)| Some(Place { line: at.0, col: at.1, block: false, nth: 0 })).collect();
                let placed = Placed::Config { path: self.c.path.clone(), at: u.at, mode_at: None, lines, created: true };
                self.tree.insert(
                    &format!("{home}/.ssh/authorized_keys.d/ignition"),
                    Entry { kind: Kind::File(keys.into_bytes().into()), uid, gid: uid, mode: 0o600, placed },
                );
            }
        }
    }

    /// Put `line` for `name` in `file` (replacing its line, else at the end).
    fn set_line(&mut self, file: &str, name: &str, line: String, at: At) {
        let place = Some(Place { line: at.0, col: at.1, block: false, nth: 0 });
        let name = name.to_string();
        self.edit(file, at, |lines, places| match lines.iter().position(|l| l.split(':').next() == Some(&name)) {
            Some(i) => {
                lines[i] = line;
                places[i] = place;
            }
            None => {
                lines.push(line);
                places.push(place);
            }
        });
    }

    /// `usermod -aG group user`: the group's line goes to /etc/group (from the image's
    /// read-only database when only there) with the user added.
    fn add_member(&mut self, group: &str, user: &str, at: At) {
        let image = ["/etc/group", "/usr/share/baselayout/group"]
            .iter()
            .find_map(|p| self.text(p)?.lines().find(|l| l.split(':').next() == Some(group)).map(str::to_string));
        let Some(line) = image else {
            self.notes.push((at, format!("no group `{group}` on this host: Ignition fails at boot")));
            return;
        };
        let mut f: Vec<String> = line.split(':').map(str::to_string).collect();
        f.resize(4, String::new());
        if !f[3].split(',').any(|m| m == user) {
            f[3] = if f[3].is_empty() { user.to_string() } else { format!("{},{user}", f[3]) };
        }
        self.set_line("/etc/group", group, f.join(":"), at);
    }

    /// `kernel_arguments`: Flatcar's Ignition writes them into the OEM grub.cfg.
    fn kernel_arguments(&mut self) {
        let (add, remove) = (self.c.kargs_add.clone(), self.c.kargs_remove.clone());
        if add.is_empty() && remove.is_empty() {
            return;
        }
        let at = add.first().or(remove.first()).map(|a| a.1).unwrap_or((1, 1));
        self.edit(OEM_GRUB, at, |lines, places| {
            for (arg, _) in &remove {
                for l in lines.iter_mut() {
                    if l.trim_start().starts_with("set linux_append=") {
                        *l = l.replace(&format!(" {arg}"), "");
                    }
                }
            }
            for (arg, at) in &add {
                lines.push(format!("set linux_append=\"$linux_append {arg}\""));
                places.push(Some(Place { line: at.0, col: at.1, block: false, nth: 0 }));
            }
        });
    }
}

/// A resource's bytes and line places (a remote one: nothing yet).
fn contents(r: &Resource) -> (Vec<u8>, Vec<Option<Place>>) {
    (r.data.clone().unwrap_or_default(), r.lines.clone())
}

fn count_lines(d: &[u8]) -> usize {
    d.split(|b| *b == b'\n').count() - usize::from(d.ends_with(b"\n"))
}

/// The mount unit Butane's `with_mount_unit` writes for file system `fs` at `path`: (name, text).
pub fn mount_unit(fs: &super::FsSpec, path: &str) -> (String, String) {
    let mut text = format!(
        "[Unit]\nRequires=systemd-fsck@{dev}.service\nAfter=systemd-fsck@{dev}.service\n\n[Mount]\nWhere={path}\nWhat={}\nType={}\n",
        fs.device,
        fs.format,
        dev = systemd_escape(&fs.device)
    );
    if !fs.mount_options.is_empty() {
        text.push_str(&format!("Options={}\n", fs.mount_options.join(",")));
    }
    text.push_str("\n[Install]\nRequiredBy=local-fs.target\n");
    (format!("{}.mount", systemd_escape(path)), text)
}

/// `systemd-escape --path`: `/var/lib/docker` is `var-lib-docker`.
pub fn systemd_escape(path: &str) -> String {
    let trimmed = path.trim_matches('/');
    if trimmed.is_empty() {
        return "-".into();
    }
    let mut out = String::new();
    for (i, c) in trimmed.chars().enumerate() {
        match c {
            '/' => out.push('-'),
            c if c.is_ascii_alphanumeric() || c == '_' || (c == '.' && i > 0) || c == ':' => out.push(c),
            c => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("\\x{b:02x}"));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_unit_names() {
        assert_eq!(systemd_escape("/var/lib/docker"), "var-lib-docker");
        assert_eq!(systemd_escape("/dev/disk/by-label/docker"), "dev-disk-by\\x2dlabel-docker");
    }
}
