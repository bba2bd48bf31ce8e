//! Secrets never leave: what an input says in a value is not repeated by a message or a
//! snippet. Sources mask their source texts before any report sees them (`mask`); messages
//! built by others from untrusted input (serde's) are rewritten here before they are printed.

/// serde's message for untrusted JSON without the value it quotes: `invalid type: string
/// "FOO=s3cret", expected a sequence` becomes `invalid type: string (value not shown), expected
/// a sequence`
/// (field names stay: they are the input's keys, and what the reader needs to find the line).
pub fn serde_message(e: &serde_json::Error) -> String {
    let full = e.to_string();
    // serde_json appends " at line L column C"; the caller says where.
    let message = match full.rfind(" at line ") {
        Some(i) if e.line() > 0 => &full[..i],
        _ => full.as_str(),
    };
    without_quoted_values(message)
}

/// `string "…"`, `variant \`…\``, `integer \`…\``, ... as `string (value not shown)`, ...
pub fn without_quoted_values(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(i) = rest.find([' ', ':']) {
        let (head, tail) = rest.split_at(i + 1);
        out.push_str(head);
        rest = tail;
        for word in ["string", "variant", "integer", "floating point", "char", "value"] {
            if let Some(after) = rest.strip_prefix(word).and_then(|r| r.strip_prefix(' '))
                && let Some(q @ ('"' | '`')) = after.chars().next()
            {
                // The quoted value runs to the last closing quote before ", expected" (a value
                // may itself hold quotes), else to the last closing quote.
                let body = &after[1..];
                let end = body.rfind(&format!("{q}, expected")).or_else(|| body.rfind(q));
                if let Some(end) = end {
                    out.push_str(&format!("{word} (value not shown)"));
                    rest = &body[end + 1..];
                }
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `text` with every span masked: `(start, end, keep_name)` in character indices, each
/// character becoming `*` but for line breaks, so lines and columns stay where they were; with
/// `keep_name`, a leading `NAME=` stays (a list item `PASSWORD=...`).
pub fn mask(text: &str, spans: &mut [(usize, usize, bool)]) -> String {
    spans.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut spans = spans.iter().peekable();
    let mut current: Option<(usize, bool)> = None; // (end, still in the NAME= part)
    for (i, c) in text.chars().enumerate() {
        while current.is_none_or(|(end, _)| i >= end)
            && let Some(&&(start, end, keep_name)) = spans.peek()
            && start <= i
        {
            spans.next();
            if end > i {
                current = Some((end.max(current.map_or(0, |c| c.0)), keep_name));
            }
        }
        match &mut current {
            Some((end, _)) if i >= *end => {
                current = None;
                out.push(c);
            }
            Some((_, naming @ true)) => {
                if c == '=' {
                    *naming = false;
                }
                out.push(c);
            }
            Some(_) if c != '\n' && c != '\r' => out.push('*'),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_messages_lose_their_values() {
        let e = serde_json::from_str::<Vec<u32>>(r#"["MYSQL_PASSWORD=Sup3r\"S3cret", 1]"#).unwrap_err();
        assert_eq!(serde_message(&e), "invalid type: string (value not shown), expected u32");
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        enum E {
            A,
        }
        let e = serde_json::from_str::<E>(r#""Sup3rS3cret""#).unwrap_err();
        assert_eq!(serde_message(&e), "unknown variant (value not shown), expected `A`");
        let e = serde_json::from_str::<u8>("{").unwrap_err();
        assert_eq!(serde_message(&e), "invalid type: map, expected u8");
    }

    #[test]
    fn masks_keep_lines_and_columns() {
        let text = "a: Sécret\nb: x\n";
        assert_eq!(mask(text, &mut [(3, 9, false)]), "a: ******\nb: x\n");
        assert_eq!(mask("k: |\n  one\n  two\n", &mut [(5, 16, false)]), "k: |\n*****\n*****\n");
        assert_eq!(mask("abc", &mut [(1, 2, false), (0, 3, false)]), "***");
        assert_eq!(mask("- A=b=c\n", &mut [(2, 7, true)]), "- A=***\n");
    }
}
