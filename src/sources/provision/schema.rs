//! What a config may say: Butane's spec (flatcar 1.0.0 and 1.1.0; fcos 1.0.0–1.5.0 where its
//! fields are Flatcar's) as a table checked here, with positions; Ignition 3.0–3.4 checked by
//! the `ignition-config` crate. What the specs refuse, `butane` and Ignition refuse: an input
//! error, never a config audited in part.

use super::{At, Config, Dialect};
use crate::sources::compose::yaml::{Kind, Node};

/// The kind of value a key takes.
pub enum Shape {
    Str,
    Int,
    Bool,
    List(&'static Shape),
    Map(&'static [(&'static str, Shape)]),
    /// Accepted as Butane takes it, not judged (disks, RAID, LUKS details, fcos sugar).
    Any,
}

use Shape::*;

const HEADER: &[(&str, Shape)] = &[("name", Str), ("value", Str)];
const VERIFICATION: &[(&str, Shape)] = &[("hash", Str)];
const RESOURCE: &[(&str, Shape)] = &[
    ("source", Str),
    ("inline", Str),
    ("local", Str),
    ("compression", Str),
    ("http_headers", List(&Map(HEADER))),
    ("verification", Map(VERIFICATION)),
];
const OWNER: &[(&str, Shape)] = &[("id", Int), ("name", Str)];
const FILE: &[(&str, Shape)] = &[
    ("path", Str),
    ("overwrite", Bool),
    ("contents", Map(RESOURCE)),
    ("append", List(&Map(RESOURCE))),
    ("mode", Int),
    ("user", Map(OWNER)),
    ("group", Map(OWNER)),
];
const DIRECTORY: &[(&str, Shape)] = &[("path", Str), ("overwrite", Bool), ("mode", Int), ("user", Map(OWNER)), ("group", Map(OWNER))];
const LINK: &[(&str, Shape)] =
    &[("path", Str), ("overwrite", Bool), ("user", Map(OWNER)), ("group", Map(OWNER)), ("target", Str), ("hard", Bool)];
const FILESYSTEM: &[(&str, Shape)] = &[
    ("device", Str),
    ("format", Str),
    ("path", Str),
    ("wipe_filesystem", Bool),
    ("label", Str),
    ("uuid", Str),
    ("options", List(&Str)),
    ("mount_options", List(&Str)),
    ("with_mount_unit", Bool),
];
const TREE: &[(&str, Shape)] = &[("local", Str), ("path", Str)];
const STORAGE: &[(&str, Shape)] = &[
    ("disks", Any),
    ("raid", Any),
    ("filesystems", List(&Map(FILESYSTEM))),
    ("files", List(&Map(FILE))),
    ("directories", List(&Map(DIRECTORY))),
    ("links", List(&Map(LINK))),
    ("luks", Any),
    ("trees", List(&Map(TREE))),
];
const DROPIN: &[(&str, Shape)] = &[("name", Str), ("contents", Str), ("contents_local", Str)];
const UNIT: &[(&str, Shape)] =
    &[("name", Str), ("enabled", Bool), ("mask", Bool), ("contents", Str), ("contents_local", Str), ("dropins", List(&Map(DROPIN)))];
const SYSTEMD: &[(&str, Shape)] = &[("units", List(&Map(UNIT)))];
const USER: &[(&str, Shape)] = &[
    ("name", Str),
    ("password_hash", Str),
    ("ssh_authorized_keys", List(&Str)),
    ("ssh_authorized_keys_local", Str),
    ("uid", Int),
    ("gecos", Str),
    ("home_dir", Str),
    ("no_create_home", Bool),
    ("primary_group", Str),
    ("groups", List(&Str)),
    ("no_user_group", Bool),
    ("no_log_init", Bool),
    ("shell", Str),
    ("should_exist", Bool),
    ("system", Bool),
];
const GROUP: &[(&str, Shape)] = &[("name", Str), ("gid", Int), ("password_hash", Str), ("should_exist", Bool), ("system", Bool)];
const PASSWD: &[(&str, Shape)] = &[("users", List(&Map(USER))), ("groups", List(&Map(GROUP)))];
const KARGS: &[(&str, Shape)] = &[("should_exist", List(&Str)), ("should_not_exist", List(&Str))];
const CONFIG_REF: &[(&str, Shape)] = &[("merge", List(&Map(RESOURCE))), ("replace", Map(RESOURCE))];
const TLS: &[(&str, Shape)] = &[("certificate_authorities", List(&Map(RESOURCE)))];
const SECURITY: &[(&str, Shape)] = &[("tls", Map(TLS))];
const IGNITION: &[(&str, Shape)] = &[("config", Map(CONFIG_REF)), ("timeouts", Any), ("security", Map(SECURITY)), ("proxy", Any)];
const TOP: &[(&str, Shape)] = &[
    ("variant", Str),
    ("version", Str),
    ("ignition", Map(IGNITION)),
    ("storage", Map(STORAGE)),
    ("systemd", Map(SYSTEMD)),
    ("passwd", Map(PASSWD)),
    ("kernel_arguments", Map(KARGS)),
    // fcos only: sugar for the boot disk and GRUB, accepted with variant fcos, not judged.
    ("boot_device", Any),
    ("grub", Any),
];

/// Keys that Butane's flatcar 1.1.0 added over 1.0.0.
const SINCE_1_1: &[&str] = &["contents_local", "ssh_authorized_keys_local", "discard", "open_options"];

/// The Ignition version a Butane variant and version translate to, or why it is refused.
pub fn butane_version(root: &Node) -> Result<String, (At, String)> {
    let pos = |n: &Node| (n.pos.line, n.pos.col);
    let top = (root.pos.line, root.pos.col);
    let variant = root.get("variant").ok_or((top, "missing `variant` (flatcar)".to_string()))?;
    let version = root.get("version").ok_or((top, "missing `version` (1.0.0 or 1.1.0)".to_string()))?;
    let (v, ver) = (variant.as_str().unwrap_or_default(), version.as_str().unwrap_or_default());
    let ignition = match (v, ver) {
        ("flatcar", "1.0.0") => "3.3.0",
        ("flatcar", "1.1.0") => "3.4.0",
        ("fcos", "1.0.0") => "3.0.0",
        ("fcos", "1.1.0") => "3.1.0",
        ("fcos", "1.2.0" | "1.3.0") => "3.2.0",
        ("fcos", "1.4.0") => "3.3.0",
        ("fcos", "1.5.0") => "3.4.0",
        ("flatcar" | "fcos", _) => {
            return Err((
                pos(version),
                format!("unsupported {v} version `{ver}` (cbench reads flatcar 1.0.0 and 1.1.0, fcos 1.0.0 to 1.5.0)"),
            ));
        }
        _ => {
            return Err((
                pos(variant),
                format!("unsupported variant `{v}` (cbench reads flatcar, and fcos where its fields are Flatcar's)"),
            ));
        }
    };
    Ok(format!("{v} {ver} (Ignition {ignition})"))
}

/// Every place where a Butane config leaves its spec: unknown keys, values of the wrong kind,
/// keys newer than its version, fcos-only keys under flatcar.
pub fn butane(root: &Node) -> Vec<(At, String)> {
    let mut errors = Vec::new();
    let flatcar_1_0 =
        root.get("variant").and_then(Node::as_str) == Some("flatcar") && root.get("version").and_then(Node::as_str) == Some("1.0.0");
    let flatcar = root.get("variant").and_then(Node::as_str) == Some("flatcar");
    walk(root, &Map(TOP), "", &mut errors, &|key, path| {
        if flatcar_1_0 && SINCE_1_1.contains(&key) {
            return Some(format!("`{path}` is new in flatcar 1.1.0; this config says version 1.0.0"));
        }
        if flatcar && matches!(key, "boot_device" | "grub") && !path.contains('.') {
            return Some(format!("`{key}` is fcos-only: not in the flatcar variant"));
        }
        None
    });
    errors
}

fn walk(n: &Node, shape: &Shape, path: &str, errors: &mut Vec<(At, String)>, extra: &dyn Fn(&str, &str) -> Option<String>) {
    let at = (n.pos.line, n.pos.col);
    if n.is_null() && !matches!(shape, Map(_) if path.is_empty()) {
        return;
    }
    let wrong = |want: &str| (at, format!("`{}` must be {want}, not {}", if path.is_empty() { "the config" } else { path }, n.type_name()));
    match shape {
        Any => {}
        Str => {
            if n.as_str().is_none() {
                errors.push(wrong("a string"));
            }
        }
        Int => {
            if integer(n, Dialect::Butane).is_none() {
                errors.push(wrong("an integer"));
            }
        }
        Bool => {
            if boolean(n).is_none() {
                errors.push(wrong("true or false"));
            }
        }
        List(item) => match n.as_seq() {
            Some(items) => {
                for (i, it) in items.iter().enumerate() {
                    walk(it, item, &format!("{path}[{i}]"), errors, extra);
                }
            }
            None => errors.push(wrong("a list")),
        },
        Map(fields) => match n.as_map() {
            Some(entries) => {
                for (k, v) in entries {
                    let key_path = if path.is_empty() { k.name.to_string() } else { format!("{path}.{}", k.name) };
                    match fields.iter().find(|(name, _)| *name == &*k.name) {
                        Some((_, s)) => {
                            if let Some(msg) = extra(&k.name, &key_path) {
                                errors.push(((k.pos.line, k.pos.col), msg));
                            }
                            walk(v, s, &key_path, errors, extra);
                        }
                        None => errors.push(((k.pos.line, k.pos.col), format!("unknown key `{key_path}`"))),
                    }
                }
            }
            None => errors.push(wrong("a mapping")),
        },
    }
}

/// A YAML/JSON boolean.
pub fn boolean(n: &Node) -> Option<bool> {
    match &n.kind {
        Kind::Scalar { text, plain: true } => match &**text {
            "true" | "True" | "TRUE" => Some(true),
            "false" | "False" | "FALSE" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// A YAML integer as Butane reads it (`0644` and `0o644` are octal, `0x` hex), or a JSON number.
pub fn integer(n: &Node, dialect: Dialect) -> Option<i64> {
    let Kind::Scalar { text, plain: true } = &n.kind else { return None };
    let t = text.trim();
    let (neg, t) = t.strip_prefix('-').map_or((false, t.strip_prefix('+').unwrap_or(t)), |r| (true, r));
    let v = if dialect == Dialect::Ignition {
        t.parse::<i64>().ok()?
    } else if let Some(o) = t.strip_prefix("0o") {
        i64::from_str_radix(o, 8).ok()?
    } else if let Some(h) = t.strip_prefix("0x") {
        i64::from_str_radix(h, 16).ok()?
    } else if t.len() > 1 && t.starts_with('0') {
        i64::from_str_radix(&t[1..], 8).ok()?
    } else {
        t.parse::<i64>().ok()?
    };
    Some(if neg { -v } else { v })
}

/// Check an Ignition config with the `ignition-config` crate (its structs per spec version):
/// its version (3.0–3.4), kinds, unknown keys (placed on the key in `root`).
pub fn ignition(text: &str, root: &Node) -> Result<String, Vec<(At, String)>> {
    let top = (root.pos.line, root.pos.col);
    let version = root.get("ignition").and_then(|i| i.get("version")).and_then(Node::as_str).unwrap_or_default().to_string();
    let supported = ["3.0.0", "3.1.0", "3.2.0", "3.3.0", "3.4.0"];
    if !version.is_empty() && !supported.contains(&version.as_str()) {
        let at = root.get("ignition").and_then(|i| i.get("version")).map_or(top, |v| (v.pos.line, v.pos.col));
        return Err(vec![(at, format!("unsupported Ignition version `{version}` (cbench reads 3.0.0 to 3.4.0)"))]);
    }
    match ignition_config::Config::parse_str(text) {
        Ok((_, warnings)) => {
            let errors: Vec<(At, String)> = warnings
                .iter()
                .map(|w| {
                    let ignition_config::Warning::UnusedKey(path) = w else { return (top, w.to_string()) };
                    (
                        key_position(root, path).unwrap_or(top),
                        format!("unknown key `{}` in Ignition {version}", path.trim_start_matches("$.")),
                    )
                })
                .collect();
            if errors.is_empty() { Ok(format!("Ignition {version}")) } else { Err(errors) }
        }
        Err(ignition_config::Error::Serialization(e)) => {
            let msg = e.to_string();
            let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
            Err(vec![((e.line().max(1) as u32, e.column().max(1) as u32), format!("not a valid Ignition config: {msg}"))])
        }
        Err(e) => Err(vec![(top, e.to_string())]),
    }
}

/// The position of the key at `$.a.0.b` in `root`.
fn key_position(root: &Node, path: &str) -> Option<At> {
    let mut node = root;
    let mut last = None;
    for part in path.trim_start_matches('$').split('.').filter(|p| !p.is_empty()) {
        if let Ok(i) = part.parse::<usize>() {
            node = node.as_seq()?.get(i)?;
            last = Some((node.pos.line, node.pos.col));
        } else {
            let (k, v) = node.get_entry(part)?;
            last = Some((k.pos.line, k.pos.col));
            node = v;
        }
    }
    last
}

/// Paths written twice, units, drop-ins, users and groups declared twice: Butane and Ignition
/// refuse them.
pub fn duplicates(c: &Config) -> Vec<(At, String)> {
    let mut errors = Vec::new();
    let mut seen: std::collections::HashMap<String, At> = Default::default();
    let nodes = c.files.iter().map(|f| &f.node).chain(c.directories.iter()).chain(c.links.iter().map(|l| &l.node));
    for n in nodes {
        let path = crate::sources::host::vfs::normalise(&n.path);
        if let Some(first) = seen.insert(path.clone(), n.at) {
            errors.push((n.at, format!("duplicate path {path} (also at line {})", first.0)));
        }
    }
    let mut once = |kind: &str, items: Vec<(String, At)>| {
        let mut seen: std::collections::HashMap<String, At> = Default::default();
        for (name, at) in items {
            if let Some(first) = seen.insert(name.clone(), at) {
                errors.push((at, format!("duplicate {kind} {name} (also at line {})", first.0)));
            }
        }
    };
    once("unit", c.units.iter().map(|u| (u.name.clone(), u.at)).collect());
    for u in &c.units {
        once("drop-in", u.dropins.iter().map(|(n, at, _)| (format!("{}/{n}", u.name), *at)).collect());
    }
    once("user", c.users.iter().map(|u| (u.name.clone(), u.at)).collect());
    once("group", c.groups.iter().map(|g| (g.name.clone(), g.at)).collect());
    for f in &c.files {
        if !f.node.path.starts_with('/') {
            errors.push((f.node.at, format!("path `{}` is not absolute", f.node.path)));
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::compose::yaml;

    fn errors(src: &str) -> Vec<(At, String)> {
        let root = yaml::parse(src, 0).unwrap().remove(0);
        butane(&root)
    }

    #[test]
    fn butane_spec_is_enforced_with_positions() {
        let src = "variant: flatcar\nversion: 1.0.0\nstorage:\n  files:\n    - path: /x\n      mdoe: 0644\n      overwrite: yes\nsystemd:\n  units:\n    - name: a.service\n      contents_local: a\n";
        assert_eq!(
            errors(src),
            [
                ((6, 7), "unknown key `storage.files[0].mdoe`".to_string()),
                ((7, 18), "`storage.files[0].overwrite` must be true or false, not a scalar".to_string()),
                ((11, 7), "`systemd.units[0].contents_local` is new in flatcar 1.1.0; this config says version 1.0.0".to_string()),
            ]
        );
        let root = yaml::parse("variant: flatcar\nversion: 2.0.0\n", 0).unwrap().remove(0);
        assert_eq!(butane_version(&root).unwrap_err().0, (2, 10));
    }

    #[test]
    fn integers_as_butane_reads_them() {
        let n = |s: &str| yaml::parse(&format!("k: {s}"), 0).unwrap().remove(0).get("k").cloned().unwrap();
        assert_eq!(integer(&n("0644"), Dialect::Butane), Some(0o644));
        assert_eq!(integer(&n("0o600"), Dialect::Butane), Some(0o600));
        assert_eq!(integer(&n("420"), Dialect::Butane), Some(420));
        assert_eq!(integer(&n("420"), Dialect::Ignition), Some(420));
        assert_eq!(integer(&n("'420'"), Dialect::Butane), None);
    }
}
