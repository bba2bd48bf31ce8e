//! secret-in-environment, credential-in-url. Values are read here, never reported.

use crate::model::ContainerSpec;
use crate::rules::Hit;

const SECRET_WORDS: &[&str] =
    &["PASSWORD", "PASSWD", "PASS", "PWD", "SECRET", "TOKEN", "API_KEY", "APIKEY", "PRIVATE_KEY", "ACCESS_KEY", "CREDENTIAL", "AUTH_KEY"];

/// A last word that says the value is about a secret, not the secret itself.
const NOT_A_SECRET: &[&str] = &[
    "TTL", "EXPIRY", "EXPIRES", "URL", "HOST", "PORT", "NAME", "USER", "LENGTH", "TIMEOUT", "ENDPOINT", "HEADER", "TYPE", "ENABLED", "DIR",
];

/// `DB_PASSWORD`, `githubToken`, `AWS_SECRET_ACCESS_KEY`; not `PASSWORD_FILE` (a path) nor `PWD`-like words inside others.
pub fn looks_secret(name: &str) -> bool {
    let up = name.to_ascii_uppercase();
    if up.ends_with("_FILE") || up.ends_with("_PATH") || up == "PWD" {
        return false;
    }
    let words: Vec<&str> = up.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).collect();
    if words.last().is_some_and(|w| NOT_A_SECRET.contains(w)) {
        return false;
    }
    SECRET_WORDS.iter().any(
        |s| {
            if s.contains('_') { up.contains(s) } else { words.iter().any(|w| w == s || (s.len() > 4 && w.ends_with(s))) }
        },
    )
}

pub fn secret_in_environment(s: &ContainerSpec) -> Vec<Hit> {
    s.env
        .iter()
        .filter(|e| e.value.literal && e.value.value.as_deref().is_some_and(|v| !v.is_empty()) && looks_secret(&e.value.name))
        .map(|e| {
            Hit::new(format!("environment variable {} holds a literal secret", e.value.name), e.origin.clone(), e.value.name.clone())
                .redacted()
        })
        .collect()
}

/// `scheme://user:password@host`: true when a non-empty, non-variable password is present.
pub fn has_url_credential(text: &str) -> bool {
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let after = &rest[i + 3..];
        let authority = after.split(['/', '?', '#', ' ', '"', '\'']).next().unwrap_or("");
        if let Some((userinfo, _host)) = authority.rsplit_once('@')
            && let Some((_, pass)) = userinfo.split_once(':')
            && !pass.is_empty()
            && !pass.starts_with('$')
        {
            return true;
        }
        rest = after;
    }
    false
}

pub fn credential_in_url(s: &ContainerSpec) -> Vec<Hit> {
    let mut hits: Vec<Hit> = s
        .env
        .iter()
        .filter(|e| e.value.literal && e.value.value.as_deref().is_some_and(has_url_credential))
        .map(|e| {
            Hit::new(
                format!("environment variable {} holds a URL with a literal password", e.value.name),
                e.origin.clone(),
                e.value.name.clone(),
            )
            .redacted()
        })
        .collect();
    for (field, cmd) in [("entrypoint", &s.entrypoint), ("command", &s.command)] {
        if let Some(c) = cmd
            && c.value.iter().any(|w| has_url_credential(w))
        {
            hits.push(Hit::new(format!("{field} holds a URL with a literal password"), c.origin.clone(), field).redacted());
        }
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::EnvVar;
    use crate::rules::container::testing::*;

    #[test]
    fn secret_names() {
        for (n, want) in [
            ("DB_PASSWORD", true),
            ("POSTGRES_PASSWORD_FILE", false),
            ("githubToken", true),
            ("AWS_SECRET_ACCESS_KEY", true),
            ("PATH", false),
            ("PWD", false),
            ("COMPASS", false),
            ("API_KEY", true),
            ("TOKEN_TTL", false),
        ] {
            assert_eq!(looks_secret(n), want, "{n}");
        }
    }

    #[test]
    fn urls_and_literals() {
        assert!(has_url_credential("postgres://app:hunter2@db/x"));
        assert!(!has_url_credential("postgres://app@db/x"));
        assert!(!has_url_credential("postgres://app:${PW}@db/x"));
        assert!(!has_url_credential("https://example.com/a:b@c"));
        let env = |name: &str, value: &str, literal| v(EnvVar { name: name.into(), value: Some(value.into()), literal }, 7);
        let s = ContainerSpec {
            env: vec![env("DB_PASSWORD", "x", true), env("API_TOKEN", "x", false), env("DATABASE_URL", "mysql://u:p@h/d", true)],
            ..hardened()
        };
        let ev: Vec<String> = secret_in_environment(&s).into_iter().map(|h| h.evidence).collect();
        assert_eq!(ev, ["DB_PASSWORD"]);
        let hits = credential_in_url(&s);
        assert_eq!(hits[0].evidence, "DATABASE_URL");
        assert!(!hits[0].message.contains("p@h"));
        assert!(hits.iter().all(|h| h.redact));
        assert!(secret_in_environment(&s)[0].redact);
    }
}
