//! Merging Compose documents as Docker Compose does (compose-go `override`): mappings merge,
//! `command`/`entrypoint`/`healthcheck.test` replace, key=value lists merge by key,
//! `volumes`/`devices`/`secrets`/`configs` merge by target, other lists append unique.
//! `!reset` removes a value, `!override` replaces it.

use super::yaml::{Key, Kind, Node, Tag};

/// Merge `over` into `base` at the top level of a Compose file.
pub fn merge_file(base: Node, over: Node) -> Node {
    merge_map(base, over, &|key, b, o| match key {
        "services" => merge_map(b, o, &|_, b, o| merge_service(b, o)),
        _ => merge_generic(b, o),
    })
}

/// Merge one service definition over another (also used by `extends`).
pub fn merge_service(base: Node, over: Node) -> Node {
    merge_map(base, over, &|key, b, o| match key {
        "command" | "entrypoint" => o,
        "healthcheck" => merge_map(b, o, &|k, b, o| if k == "test" { o } else { merge_generic(b, o) }),
        "environment" | "labels" | "sysctls" | "extra_hosts" | "annotations" => merge_map(to_map(b), to_map(o), &|_, _, o| o),
        "volumes" | "devices" | "secrets" | "configs" => merge_keyed(b, o, mount_target),
        "ports" => merge_keyed(b, o, port_key),
        "ulimits" => merge_map(b, o, &|_, _, o| o),
        "logging" => {
            let driver = |n: &Node| n.get("driver").and_then(Node::as_str).map(str::to_string);
            if driver(&o).is_some() && driver(&b) != driver(&o) { o } else { merge_generic(b, o) }
        }
        "networks" if b.as_seq().is_none() || o.as_seq().is_none() => merge_generic(to_map(b), to_map(o)),
        _ => merge_generic(b, o),
    })
}

fn merge_generic(base: Node, over: Node) -> Node {
    match (&base.kind, &over.kind) {
        (Kind::Map(_), Kind::Map(_)) => merge_map(base, over, &|_, b, o| merge_generic(b, o)),
        (Kind::Seq(_), Kind::Seq(_)) => merge_keyed(base, over, |n| n.as_str().map(str::to_string)),
        _ => over,
    }
}

type MergeFn<'a> = dyn Fn(&str, Node, Node) -> Node + 'a;

fn merge_map(base: Node, over: Node, child: &MergeFn) -> Node {
    if over.tag == Some(Tag::Override) || over.tag == Some(Tag::Reset) {
        return over;
    }
    let (Kind::Map(mut entries), Kind::Map(over_entries)) = (base.kind, over.kind.clone()) else {
        return over;
    };
    for (key, value) in over_entries {
        let existing = entries.iter().position(|(k, _)| k.name == key.name);
        match (existing, value.tag) {
            (Some(i), Some(Tag::Reset)) => {
                entries.remove(i);
            }
            (None, Some(Tag::Reset)) => {}
            (Some(i), Some(Tag::Override)) => entries[i] = (key, value),
            (Some(i), None) => {
                let (_, old) = entries.remove(i);
                let merged = child(&key.name, old, value);
                entries.insert(i, (key, merged));
            }
            (None, _) => entries.push((key, value)),
        }
    }
    Node { kind: Kind::Map(entries), ..over }
}

/// Merge two sequences: items of `over` replace items of `base` with the same key, others append.
fn merge_keyed(base: Node, over: Node, key_of: impl Fn(&Node) -> Option<String>) -> Node {
    if over.tag.is_some() {
        return over;
    }
    let base = to_seq(base);
    let over = to_seq(over);
    let (Kind::Seq(mut items), Kind::Seq(over_items)) = (base.kind, over.kind.clone()) else {
        return over;
    };
    for item in over_items {
        let k = key_of(&item);
        match k.and_then(|k| items.iter().position(|i| key_of(i).as_deref() == Some(k.as_str()))) {
            Some(i) => items[i] = item,
            None => items.push(item),
        }
    }
    Node { kind: Kind::Seq(items), ..over }
}

fn to_seq(n: Node) -> Node {
    match n.kind {
        Kind::Scalar { .. } if !n.is_null() => Node { kind: Kind::Seq(vec![n.clone()]), ..n },
        _ => n,
    }
}

/// `["A=1", "B"]` to `{A: "1", B: null}`; mappings pass through.
pub fn to_map(n: Node) -> Node {
    let Kind::Seq(items) = &n.kind else { return n };
    let entries = items
        .iter()
        .filter_map(|item| {
            let text = item.as_str()?;
            let (k, v) = match text.split_once('=') {
                Some((k, v)) => (k, Node { kind: Kind::Scalar { text: v.into(), plain: false }, ..item.clone() }),
                None => (text, Node { kind: Kind::Scalar { text: "".into(), plain: true }, ..item.clone() }),
            };
            Some((Key { name: k.into(), pos: item.pos }, v))
        })
        .collect();
    Node { kind: Kind::Map(entries), ..n }
}

fn mount_target(n: &Node) -> Option<String> {
    if let Some(t) = n.get("target") {
        return t.as_str().map(str::to_string);
    }
    if let Some(s) = n.get("source") {
        return s.as_str().map(|s| format!("/run/secrets/{s}"));
    }
    let s = n.as_str()?;
    let parts: Vec<&str> = s.split(':').collect();
    Some(match parts.len() {
        1 => parts[0].to_string(),
        _ => parts[1].to_string(),
    })
}

fn port_key(n: &Node) -> Option<String> {
    if let Some(s) = n.as_str() {
        return Some(s.to_string());
    }
    let f = |k: &str| n.get(k).and_then(Node::as_str).unwrap_or("").to_string();
    Some(format!("{}:{}:{}/{}", f("host_ip"), f("published"), f("target"), f("protocol")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::compose::yaml::parse;

    fn merged(a: &str, b: &str) -> Node {
        let a = parse(a, 0).unwrap().remove(0);
        let b = parse(b, 1).unwrap().remove(0);
        merge_file(a, b)
    }

    fn texts(n: &Node) -> Vec<String> {
        n.as_seq().unwrap().iter().map(|i| i.as_str().unwrap_or("{}").to_string()).collect()
    }

    #[test]
    fn compose_merge_rules() {
        let m = merged(
            "services:\n  s:\n    command: [a, b]\n    ports: ['80:80']\n    cap_add: [X]\n    volumes: ['/a:/data', '/b:/b']\n    environment: [A=1, B=2]\n    privileged: true\n",
            "services:\n  s:\n    command: [c]\n    ports: ['80:80', '81:81']\n    cap_add: [X, Y]\n    volumes: ['/c:/data:ro']\n    environment: {B: 3}\n    privileged: !reset null\n",
        );
        let s = m.get("services").unwrap().get("s").unwrap();
        assert_eq!(texts(s.get("command").unwrap()), ["c"]);
        assert_eq!(texts(s.get("ports").unwrap()), ["80:80", "81:81"]);
        assert_eq!(texts(s.get("cap_add").unwrap()), ["X", "Y"]);
        assert_eq!(texts(s.get("volumes").unwrap()), ["/c:/data:ro", "/b:/b"]);
        let env = s.get("environment").unwrap();
        assert_eq!(env.get("A").unwrap().as_str(), Some("1"));
        assert_eq!(env.get("B").unwrap().as_str(), Some("3"));
        assert_eq!(env.get("B").unwrap().pos.file, 1);
        assert!(s.get("privileged").is_none());
    }
}
