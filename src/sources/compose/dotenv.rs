//! `.env` and `env_file` files: `KEY=VALUE` lines as Compose reads them.

/// One parsed line: name, value (None for a bare `KEY`), 1-based line number.
pub type EnvLine = (String, Option<String>, u32);

/// Parse an env file, values as written. Errors name the 1-based line.
pub fn parse(text: &str) -> Result<Vec<EnvLine>, (u32, String)> {
    Ok(lines(text, false)?.into_iter().map(|(k, v, n, _)| (k, v, n)).collect())
}

/// Parse an env file and interpolate its values as Compose does: `${VAR}` (every form of
/// `interpolate`) in unquoted and double-quoted values, from `outer` (the process environment,
/// which wins) and then the variables defined above in the same file; single-quoted values are
/// literal. Errors name the 1-based line and the variable, never the value.
pub fn parse_expanded(text: &str, outer: &dyn Fn(&str) -> Option<String>) -> Result<Vec<EnvLine>, (u32, String)> {
    let mut out: Vec<EnvLine> = Vec::new();
    let mut seen: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    for (key, value, line, single_quoted) in lines(text, true)? {
        let value = match value {
            Some(v) if !single_quoted && v.contains('$') => {
                let lookup = |k: &str| outer(k).or_else(|| seen.get(k).cloned());
                let r = super::interpolate::interpolate(&v, &lookup).map_err(|e| (line, format!("the value of {key}: {e}")))?;
                Some(r.text)
            }
            v => v,
        };
        if let Some(v) = &value {
            seen.insert(key.clone(), v.clone());
        }
        out.push((key, value, line));
    }
    Ok(out)
}

/// A line as written: name, value, line number, and whether the value was single-quoted.
type RawLine = (String, Option<String>, u32, bool);

/// The lines of an env file; with `escape_dollar`, a `\$` in a double-quoted value stays a
/// literal `$` through interpolation (it becomes `$$`), as Compose reads it.
fn lines(text: &str, escape_dollar: bool) -> Result<Vec<RawLine>, (u32, String)> {
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
        let single_quoted = value.is_some_and(|v| v.starts_with('\''));
        let value =
            value.map(|v| unquote(v, escape_dollar).ok_or((line_no, format!("unterminated quote in the value of {key}")))).transpose()?;
        out.push((key.to_string(), value, line_no, single_quoted));
    }
    Ok(out)
}

fn unquote(v: &str, escape_dollar: bool) -> Option<String> {
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
                    Some('$') if escape_dollar => out.push_str("$$"),
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

    /// Checked against Docker Compose v2.40.3 (`docker-compose config` with this .env and
    /// HOME=/proc-home PROC=proc in the environment): the process wins, then the lines above.
    #[test]
    fn values_are_interpolated_as_compose_does() {
        let text = "HOME=fromfile\nA=one\nB=${A}-two\nC='${A}'\nD=\"${A:-x}-$A\"\nE=${UNSET:-def}\nF=${HOME}\nG=${LATER}\nLATER=later\nH=${PROC}\nI=\"\\$A\"\nJ=$$A\nK=${NOPE:-${A}-nested}\n";
        let outer = |k: &str| match k {
            "HOME" => Some("/proc-home".to_string()),
            "PROC" => Some("proc".to_string()),
            _ => None,
        };
        let got: Vec<(String, String)> =
            parse_expanded(text, &outer).unwrap().into_iter().map(|(k, v, _)| (k, v.unwrap_or_default())).collect();
        let want = [
            ("HOME", "fromfile"),
            ("A", "one"),
            ("B", "one-two"),
            ("C", "${A}"),
            ("D", "one-one"),
            ("E", "def"),
            ("F", "/proc-home"),
            ("G", ""),
            ("LATER", "later"),
            ("H", "proc"),
            ("I", "$A"),
            ("J", "$A"),
            ("K", "one-nested"),
        ];
        assert_eq!(got, want.map(|(k, v)| (k.to_string(), v.to_string())));
        let err = parse_expanded("X=1\nPW=s3cr3t${\n", &outer).unwrap_err();
        assert_eq!(err.0, 2);
        assert!(!err.1.contains("s3cr3t"), "{}", err.1);
    }
}
