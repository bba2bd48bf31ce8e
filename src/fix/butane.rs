//! `cbench butane --fix`: the remediation bundle of the host a config produces (`fix::host`),
//! written into the config itself, in its own style: a file the config already writes inline
//! gets the fixed contents in place (its block scalar's indentation kept) and its `mode:`
//! changed where it is; a file the config does not write becomes a new `storage.files` entry,
//! in the indentation of the config's other entries (with `overwrite: true` where the image
//! has the path); a Flatcar default whose mode is too open is written with its own contents and
//! the right mode. Contents the config takes from `local:` or a URL are not edited: the message
//! says where they come from.

use super::Edit;
use super::host::Bundle;
use crate::sources::compose::yaml::{self, Node};
use crate::sources::host::HostRoot;
use crate::sources::host::vfs::normalise;
use crate::sources::provision::{Config, FileSpec};

/// The edits that write `bundle` into the config `text` (parsed as `config`), and what could not
/// be written, with why.
pub fn edits(text: &str, config: &Config, bundle: &Bundle, root: &HostRoot) -> (Vec<Edit>, Vec<String>) {
    let doc = Doc::new(text);
    let mut edits = Vec::new();
    let mut refused = Vec::new();
    let mut new_entries: Vec<(String, u32, String, bool)> = Vec::new();
    let entry = |path: &str| config.files.iter().find(|f| normalise(&f.node.path) == normalise(path));
    for f in &bundle.files {
        match entry(&f.path) {
            Some(spec) => match doc.replace_contents(spec, &f.text) {
                Ok(mut e) => {
                    edits.append(&mut e);
                    edits.extend(doc.set_mode(spec, f.mode));
                }
                Err(why) => refused.push(format!("{}: {why}", f.path)),
            },
            None => new_entries.push((f.path.clone(), f.mode, f.text.clone(), root.exists(&f.path) || root.is_link(&f.path))),
        }
    }
    for (path, mode) in &bundle.modes {
        match entry(path) {
            Some(spec) => edits.extend(doc.set_mode(spec, *mode)),
            // A Flatcar default: written with its own contents and the right mode.
            None => match root.read_to_string(path) {
                Ok(t) => new_entries.push((path.clone(), *mode, t, true)),
                Err(_) => refused.push(format!("{path}: its mode is not the config's to set (not a file the image has)")),
            },
        }
    }
    if !new_entries.is_empty() {
        edits.push(doc.add_files(&new_entries));
    }
    for (o, _) in &bundle.owners {
        refused.push(format!("{o}: give it to root (`user: {{id: 0}}`, `group: {{id: 0}}`) by hand"));
    }
    (edits, refused)
}

struct Doc<'a> {
    text: &'a str,
    starts: Vec<usize>,
    root: Option<Node>,
    eol: &'static str,
}

impl<'a> Doc<'a> {
    fn new(text: &'a str) -> Doc<'a> {
        let starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        let root = yaml::parse(text, 0).ok().and_then(|d| d.into_iter().next());
        Doc { text, starts, root, eol: if text.contains("\r\n") { "\r\n" } else { "\n" } }
    }

    fn line(&self, n: u32) -> &str {
        let start = self.starts[n as usize - 1];
        let end = self.starts.get(n as usize).map_or(self.text.len(), |e| e - 1);
        self.text[start..end].trim_end_matches('\r')
    }

    fn lines(&self) -> u32 {
        self.starts.len() as u32 - u32::from(self.text.ends_with('\n'))
    }

    fn indent(l: &str) -> usize {
        l.len() - l.trim_start_matches(' ').len()
    }

    fn offset(&self, line: u32, col: u32) -> usize {
        let s = self.starts[line as usize - 1];
        s + self.text[s..].chars().take(col as usize - 1).map(char::len_utf8).sum::<usize>()
    }

    /// Byte offset where line `n` starts (the end of the text past the last line).
    fn line_start(&self, n: u32) -> usize {
        self.starts.get(n as usize - 1).copied().unwrap_or(self.text.len())
    }

    fn block(&self, text: &str, indent: usize) -> String {
        text.lines().map(|l| if l.is_empty() { self.eol.to_string() } else { format!("{}{l}{}", " ".repeat(indent), self.eol) }).collect()
    }

    /// Replace the inline contents of the file entry `spec` with `new`.
    fn replace_contents(&self, spec: &FileSpec, new: &str) -> Result<Vec<Edit>, String> {
        let Some(r) = &spec.contents else { return Err("the config appends to it: not fixed automatically".into()) };
        if r.source.is_some() {
            return Err("its contents come from a URL: change them there".into());
        }
        let Some(Some(first)) = r.lines.first() else { return Err("its contents come from a local file: change it there".into()) };
        if r.data.as_deref() == Some(new.as_bytes()) {
            return Ok(Vec::new());
        }
        if first.block {
            // The block runs while lines are blank or indented at least as deep.
            let indent = first.col as usize - 1;
            let mut end = first.line;
            let mut n = first.line;
            while n <= self.lines() {
                let l = self.line(n);
                if !l.trim().is_empty() && Self::indent(l) < indent {
                    break;
                }
                if !l.trim().is_empty() {
                    end = n;
                }
                n += 1;
            }
            return Ok(vec![Edit { start: self.line_start(first.line), end: self.line_start(end + 1), text: self.block(new, indent) }]);
        }
        // A one-line scalar (`inline: 'x'`): becomes a literal block below its key.
        let at = self.offset(first.line, first.col);
        let line_end = self.line_start(first.line + 1);
        let key_indent = Self::indent(self.line(first.line));
        Ok(vec![Edit { start: at, end: line_end, text: format!("|{}{}", self.eol, self.block(new, key_indent + 2)) }])
    }

    /// Set the mode of the entry `spec`: its `mode:` value in its own notation, or a new line.
    fn set_mode(&self, spec: &FileSpec, mode: u32) -> Option<Edit> {
        match spec.node.mode {
            Some((m, _)) if m == mode => None,
            Some((_, (line, col))) => {
                let at = self.offset(line, col);
                let old = self.text[at..].split([' ', '\r', '\n', '#']).next().unwrap_or_default();
                let new = if old.starts_with("0o") {
                    format!("0o{mode:o}")
                } else if old.starts_with('0') {
                    format!("0{mode:o}")
                } else {
                    mode.to_string()
                };
                Some(Edit { start: at, end: at + old.len(), text: new })
            }
            None => {
                let (line, col) = spec.node.at;
                let at = self.line_start(line + 1);
                Some(Edit { start: at, end: at, text: format!("{}mode: 0{mode:o}{}", " ".repeat(col as usize - 1), self.eol) })
            }
        }
    }

    /// New `storage.files` entries, after the config's last entry (or a new `files:` list).
    fn add_files(&self, files: &[(String, u32, String, bool)]) -> Edit {
        let storage = self.root.as_ref().and_then(|r| r.get_entry("storage"));
        let list = storage.and_then(|(_, s)| s.get_entry("files"));
        let entry = |dash: usize| -> String {
            let key = " ".repeat(dash + 2);
            files
                .iter()
                .map(|(path, mode, text, overwrite)| {
                    let mut s = format!("{}- path: {path}{eol}{key}mode: 0{mode:o}{eol}", " ".repeat(dash), eol = self.eol);
                    if *overwrite {
                        s.push_str(&format!("{key}overwrite: true{}", self.eol));
                    }
                    s.push_str(&format!("{key}contents:{eol}{key}  inline: |{eol}", eol = self.eol));
                    s + &self.block(text, dash + 6)
                })
                .collect()
        };
        match (storage, list) {
            (_, Some((k, items))) => {
                let key_indent = k.pos.col as usize - 1;
                let dash = items.as_seq().and_then(|i| i.first()).map_or(key_indent + 2, |i| Self::indent(self.line(i.pos.line)));
                // The list ends before the first line indented no deeper than `files:` (a `- `
                // at its indentation is still an item).
                let mut end = k.pos.line;
                for n in k.pos.line + 1..=self.lines() {
                    let l = self.line(n);
                    if l.trim().is_empty() || l.trim_start().starts_with('#') {
                        continue;
                    }
                    let i = Self::indent(l);
                    if i < key_indent || (i == key_indent && !l.trim_start().starts_with("- ")) {
                        break;
                    }
                    end = n;
                }
                let at = self.line_start(end + 1);
                Edit { start: at, end: at, text: entry(dash) }
            }
            (Some((k, s)), None) => {
                let child = s.as_map().and_then(|m| m.first()).map_or(k.pos.col as usize + 1, |(c, _)| c.pos.col as usize - 1);
                let at = self.line_start(k.pos.line + 1);
                Edit { start: at, end: at, text: format!("{}files:{}{}", " ".repeat(child), self.eol, entry(child + 2)) }
            }
            (None, _) => {
                let sep = if self.text.is_empty() || self.text.ends_with('\n') { "" } else { self.eol };
                Edit {
                    start: self.text.len(),
                    end: self.text.len(),
                    text: format!("{sep}storage:{eol}  files:{eol}{}", entry(4), eol = self.eol),
                }
            }
        }
    }
}
