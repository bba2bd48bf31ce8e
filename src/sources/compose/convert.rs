//! A resolved Compose service (merged, interpolated, extended) to a `ContainerSpec`.
//! Values are read as Compose reads them; every value keeps the position that declared it.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use super::yaml::{Kind, Node, Pos};
use crate::model::*;

pub struct Ctx<'a> {
    pub paths: &'a [Arc<str>],
    /// Directory of each file, against which relative bind paths resolve.
    pub dirs: &'a [PathBuf],
    pub home: Option<String>,
    /// Named volumes of the `local` driver that bind a host path (`driver_opts: {type: none,
    /// o: bind, device: PATH}`), by name, with the path resolved.
    pub bind_volumes: &'a HashMap<String, String>,
    /// Defaults written in `${VAR:-value}` templates, by the scalar that holds them.
    pub defaults: &'a HashMap<Pos, String>,
    pub errors: Vec<(Pos, String)>,
    service: String,
}

impl<'a> Ctx<'a> {
    pub fn new(
        paths: &'a [Arc<str>],
        dirs: &'a [PathBuf],
        home: Option<String>,
        bind_volumes: &'a HashMap<String, String>,
        defaults: &'a HashMap<Pos, String>,
    ) -> Self {
        Ctx { paths, dirs, home, bind_volumes, defaults, errors: Vec::new(), service: String::new() }
    }

    pub fn origin(&self, pos: Pos) -> Origin {
        Origin::file(&self.paths[pos.file as usize], pos.line, pos.col)
    }

    fn val<T>(&self, value: T, node: &Node) -> Val<T> {
        Val::new(value, self.origin(node.pos))
    }

    fn err(&mut self, node: &Node, field: &str, msg: impl std::fmt::Display) {
        let at = if field.is_empty() { String::new() } else { format!(".{field}") };
        self.errors.push((node.pos, format!("services.{}{at}: {msg}", self.service)));
    }

    fn str_of(&mut self, node: &Node, field: &str) -> Option<String> {
        match node.as_str() {
            Some(s) if !node.is_null() => Some(s.to_string()),
            Some(_) => None,
            None => {
                self.err(node, field, format!("expected a string, found {}", node.type_name()));
                None
            }
        }
    }

    fn bool_of(&mut self, node: &Node, field: &str) -> Option<bool> {
        if node.is_null() {
            return None;
        }
        let b = node.as_str().and_then(parse_bool);
        if b.is_none() {
            let found = node.as_str().map_or(node.type_name().to_string(), |s| format!("`{s}`"));
            self.err(node, field, format!("expected a boolean, found {found}"));
        }
        b
    }

    fn int_of(&mut self, node: &Node, field: &str) -> Option<i64> {
        if node.is_null() {
            return None;
        }
        let v = node.as_str().and_then(|s| s.trim().parse::<i64>().ok());
        if v.is_none() {
            self.err(node, field, format!("expected an integer, found {}", show(node)));
        }
        v
    }

    fn size_of(&mut self, node: &Node, field: &str) -> Option<i64> {
        if node.is_null() {
            return None;
        }
        let v = node.as_str().and_then(parse_size);
        if v.is_none() {
            self.err(node, field, format!("expected a size such as 512m or 1g, found {}", show(node)));
        }
        v
    }

    fn float_of(&mut self, node: &Node, field: &str) -> Option<f64> {
        if node.is_null() {
            return None;
        }
        let v = node.as_str().and_then(|s| s.trim().parse::<f64>().ok());
        if v.is_none() {
            self.err(node, field, format!("expected a number, found {}", show(node)));
        }
        v
    }

    /// A string or a list of strings (`command`, `dns`, `tmpfs`, ...), each with its node.
    fn strings<'n>(&mut self, node: &'n Node, field: &str) -> Vec<(String, &'n Node)> {
        match &node.kind {
            Kind::Seq(items) => items.iter().filter_map(|i| self.str_of(i, field).map(|s| (s, i))).collect(),
            Kind::Scalar { .. } if node.is_null() => Vec::new(),
            Kind::Scalar { text, .. } => vec![(text.to_string(), node)],
            Kind::Map(_) => {
                self.err(node, field, "expected a string or a list of strings, found a mapping");
                Vec::new()
            }
        }
    }
}

fn show(node: &Node) -> String {
    node.as_str().map_or(node.type_name().to_string(), |s| format!("`{s}`"))
}

/// YAML 1.1 booleans, as Compose accepts them (quoted `"true"` too).
pub fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => Some(true),
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => Some(false),
        _ => None,
    }
}

/// `1024`, `64m`, `1g`, `512kb`, `1.5g` to bytes.
pub fn parse_size(s: &str) -> Option<i64> {
    let s = s.trim().to_ascii_lowercase();
    let digits = s.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-')).unwrap_or(s.len());
    let (num, unit) = s.split_at(digits);
    let num: f64 = num.parse().ok()?;
    if !num.is_finite() {
        return None;
    }
    let mult: f64 = match unit.trim() {
        "" | "b" => 1.0,
        "k" | "kb" => 1024.0,
        "m" | "mb" => 1024.0 * 1024.0,
        "g" | "gb" => 1024.0 * 1024.0 * 1024.0,
        "t" | "tb" => 1024.0f64.powi(4),
        _ => return None,
    };
    // A size that does not fit in 64 bits is no limit (Compose wraps it to a negative number).
    let bytes = num * mult;
    (bytes.abs() < i64::MAX as f64).then_some(bytes as i64)
}

/// Build the spec of service `name` from its resolved node.
pub fn service_spec(ctx: &mut Ctx, name: &str, key_pos: Pos, svc: &Node) -> ContainerSpec {
    ctx.service = name.to_string();
    let mut spec = ContainerSpec { declared_at: Some(ctx.origin(key_pos)), ..Default::default() };
    let Some(entries) = svc.as_map() else {
        if !svc.is_null() {
            ctx.err(svc, "", format!("a service must be a mapping, found {}", svc.type_name()));
        }
        return spec;
    };
    for (key, v) in entries {
        let f: &str = &key.name;
        // What Compose's schema refuses is an input error; a value of the wrong kind is not read.
        if let Some(why) = super::schema::service_key_error(f, v) {
            let at = if why.starts_with("additional property") { key.pos } else { v.pos };
            ctx.errors.push((at, format!("services.{name}: {why}")));
            continue;
        }
        // Items Compose refuses are said and left out; the others are read.
        let refused = super::schema::item_errors(f, v);
        let kept;
        let v = if refused.is_empty() {
            v
        } else {
            let bad: Vec<Pos> = refused.iter().map(|(at, _)| *at).collect();
            let items = v.as_seq().unwrap_or_default().iter().filter(|i| !bad.contains(&i.pos)).cloned().collect();
            kept = Node { kind: Kind::Seq(items), ..v.clone() };
            &kept
        };
        for (at, why) in refused {
            ctx.errors.push((at, format!("services.{name}: {why}")));
        }
        match f {
            "image" => spec.image = ctx.str_of(v, f).map(|s| ctx.val(s, v)),
            "privileged" => spec.privileged = ctx.bool_of(v, f).map(|b| ctx.val(b, v)),
            "read_only" => spec.read_only = ctx.bool_of(v, f).map(|b| ctx.val(b, v)),
            "oom_kill_disable" => spec.oom_kill_disable = ctx.bool_of(v, f).map(|b| ctx.val(b, v)),
            "user" => spec.user = ctx.str_of(v, f).filter(|s| !s.is_empty()).map(|s| ctx.val(s, v)),
            "cgroup_parent" => spec.cgroup_parent = ctx.str_of(v, f).map(|s| ctx.val(s, v)),
            "network_mode" => spec.network_mode = ctx.str_of(v, f).map(|s| ctx.val(s, v)),
            "pid" => spec.pid = ctx.str_of(v, f).map(|s| ctx.val(s, v)),
            "ipc" => spec.ipc = ctx.str_of(v, f).map(|s| ctx.val(s, v)),
            "uts" => spec.uts = ctx.str_of(v, f).map(|s| ctx.val(s, v)),
            "userns_mode" => spec.userns = ctx.str_of(v, f).map(|s| ctx.val(s, v)),
            "cap_add" | "cap_drop" => {
                let caps: Vec<_> = ctx.strings(v, f).into_iter().map(|(s, n)| ctx.val(normalize_cap(&s), n)).collect();
                if f == "cap_add" { spec.cap_add = caps } else { spec.cap_drop = caps }
            }
            "security_opt" => {
                for (s, n) in ctx.strings(v, f) {
                    if let Err(e) = spec.security.apply(&s, ctx.origin(n.pos)) {
                        ctx.err(n, f, e);
                    }
                }
            }
            "ports" => {
                for item in seq(ctx, v, f) {
                    match port(item) {
                        Ok(ps) => spec.ports.extend(ps.into_iter().map(|p| ctx.val(p, item))),
                        Err(e) => ctx.err(item, f, e),
                    }
                }
            }
            "expose" => spec.expose = seq(ctx, v, f).filter_map(|n| n.as_str().map(|s| ctx.val(s.to_string(), n))).collect(),
            "volumes" => {
                for item in seq(ctx, v, f) {
                    match volume(ctx, item) {
                        Ok(m) => spec.mounts.push(ctx.val(m, item)),
                        Err(e) => ctx.err(item, f, e),
                    }
                }
            }
            "tmpfs" => {
                for (s, n) in ctx.strings(v, f) {
                    let (target, opts) = s.split_once(':').unwrap_or((&s, ""));
                    let mount = Mount {
                        kind: MountKind::Tmpfs,
                        source: None,
                        target: target.to_string(),
                        read_only: false,
                        propagation: None,
                        options: opts.split(',').filter(|o| !o.is_empty()).map(str::to_string).collect(),
                    };
                    spec.mounts.push(ctx.val(mount, n));
                }
            }
            "devices" => {
                for item in seq(ctx, v, f) {
                    let d = match item.get("source") {
                        Some(src) => src.as_str().map(str::to_string),
                        None => item.as_str().map(|s| s.split(':').next().unwrap_or(s).to_string()),
                    };
                    match d {
                        Some(d) => spec.devices.push(ctx.val(d, item)),
                        None => ctx.err(item, f, "expected `HOST:CONTAINER[:PERMS]` or a mapping with `source`"),
                    }
                }
            }
            "device_cgroup_rules" => spec.device_cgroup_rules = ctx.strings(v, f).into_iter().map(|(s, n)| ctx.val(s, n)).collect(),
            "mem_limit" => spec.limits.memory = ctx.size_of(v, f).filter(|b| *b > 0).map(|b| ctx.val(b as u64, v)),
            "memswap_limit" => spec.limits.memswap = ctx.size_of(v, f).map(|b| ctx.val(b, v)),
            "cpus" => spec.limits.cpus = ctx.float_of(v, f).filter(|c| *c > 0.0).map(|c| ctx.val(c, v)),
            "cpu_shares" => spec.limits.cpu_shares = ctx.int_of(v, f).map(|c| ctx.val(c, v)),
            "cpu_quota" => spec.limits.cpu_quota = ctx.int_of(v, f).filter(|c| *c > 0).map(|c| ctx.val(c, v)),
            "pids_limit" => spec.limits.pids = ctx.int_of(v, f).filter(|c| *c > 0).map(|c| ctx.val(c, v)),
            "deploy" => deploy(ctx, &mut spec, v),
            "restart" => {
                if let Some(s) = ctx.str_of(v, f) {
                    let (name, n) = s.split_once(':').unwrap_or((&s, ""));
                    match name {
                        "no" | "always" | "unless-stopped" | "on-failure" => {
                            let max_retries = n.parse().ok();
                            spec.restart = Some(ctx.val(Restart { name: name.to_string(), max_retries }, v));
                        }
                        _ => ctx.err(v, f, format!("unknown restart policy `{s}`")),
                    }
                }
            }
            "healthcheck" => {
                let disabled = match v.get("disable") {
                    Some(d) => ctx.bool_of(d, "healthcheck.disable").unwrap_or(false),
                    None => false,
                } || v.get("test").and_then(|t| t.as_seq()).and_then(|s| s.first()).and_then(Node::as_str) == Some("NONE");
                let h = if disabled { Healthcheck::Disabled } else { Healthcheck::Defined };
                spec.healthcheck = Some(ctx.val(h, v));
                if let Some(t) = v.get("test") {
                    let words: Vec<String> = match &t.kind {
                        Kind::Seq(items) => items.iter().filter_map(|w| w.as_str().map(str::to_string)).collect(),
                        _ => t.as_str().map(|s| vec![s.to_string()]).unwrap_or_default(),
                    };
                    spec.healthcheck_test = Some(ctx.val(words, t));
                }
            }
            "command" | "entrypoint" => {
                let words: Vec<String> = match &v.kind {
                    Kind::Scalar { text, .. } if !v.is_null() => text.split_whitespace().map(str::to_string).collect(),
                    _ => ctx.strings(v, f).into_iter().map(|(s, _)| s).collect(),
                };
                let val = Some(ctx.val(words, v));
                if f == "command" { spec.command = val } else { spec.entrypoint = val }
            }
            "environment" => {
                let map = super::merge::to_map(v.clone());
                for (k, val) in map.as_map().unwrap_or_default() {
                    let value = (!val.is_null() || val.as_str().is_some_and(|s| !s.is_empty() && !val.is_null()))
                        .then(|| val.as_str().map(str::to_string))
                        .flatten();
                    // In list form (`- KEY=${KEY:-x}`) the template is the whole item: its
                    // default is what follows `KEY=`.
                    let default = ctx
                        .defaults
                        .get(&val.pos)
                        .map(|d| d.strip_prefix(&*k.name).and_then(|d| d.strip_prefix('=')).unwrap_or(d).to_string());
                    let var = EnvVar { name: k.name.to_string(), value, literal: !val.interpolated, default };
                    spec.env.push(Val::new(var, ctx.origin(if val.is_null() { k.pos } else { val.pos })));
                }
            }
            "sysctls" => {
                let map = super::merge::to_map(v.clone());
                for (k, val) in map.as_map().unwrap_or_default() {
                    spec.sysctls.push(Val::new((k.name.to_string(), val.as_str().unwrap_or("").to_string()), ctx.origin(k.pos)));
                }
            }
            "ulimits" => {
                for (k, _) in v.as_map().unwrap_or_default() {
                    spec.ulimits.push(Val::new(k.name.to_string(), ctx.origin(k.pos)));
                }
            }
            "logging" => spec.logging_driver = v.get("driver").and_then(|d| ctx.str_of(d, "logging.driver").map(|s| ctx.val(s, d))),
            "networks" => match &v.kind {
                Kind::Map(m) => spec.networks = m.iter().map(|(k, _)| Val::new(k.name.to_string(), ctx.origin(k.pos))).collect(),
                _ => spec.networks = ctx.strings(v, f).into_iter().map(|(s, n)| ctx.val(s, n)).collect(),
            },
            _ => {}
        }
    }
    conflicting_limits(ctx, svc);
    spec
}

/// Compose refuses a service whose top-level limit and `deploy` limit disagree.
fn conflicting_limits(ctx: &mut Ctx, svc: &Node) {
    let Some(limits) = svc.get("deploy").and_then(|d| d.get("resources")).and_then(|r| r.get("limits")) else {
        return;
    };
    for (top, sub) in [("mem_limit", "memory"), ("cpus", "cpus"), ("pids_limit", "pids")] {
        let (Some(a), Some(b)) = (svc.get(top), limits.get(sub)) else {
            continue;
        };
        let value = |n: &Node| {
            let s = n.as_str().unwrap_or_default();
            if top == "mem_limit" { parse_size(s).map(|v| v as f64) } else { s.trim().parse::<f64>().ok() }
        };
        if value(a) != value(b) {
            ctx.err(b, &format!("deploy.resources.limits.{sub}"), format!("differs from `{top}`; Docker Compose refuses distinct values"));
        }
    }
}

fn seq<'n>(ctx: &mut Ctx, v: &'n Node, field: &str) -> std::slice::Iter<'n, Node> {
    match v.as_seq() {
        Some(s) => s.iter(),
        None => {
            if !v.is_null() {
                ctx.err(v, field, format!("expected a list, found {}", v.type_name()));
            }
            [].iter()
        }
    }
}

pub fn normalize_cap(s: &str) -> String {
    let up = s.trim().to_ascii_uppercase();
    up.strip_prefix("CAP_").map(str::to_string).unwrap_or(up)
}

fn deploy(ctx: &mut Ctx, spec: &mut ContainerSpec, d: &Node) {
    if let Some(limits) = d.get("resources").and_then(|r| r.get("limits")) {
        if let Some(m) = limits.get("memory") {
            spec.limits.memory = ctx.size_of(m, "deploy.resources.limits.memory").filter(|b| *b > 0).map(|b| ctx.val(b as u64, m));
        }
        if let Some(c) = limits.get("cpus") {
            spec.limits.cpus = ctx.float_of(c, "deploy.resources.limits.cpus").filter(|c| *c > 0.0).map(|v| ctx.val(v, c));
        }
        if let Some(p) = limits.get("pids") {
            spec.limits.pids = ctx.int_of(p, "deploy.resources.limits.pids").filter(|c| *c > 0).map(|v| ctx.val(v, p));
        }
    }
    if let Some(rp) = d.get("restart_policy") {
        let condition = rp.get("condition").and_then(Node::as_str).unwrap_or("any");
        let name = match condition {
            "none" => "no",
            "on-failure" => "on-failure",
            _ => "always",
        };
        let max_retries = rp.get("max_attempts").and_then(|m| ctx.int_of(m, "deploy.restart_policy.max_attempts")).map(|m| m as u64);
        spec.restart = Some(ctx.val(Restart { name: name.to_string(), max_retries }, rp));
    }
}

/// A `ports` entry, short or long syntax. A range gives one `Port` with a range.
pub fn port(n: &Node) -> Result<Vec<Port>, String> {
    if n.as_map().is_some() {
        let get = |k: &str| n.get(k).and_then(Node::as_str).filter(|s| !s.is_empty());
        let target = range(get("target").ok_or("a long-syntax port needs `target`")?)?;
        let published = get("published").map(range).transpose()?;
        let host_ip = get("host_ip").map(str::to_string);
        let protocol = get("protocol").unwrap_or("tcp").to_string();
        return Ok(vec![Port { host_ip, published, target, protocol }]);
    }
    let s = n.as_str().ok_or("expected a port string or mapping")?;
    let invalid = |_| format!("invalid port `{s}`");
    let (spec, protocol) = s.rsplit_once('/').map_or((s, "tcp"), |(a, p)| (a, p));
    let (host_ip, rest) = if let Some(r) = spec.strip_prefix('[') {
        let (ip, rest) = r.split_once(']').ok_or_else(|| format!("invalid port `{s}`"))?;
        (Some(ip.to_string()), rest.strip_prefix(':').unwrap_or(rest))
    } else {
        // As Docker's nat.ParsePortSpec splits it: the last two parts are the ports, what is
        // before them the host IP (so `::1:8085:85` binds ::1, unbracketed).
        let parts: Vec<&str> = spec.split(':').collect();
        if parts.len() >= 3 {
            let ip_len = parts[..parts.len() - 2].iter().map(|p| p.len() + 1).sum::<usize>() - 1;
            (Some(spec[..ip_len].to_string()), &spec[ip_len + 1..])
        } else {
            (None, spec)
        }
    };
    let (published, target) = match rest.rsplit_once(':') {
        Some((p, t)) => (if p.is_empty() { None } else { Some(range(p).map_err(invalid)?) }, range(t).map_err(invalid)?),
        None => (None, range(rest).map_err(invalid)?),
    };
    let host_ip = host_ip.filter(|ip| !ip.is_empty());
    // Docker takes only an IP address there.
    if host_ip.as_deref().is_some_and(|ip| ip.parse::<std::net::IpAddr>().is_err()) {
        return Err(format!("invalid port `{s}`"));
    }
    Ok(vec![Port { host_ip, published, target, protocol: protocol.to_string() }])
}

fn range(s: &str) -> Result<(u32, u32), String> {
    let num = |p: &str| p.trim().parse::<u32>().map_err(|_| format!("invalid port `{s}`"));
    match s.split_once('-') {
        Some((a, b)) => Ok((num(a)?, num(b)?)),
        None => num(s).map(|p| (p, p)),
    }
}

/// A service's volume; a named volume that binds a host path is that host path's bind mount.
fn volume(ctx: &Ctx, n: &Node) -> Result<Mount, String> {
    let mut m = volume_as_written(ctx, n)?;
    if m.kind == MountKind::Volume
        && let Some(device) = m.source.as_ref().and_then(|name| ctx.bind_volumes.get(name))
    {
        m.kind = MountKind::Bind;
        m.source = Some(device.clone());
    }
    Ok(m)
}

/// The top-level `volumes` that bind a host path, as the `local` driver mounts them: `o`
/// holds `bind` (`type` is then ignored by mount(8)). Compose hands `device` to Docker as
/// written (a relative one is not resolved against the project), so only an absolute one is
/// cleaned.
pub fn bind_volumes(volumes: Option<&Node>) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for (name, v) in volumes.and_then(Node::as_map).unwrap_or_default() {
        let driver = v.get("driver").and_then(Node::as_str).unwrap_or("local");
        let Some(opts) = v.get("driver_opts") else { continue };
        let opt = |k: &str| opts.get(k).and_then(Node::as_str);
        let bind = opt("o").is_some_and(|o| o.split(',').any(|o| matches!(o.trim(), "bind" | "rbind")));
        if driver == "local"
            && bind
            && v.get("external").and_then(Node::as_str).and_then(parse_bool) != Some(true)
            && let Some(device) = opt("device").filter(|d| !d.is_empty())
        {
            let path = if device.starts_with('/') { resolve(Path::new("/"), device, &None) } else { device.to_string() };
            out.insert(name.name.to_string(), path);
        }
    }
    out
}

fn volume_as_written(ctx: &Ctx, n: &Node) -> Result<Mount, String> {
    let dir = &ctx.dirs[n.pos.file as usize];
    if n.as_map().is_some() {
        let get = |k: &str| n.get(k).and_then(Node::as_str).filter(|s| !s.is_empty());
        let kind = match get("type").unwrap_or("volume") {
            "bind" => MountKind::Bind,
            "volume" => MountKind::Volume,
            "tmpfs" => MountKind::Tmpfs,
            _ => MountKind::Other,
        };
        let target = get("target").ok_or("a long-syntax volume needs `target`")?.to_string();
        let source = get("source").map(|s| if kind == MountKind::Bind { resolve(dir, s, &ctx.home) } else { s.to_string() });
        let read_only = n.get("read_only").and_then(Node::as_str).and_then(parse_bool).unwrap_or(false);
        let propagation = n.get("bind").and_then(|b| b.get("propagation")).and_then(Node::as_str).map(str::to_string);
        let options = n
            .get("tmpfs")
            .and_then(|t| t.as_map())
            .map(|m| m.iter().map(|(k, v)| format!("{}={}", k.name, v.as_str().unwrap_or(""))).collect())
            .unwrap_or_default();
        return Ok(Mount { kind, source, target, read_only, propagation, options });
    }
    let s = n.as_str().ok_or("expected a volume string or mapping")?;
    let parts: Vec<&str> = s.split(':').collect();
    // `${UNSET}:/data` is `:/data`: Compose refuses it, it mounts nothing.
    if parts.len() > 1 && parts.iter().any(|p| p.is_empty()) {
        return Err(format!("invalid spec: {s}: empty section between colons"));
    }
    let (src, target, mode) = match parts.as_slice() {
        [t] => (None, *t, ""),
        [s, t] => (Some(*s), *t, ""),
        [s, t, m] => (Some(*s), *t, *m),
        _ => return Err(format!("invalid volume `{s}`")),
    };
    if target.is_empty() {
        return Err(format!("invalid volume `{s}`: empty target"));
    }
    let opts: Vec<&str> = mode.split(',').filter(|o| !o.is_empty()).collect();
    let propagation =
        opts.iter().find(|o| matches!(**o, "shared" | "rshared" | "slave" | "rslave" | "private" | "rprivate")).map(|s| s.to_string());
    let is_path = |s: &str| s.starts_with(['/', '.', '~']) || s.contains('/');
    let (kind, source) = match src {
        Some(p) if is_path(p) => (MountKind::Bind, Some(resolve(dir, p, &ctx.home))),
        Some(name) => (MountKind::Volume, Some(name.to_string())),
        None => (MountKind::Volume, None),
    };
    Ok(Mount { kind, source, target: target.to_string(), read_only: opts.contains(&"ro"), propagation, options: Vec::new() })
}

/// Resolve a bind source as Compose does: `~` to HOME, relative to the declaring file's directory
/// made absolute (a file named `compose.yaml` or `./compose.yaml` is in the working directory,
/// so `.` is that directory and `..` its parent, never `/`).
fn resolve(dir: &Path, p: &str, home: &Option<String>) -> String {
    let expanded: PathBuf = match (p.strip_prefix('~'), home) {
        (Some(rest), Some(h)) => PathBuf::from(format!("{h}{rest}")),
        _ => PathBuf::from(p),
    };
    let full = if expanded.is_absolute() {
        expanded
    } else {
        let joined = dir.join(&expanded);
        std::path::absolute(&joined).unwrap_or(joined)
    };
    let mut out = PathBuf::new();
    for c in full.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            c => out.push(c),
        }
    }
    out.to_string_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::compose::yaml::parse;

    fn p(s: &str) -> Port {
        let n = parse(&format!("- \"{s}\""), 0).unwrap().remove(0);
        port(&n.as_seq().unwrap()[0]).unwrap().remove(0)
    }

    #[test]
    fn ports_short_syntax() {
        assert_eq!(p("8000"), Port { host_ip: None, published: None, target: (8000, 8000), protocol: "tcp".into() });
        assert_eq!(p("127.0.0.1::80").host_ip.as_deref(), Some("127.0.0.1"));
        assert_eq!(p("127.0.0.1::80").published, None);
        assert_eq!(
            p("[::1]:80:81/udp"),
            Port { host_ip: Some("::1".into()), published: Some((80, 80)), target: (81, 81), protocol: "udp".into() }
        );
        assert_eq!(p("9000-9002:9000-9002").published, Some((9000, 9002)));
        assert_eq!(
            p("::1:8085:85"),
            Port { host_ip: Some("::1".into()), published: Some((8085, 8085)), target: (85, 85), protocol: "tcp".into() }
        );
        assert_eq!(p("fe80::1:2:8085:85/udp").host_ip.as_deref(), Some("fe80::1:2"));
    }

    #[test]
    fn sizes_and_bools() {
        assert_eq!(parse_size("64m"), Some(64 << 20));
        assert_eq!(parse_size("1g"), Some(1 << 30));
        assert_eq!(parse_size("2048"), Some(2048));
        assert_eq!(parse_size("1x"), None);
        assert_eq!(parse_size("99999999999999999999g"), None);
        assert_eq!(parse_size(""), None);
        assert_eq!(parse_bool("Off"), Some(false));
        assert_eq!(parse_bool("maybe"), None);
        assert_eq!(normalize_cap("cap_sys_admin"), "SYS_ADMIN");
    }
}
