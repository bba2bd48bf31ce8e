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
/// Why a value cannot be interpolated (Compose refuses the file). Messages never quote the
/// value (it may be a secret): they name the variable and the character of the value (`at`,
/// 1-based) where the template goes wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InterpolateError {
    #[error("invalid template: the `${{` at character {at} of the value names no variable")]
    NoVariable { at: usize },
    #[error("invalid template: unknown operator after `${{{name}` at character {at} of the value")]
    UnknownOperator { name: String, at: usize },
    #[error("invalid template: the `${{` at character {at} of the value is never closed")]
    Unclosed { at: usize },
    #[error("invalid template: `${{...}}` nested more than {MAX_NESTING} levels deep at character {at} of the value")]
    TooDeep { at: usize },
    #[error("required variable {name} is missing a value: {message}")]
    Required { name: String, message: String },
}

/// How deep `${A:-${B:-...}}` may nest (Compose files nest two or three levels; a hostile file
/// must not drive the recursion).
pub const MAX_NESTING: usize = 32;

pub fn interpolate(input: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Result<Interpolated, InterpolateError> {
    expand(input, input, lookup, 0)
}

/// A variable name as an error shows it: at most 64 characters.
fn short(name: &str) -> String {
    match name.char_indices().nth(64) {
        Some((i, _)) => format!("{}…", &name[..i]),
        None => name.to_string(),
    }
}

/// The 1-based character of `top` where `part` (a slice of it) starts.
fn char_at(top: &str, part: &str) -> usize {
    let offset = (part.as_ptr() as usize).saturating_sub(top.as_ptr() as usize).min(top.len());
    top[..offset].chars().count() + 1
}

fn expand(input: &str, top: &str, lookup: &dyn Fn(&str) -> Option<String>, depth: usize) -> Result<Interpolated, InterpolateError> {
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
            let end = closing_brace(body).ok_or_else(|| InterpolateError::Unclosed { at: char_at(top, &rest[i..]) })?;
            if depth >= MAX_NESTING {
                return Err(InterpolateError::TooDeep { at: char_at(top, &rest[i..]) });
            }
            expand_braced(&body[..end], top, lookup, &mut out, depth)?;
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

fn expand_braced(
    expr: &str,
    top: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    out: &mut Interpolated,
    depth: usize,
) -> Result<(), InterpolateError> {
    // `expr` is what is inside `${...}`: the template starts two characters before it.
    let at = char_at(top, expr).saturating_sub(2).max(1);
    let n = name_len(expr);
    if n == 0 {
        return Err(InterpolateError::NoVariable { at });
    }
    let (name, op) = expr.split_at(n);
    out.substituted = true;
    let value = lookup(name);
    let set = value.is_some();
    let non_empty = value.as_deref().is_some_and(|v| !v.is_empty());
    let nested = |s: &str, out: &mut Interpolated| -> Result<String, InterpolateError> {
        let r = expand(s, top, lookup, depth + 1)?;
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
        "" => return Err(InterpolateError::UnknownOperator { name: short(name), at }),
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
        let err = |s: &str| interpolate(s, &env).unwrap_err().to_string();
        assert_eq!(err("Sup3rS3cret${"), "invalid template: the `${` at character 12 of the value is never closed");
        assert_eq!(err("ab${}"), "invalid template: the `${` at character 3 of the value names no variable");
        assert_eq!(err("x${U:-${Sécret!x}}"), "invalid template: unknown operator after `${S` at character 7 of the value");
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = format!("{}x{}", "${A:-".repeat(15_000), "}".repeat(15_000));
        assert_eq!(interpolate(&deep, &env).unwrap_err(), InterpolateError::TooDeep { at: 161 });
        let ok = format!("{}x{}", "${A:-".repeat(MAX_NESTING), "}".repeat(MAX_NESTING));
        assert_eq!(run(&ok), "x");
    }
}
