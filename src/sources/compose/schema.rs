//! The shape of a Compose file as Docker Compose's schema takes it: the keys a service and the
//! top level may have, and the kinds of value each key accepts. A typo (`privilegd: true`) or a
//! value of the wrong kind (`healthcheck: "curl x"`, `user: 1000`) is an input error, as
//! Compose makes it, never a setting silently read as something else.
//!
//! The table was measured on Docker Compose v2.40.3 (compose-go): every key with a null, an
//! integer, a boolean, a string, a list and a mapping, and which of them its schema refuses;
//! `tests/oracle.rs` checks it again against `docker-compose config` on every run.

use super::yaml::{Kind, Node, Pos};

/// Kinds of value, as the schema tells them apart: plain scalars by the YAML 1.2 core schema
/// (what Compose's YAML library uses: `yes` is a string there); an interpolated value is a
/// string.
pub const NULL: u8 = 1;
pub const NUMBER: u8 = 2;
pub const BOOL: u8 = 4;
pub const STRING: u8 = 8;
pub const LIST: u8 = 16;
pub const MAP: u8 = 32;
const ANY: u8 = NULL | NUMBER | BOOL | STRING | LIST | MAP;

/// The keys of a service and the kinds each accepts.
pub const SERVICE_KEYS: &[(&str, u8)] = &[
    ("annotations", LIST | MAP),
    ("attach", BOOL | STRING),
    ("blkio_config", MAP),
    ("build", STRING | MAP),
    ("cap_add", LIST),
    ("cap_drop", LIST),
    ("cgroup", STRING),
    ("cgroup_parent", STRING),
    ("command", NULL | STRING | LIST),
    ("configs", LIST),
    ("container_name", STRING),
    ("cpu_count", NUMBER | STRING),
    ("cpu_percent", NUMBER | STRING),
    ("cpu_shares", NUMBER | STRING),
    ("cpu_quota", NUMBER | STRING),
    ("cpu_period", NUMBER | STRING),
    ("cpu_rt_period", NUMBER | STRING),
    ("cpu_rt_runtime", NUMBER | STRING),
    ("cpus", NUMBER | STRING),
    ("cpuset", STRING),
    ("credential_spec", MAP),
    ("depends_on", LIST | MAP),
    ("deploy", NULL | MAP),
    ("develop", NULL | MAP),
    ("device_cgroup_rules", LIST),
    ("devices", LIST),
    ("dns", STRING | LIST),
    ("dns_opt", LIST),
    ("dns_search", STRING | LIST),
    ("domainname", STRING),
    ("entrypoint", NULL | STRING | LIST),
    ("env_file", STRING | LIST),
    ("environment", LIST | MAP),
    ("expose", LIST),
    // `extends` has its own checks (`resolve_extends`).
    ("extends", ANY),
    ("external_links", LIST),
    ("extra_hosts", LIST | MAP),
    ("gpus", STRING | LIST),
    ("group_add", LIST),
    ("healthcheck", MAP),
    ("hostname", STRING),
    ("image", STRING),
    ("init", BOOL | STRING),
    ("ipc", STRING),
    ("isolation", STRING),
    ("labels", LIST | MAP),
    ("label_file", STRING | LIST),
    ("links", LIST),
    ("logging", MAP),
    ("mac_address", STRING),
    ("mem_limit", NUMBER | STRING),
    ("mem_reservation", NUMBER | STRING),
    ("mem_swappiness", NUMBER | STRING),
    ("memswap_limit", NUMBER | STRING),
    ("models", LIST | MAP),
    ("network_mode", STRING),
    ("networks", LIST | MAP),
    ("oom_kill_disable", BOOL | STRING),
    ("oom_score_adj", NUMBER | STRING),
    ("pid", NULL | STRING),
    ("pids_limit", NUMBER | STRING),
    ("platform", STRING),
    ("ports", LIST),
    ("post_start", LIST),
    ("pre_stop", LIST),
    ("privileged", BOOL | STRING),
    ("profiles", LIST),
    ("provider", MAP),
    ("pull_policy", STRING),
    ("pull_refresh_after", STRING),
    ("read_only", BOOL | STRING),
    ("restart", STRING),
    ("runtime", STRING),
    ("scale", NUMBER | STRING),
    ("secrets", LIST),
    ("security_opt", LIST),
    ("shm_size", NUMBER | STRING),
    ("stdin_open", BOOL | STRING),
    ("stop_grace_period", STRING),
    ("stop_signal", STRING),
    ("storage_opt", MAP),
    ("sysctls", LIST | MAP),
    ("tmpfs", STRING | LIST),
    ("tty", BOOL | STRING),
    ("ulimits", LIST | MAP),
    ("use_api_socket", BOOL),
    ("user", STRING),
    ("uts", STRING),
    ("userns_mode", STRING),
    ("volumes", LIST),
    ("volumes_from", LIST),
    ("working_dir", STRING),
];

/// What the items of a list may be, for the list keys that Compose checks item by item
/// (`cap_add: [SYS_ADMIN, 5]` is refused: "unexpected type int").
const LIST_ITEMS: &[(&str, u8)] = &[
    ("annotations", STRING),
    ("cap_add", STRING),
    ("cap_drop", STRING),
    ("configs", STRING | MAP),
    ("device_cgroup_rules", STRING),
    ("devices", STRING | MAP),
    ("dns", STRING),
    ("dns_opt", STRING),
    ("env_file", STRING | MAP),
    ("environment", STRING),
    ("expose", NUMBER | STRING),
    ("external_links", STRING),
    ("extra_hosts", STRING),
    ("group_add", NUMBER | STRING),
    ("labels", STRING),
    ("links", STRING),
    ("ports", NUMBER | STRING | MAP),
    ("profiles", STRING),
    ("secrets", STRING | MAP),
    ("security_opt", STRING),
    ("sysctls", STRING),
    ("tmpfs", STRING),
    ("volumes", STRING | MAP),
    ("volumes_from", STRING),
];

/// The keys of a Compose file's top level.
pub const TOP_KEYS: &[&str] = &["version", "name", "include", "services", "networks", "volumes", "secrets", "configs", "models"];

/// The kind of a value.
pub fn kind(n: &Node) -> u8 {
    match &n.kind {
        Kind::Seq(_) => LIST,
        Kind::Map(_) => MAP,
        Kind::Scalar { .. } if n.interpolated => STRING,
        Kind::Scalar { text, plain: true } => match &**text {
            "" | "~" | "null" | "Null" | "NULL" => NULL,
            "true" | "True" | "TRUE" | "false" | "False" | "FALSE" => BOOL,
            t if is_number(t) => NUMBER,
            _ => STRING,
        },
        Kind::Scalar { .. } => STRING,
    }
}

/// A YAML 1.2 core-schema number: `5`, `-3`, `0x1f`, `0o17`, `1.5`, `1e3`, `.inf`, `.nan`.
fn is_number(t: &str) -> bool {
    let unsigned = t.strip_prefix(['-', '+']).unwrap_or(t);
    if let Some(h) = t.strip_prefix("0x") {
        return !h.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit());
    }
    if let Some(o) = t.strip_prefix("0o") {
        return !o.is_empty() && o.bytes().all(|b| (b'0'..=b'7').contains(&b));
    }
    if matches!(unsigned, ".inf" | ".Inf" | ".INF") || matches!(t, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    let (mantissa, exp) = match unsigned.find(['e', 'E']) {
        Some(i) => (&unsigned[..i], Some(&unsigned[i + 1..])),
        None => (unsigned, None),
    };
    let digits = mantissa.bytes().filter(u8::is_ascii_digit).count();
    let mantissa_ok = digits > 0 && mantissa.bytes().all(|b| b.is_ascii_digit() || b == b'.') && mantissa.matches('.').count() <= 1;
    let exp_ok = exp.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit())
    });
    mantissa_ok && exp_ok
}

/// What `kinds` says, in words: "a string or a list".
fn describe(kinds: u8) -> String {
    let names: Vec<&str> =
        [(NULL, "null"), (NUMBER, "a number"), (BOOL, "a boolean"), (STRING, "a string"), (LIST, "a list"), (MAP, "a mapping")]
            .iter()
            .filter(|(k, _)| kinds & k != 0)
            .map(|(_, n)| *n)
            .collect();
    match names.split_last() {
        Some((last, [])) => last.to_string(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => "nothing".into(),
    }
}

/// Why the value of service key `key` is refused as a whole, if it is: an unknown key, or a
/// kind its schema does not take (then nothing of it can be read). `x-` keys are extensions.
pub fn service_key_error(key: &str, v: &Node) -> Option<String> {
    if key.starts_with("x-") {
        return None;
    }
    // A hash lookup: it runs for every key of every service.
    static KEYS: std::sync::OnceLock<rustc_hash::FxHashMap<&'static str, u8>> = std::sync::OnceLock::new();
    let keys = KEYS.get_or_init(|| SERVICE_KEYS.iter().copied().collect());
    match keys.get(key) {
        None => Some(format!("additional property '{key}' is not allowed (not a Compose service key)")),
        Some(kinds) if kind(v) & kinds == 0 => Some(format!("{key} must be {}", describe(*kinds))),
        Some(_) => None,
    }
}

/// The items of list key `key` that Compose refuses, with their positions (the others are
/// still read).
pub fn item_errors(key: &str, v: &Node) -> Vec<(Pos, String)> {
    let (Some((_, kinds)), Kind::Seq(items)) = (LIST_ITEMS.iter().find(|(k, _)| *k == key), &v.kind) else { return Vec::new() };
    items
        .iter()
        .enumerate()
        .filter(|(_, item)| kind(item) & kinds == 0)
        .map(|(i, item)| (item.pos, format!("{key}[{i}] must be {}", describe(*kinds))))
        .collect()
}

/// The unknown keys of a file's top level, with their positions.
pub fn top_level_errors(root: &Node) -> Vec<(Pos, String)> {
    root.as_map()
        .unwrap_or_default()
        .iter()
        .filter(|(k, _)| !k.name.starts_with("x-") && !TOP_KEYS.contains(&&*k.name))
        .map(|(k, _)| (k.pos, format!("additional property '{}' is not allowed (not a Compose top-level key)", k.name)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::compose::yaml::parse;

    fn value(text: &str) -> Node {
        let root = parse(&format!("k: {text}\n"), 0).unwrap().remove(0);
        root.get("k").unwrap().clone()
    }

    #[test]
    fn kinds_by_the_yaml_core_schema() {
        for (text, want) in [
            ("", NULL),
            ("~", NULL),
            ("5", NUMBER),
            ("-1.5e3", NUMBER),
            ("0x1F", NUMBER),
            ("true", BOOL),
            ("yes", STRING),
            ("no", STRING),
            ("\"5\"", STRING),
            ("1.2.3", STRING),
            ("64m", STRING),
            ("[a]", LIST),
            ("{a: b}", MAP),
        ] {
            assert_eq!(kind(&value(text)), want, "{text}");
        }
    }

    #[test]
    fn keys_and_kinds() {
        assert_eq!(
            service_key_error("privilegd", &value("true")).as_deref(),
            Some("additional property 'privilegd' is not allowed (not a Compose service key)")
        );
        assert_eq!(service_key_error("healthcheck", &value("\"curl x\"")).as_deref(), Some("healthcheck must be a mapping"));
        assert_eq!(service_key_error("user", &value("1000")).as_deref(), Some("user must be a string"));
        assert_eq!(service_key_error("volumes", &value("")).as_deref(), Some("volumes must be a list"));
        assert_eq!(service_key_error("command", &value("5")).as_deref(), Some("command must be null, a string or a list"));
        assert_eq!(service_key_error("user", &value("\"1000\"")), None);
        assert_eq!(service_key_error("x-anything", &value("5")), None);
        assert_eq!(service_key_error("deploy", &value("")), None);
        let items: Vec<String> = item_errors("sysctls", &value("[5, null, a=b]")).into_iter().map(|(_, m)| m).collect();
        assert_eq!(items, ["sysctls[0] must be a string", "sysctls[1] must be a string"]);
        assert!(item_errors("ports", &value("[80, \"81:81\", {target: 82}]")).is_empty());
    }
}
