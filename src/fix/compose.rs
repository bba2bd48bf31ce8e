//! Fixes for Compose files. Each fixer gets a finding (its origin is where the value is
//! declared: the service, an anchor, an `extends` base, an override file) and the text of that
//! file, and returns minimal edits there: a scalar replaced in place (its quoting kept), a key
//! or a list item inserted in the file's own indentation and line endings. A value that comes
//! from interpolation (`${VAR}`) is never edited: the variable is named instead.
//!
//! Decisions: a setting a service lacks is added to the service itself, also when it merges
//! an anchor (`<<: *defaults`): adding it to the anchor would change every service that uses
//! it. A list the service would have to override (`security_opt`, `cap_drop` coming from an
//! anchor or an `extends` base) is not added: the merged list would be replaced, not extended.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{Edit, Safety};
use crate::model::{Finding, Origin};
use crate::sources::compose::yaml::{self, Kind, Node};

/// How each rule is fixed: its safety and its fixer. A rule not listed has no fix (the
/// reason is in its metadata: `fix: none`).
const FIXERS: &[(&str, Safety, Fixer)] = &[
    ("no-new-privileges-not-set", Safety::Safe, no_new_privileges),
    ("privileged-container", Safety::Unsafe, |c, f| c.replace(f, "false", &["true", "True", "TRUE", "yes"])),
    ("writable-root-filesystem", Safety::Unsafe, read_only),
    ("capabilities-not-dropped", Safety::Unsafe, cap_drop),
    ("port-on-all-interfaces", Safety::Unsafe, port_loopback),
    ("restart-policy-unbounded", Safety::Unsafe, |c, f| c.replace(f, "on-failure:5", &["always", "unless-stopped"])),
];

/// The safety of rule `id`'s fix, when it has one.
pub fn safety(id: &str) -> Option<Safety> {
    FIXERS.iter().find(|(r, _, _)| *r == id).map(|(_, s, _)| *s)
}

/// What a fixer returns: the edits, or why it cannot fix this finding.
type Fixer = fn(&Ctx, &Finding) -> Result<Vec<Edit>, String>;

/// A fix for one finding.
#[derive(Debug, Clone)]
pub struct Planned {
    /// Index of the finding in the run.
    pub finding: usize,
    pub path: Arc<str>,
    pub edits: Vec<Edit>,
    pub safety: Safety,
    /// Each edit as (start, end) line and column, for reports.
    pub regions: Vec<((u32, u32), (u32, u32))>,
}

/// The fixes of `findings` as reports show them (every fix, safe and unsafe, with its safety).
pub fn data(findings: &[Finding], read: &dyn Fn(&str) -> Option<String>) -> Vec<super::FixData> {
    let (planned, _) = plan(findings, true, read);
    planned
        .into_iter()
        .map(|p| {
            let f = &findings[p.finding];
            let note = crate::rules::catalog::get(f.rule).and_then(|m| m.fix.as_ref()).map_or(String::new(), |x| x.1.clone());
            super::FixData {
                rule: f.rule,
                origin: f.origin.clone(),
                safety: p.safety,
                description: note,
                path: p.path,
                replacements: p
                    .regions
                    .into_iter()
                    .zip(p.edits)
                    .map(|((start, end), e)| super::Replacement { start, end, text: e.text })
                    .collect(),
            }
        })
        .collect()
}

/// The fixes for `findings` (those shown: not suppressed, not hidden), read from their files
/// with `read`; and for the others of rules that have a fix, why they are not fixed. `unsafe_`:
/// also the unsafe fixes.
pub fn plan(findings: &[Finding], unsafe_: bool, read: &dyn Fn(&str) -> Option<String>) -> (Vec<Planned>, Vec<(usize, String)>) {
    let mut files: BTreeMap<Arc<str>, Option<Ctx>> = BTreeMap::new();
    let mut planned = Vec::new();
    let mut refused = Vec::new();
    for (i, f) in findings.iter().enumerate() {
        let Some((_, safety, fixer)) = FIXERS.iter().find(|(r, _, _)| *r == f.rule) else { continue };
        if f.suppressed || f.hidden || (*safety == Safety::Unsafe && !unsafe_) {
            continue;
        }
        let Origin::File { path, .. } = &f.origin else { continue };
        let ctx = files.entry(path.clone()).or_insert_with(|| read(path).and_then(Ctx::new));
        let Some(ctx) = ctx else {
            refused.push((i, format!("{path} cannot be read or parsed again")));
            continue;
        };
        match fixer(ctx, f) {
            Ok(edits) if !edits.is_empty() => {
                let regions = edits.iter().map(|e| (ctx.position(e.start), ctx.position(e.end))).collect();
                planned.push(Planned { finding: i, path: path.clone(), edits, safety: *safety, regions })
            }
            Ok(_) => {}
            Err(why) => refused.push((i, why)),
        }
    }
    (planned, refused)
}

/// A file being fixed: its text, line starts and positioned tree.
pub struct Ctx {
    text: String,
    starts: Vec<usize>,
    root: Node,
    eol: &'static str,
    /// Service keys by (line, column): their index in `services`.
    services: rustc_hash::FxHashMap<(u32, u32), usize>,
    /// How far this file indents block sequence items below their key.
    list_indent: usize,
}

impl Ctx {
    fn new(text: String) -> Option<Ctx> {
        let root = yaml::parse(&text, 0).ok()?.into_iter().next()?;
        let starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
        let services = root
            .get("services")
            .and_then(Node::as_map)
            .map(|m| m.iter().enumerate().map(|(i, (k, _))| ((k.pos.line, k.pos.col), i)).collect())
            .unwrap_or_default();
        let mut ctx = Ctx { text, starts, root, eol, services, list_indent: 2 };
        ctx.list_indent = ctx.find_list_indent();
        Some(ctx)
    }

    /// Byte offset of 1-based (line, column in characters).
    fn offset(&self, line: u32, col: u32) -> Option<usize> {
        let start = *self.starts.get(line.checked_sub(1)? as usize)?;
        let rest = &self.text[start..];
        let skip: usize = rest.chars().take(col.saturating_sub(1) as usize).map(char::len_utf8).sum();
        Some(start + skip)
    }

    /// 1-based (line, column in characters) of byte offset `at`.
    fn position(&self, at: usize) -> (u32, u32) {
        let i = self.starts.partition_point(|s| *s <= at) - 1;
        (i as u32 + 1, self.text[self.starts[i]..at].chars().count() as u32 + 1)
    }

    /// The text of line `line` (without its line break).
    fn line(&self, line: u32) -> &str {
        let start = self.starts[line as usize - 1];
        let end = self.starts.get(line as usize).map_or(self.text.len(), |e| e - 1);
        self.text[start..end].trim_end_matches('\r')
    }

    /// The byte span of the scalar that starts at `at` (quotes included).
    fn scalar_span(&self, at: usize) -> (usize, usize) {
        let bytes = self.text.as_bytes();
        match bytes.get(at) {
            Some(q @ (b'"' | b'\'')) => {
                let mut i = at + 1;
                while i < bytes.len() {
                    if bytes[i] == b'\\' && *q == b'"' {
                        i += 2;
                        continue;
                    }
                    if bytes[i] == *q {
                        if *q == b'\'' && bytes.get(i + 1) == Some(&b'\'') {
                            i += 2;
                            continue;
                        }
                        return (at, i + 1);
                    }
                    i += 1;
                }
                (at, bytes.len())
            }
            _ => {
                let line_end = self.text[at..].find(['\n', '\r']).map_or(self.text.len(), |e| at + e);
                let mut end = line_end;
                let rest = &self.text[at..line_end];
                if let Some(c) = rest.find(" #") {
                    end = at + c;
                }
                // Inside a flow collection a plain scalar ends at `,`, `]` or `}`.
                if let Some(c) = self.text[at..end].find([',', ']', '}']) {
                    end = at + c;
                }
                (at, at + self.text[at..end].trim_end().len())
            }
        }
    }

    /// Replace the scalar at the finding's origin with `new` (quoted as it was), when its text
    /// is one of `from`.
    fn replace(&self, f: &Finding, new: &str, from: &[&str]) -> Result<Vec<Edit>, String> {
        let (start, end, raw) = self.scalar_at(f)?;
        let (inner, quote) = unquote(raw);
        if !from.contains(&inner) {
            return Err(format!("`{inner}` is not a value this fix replaces"));
        }
        Ok(vec![self.swap(start, end, format!("{quote}{new}{quote}"))])
    }

    /// Replace bytes `start..end` with `text`, keeping a trailing comment of the line in its
    /// column (the spaces before it take up the difference, at least one stays).
    fn swap(&self, start: usize, end: usize, text: String) -> Edit {
        let rest = &self.text[end..];
        let spaces = rest.len() - rest.trim_start_matches(' ').len();
        if spaces > 0 && rest[spaces..].starts_with('#') {
            let old = self.text[start..end].chars().count() + spaces;
            let pad = old.saturating_sub(text.chars().count()).max(1);
            return Edit { start, end: end + spaces, text: format!("{text}{}", " ".repeat(pad)) };
        }
        Edit { start, end, text }
    }

    /// The scalar at the finding's origin: its span and raw text; a value from interpolation
    /// is refused with the variable's name.
    fn scalar_at(&self, f: &Finding) -> Result<(usize, usize, &str), String> {
        let Origin::File { line, col, .. } = &f.origin else { return Err("no position".into()) };
        let at = self.offset(*line, *col).ok_or("the position is not in the file")?;
        let (start, end) = self.scalar_span(at);
        let raw = &self.text[start..end];
        if let Some(var) = variable(raw) {
            return Err(format!("the value comes from ${{{var}}}: change the variable, not the file"));
        }
        Ok((start, end, raw))
    }

    /// The service whose key is at the finding's origin: (key line, key column, its own
    /// entries — those written below its key —, whether it also merges entries from
    /// elsewhere: an anchor through `<<`, or `extends`).
    fn service(&self, f: &Finding) -> Result<Service<'_>, String> {
        let Origin::File { line, col, .. } = &f.origin else { return Err("no position".into()) };
        let services = self.root.get("services").and_then(Node::as_map).ok_or("no services in this file")?;
        let (key, value) = self.services.get(&(*line, *col)).map(|i| &services[*i]).ok_or("the finding is not at a service")?;
        let Kind::Map(entries) = &value.kind else { return Err("the service is not a mapping".into()) };
        if entries.iter().any(|(k, _)| k.pos.line == key.pos.line) {
            return Err("a service in flow style (`{...}`): not fixed automatically".into());
        }
        // The parser merges `<<` entries into the mapping; they stand where the anchor is.
        let own: Vec<&(yaml::Key, Node)> = entries.iter().filter(|(k, _)| k.pos.line > key.pos.line && self.below(key, k)).collect();
        let merges = own.len() < entries.len() || own.iter().any(|(k, _)| &*k.name == "extends");
        Ok(Service { line: key.pos.line, col: key.pos.col, own, merges })
    }

    /// Is key `k` inside the block of service key `service` (before the next line indented
    /// no deeper than the service key)?
    fn below(&self, service: &yaml::Key, k: &yaml::Key) -> bool {
        (service.pos.line + 1..k.pos.line).all(|n| {
            let l = self.line(n);
            l.trim().is_empty() || l.trim_start().starts_with('#') || (l.len() - l.trim_start().len()) as u32 >= service.pos.col
        })
    }

    /// Insert `lines` (each without indentation) as keys of the service at the finding's
    /// origin, right below its key, in the indentation of its other keys.
    fn add_keys(&self, f: &Finding, lines: &[String]) -> Result<Vec<Edit>, String> {
        let Service { line, col, own, .. } = self.service(f)?;
        let indent = own.first().map_or(col as usize + 1, |(k, _)| k.pos.col as usize - 1);
        let at = self.starts.get(line as usize).copied().ok_or("the service is on the last line")?;
        let pad = " ".repeat(indent);
        let text: String = lines.iter().map(|l| format!("{pad}{l}{}", self.eol)).collect();
        Ok(vec![Edit { start: at, end: at, text }])
    }

    /// The indentation of block sequence items below their key in this file (2 unless it
    /// writes them flush with the key).
    fn find_list_indent(&self) -> usize {
        for n in 1..self.starts.len() as u32 {
            let l = self.line(n);
            if l.trim_end().ends_with(':') && (n as usize) < self.starts.len() {
                let next = self.line(n + 1);
                if next.trim_start().starts_with("- ") {
                    let key = l.len() - l.trim_start().len();
                    let dash = next.len() - next.trim_start().len();
                    return dash.saturating_sub(key);
                }
            }
        }
        2
    }

    /// Add `item` to the list `key` of the service at the finding's origin, or the key with
    /// the list when the service has none.
    fn add_item(&self, f: &Finding, key: &str, item: &str) -> Result<Vec<Edit>, String> {
        let service = self.service(f)?;
        let Some((k, v)) = service.own.iter().find(|(k, _)| &*k.name == key).map(|e| (&e.0, &e.1)) else {
            if service.merges {
                return Err(format!(
                    "the service merges an anchor or extends a base that may set `{key}`: adding it would replace that list"
                ));
            }
            let pad = " ".repeat(self.list_indent);
            return self.add_keys(f, &[format!("{key}:"), format!("{pad}- {item}")]);
        };
        match &v.kind {
            Kind::Seq(items) if items.first().is_some_and(|i| i.pos.line > k.pos.line) => {
                let first = self.line(items[0].pos.line);
                let dash = first.len() - first.trim_start().len();
                let at = self.starts.get(k.pos.line as usize).copied().ok_or("the list ends the file")?;
                Ok(vec![Edit { start: at, end: at, text: format!("{}- {item}{}", " ".repeat(dash), self.eol) }])
            }
            Kind::Seq(items) => {
                // A flow list on the key's line: the item goes before its `]`.
                let line_start = self.starts[k.pos.line as usize - 1];
                let close = self.line(k.pos.line).rfind(']').ok_or("a flow list over several lines: not fixed automatically")?;
                let at = line_start + close;
                let text = if items.is_empty() { item.to_string() } else { format!(", {item}") };
                Ok(vec![Edit { start: at, end: at, text }])
            }
            _ => Err(format!("`{key}` is not a list")),
        }
    }
}

/// A service's mapping as written in this file.
struct Service<'a> {
    line: u32,
    col: u32,
    own: Vec<&'a (yaml::Key, Node)>,
    merges: bool,
}

/// `"x"` to (x, `"`); a plain scalar to (itself, "").
fn unquote(raw: &str) -> (&str, &str) {
    for q in ["\"", "'"] {
        if let Some(inner) = raw.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return (inner, q);
        }
    }
    (raw, "")
}

/// The first variable a scalar interpolates (`$VAR`, `${VAR...}`), if any.
fn variable(raw: &str) -> Option<String> {
    let i = raw.replace("$$", "").find('$')?;
    let rest = &raw.replace("$$", "")[i + 1..];
    let rest = rest.strip_prefix('{').unwrap_or(rest);
    Some(rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect())
}

fn is_service_key(ctx: &Ctx, f: &Finding) -> bool {
    ctx.service(f).is_ok()
}

fn no_new_privileges(ctx: &Ctx, f: &Finding) -> Result<Vec<Edit>, String> {
    if is_service_key(ctx, f) {
        return ctx.add_item(f, "security_opt", "no-new-privileges:true");
    }
    // `no-new-privileges:false` written out: turned around where it is written.
    let (start, end, raw) = ctx.scalar_at(f)?;
    let (inner, quote) = unquote(raw);
    let fixed = inner.replacen("false", "true", 1);
    if fixed == inner {
        return Err(format!("`{inner}` is not a no-new-privileges setting this fix turns on"));
    }
    Ok(vec![ctx.swap(start, end, format!("{quote}{fixed}{quote}"))])
}

fn read_only(ctx: &Ctx, f: &Finding) -> Result<Vec<Edit>, String> {
    if is_service_key(ctx, f) {
        ctx.add_keys(f, &["read_only: true".into()])
    } else {
        ctx.replace(f, "true", &["false", "False", "FALSE", "no"])
    }
}

fn cap_drop(ctx: &Ctx, f: &Finding) -> Result<Vec<Edit>, String> {
    if !is_service_key(ctx, f) {
        return Err("the service is privileged: fix privileged-container first".into());
    }
    ctx.add_item(f, "cap_drop", "ALL")
}

/// `8080:80` and `0.0.0.0:8080:80` become `127.0.0.1:8080:80` (the quoting kept).
fn port_loopback(ctx: &Ctx, f: &Finding) -> Result<Vec<Edit>, String> {
    let (start, end, raw) = ctx.scalar_at(f)?;
    let (inner, quote) = unquote(raw);
    if inner.contains(['[', ' ']) || inner.is_empty() {
        return Err(format!("`{inner}` is not a short port mapping this fix rewrites"));
    }
    let fixed = match inner.strip_prefix("0.0.0.0:") {
        Some(rest) => format!("127.0.0.1:{rest}"),
        None if inner.matches(':').count() == 1 || !inner.contains(':') => format!("127.0.0.1:{inner}"),
        None => return Err(format!("`{inner}` names a host address: not rewritten")),
    };
    // A port with no host port (`80`) publishes a random one: give it the same number.
    let fixed = if inner.contains(':') { fixed } else { format!("127.0.0.1::{inner}") };
    Ok(vec![ctx.swap(start, end, format!("{quote}{fixed}{quote}"))])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Severity;

    fn finding(rule: &'static str, line: u32, col: u32) -> Finding {
        Finding {
            rule,
            severity: Severity::High,
            message: String::new(),
            at: 0,
            cis: None,
            origin: Origin::File { path: "c.yaml".into(), line, col },
            related: vec![],
            evidence: String::new(),
            suppressed: false,
            suppressed_by: None,
            hidden: false,
            redact: false,
        }
    }

    fn fixed(text: &str, findings: &[Finding]) -> (String, Vec<(usize, String)>) {
        let (planned, refused) = plan(findings, true, &|_| Some(text.to_string()));
        let edits: Vec<Edit> = planned.into_iter().flat_map(|p| p.edits).collect();
        (super::super::apply(text, &edits).0, refused)
    }

    #[test]
    fn values_are_replaced_in_their_quoting_and_keys_added_in_the_file_s_indentation() {
        let text = "services:\n    web:  # the web\n        image: x\n        privileged: \"true\"\n        ports: ['8080:80', \"0.0.0.0:443:443\"]\n        restart: always # keep\n";
        let fs = [
            finding("privileged-container", 4, 21),
            finding("port-on-all-interfaces", 5, 17),
            finding("port-on-all-interfaces", 5, 28),
            finding("restart-policy-unbounded", 6, 18),
            finding("no-new-privileges-not-set", 2, 5),
            finding("writable-root-filesystem", 2, 5),
        ];
        let (out, refused) = fixed(text, &fs);
        assert_eq!(refused, vec![]);
        assert_eq!(
            out,
            "services:\n    web:  # the web\n        security_opt:\n          - no-new-privileges:true\n        read_only: true\n        image: x\n        privileged: \"false\"\n        ports: ['127.0.0.1:8080:80', \"127.0.0.1:443:443\"]\n        restart: on-failure:5 # keep\n"
        );
    }

    #[test]
    fn lists_are_extended_crlf_kept_interpolation_refused() {
        let text = "services:\r\n  a:\r\n    image: x\r\n    security_opt:\r\n      - label:type:container_t\r\n    cap_drop: [NET_RAW]\r\n    read_only: ${RO:-false}\r\n";
        let (out, refused) = fixed(
            text,
            &[
                finding("no-new-privileges-not-set", 2, 3),
                finding("capabilities-not-dropped", 2, 3),
                finding("writable-root-filesystem", 7, 16),
            ],
        );
        assert_eq!(
            out,
            "services:\r\n  a:\r\n    image: x\r\n    security_opt:\r\n      - no-new-privileges:true\r\n      - label:type:container_t\r\n    cap_drop: [NET_RAW, ALL]\r\n    read_only: ${RO:-false}\r\n"
        );
        assert_eq!(refused, [(2, "the value comes from ${RO}: change the variable, not the file".to_string())]);
        // A service that merges an anchor keeps the anchor's list: no fix, and why.
        let text = "x: &d\n  security_opt: [label:disable]\nservices:\n  a:\n    <<: *d\n    image: x\n";
        let (out, refused) = fixed(text, &[finding("no-new-privileges-not-set", 4, 3)]);
        assert_eq!(out, text);
        assert!(refused[0].1.contains("merges an anchor"), "{refused:?}");
    }
}

#[cfg(test)]
mod metadata {
    /// The catalog says which rules have a fix and how safe it is: the same as the fixers.
    #[test]
    fn catalog_and_fixers_agree() {
        for m in crate::rules::catalog::all() {
            let code = super::safety(&m.id).map(|s| if s == super::Safety::Safe { "safe" } else { "unsafe" });
            assert_eq!(m.fix.as_ref().map(|f| f.0.as_str()), code, "{}", m.id);
            assert!(m.fix.as_ref().is_none_or(|f| !f.1.is_empty()), "{}: fix without a note", m.id);
        }
    }
}
