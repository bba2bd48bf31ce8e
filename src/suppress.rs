//! Inline suppressions: `# cbench: ignore[rule-id, ...]` on a finding's line or the line above.

use crate::model::SourceText;

/// Rule ids suppressed for 1-based `line` of `text`: a comment on that line, or a comment line just above.
pub fn ignored_at(text: &SourceText, line: u32) -> Vec<String> {
    let above = line.checked_sub(1).and_then(|l| text.line(l)).filter(|l| l.trim_start().starts_with('#'));
    above.into_iter().chain(text.line(line)).flat_map(parse_comment).collect()
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
}
