//! `.env` and `env_file` files: `KEY=VALUE` lines as Compose reads them.

/// One parsed line: name, value (None for a bare `KEY`), 1-based line number.
pub type EnvLine = (String, Option<String>, u32);

/// Parse an env file. Errors name the 1-based line.
pub fn parse(text: &str) -> Result<Vec<EnvLine>, (u32, String)> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line_no = i as u32 + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").map(str::trim_start).unwrap_or(line);
        // compose-go's dotenv also takes the YAML-ish `KEY: value`: the first `=` or `:` ends
        // the name.
        let (key, value) = match line.find(['=', ':']) {
            Some(at) => (line[..at].trim(), Some(line[at + 1..].trim_start())),
            None => (line, None),
        };
        if key.is_empty() || key.contains(char::is_whitespace) {
            // Never repeat the line: without `=` it may be a value written without its name,
            // and a name with a space in it may be a value too.
            let why = if value.is_some() { "its name holds a space" } else { "it has no `=`" };
            return Err((line_no, format!("not a NAME=VALUE line ({why}; its text is not shown: it may hold a secret)")));
        }
        let value = value.map(|v| unquote(v).ok_or((line_no, format!("unterminated quote in the value of {key}")))).transpose()?;
        out.push((key.to_string(), value, line_no));
    }
    Ok(out)
}

fn unquote(v: &str) -> Option<String> {
    if let Some(rest) = v.strip_prefix('\'') {
        return rest.find('\'').map(|end| rest[..end].to_string());
    }
    if let Some(rest) = v.strip_prefix('"') {
        let mut out = String::new();
        let mut chars = rest.chars();
        while let Some(c) = chars.next() {
            match c {
                '"' => return Some(out),
                '\\' => match chars.next() {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some(o) => out.push(o),
                    None => return None,
                },
                c => out.push(c),
            }
        }
        return None;
    }
    // Unquoted: an inline comment starts at ` #`.
    let v = match v.find(" #") {
        Some(i) => &v[..i],
        None => v,
    };
    Some(v.trim_end().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let got = parse("# c\nA=1\nexport B = two words # note\nC='x # y'\nD=\"q\\\"q\"\nE\n").unwrap();
        let want: Vec<EnvLine> = vec![
            ("A".into(), Some("1".into()), 2),
            ("B".into(), Some("two words".into()), 3),
            ("C".into(), Some("x # y".into()), 4),
            ("D".into(), Some("q\"q".into()), 5),
            ("E".into(), None, 6),
        ];
        assert_eq!(got, want);
        assert_eq!(parse("\nX=\"open\n").unwrap_err().0, 2);
    }
}
