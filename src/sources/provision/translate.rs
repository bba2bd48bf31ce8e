//! A Butane config as Ignition JSON, for the test that holds `cbench butane X.bu` and
//! `cbench ignition X.ign` to the same findings, with `ignition-validate` as the judge of the
//! JSON (no `butane` binary is packaged for this machine's registries). What Butane desugars,
//! this does too: `inline`/`local` become `data:` URLs, `with_mount_unit` a mount unit, trees
//! files. Positions are not carried over.

use serde_json::{Map, Value, json};

use super::{Config, Resource, apply::mount_unit};

/// The Ignition version a Butane config translates to.
fn version(c: &Config) -> &str {
    c.version.split("Ignition ").nth(1).and_then(|v| v.strip_suffix(')')).unwrap_or("3.3.0")
}

fn resource(r: &Resource) -> Value {
    let mut m = Map::new();
    match (&r.source, &r.data) {
        (Some(s), _) if !s.value.starts_with("data:") => {
            m.insert("source".into(), json!(s.value));
        }
        (_, Some(d)) => {
            m.insert("source".into(), json!(format!("data:,{}", percent_encode(d))));
        }
        _ => {}
    }
    if let Some(h) = &r.hash {
        m.insert("verification".into(), json!({ "hash": h }));
    }
    if !r.headers.is_empty() {
        // Header values are never kept: a placeholder stands for each.
        m.insert("httpHeaders".into(), r.headers.iter().map(|h| json!({ "name": h.value, "value": "(not kept)" })).collect());
    }
    Value::Object(m)
}

fn percent_encode(d: &[u8]) -> String {
    d.iter()
        .map(|b| if b.is_ascii_alphanumeric() || b"-_.~/".contains(b) { (*b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

fn node(n: &super::Node_) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("path".into(), json!(n.path));
    if let Some((mode, _)) = n.mode {
        m.insert("mode".into(), json!(mode));
    }
    if let Some(o) = n.overwrite {
        m.insert("overwrite".into(), json!(o));
    }
    for (key, owner) in [("user", &n.user), ("group", &n.group)] {
        match owner {
            Some((Ok(id), _)) => m.insert(key.into(), json!({ "id": id })),
            Some((Err(name), _)) => m.insert(key.into(), json!({ "name": name })),
            None => None,
        };
    }
    m
}

/// The Ignition config `c` translates to.
pub fn to_ignition(c: &Config) -> Value {
    let mut files = Vec::new();
    for f in &c.files {
        let mut m = node(&f.node);
        if let Some(r) = &f.contents {
            m.insert("contents".into(), resource(r));
        }
        if !f.append.is_empty() {
            m.insert("append".into(), f.append.iter().map(resource).collect());
        }
        files.push(Value::Object(m));
    }
    let links: Vec<Value> = c
        .links
        .iter()
        .map(|l| {
            let mut m = node(&l.node);
            m.insert("target".into(), json!(l.target));
            if l.hard {
                m.insert("hard".into(), json!(true));
            }
            Value::Object(m)
        })
        .collect();
    let mut units: Vec<Value> = Vec::new();
    let mut filesystems = Vec::new();
    for fs in &c.filesystems {
        let mut m = Map::new();
        m.insert("device".into(), json!(fs.device));
        m.insert("format".into(), json!(fs.format));
        if let Some(p) = &fs.path {
            m.insert("path".into(), json!(p));
            if fs.with_mount_unit {
                let (name, text) = mount_unit(fs, p);
                units.push(json!({ "name": name, "enabled": true, "contents": text }));
            }
        }
        if !fs.mount_options.is_empty() {
            m.insert("mountOptions".into(), json!(fs.mount_options));
        }
        filesystems.push(Value::Object(m));
    }
    for u in &c.units {
        let mut m = Map::new();
        m.insert("name".into(), json!(u.name));
        if let Some((e, _)) = u.enabled {
            m.insert("enabled".into(), json!(e));
        }
        if let Some((mask, _)) = u.mask {
            m.insert("mask".into(), json!(mask));
        }
        let text = |r: &Resource| String::from_utf8_lossy(r.data.as_deref().unwrap_or_default()).into_owned();
        if let Some(r) = &u.contents {
            m.insert("contents".into(), json!(text(r)));
        }
        if !u.dropins.is_empty() {
            let d: Vec<Value> = u
                .dropins
                .iter()
                .map(|(name, _, r)| match r {
                    Some(r) => json!({ "name": name, "contents": text(r) }),
                    None => json!({ "name": name }),
                })
                .collect();
            m.insert("dropins".into(), json!(d));
        }
        units.push(Value::Object(m));
    }
    let users: Vec<Value> = c
        .users
        .iter()
        .map(|u| {
            let mut m = Map::new();
            m.insert("name".into(), json!(u.name));
            if u.password_hash.is_some_and(|p| p.1) {
                // The hash is not kept: a placeholder of the same state.
                m.insert("passwordHash".into(), json!("$6$cbench$set-by-the-config"));
            }
            if !u.ssh_keys.is_empty() {
                m.insert("sshAuthorizedKeys".into(), u.ssh_keys.iter().map(|k| json!(k.0)).collect());
            }
            if let Some(uid) = u.uid {
                m.insert("uid".into(), json!(uid));
            }
            for (key, v) in [("gecos", &u.gecos), ("homeDir", &u.home_dir), ("primaryGroup", &u.primary_group)] {
                if let Some(v) = v {
                    m.insert(key.into(), json!(v));
                }
            }
            if !u.groups.is_empty() {
                m.insert("groups".into(), u.groups.iter().map(|g| json!(g.0)).collect());
            }
            if let Some((s, _)) = &u.shell {
                m.insert("shell".into(), json!(s));
            }
            if !u.should_exist {
                m.insert("shouldExist".into(), json!(false));
            }
            Value::Object(m)
        })
        .collect();
    let groups: Vec<Value> = c
        .groups
        .iter()
        .map(|g| {
            let mut m = Map::new();
            m.insert("name".into(), json!(g.name));
            if let Some(gid) = g.gid {
                m.insert("gid".into(), json!(gid));
            }
            if !g.should_exist {
                m.insert("shouldExist".into(), json!(false));
            }
            Value::Object(m)
        })
        .collect();
    let mut out = json!({ "ignition": { "version": version(c) } });
    let mut config = Map::new();
    if !c.merge.is_empty() {
        config.insert("merge".into(), c.merge.iter().map(resource).collect());
    }
    if let Some(r) = &c.replace {
        config.insert("replace".into(), resource(r));
    }
    if !config.is_empty() {
        out["ignition"]["config"] = Value::Object(config);
    }
    if !c.cas.is_empty() {
        out["ignition"]["security"] = json!({ "tls": { "certificateAuthorities": c.cas.iter().map(resource).collect::<Vec<_>>() } });
    }
    let mut storage = Map::new();
    for (k, v) in [("filesystems", filesystems), ("files", files), ("links", links)] {
        if !v.is_empty() {
            storage.insert(k.into(), Value::Array(v));
        }
    }
    if !c.directories.is_empty() {
        storage.insert("directories".into(), c.directories.iter().map(|d| Value::Object(node(d))).collect());
    }
    if !storage.is_empty() {
        out["storage"] = Value::Object(storage);
    }
    if !units.is_empty() {
        out["systemd"] = json!({ "units": units });
    }
    if !users.is_empty() || !groups.is_empty() {
        let mut p = Map::new();
        if !users.is_empty() {
            p.insert("users".into(), Value::Array(users));
        }
        if !groups.is_empty() {
            p.insert("groups".into(), Value::Array(groups));
        }
        out["passwd"] = Value::Object(p);
    }
    if !c.kargs_add.is_empty() || !c.kargs_remove.is_empty() {
        out["kernelArguments"] = json!({
            "shouldExist": c.kargs_add.iter().map(|a| &a.0).collect::<Vec<_>>(),
            "shouldNotExist": c.kargs_remove.iter().map(|a| &a.0).collect::<Vec<_>>(),
        });
    }
    out
}
