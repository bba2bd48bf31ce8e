//! Variable interpolation as Docker Compose does it (compose-go `template`).

/// The result of interpolating one string.
#[derive(Debug, PartialEq, Eq)]
pub struct Interpolated {
    pub text: String,
    /// A variable was substituted: the value is not literal text from the file.
    pub substituted: bool,
    /// Variables referenced without a default and not set (Compose warns and uses "").
    pub unset: Vec<String>,
}

/// Interpolate `input`; `lookup` returns a variable's value, `None` when unset.
/// Errors carry the message of `${VAR:?msg}` / `${VAR?msg}` or describe a malformed template.
/// Why a value cannot be interpolated (Compose refuses the file).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InterpolateError {
    #[error("invalid template: `{input}` has `${{{expr}}}`, which names no variable")]
    NoVariable { input: String, expr: String },
    #[error("invalid template: `{input}` has an unknown operator in `${{{expr}}}`")]
    UnknownOperator { input: String, expr: String },
    #[error("invalid template: `{input}` has an unclosed `${{`")]
    Unclosed { input: String },
    #[error("required variable {name} is missing a value: {message}")]
    Required { name: String, message: String },
}

pub fn interpolate(input: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Result<Interpolated, InterpolateError> {
    let mut out = Interpolated { text: String::with_capacity(input.len()), substituted: false, unset: Vec::new() };
    if !input.contains('$') {
        out.text.push_str(input);
        return Ok(out);
    }
    let mut rest = input;
    while let Some(i) = rest.find('$') {
        out.text.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.text.push('$');
            rest = tail;
        } else if let Some(body) = after.strip_prefix('{') {
            let end = closing_brace(body).ok_or_else(|| InterpolateError::Unclosed { input: input.to_string() })?;
            expand_braced(&body[..end], input, lookup, &mut out)?;
            rest = &body[end + 1..];
        } else {
            let n = name_len(after);
            if n == 0 {
                out.text.push('$');
                rest = after;
            } else {
                let name = &after[..n];
                out.substituted = true;
                match lookup(name) {
                    Some(v) => out.text.push_str(&v),
                    None => out.unset.push(name.to_string()),
                }
                rest = &after[n..];
            }
        }
    }
    out.text.push_str(rest);
    Ok(out)
}

fn name_len(s: &str) -> usize {
    let b = s.as_bytes();
    if b.is_empty() || !(b[0] == b'_' || b[0].is_ascii_alphabetic()) {
        return 0;
    }
    b.iter().take_while(|c| **c == b'_' || c.is_ascii_alphanumeric()).count()
}

/// Index of the `}` closing a `${`, counting nested `${...}`.
fn closing_brace(body: &str) -> Option<usize> {
    let b = body.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'$' if b.get(i + 1) == Some(&b'{') => {
                depth += 1;
                i += 1;
            }
            b'}' if depth == 0 => return Some(i),
            b'}' => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    None
}

fn expand_braced(expr: &str, input: &str, lookup: &dyn Fn(&str) -> Option<String>, out: &mut Interpolated) -> Result<(), InterpolateError> {
    let n = name_len(expr);
    if n == 0 {
        return Err(InterpolateError::NoVariable { input: input.to_string(), expr: expr.to_string() });
    }
    let (name, op) = expr.split_at(n);
    out.substituted = true;
    let value = lookup(name);
    let set = value.is_some();
    let non_empty = value.as_deref().is_some_and(|v| !v.is_empty());
    let nested = |s: &str, out: &mut Interpolated| -> Result<String, InterpolateError> {
        let r = interpolate(s, lookup)?;
        out.unset.extend(r.unset);
        Ok(r.text)
    };
    let (ops, arg) = ["-", ":-", "?", ":?", "+", ":+"]
        .iter()
        .filter(|o| op.starts_with(**o))
        .max_by_key(|o| o.len())
        .map(|o| (*o, &op[o.len()..]))
        .unwrap_or(("", op));
    match ops {
        "" if arg.is_empty() => match value {
            Some(v) => out.text.push_str(&v),
            None => out.unset.push(name.to_string()),
        },
        "" => return Err(InterpolateError::UnknownOperator { input: input.to_string(), expr: expr.to_string() }),
        ":-" | "-" => {
            let use_default = if ops == ":-" { !non_empty } else { !set };
            let v = if use_default { nested(arg, out)? } else { value.unwrap_or_default() };
            out.text.push_str(&v);
        }
        ":?" | "?" => {
            let missing = if ops == ":?" { !non_empty } else { !set };
            if missing {
                let msg = nested(arg, out)?;
                return Err(InterpolateError::Required { name: name.to_string(), message: msg.to_string() });
            }
            out.text.push_str(&value.unwrap_or_default());
        }
        _ => {
            let use_alt = if ops == ":+" { non_empty } else { set };
            if use_alt {
                let v = nested(arg, out)?;
                out.text.push_str(&v);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "S" => Some("set".into()),
            "E" => Some(String::new()),
            _ => None,
        }
    }

    fn run(s: &str) -> String {
        interpolate(s, &env).unwrap().text
    }

    #[test]
    fn forms_as_compose() {
        assert_eq!(run("$$HOME"), "$HOME");
        assert_eq!(run("${S}-$S-${E}"), "set-set-");
        assert_eq!(run("${E-def}|${E:-def}|${U-def}"), "|def|def");
        assert_eq!(run("${S:+alt}|${E:+alt}|${E+alt}|${U+alt}"), "alt||alt|");
        assert_eq!(run("x${A:-${B:-nested}}y"), "xnestedy");
        assert_eq!(run("a$ b $1 $"), "a$ b $1 $");
        let r = interpolate("${NOPE}", &env).unwrap();
        assert_eq!((r.text.as_str(), r.unset), ("", vec!["NOPE".to_string()]));
        assert!(r.substituted);
        assert!(!interpolate("plain", &env).unwrap().substituted);
    }

    #[test]
    fn required_and_malformed() {
        assert_eq!(interpolate("${U:?need it}", &env).unwrap_err().to_string(), "required variable U is missing a value: need it");
        assert_eq!(interpolate("${E:?x}", &env).unwrap_err().to_string(), "required variable E is missing a value: x");
        assert_eq!(run("${E?x}"), "");
        assert!(interpolate("${S", &env).unwrap_err().to_string().contains("unclosed"));
        assert!(interpolate("${}", &env).is_err());
    }
}
