//! secret-in-environment, credential-in-url. Values are read here, never reported.

use crate::model::{ContainerSpec, EnvVar};
use crate::rules::Hit;

/// Words that name a secret, as a whole word of the name (`DB_PASSWORD`) or the end of one
/// longer than four letters (`githubToken`, `DBPASSWORD`).
const SECRET_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "PASS",
    "PASSPHRASE",
    "SECRET",
    "SECRETS",
    "TOKEN",
    "CREDENTIAL",
    "CREDENTIALS",
    "PSK",
    "SALT",
    "APIKEY",
    "PRIVATEKEY",
    "SECRETKEY",
];

/// `*_KEY` is a secret when the word before it says what the key does: `ENCRYPTION_KEY`,
/// `WG_PRESHARED_KEY`, `JWT_SIGNING_KEY`, `AWS_SECRET_ACCESS_KEY`; not `PRIMARY_KEY`, `S3_KEY`.
const KEY_KINDS: &[&str] = &[
    "API",
    "ACCESS",
    "PRIVATE",
    "SECRET",
    "ENCRYPTION",
    "ENCRYPT",
    "ENC",
    "SIGNING",
    "SIGN",
    "PRESHARED",
    "SHARED",
    "MASTER",
    "SESSION",
    "JWT",
    "HMAC",
    "AUTH",
    "LICENSE",
    "SSH",
    "CRYPT",
    "CRYPTO",
    "CIPHER",
    "APP",
    "CLIENT",
    "WEBHOOK",
    "SERVER",
    "ADMIN",
];

/// A last word that says the value is about a secret, not the secret itself.
const NOT_A_SECRET: &[&str] = &[
    "TTL",
    "EXPIRY",
    "EXPIRES",
    "URL",
    "HOST",
    "PORT",
    "NAME",
    "USER",
    "LENGTH",
    "TIMEOUT",
    "ENDPOINT",
    "HEADER",
    "TYPE",
    "ENABLED",
    "DIR",
    "FILE",
    "PATH",
    "ID",
    "MODE",
    "POLICY",
    "ALGORITHM",
    "ALG",
    "MIN",
    "MAX",
    "REQUIRED",
    "RESET",
    "ROTATION",
    "DAYS",
    "PROVIDER",
    "BACKEND",
    "LOCATION",
    "METHOD",
    "FORMAT",
];

/// `DB_PASSWORD`, `githubToken`, `AWS_SECRET_ACCESS_KEY`, `ENCRYPTION_KEY`; not `PASSWORD_FILE`
/// (a path), `AWS_ACCESS_KEY_ID` (an identifier), nor `PWD` (the working directory).
pub fn looks_secret(name: &str) -> bool {
    let words = words(name);
    if words.last().is_some_and(|w| NOT_A_SECRET.contains(&w.as_str())) {
        return false;
    }
    let secret_word = |w: &String| SECRET_WORDS.iter().any(|s| w == s || (s.len() > 4 && w.ends_with(s)));
    let key = words.windows(2).any(|p| matches!(p[1].as_str(), "KEY" | "KEYS") && KEY_KINDS.contains(&p[0].as_str()));
    key || words.iter().any(secret_word)
}

/// The words of a name, upper case: split at non-alphanumerics and at camelCase humps.
fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            out.extend((!cur.is_empty()).then(|| std::mem::take(&mut cur)));
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        cur.push(c.to_ascii_uppercase());
    }
    out.extend((!cur.is_empty()).then_some(cur));
    out
}

/// Whether a value can be a secret by its shape: not a boolean, a number, a path (a secret's
/// file, `/run/secrets/db`), a `${...}` reference, a placeholder made of `x`s (`XXX-XXX`,
/// `xxxx`), one that asks for the value (`YOUR-CLOUDFLARE-API-TOKEN`, `<SECRET>`: no service
/// accepts it, so nothing secret is committed), nor empty. A default credential (`admin`,
/// `changeme`) is a secret: it is what gets deployed.
pub fn secret_shaped(value: &str) -> bool {
    let v = value.trim();
    let lower = v.to_ascii_lowercase();
    let placeholder = v.contains(['x', 'X']) && v.chars().all(|c| matches!(c, 'x' | 'X' | '-' | '_' | '.' | '*'))
        || (v.starts_with('<') && v.ends_with('>'))
        || ["your-", "your_", "your ", "insert-", "insert_", "replace-", "replace_"].iter().any(|p| lower.starts_with(p));
    !(v.is_empty()
        || placeholder
        || matches!(lower.as_str(), "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "none")
        || v.parse::<f64>().is_ok()
        || v.starts_with('/')
        || v.starts_with("./")
        || v.starts_with("~/")
        || v.contains("${"))
}

/// A variable written in a file (a Compose file, a Dockerfile's ENV) named like a secret, with
/// a value shaped like one: a committed secret.
pub fn literal_secret(v: &EnvVar) -> bool {
    v.literal && looks_secret(&v.name) && v.value.as_deref().is_some_and(secret_shaped)
}

pub fn secret_in_environment(s: &ContainerSpec) -> Vec<Hit> {
    let mut hits: Vec<Hit> = s
        .env
        .iter()
        .filter(|e| looks_secret(&e.value.name))
        .filter_map(|e| {
            let name = &e.value.name;
            let why = if literal_secret(&e.value) {
                format!("environment variable {name} holds a literal secret")
            } else if e.value.default.as_deref().is_some_and(secret_shaped) {
                format!("environment variable {name} has a literal secret as its default (`${{...:-...}}`)")
            } else {
                return None;
            };
            Some(Hit::new(why, e.origin.clone(), name.clone()).redacted())
        })
        .collect();
    // Options in a value (`JAVA_TOOL_OPTIONS: -Dkeystore.password=...`), whatever its name.
    for e in s.env.iter().filter(|e| e.value.literal && !looks_secret(&e.value.name)) {
        let Some(value) = e.value.value.as_deref().filter(|v| v.contains('-')) else { continue };
        if let Some(flag) = password_argument(&[value.to_string()]) {
            let name = &e.value.name;
            hits.push(
                Hit::new(format!("environment variable {name} passes a literal password ({flag})"), e.origin.clone(), name.clone())
                    .redacted(),
            );
        }
    }
    for (field, cmd) in [("entrypoint", &s.entrypoint), ("command", &s.command), ("healthcheck", &s.healthcheck_test)] {
        if let Some(c) = cmd
            && let Some(flag) = password_argument(&c.value)
        {
            hits.push(
                Hit::new(format!("{field} passes a literal password ({flag})"), c.origin.clone(), format!("{field}: {flag}")).redacted(),
            );
        }
    }
    hits
}

/// Options that take a password, as `--requirepass x`, `--password=x` or `-px` (mysql).
const PASSWORD_FLAGS: &[&str] =
    &["--requirepass", "--masterauth", "--password", "--pass", "--passwd", "--db-password", "--auth-token", "--token"];

/// Short options that take a password in one program only: (program, option).
const PROGRAM_FLAGS: &[(&str, &str)] = &[("sqlcmd", "-P"), ("redis-cli", "-a"), ("mongo", "-p"), ("mongosh", "-p")];

/// The option of a command line that passes a literal password, if any; a shell command in
/// one word (`sh -c "..."`, `CMD-SHELL`) is split at spaces.
pub fn password_argument(words: &[String]) -> Option<String> {
    let split: Vec<&str> = words.iter().flat_map(|w| w.split_whitespace()).map(|w| w.trim_matches(['"', '\''])).collect();
    for (i, w) in split.iter().enumerate() {
        let (flag, inline) = w.split_once('=').map_or((*w, None), |(f, v)| (f, Some(v)));
        if PASSWORD_FLAGS.contains(&flag) {
            // `--password="$(cat /run/secrets/db)"`: a substitution, not a literal.
            let value = inline.or_else(|| split.get(i + 1).copied()).unwrap_or("").trim_matches(['"', '\'']);
            if !value.starts_with('-') && secret_shaped(value) && !value.starts_with(['$', '`']) {
                return Some(flag.to_string());
            }
        }
        // `-Dkeystore.password=SECRET` (a JVM system property named like a secret).
        if let Some((key, value)) = w.strip_prefix("-D").and_then(|p| p.split_once('='))
            && looks_secret(key)
            && secret_shaped(value)
            && !value.starts_with('$')
        {
            return Some(format!("-D{key}"));
        }
        if let Some((program, option)) = PROGRAM_FLAGS.iter().find(|(_, o)| o == w)
            && split[..i].iter().any(|p| p.rsplit('/').next() == Some(program))
            && let Some(value) = split.get(i + 1)
            && secret_shaped(value)
            && !value.starts_with(['$', '-'])
        {
            return Some(option.to_string());
        }
        // mysql, mysqladmin, mariadb: `-pSECRET` (the password glued to -p).
        if let Some(value) = w.strip_prefix("-p")
            && !value.is_empty()
            && !value.starts_with('$')
            && split[..i].iter().any(|p| p.rsplit('/').next().is_some_and(|p| p.starts_with("mysql") || p.starts_with("mariadb")))
            && secret_shaped(value)
        {
            return Some("-p".to_string());
        }
    }
    None
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
            ("ENCRYPTION_KEY", true),
            ("WG_PRESHARED_KEY", true),
            ("JWT_SIGNING_KEY", true),
            ("SIGNING_KEY", true),
            ("WORDPRESS_AUTH_SALT", true),
            ("AWS_ACCESS_KEY_ID", false),
            ("PRIMARY_KEY", false),
            ("S3_BUCKET_KEY", false),
            ("MYSQL_RANDOM_ROOT_PASSWORD", true),
            ("secretKey", true),
            ("PASSWORD_MIN_LENGTH", false),
        ] {
            assert_eq!(looks_secret(n), want, "{n}");
        }
    }

    #[test]
    fn values_by_shape() {
        for v in [
            "yes",
            "TRUE",
            "0",
            "1",
            "3.5",
            "/run/secrets/db",
            "./pw.txt",
            "",
            "${DB_PW:?set it}",
            "XXX-XXX",
            "xxxx",
            "YOUR-CLOUDFLARE-API-TOKEN",
            "<SECRET>",
            "your_password_here",
        ] {
            assert!(!secret_shaped(v), "{v}");
        }
        for v in ["hunter2", "changeme", "0x1f2e", "s3cr3t-with-dashes", "yourpassword", "<b>bold"] {
            assert!(secret_shaped(v), "{v}");
        }
        let env = |name: &str, value: &str, literal, default: Option<&str>| {
            v(EnvVar { name: name.into(), value: Some(value.into()), literal, default: default.map(str::to_string) }, 7)
        };
        let s = ContainerSpec {
            env: vec![
                env("MYSQL_RANDOM_ROOT_PASSWORD", "yes", true, None),
                env("DB_PASSWORD_FILE", "/run/secrets/db", true, None),
                env("REDIS_PASSWORD", "${REDIS_PASSWORD:?set it}", true, None),
                env("ADMIN_PASSWORD", "from-the-environment", false, Some("changeme")),
                env("SMTP_PASSWORD", "from-the-environment", false, None),
                env("ENCRYPTION_KEY", "k3y", true, None),
            ],
            ..hardened()
        };
        let hits = secret_in_environment(&s);
        assert_eq!(
            hits.iter().map(|h| h.message.as_str()).collect::<Vec<_>>(),
            [
                "environment variable ADMIN_PASSWORD has a literal secret as its default (`${...:-...}`)",
                "environment variable ENCRYPTION_KEY holds a literal secret"
            ]
        );
    }

    #[test]
    fn passwords_on_command_lines() {
        let w = |s: &[&str]| s.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(password_argument(&w(&["redis-server", "--requirepass", "hunter2"])).as_deref(), Some("--requirepass"));
        assert_eq!(password_argument(&w(&["sh", "-c", "redis-server --requirepass hunter2"])).as_deref(), Some("--requirepass"));
        assert_eq!(password_argument(&w(&["CMD", "mysqladmin", "ping", "-h", "localhost", "-pS3cret"])).as_deref(), Some("-p"));
        assert_eq!(password_argument(&w(&["app", "--password=hunter2"])).as_deref(), Some("--password"));
        assert_eq!(password_argument(&w(&["redis-server", "--requirepass", "$REDIS_PASSWORD"])), None);
        assert_eq!(password_argument(&w(&["mysqladmin", "ping", "-p$MYSQL_ROOT_PASSWORD"])), None);
        assert_eq!(password_argument(&w(&["app", "--password-file", "/run/secrets/pw"])), None);
        let from_file = "mysqladmin ping -h 127.0.0.1 --password=\"$(cat /run/secrets/db-password)\" --silent";
        assert_eq!(password_argument(&w(&["CMD-SHELL", from_file])), None, "a command substitution is no literal");
        assert_eq!(password_argument(&w(&["CMD-SHELL", "mysqladmin ping --password='hunter2'"])).as_deref(), Some("--password"));
        assert_eq!(password_argument(&w(&["grep", "-pattern"])), None);
        let sqlcmd = "/opt/mssql-tools/bin/sqlcmd -S localhost -U sa -P example_123 -Q 'SELECT 1' || exit 1";
        assert_eq!(password_argument(&w(&["CMD-SHELL", sqlcmd])).as_deref(), Some("-P"));
        assert_eq!(password_argument(&w(&["mysql", "-P", "3306"])), None, "mysql's -P is the port");
        let jvm = "-Dencryption.keyAlgorithm=DESede -Dmetadata-keystore.password=mp6yc0UD9e -Dsolr.secureComms=secret";
        assert_eq!(password_argument(&w(&[jvm])).as_deref(), Some("-Dmetadata-keystore.password"));
        assert_eq!(password_argument(&w(&["-Dapp.password=${APP_PASSWORD}"])), None);
        let s = ContainerSpec { healthcheck_test: Some(v(w(&["CMD-SHELL", "mysqladmin ping -pS3cret"]), 9)), ..hardened() };
        let hits = secret_in_environment(&s);
        assert_eq!(
            (hits[0].message.as_str(), &hits[0].origin, hits[0].redact),
            ("healthcheck passes a literal password (-p)", &at(9), true)
        );
    }

    #[test]
    fn urls_and_literals() {
        assert!(has_url_credential("postgres://app:hunter2@db/x"));
        assert!(!has_url_credential("postgres://app@db/x"));
        assert!(!has_url_credential("postgres://app:${PW}@db/x"));
        assert!(!has_url_credential("https://example.com/a:b@c"));
        let env = |name: &str, value: &str, literal| v(EnvVar { name: name.into(), value: Some(value.into()), literal, default: None }, 7);
        let s = ContainerSpec {
            env: vec![
                env("DB_PASSWORD", "hunter2", true),
                env("API_TOKEN", "hunter2", false),
                env("DATABASE_URL", "mysql://u:p@h/d", true),
            ],
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
