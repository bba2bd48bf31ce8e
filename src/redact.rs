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
/// `keep_name`, a leading `NAME=` stays (a list item `PASSWORD=...`). Overlapping spans are
/// one (the first's `keep_name`). Linear, and in place when the masked parts are ASCII (a 10 MB
/// file is not held twice).
pub fn mask(text: String, spans: &mut [(usize, usize, bool)]) -> String {
    spans.sort_unstable();
    let mut merged: Vec<(usize, usize, bool)> = Vec::with_capacity(spans.len());
    for &(start, end, keep) in spans.iter().filter(|(s, e, _)| s < e) {
        match merged.last_mut() {
            Some(last) if start < last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end, keep)),
        }
    }
    // Character indices to byte ranges, moving forward only (the spans are sorted).
    let ascii = text.is_ascii();
    let mut cursor = (0usize, 0usize);
    let mut byte_of = |ci: usize| -> usize {
        if ascii {
            return ci.min(text.len());
        }
        let (mut c, mut b) = cursor;
        for ch in text[b..].chars() {
            if c == ci {
                break;
            }
            c += 1;
            b += ch.len_utf8();
        }
        cursor = (c, b);
        b
    };
    let mut ranges: Vec<(usize, usize)> = Vec::with_capacity(merged.len());
    for (start, end, keep_name) in merged {
        let (mut bs, be) = (byte_of(start), byte_of(end));
        if keep_name && let Some(eq) = text[bs..be].find('=') {
            bs += eq + 1;
        }
        ranges.push((bs, be));
    }
    if ranges.iter().all(|(a, b)| text.as_bytes()[*a..*b].is_ascii()) {
        let mut bytes = text.into_bytes();
        for (a, b) in ranges {
            bytes[a..b].iter_mut().filter(|c| !matches!(c, b'\n' | b'\r')).for_each(|c| *c = b'*');
        }
        // Only ASCII bytes were replaced by ASCII: still UTF-8.
        return String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    }
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (a, b) in ranges {
        out.push_str(&text[copied..a]);
        out.extend(text[a..b].chars().map(|c| if c == '\n' || c == '\r' { c } else { '*' }));
        copied = b;
    }
    out.push_str(&text[copied..]);
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
        assert_eq!(mask(text.to_string(), &mut [(3, 9, false)]), "a: ******\nb: x\n");
        assert_eq!(mask("k: |\n  one\n  two\n".into(), &mut [(5, 16, false)]), "k: |\n*****\n*****\n");
        assert_eq!(mask("abc".into(), &mut [(1, 2, false), (0, 3, false)]), "***");
        assert_eq!(mask("- A=b=c\n".into(), &mut [(2, 7, true)]), "- A=***\n");
        // Character indices on a line with multi-byte characters, spans out of order.
        assert_eq!(mask("é: sécret # ü\nb: ü".into(), &mut [(17, 18, false), (3, 9, false)]), "é: ****** # ü\nb: *");
    }
}
