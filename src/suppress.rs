//! Inline suppressions: `# cbench: ignore[rule-id, ...]` on a finding's line or the line above.

use crate::model::SourceText;

/// Rule ids suppressed for 1-based `line` of `text`: a comment on that line, or a comment line just above.
pub fn ignored_at(text: &SourceText, line: u32) -> Vec<String> {
    let above = line.checked_sub(1).and_then(|l| text.line(l)).filter(|l| l.trim_start().starts_with('#'));
    above.into_iter().chain(text.line(line)).flat_map(parse_comment).collect()
}

/// Rule ids in the file's `# cbench: ignore[...]` comments that `known` does not know, with
/// their 1-based line and column: a typo there silently suppresses nothing.
pub fn unknown_ids(text: &SourceText, known: &dyn Fn(&str) -> bool) -> Vec<(u32, u32, String)> {
    let mut out = Vec::new();
    let t = text.text();
    let mut from = 0;
    while let Some(i) = t[from..].find("cbench:") {
        let at = from + i;
        from = at + 7;
        let line_start = t[..at].rfind('\n').map_or(0, |n| n + 1);
        let line_end = t[at..].find('\n').map_or(t.len(), |n| at + n);
        let line = &t[line_start..line_end];
        // Only a comment's `cbench:` counts, as for `ignored_at`.
        if !line[..at - line_start].contains('#') {
            continue;
        }
        let rest = &line[at - line_start + 7..];
        let trimmed = rest.trim_start();
        if !trimmed.starts_with("ignore[") {
            continue;
        }
        let list_at = at - line_start + 7 + (rest.len() - trimmed.len());
        let list = &line[list_at + 7..];
        let list = &list[..list.find(']').unwrap_or(list.len())];
        let mut offset = list_at + 7;
        for id in list.split(',') {
            let trimmed = id.trim();
            if !trimmed.is_empty() && !known(trimmed) {
                let col = line[..offset + (id.len() - id.trim_start().len())].chars().count() as u32 + 1;
                out.push((t[..line_start].matches('\n').count() as u32 + 1, col, trimmed.to_string()));
            }
            offset += id.len() + 1;
        }
        from = line_end;
    }
    out
}

fn parse_comment(line: &str) -> Vec<String> {
    let Some(hash) = line.find('#') else { return vec![] };
    let comment = &line[hash + 1..];
    let Some(at) = comment.find("cbench:") else { return vec![] };
    let rest = comment[at + 7..].trim_start();
    let Some(list) = rest.strip_prefix("ignore[").and_then(|r| r.split_once(']')).map(|(l, _)| l) else {
        return vec![];
    };
    list.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_line_and_line_above() {
        let text = SourceText::new("a: 1\n# cbench: ignore[x, y]\nb: 2  # cbench: ignore[z]\nc: 3\n".into());
        assert_eq!(ignored_at(&text, 3), ["x", "y", "z"]);
        assert!(ignored_at(&text, 4).is_empty());
        assert!(ignored_at(&text, 1).is_empty());
        assert!(parse_comment("image: x # cbench ignore[x]").is_empty());
    }

    #[test]
    fn unknown_ids_are_found_with_their_position() {
        let text = SourceText::new("a: 1  # cbench: ignore[x, nope]\n# cbench: ignore[ typo ]\nb: \"cbench: ignore[q]\"\n".into());
        let known = |id: &str| id == "x";
        assert_eq!(unknown_ids(&text, &known), [(1, 27, "nope".to_string()), (2, 19, "typo".to_string())]);
    }
}
