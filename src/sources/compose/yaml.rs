//! YAML to a positioned tree, built from saphyr-parser events.
//!
//! We build our own tree rather than use a generic loader because Compose needs things a
//! generic loader drops: the position of every key and value, duplicate keys reported with
//! both positions, `<<` merge keys, bounded alias expansion and bounded nesting.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::sync::Arc;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

/// Where a node came from: file index (into the caller's file table), 1-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Pos {
    pub file: u32,
    pub line: u32,
    pub col: u32,
}

#[derive(Clone, Debug)]
pub struct Node {
    pub kind: Kind,
    pub pos: Pos,
    /// A Compose tag on the node: `!reset` or `!override`.
    pub tag: Option<Tag>,
    /// Interpolation substituted a variable into this scalar: it is not literal text.
    pub interpolated: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tag {
    Reset,
    Override,
}

#[derive(Clone, Debug)]
pub enum Kind {
    /// A scalar; `plain` is false for quoted and block scalars (they are never null/bool/number).
    /// Texts are interned: Compose files repeat the same keys and values many times.
    Scalar {
        text: Arc<str>,
        plain: bool,
    },
    Seq(Vec<Node>),
    Map(Vec<(Key, Node)>),
}

#[derive(Clone, Debug)]
pub struct Key {
    pub name: Arc<str>,
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub pos: Option<Pos>,
    pub message: String,
}

/// Deepest nesting we accept; Compose files are a handful of levels deep.
pub const MAX_DEPTH: usize = 256;

impl Node {
    pub fn scalar(text: impl Into<Arc<str>>, pos: Pos) -> Node {
        Node { kind: Kind::Scalar { text: text.into(), plain: false }, pos, tag: None, interpolated: false }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(&self.kind, Kind::Scalar { text, plain: true } if matches!(&**text, "" | "~" | "null" | "Null" | "NULL"))
    }

    pub fn as_map(&self) -> Option<&[(Key, Node)]> {
        match &self.kind {
            Kind::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.kind {
            Kind::Seq(s) => Some(s),
            _ => None,
        }
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?.iter().find(|(k, _)| &*k.name == key).map(|(_, v)| v)
    }

    pub fn get_entry(&self, key: &str) -> Option<(&Key, &Node)> {
        self.as_map()?.iter().find(|(k, _)| &*k.name == key).map(|(k, v)| (k, v))
    }

    pub fn type_name(&self) -> &'static str {
        match &self.kind {
            Kind::Scalar { .. } if self.is_null() => "null",
            Kind::Scalar { .. } => "a scalar",
            Kind::Seq(_) => "a sequence",
            Kind::Map(_) => "a mapping",
        }
    }

    fn size(&self) -> usize {
        match &self.kind {
            Kind::Scalar { .. } => 1,
            Kind::Seq(s) => 1 + s.iter().map(Node::size).sum::<usize>(),
            Kind::Map(m) => 1 + m.iter().map(|(_, v)| 1 + v.size()).sum::<usize>(),
        }
    }
}

enum Frame {
    Seq {
        items: Vec<Node>,
        pos: Pos,
        anchor: usize,
        tag: Option<Tag>,
        /// Where this collection's scalar values start in `Secrets::values`.
        values_from: usize,
    },
    Map {
        entries: Vec<(Key, Node)>,
        pending_key: Option<Key>,
        pos: Pos,
        anchor: usize,
        tag: Option<Tag>,
        /// Keys seen, once the mapping is large enough for a linear duplicate check to hurt.
        seen: Option<HashMap<Arc<str>, Pos>>,
        values_from: usize,
    },
}

/// The source spans (character indices) of values that may hold secrets: every value of a
/// service's `environment` and `build.args`, whatever the YAML style, and what an alias there
/// refers to (the anchor's values, wherever it is written). A list item `KEY=value` keeps its
/// `KEY=` (`keep_name`).
#[derive(Debug, Default)]
pub struct Secrets {
    pub spans: Vec<SecretSpan>,
    /// The span of every scalar value inside an anchored node, in order (anchors refer to
    /// ranges of it), and whether it sits under an `environment` or `args` key.
    values: Vec<(SecretSpan, bool)>,
    anchors: HashMap<usize, (usize, usize)>,
    /// Anchored collections open on the stack (values are kept only inside one).
    open_anchors: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecretSpan {
    pub start: usize,
    pub end: usize,
    pub keep_name: bool,
}

/// Is what comes next a whole service, or merged into one (`web: *base`, `<<: *base`)? Then
/// the environment an anchor holds becomes the service's.
fn template_context(stack: &[Frame]) -> bool {
    key_at(stack, 0) == Some("services") && (stack.len() == 2 || key_at(stack, 2) == Some("<<"))
}

/// The pending key of frame `i` of `stack`.
fn key_at(stack: &[Frame], i: usize) -> Option<&str> {
    match stack.get(i) {
        Some(Frame::Map { pending_key: Some(k), .. }) => Some(&k.name),
        _ => None,
    }
}

/// Is what comes next (a value at the top of `stack`) inside a service's `environment` or
/// `build.args`?
fn secret_context(stack: &[Frame]) -> bool {
    stack.len() >= 3
        && key_at(stack, 0) == Some("services")
        && match key_at(stack, 2) {
            Some("environment") => true,
            Some("build") => stack.len() == 3 || key_at(stack, 3) == Some("args"),
            _ => false,
        }
}

/// Receives each `services.NAME` entry of the first document as soon as it is parsed.
pub type ServiceSink<'a> = dyn FnMut(Key, Node) + 'a;

/// Parse every document of `src`. Each document's root is returned in order.
pub fn parse(src: &str, file: u32) -> Result<Vec<Node>, YamlError> {
    parse_streaming(src, file, None, &mut Secrets::default())
}

/// Is the top of `stack` the `services` mapping of a document root?
fn in_services(stack: &[Frame]) -> bool {
    matches!(stack.first(), Some(Frame::Map { pending_key: Some(k), .. }) if &*k.name == "services")
}

/// Like `parse`, but with a sink the services of the first document are handed to it one by
/// one instead of being kept in the tree (their names are still checked for duplicates), so
/// the tree of a large file never exists whole.
pub fn parse_streaming(src: &str, file: u32, mut sink: Option<&mut ServiceSink>, secrets: &mut Secrets) -> Result<Vec<Node>, YamlError> {
    let mut parser = Parser::new_from_str(src);
    let mut docs = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, Node> = HashMap::default();
    let mut parsed_nodes = 0usize;
    let mut aliased_nodes = 0usize;
    let mut strings: HashSet<Arc<str>> = HashSet::default();
    let pos_of = |span: &Span| Pos { file, line: span.start.line() as u32, col: span.start.col() as u32 + 1 };
    while let Some(next) = parser.next_event() {
        let (event, span) = next.map_err(|e| YamlError {
            pos: Some(Pos { file, line: e.marker().line() as u32, col: e.marker().col() as u32 + 1 }),
            message: match e.info() {
                "recursion limit exceeded" => format!("nesting too deep (more than {MAX_DEPTH} levels)"),
                info => info.to_string(),
            },
        })?;
        let pos = pos_of(&span);
        let done: Option<(Node, usize)> = match event {
            Event::StreamEnd => break,
            Event::Nothing | Event::StreamStart | Event::DocumentStart(_) | Event::DocumentEnd => None,
            Event::Scalar(text, style, anchor, tag) => {
                parsed_nodes += 1;
                // A value (not a mapping key): its span, for the secret masks.
                let is_key = matches!(stack.last(), Some(Frame::Map { pending_key: None, .. }));
                if !is_key {
                    let in_seq = matches!(stack.last(), Some(Frame::Seq { .. }));
                    let at = SecretSpan { start: span.start.index(), end: span.end.index(), keep_name: in_seq };
                    if anchor != 0 {
                        secrets.anchors.insert(anchor, (secrets.values.len(), secrets.values.len() + 1));
                    }
                    if anchor != 0 || secrets.open_anchors > 0 {
                        let under_env = stack
                            .iter()
                            .any(|f| matches!(f, Frame::Map { pending_key: Some(k), .. } if matches!(&*k.name, "environment" | "args")));
                        secrets.values.push((at, under_env));
                    }
                    if secret_context(&stack) {
                        secrets.spans.push(at);
                    }
                }
                let node = Node {
                    kind: Kind::Scalar { text: intern(&mut strings, &text), plain: style == ScalarStyle::Plain && tag.is_none() },
                    pos,
                    tag: compose_tag(tag.as_deref()),
                    interpolated: false,
                };
                Some((node, anchor))
            }
            Event::Alias(id) => {
                let Some(node) = anchors.get(&id) else {
                    return Err(YamlError { pos: Some(pos), message: "alias to an unknown anchor".into() });
                };
                aliased_nodes += node.size();
                if let Some(&(from, to)) = secrets.anchors.get(&id) {
                    let values = &secrets.values[from..to];
                    if secret_context(&stack) {
                        secrets.spans.extend(values.iter().map(|(s, _)| *s));
                    } else if template_context(&stack) {
                        secrets.spans.extend(values.iter().filter(|(_, env)| *env).map(|(s, _)| *s));
                    }
                }
                if aliased_nodes > 1_000_000 + 10 * parsed_nodes {
                    return Err(YamlError {
                        pos: Some(pos),
                        message: "excessive aliasing: aliases expand to more than ten times the document (alias bomb?)".into(),
                    });
                }
                Some((node.clone(), 0))
            }
            Event::SequenceStart(anchor, ref tag) | Event::MappingStart(anchor, ref tag) => {
                parsed_nodes += 1;
                if stack.len() >= MAX_DEPTH {
                    return Err(YamlError { pos: Some(pos), message: format!("nesting too deep (more than {MAX_DEPTH} levels)") });
                }
                let tag = compose_tag(tag.as_deref());
                let streamed_services = sink.is_some() && docs.is_empty() && stack.len() == 1 && in_services(&stack);
                let values_from = secrets.values.len();
                secrets.open_anchors += usize::from(anchor != 0);
                stack.push(if matches!(event, Event::SequenceStart(..)) {
                    Frame::Seq { items: Vec::new(), pos, anchor, tag, values_from }
                } else {
                    let seen = streamed_services.then(HashMap::default);
                    Frame::Map { entries: Vec::new(), pending_key: None, pos, anchor, tag, seen, values_from }
                });
                None
            }
            Event::SequenceEnd => match stack.pop() {
                Some(Frame::Seq { items, pos, anchor, tag, values_from }) => {
                    secrets.open_anchors -= usize::from(anchor != 0);
                    if anchor != 0 {
                        secrets.anchors.insert(anchor, (values_from, secrets.values.len()));
                    }
                    Some((Node { kind: Kind::Seq(items), pos, tag, interpolated: false }, anchor))
                }
                _ => {
                    return Err(YamlError { pos: Some(pos), message: "unbalanced sequence".into() });
                }
            },
            Event::MappingEnd => match stack.pop() {
                Some(Frame::Map { entries, pos, anchor, tag, values_from, .. }) => {
                    secrets.open_anchors -= usize::from(anchor != 0);
                    if anchor != 0 {
                        secrets.anchors.insert(anchor, (values_from, secrets.values.len()));
                    }
                    Some((Node { kind: Kind::Map(apply_merge_keys(entries)?), pos, tag, interpolated: false }, anchor))
                }
                _ => {
                    return Err(YamlError { pos: Some(pos), message: "unbalanced mapping".into() });
                }
            },
        };
        let Some((node, anchor)) = done else { continue };
        if anchor != 0 {
            anchors.insert(anchor, node.clone());
        }
        if let Some(sink) = sink.as_mut()
            && docs.is_empty()
            && stack.len() == 2
            && in_services(&stack)
            && let Some(Frame::Map { pending_key: pending @ Some(_), seen: Some(_), .. }) = stack.last_mut()
        {
            let key = pending.take().expect("checked above");
            sink(key, node);
            continue;
        }
        match stack.last_mut() {
            None => docs.push(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, pending_key, seen, .. }) => match pending_key.take() {
                None => {
                    let name = match &node.kind {
                        Kind::Scalar { text, .. } => text.clone(),
                        _ => return Err(YamlError { pos: Some(node.pos), message: "a mapping key must be a scalar".into() }),
                    };
                    if seen.is_none() && entries.len() >= 16 {
                        *seen = Some(entries.iter().map(|(k, _)| (k.name.clone(), k.pos)).collect());
                    }
                    let prev = match seen {
                        Some(map) => map.get(&name).copied(),
                        None => entries.iter().find(|(k, _)| k.name == name).map(|(k, _)| k.pos),
                    };
                    if let Some(prev) = prev.filter(|_| &*name != "<<") {
                        return Err(YamlError {
                            pos: Some(node.pos),
                            message: format!("duplicate key `{name}` (first defined at line {}, column {})", prev.line, prev.col),
                        });
                    }
                    if let Some(map) = seen {
                        map.insert(name.clone(), node.pos);
                    }
                    *pending_key = Some(Key { name, pos: node.pos });
                }
                Some(key) => entries.push((key, node)),
            },
        }
    }
    Ok(docs)
}

fn intern(strings: &mut HashSet<Arc<str>>, s: &str) -> Arc<str> {
    if let Some(existing) = strings.get(s) {
        return existing.clone();
    }
    let new: Arc<str> = s.into();
    strings.insert(new.clone());
    new
}

fn compose_tag(tag: Option<&saphyr_parser::Tag>) -> Option<Tag> {
    match tag {
        Some(t) if t.handle == "!" && t.suffix == "reset" => Some(Tag::Reset),
        Some(t) if t.handle == "!" && t.suffix == "override" => Some(Tag::Override),
        _ => None,
    }
}

/// Resolve `<<` keys: explicit keys win over merged ones; among merged maps, the first wins.
fn apply_merge_keys(entries: Vec<(Key, Node)>) -> Result<Vec<(Key, Node)>, YamlError> {
    if !entries.iter().any(|(k, _)| &*k.name == "<<") {
        return Ok(entries);
    }
    let mut explicit = Vec::with_capacity(entries.len());
    let mut merged: Vec<(Key, Node)> = Vec::new();
    for (key, value) in entries {
        if &*key.name != "<<" {
            explicit.push((key, value));
            continue;
        }
        let sources: Vec<Node> = match value.kind {
            Kind::Map(_) => vec![value],
            Kind::Seq(items) => items,
            _ => {
                return Err(YamlError { pos: Some(value.pos), message: "`<<` must merge a mapping or a sequence of mappings".into() });
            }
        };
        for src in sources {
            let Kind::Map(m) = src.kind else {
                return Err(YamlError { pos: Some(src.pos), message: "`<<` must merge a mapping or a sequence of mappings".into() });
            };
            for (k, v) in m {
                if !merged.iter().any(|(mk, _)| mk.name == k.name) {
                    merged.push((k, v));
                }
            }
        }
    }
    merged.retain(|(k, _)| !explicit.iter().any(|(ek, _)| ek.name == k.name));
    merged.extend(explicit);
    Ok(merged)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(src: &str) -> Node {
        parse(src, 0).unwrap().remove(0)
    }

    #[test]
    fn positions_of_keys_and_values() {
        let n = one("services:\n  web:\n    privileged: true\n");
        let web = n.get("services").unwrap().get("web").unwrap();
        let (k, v) = web.get_entry("privileged").unwrap();
        assert_eq!((k.pos.line, k.pos.col), (3, 5));
        assert_eq!((v.pos.line, v.pos.col), (3, 17));
    }

    #[test]
    fn duplicate_keys_name_both_positions() {
        let e = parse("a: 1\nb: 2\na: 3\n", 0).unwrap_err();
        assert_eq!(e.pos.map(|p| (p.line, p.col)), Some((3, 1)));
        assert_eq!(e.message, "duplicate key `a` (first defined at line 1, column 1)");
    }

    #[test]
    fn merge_keys_single_and_list() {
        let n = one("x: &x {a: 1, b: 2}\ny: &y {b: 3, c: 4}\nz:\n  <<: [*x, *y]\n  a: 9\n");
        let z = n.get("z").unwrap();
        assert_eq!(z.get("a").unwrap().as_str(), Some("9"));
        assert_eq!(z.get("b").unwrap().as_str(), Some("2"));
        assert_eq!(z.get("c").unwrap().as_str(), Some("4"));
        // merged values keep the position of their declaration
        assert_eq!(z.get("c").unwrap().pos.line, 2);
    }

    #[test]
    fn alias_bomb_is_an_error() {
        let mut src = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let p = i - 1;
            src.push_str(&format!("a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"));
        }
        let e = parse(&src, 0).unwrap_err();
        assert!(e.message.starts_with("excessive aliasing"), "{}", e.message);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let src = "[".repeat(10_000) + &"]".repeat(10_000);
        let e = parse(&src, 0).unwrap_err();
        assert!(e.message.starts_with("nesting too deep"), "{}", e.message);
        let block: String = (0..10_000).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
        assert!(parse(&block, 0).is_err());
    }

    #[test]
    fn streaming_hands_out_services_and_still_finds_duplicates() {
        let src = "x: &x {a: 1}\nservices:\n  a: {<<: *x, b: 2}\n  b:\n    c: 3\nafter: 1\n";
        let mut got = Vec::new();
        let docs = parse_streaming(
            src,
            0,
            Some(&mut |k: Key, n: Node| got.push((k.name.to_string(), n.get("a").is_some()))),
            &mut Secrets::default(),
        )
        .unwrap();
        assert_eq!(got, [("a".to_string(), true), ("b".to_string(), false)]);
        assert_eq!(docs[0].get("services").unwrap().as_map().unwrap().len(), 0);
        assert!(docs[0].get("after").is_some());
        let dup = parse_streaming("services:\n  a: {}\n  a: {}\n", 0, Some(&mut |_, _| {}), &mut Secrets::default()).unwrap_err();
        assert_eq!(dup.message, "duplicate key `a` (first defined at line 2, column 3)");
    }

    #[test]
    fn compose_tags() {
        let n = one("ports: !reset []\n");
        assert_eq!(n.get("ports").unwrap().tag, Some(Tag::Reset));
    }
}
