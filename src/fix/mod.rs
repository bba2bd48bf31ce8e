//! Fixes are data: a fixer turns a finding and the origins of its values into text edits at
//! exact byte positions of the file that declares the value; one writer applies edits (or
//! prints them as a unified diff). Fixes never touch an audited host: they edit the files the
//! user names (Compose files, Butane configs).

pub mod butane;
pub mod compose;
pub mod host;

/// Replace bytes `start..end` of a file with `text` (an insertion when `start == end`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Edit {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// A fix as reports show it (SARIF `fixes`): for the finding of `rule` at `origin`, the
/// regions of `path` to replace (1-based line and column, end exclusive) with their text.
#[derive(Debug, Clone, PartialEq)]
pub struct FixData {
    pub rule: &'static str,
    pub origin: crate::model::Origin,
    pub safety: Safety,
    pub description: String,
    pub path: std::sync::Arc<str>,
    pub replacements: Vec<Replacement>,
}

/// Replace from `start` to `end` (1-based line and column, end exclusive) with `text`.
#[derive(Debug, Clone, PartialEq)]
pub struct Replacement {
    pub start: (u32, u32),
    pub end: (u32, u32),
    pub text: String,
}

/// Whether a fix keeps what the service does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Safety {
    /// Keeps the service working for nearly every image: applied by `--fix`.
    Safe,
    /// Changes what the service may do (it can break it): applied with `--unsafe-fixes`.
    Unsafe,
}

/// `text` with `edits` applied. Edits are applied in position order; one that overlaps an edit
/// already taken is left out (returned), never half-applied. Insertions at the same place keep
/// their order.
pub fn apply(text: &str, edits: &[Edit]) -> (String, Vec<Edit>) {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.start, e.end));
    let mut out = String::with_capacity(text.len() + edits.iter().map(|e| e.text.len()).sum::<usize>());
    let mut at = 0;
    let mut skipped = Vec::new();
    for e in sorted {
        if e.start < at || e.end < e.start || e.end > text.len() || !text.is_char_boundary(e.start) || !text.is_char_boundary(e.end) {
            skipped.push(e.clone());
            continue;
        }
        out.push_str(&text[at..e.start]);
        out.push_str(&e.text);
        at = e.end;
    }
    out.push_str(&text[at..]);
    (out, skipped)
}

/// A unified diff of `path` from `before` to `after` (empty when they are equal).
pub fn diff(path: &str, before: &str, after: &str) -> String {
    if before == after {
        return String::new();
    }
    // Myers' algorithm is quadratic in the worst case: past a deadline `similar` settles for a
    // coarser (still exact) diff, so a 10 MB file with thousands of fixes prints in seconds.
    let deadline = std::time::Instant::now() + std::time::Duration::from_millis(500);
    similar::TextDiff::configure()
        .deadline(deadline)
        .diff_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(path, path)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(start: usize, end: usize, text: &str) -> Edit {
        Edit { start, end, text: text.into() }
    }

    #[test]
    fn edits_apply_in_order_and_overlaps_are_left_out() {
        let (out, skipped) = apply("a: true\nb: 1\n", &[e(3, 7, "false"), e(8, 8, "c: 2\n"), e(4, 6, "x"), e(8, 8, "d: 3\n")]);
        assert_eq!(out, "a: false\nc: 2\nd: 3\nb: 1\n");
        assert_eq!(skipped, [e(4, 6, "x")]);
        assert_eq!(diff("f.yaml", "a\n", "a\n"), "");
        assert!(diff("f.yaml", "a: true\n", "a: false\n").contains("-a: true\n+a: false\n"));
    }
}
