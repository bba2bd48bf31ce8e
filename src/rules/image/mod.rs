//! Image rules (CIS Docker Benchmark section 4): image-runs-as-root, image-healthcheck-missing,
//! image-secret-in-env (4.10: ENV, labels and history), image-add-instruction (4.9),
//! image-update-alone (4.7).

use crate::model::{EnvVar, Healthcheck, ImageFacts, Val};
use crate::rules::{Check, Hit, SkipKind};

pub type ImageCheck = fn(&ImageFacts) -> Check;

pub const IMAGE_RULES: &[(&str, ImageCheck)] = &[
    ("image-runs-as-root", |i| image_runs_as_root(i).into()),
    ("image-healthcheck-missing", |i| image_healthcheck_missing(i).into()),
    ("image-secret-in-env", image_secret_in_env),
    ("image-add-instruction", |i| history(i, image_add_instruction)),
    ("image-update-alone", |i| history(i, image_update_alone)),
    ("image-setuid-files", image_setuid_files),
];

/// CIS 4.8: setuid/setgid files in the image (each one a way to root if the binary has a bug);
/// skipped, with the reason, when the layers were not read.
fn image_setuid_files(i: &ImageFacts) -> Check {
    match &i.setuid {
        Err(why) => Check::skip(crate::rules::SkipKind::Offline, why.clone()),
        Ok(files) if files.is_empty() => Check::Pass,
        Ok(files) => Check::Fail(
            files
                .iter()
                .map(|f| {
                    let (path, mode) = &f.value;
                    let bits = if mode & 0o4000 != 0 { "setuid" } else { "setgid" };
                    Hit::new(format!("image {} has a {bits} file {path} (mode {mode:04o})", i.name), f.origin.clone(), path.clone())
                })
                .collect(),
        ),
    }
}

/// A history rule: skipped when the engine did not give the history.
fn history(i: &ImageFacts, rule: fn(&ImageFacts, &[Val<String>]) -> Vec<Hit>) -> Check {
    match &i.history {
        Some(h) => rule(i, h).into(),
        None => Check::skip(SkipKind::Unreadable, format!("the engine did not give the history of image {}", i.name)),
    }
}

/// The instruction a history entry records (`ENV A=b`, `ADD file:... in /x`, a `RUN`'s
/// command), and the build args a `RUN` saw (`|1 A=b /bin/sh -c ...`, legacy and BuildKit).
fn instruction(created_by: &str) -> (String, Vec<(String, String)>) {
    let s = created_by.trim();
    let s = s.strip_prefix("/bin/sh -c #(nop)").map(str::trim).unwrap_or(s);
    let s = s.strip_prefix("RUN ").map(str::trim_start).filter(|r| r.starts_with('|')).unwrap_or(s);
    let Some(rest) = s.strip_prefix('|') else { return (s.to_string(), Vec::new()) };
    // `|N K=V ... CMD`: N build args, then the command.
    let mut words = rest.split(' ').filter(|w| !w.is_empty());
    let n: usize = words.next().and_then(|n| n.parse().ok()).unwrap_or(0);
    let args = words.by_ref().take(n).filter_map(|kv| kv.split_once('=')).map(|(k, v)| (k.to_string(), v.to_string())).collect();
    (words.collect::<Vec<_>>().join(" "), args)
}

/// `K=V` pairs of an `ENV`/`ARG`/`LABEL` instruction (a legacy `ENV K V` too).
fn pairs(rest: &str) -> Vec<(String, String)> {
    let rest = rest.trim();
    if !rest.contains('=') {
        return rest.split_once(' ').map(|(k, v)| vec![(k.to_string(), v.trim().to_string())]).unwrap_or_default();
    }
    rest.split_whitespace().filter_map(|kv| kv.split_once('=')).map(|(k, v)| (k.to_string(), v.trim_matches('"').to_string())).collect()
}

/// CIS 4.10 for images: a variable named like a secret with a literal, secret-shaped value in
/// the image's ENV, its LABELs, or its history (an `ENV` a later layer reset, an `ARG` default,
/// a build arg a `RUN` saw): every copy of the image carries it. The value is never printed.
pub fn image_secret_in_env(i: &ImageFacts) -> Check {
    let secret = |v: &EnvVar| crate::rules::container::secrets::literal_secret(v);
    let mut hits: Vec<Hit> = Vec::new();
    for e in i.env.iter().filter(|e| secret(&e.value)) {
        hits.push(
            Hit::new(
                format!("ENV {} holds a literal secret: anyone who pulls the image reads it", e.value.name),
                e.origin.clone(),
                e.value.name.clone(),
            )
            .redacted(),
        );
    }
    for l in i.labels.iter().filter(|l| secret(&l.value)) {
        hits.push(
            Hit::new(
                format!("LABEL {} holds a literal secret: anyone who pulls the image reads it", l.value.name),
                l.origin.clone(),
                format!("LABEL {}", l.value.name),
            )
            .redacted(),
        );
    }
    let current = |name: &str, value: &str| i.env.iter().any(|e| e.value.name == name && e.value.value.as_deref() == Some(value));
    for h in i.history.iter().flatten() {
        let (ins, args) = instruction(&h.value);
        let mut found: Vec<(&str, String, String)> = args.into_iter().map(|(k, v)| ("build arg", k, v)).collect();
        match ins.split_once(' ') {
            Some(("ENV", r)) => found.extend(pairs(r).into_iter().map(|(k, v)| ("ENV", k, v))),
            Some(("ARG", r)) => found.extend(pairs(r).into_iter().map(|(k, v)| ("ARG", k, v))),
            _ => {}
        }
        for (what, k, v) in found {
            let var = EnvVar { name: k.clone(), value: Some(v.clone()), literal: true, default: None };
            // The ENV the image still has is reported above, once.
            if !secret(&var) || (what == "ENV" && current(&k, &v)) {
                continue;
            }
            let evidence = format!("history {what} {k}");
            if hits.iter().any(|x| x.evidence == evidence) {
                continue;
            }
            hits.push(
                Hit::new(
                    format!("{what} {k} holds a literal secret recorded in the image's history: `docker history` shows it"),
                    h.origin.clone(),
                    evidence,
                )
                .redacted(),
            );
        }
    }
    if i.history.is_none() && hits.is_empty() {
        return Check::skip(SkipKind::Unreadable, format!("the engine did not give the history of image {}", i.name));
    }
    hits.into()
}

/// CIS 4.9: `ADD` in a layer (COPY does not fetch URLs nor unpack archives). The base image's
/// root file system (`ADD file:... in /`) is how every image starts, not a Dockerfile's choice.
pub fn image_add_instruction(i: &ImageFacts, history: &[Val<String>]) -> Vec<Hit> {
    history
        .iter()
        .filter(|h| {
            let ins = instruction(&h.value).0;
            ins.starts_with("ADD ") && !(ins.starts_with("ADD file:") && ins.trim_end().ends_with(" in /"))
        })
        .map(|h| {
            let ins = instruction(&h.value).0;
            let shown: String = ins.chars().take(120).collect();
            Hit::new(
                format!("image {} was built with ADD (`{shown}`): use COPY unless a URL or an archive to unpack is meant", i.name),
                h.origin.clone(),
                shown,
            )
        })
        .collect()
}

/// CIS 4.7: a package index updated in a layer of its own (`RUN apt-get update` without an
/// install in the same `RUN`): a rebuild reuses the cached, stale index.
pub fn image_update_alone(i: &ImageFacts, history: &[Val<String>]) -> Vec<Hit> {
    const UPDATE: &[&str] = &["apt-get update", "apt update", "apk update", "yum makecache", "dnf makecache", "zypper refresh"];
    const INSTALL: &[&str] = &["install", "apk add", "upgrade", "dist-upgrade"];
    history
        .iter()
        .filter(|h| {
            let ins = instruction(&h.value).0;
            UPDATE.iter().any(|u| ins.contains(u)) && !INSTALL.iter().any(|x| ins.contains(x))
        })
        .map(|h| {
            let shown: String = instruction(&h.value).0.chars().take(120).collect();
            Hit::new(format!("image {} updates its package index in a layer of its own (`{shown}`)", i.name), h.origin.clone(), shown)
        })
        .collect()
}

pub fn image_runs_as_root(i: &ImageFacts) -> Vec<Hit> {
    let user = i.user.as_ref().map(|u| u.value.as_str()).unwrap_or("");
    let name = user.split(':').next().unwrap_or("");
    if !(name.is_empty() || name == "root" || name == "0") {
        return vec![];
    }
    let origin = i.user.as_ref().map_or_else(|| i.declared_at.clone(), |u| u.origin.clone());
    let shown = if user.is_empty() { "no USER, so root".to_string() } else { format!("USER {user}") };
    vec![Hit::new(format!("image {} runs as root ({shown})", i.name), origin, format!("USER {user}"))]
}

pub fn image_healthcheck_missing(i: &ImageFacts) -> Vec<Hit> {
    match &i.healthcheck {
        Some(h) if h.value == Healthcheck::Defined => vec![],
        _ => vec![Hit::new(format!("image {} has no HEALTHCHECK", i.name), i.declared_at.clone(), "HEALTHCHECK")],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Origin, Val};

    fn image(user: Option<&str>, health: bool) -> ImageFacts {
        ImageFacts {
            name: "app:1".into(),
            declared_at: Origin::Field("image app:1".into()),
            user: user.map(|u| Val::new(u.to_string(), Origin::Field("image app:1 .Config.User".into()))),
            healthcheck: health.then(|| Val::new(Healthcheck::Defined, Origin::Unset)),
            env: Vec::new(),
            labels: Vec::new(),
            history: Some(Vec::new()),
            setuid: Ok(Vec::new()),
        }
    }

    fn found(c: Check) -> Vec<Hit> {
        match c {
            Check::Fail(h) => h,
            _ => vec![],
        }
    }

    /// The history of an image built by the legacy builder and by BuildKit.
    #[test]
    fn history_secrets_add_and_update_alone() {
        let h = |lines: &[&str]| -> Option<Vec<Val<String>>> {
            Some(lines.iter().enumerate().map(|(n, l)| Val::new(l.to_string(), Origin::Field(format!("layer {}", n + 1)))).collect())
        };
        let var = |name: &str, value: &str| {
            Val::new(crate::model::EnvVar { name: name.into(), value: Some(value.into()), literal: true, default: None }, Origin::Unset)
        };
        let i = ImageFacts {
            env: vec![var("OLD_PASSWORD", ""), var("API_TOKEN", "abc123xyz")],
            labels: vec![var("api_token", "L4bel-Sup3rS3cret-Tok"), var("maintainer", "a@b")],
            history: h(&[
                "/bin/sh -c #(nop)  ENV API_TOKEN=abc123xyz",
                "/bin/sh -c #(nop)  ENV OLD_PASSWORD=Hist0ry-S3cret-Pw",
                "/bin/sh -c #(nop)  LABEL api_token=L4bel-Sup3rS3cret-Tok",
                "|1 DB_PASSWORD=Bu1ld-Arg-S3cret /bin/sh -c echo apt-get update > /dev/null",
                "RUN |1 SIGNING_KEY=k3y-Bu1ldKit-S3cret /bin/sh -c apt-get update && apt-get install -y curl # buildkit",
                "/bin/sh -c #(nop)  ARG DB_PASSWORD=Bu1ld-Arg-S3cret",
                "/bin/sh -c #(nop) ADD file:d5e01f9ded in /hello.txt ",
                "ADD https://example.com/x.tgz /opt/ # buildkit",
                "/bin/sh -c #(nop) ADD file:0123abc in / ",
            ]),
            ..image(Some("app"), true)
        };
        let secrets: Vec<String> = found(image_secret_in_env(&i)).into_iter().map(|h| h.evidence).collect();
        assert_eq!(
            secrets,
            [
                "API_TOKEN",
                "LABEL api_token",
                "history ENV OLD_PASSWORD",
                "history build arg DB_PASSWORD",
                "history build arg SIGNING_KEY",
                "history ARG DB_PASSWORD"
            ]
        );
        let hist = i.history.clone().unwrap();
        let adds: Vec<String> = image_add_instruction(&i, &hist).into_iter().map(|h| h.evidence).collect();
        assert_eq!(adds, ["ADD file:d5e01f9ded in /hello.txt", "ADD https://example.com/x.tgz /opt/ # buildkit"]);
        let updates: Vec<String> = image_update_alone(&i, &hist).into_iter().map(|h| h.origin.to_string()).collect();
        assert_eq!(updates, ["layer 4"]);
        // No history from the engine: skipped, never passed.
        let unknown = ImageFacts { history: None, ..image(Some("app"), true) };
        assert!(matches!(image_secret_in_env(&unknown), Check::Skip(..)));
        assert!(matches!(IMAGE_RULES[3].1(&unknown), Check::Skip(..)));
    }

    #[test]
    fn secrets_baked_into_the_image() {
        let var = |name: &str, value: &str| {
            let v = crate::model::EnvVar { name: name.into(), value: Some(value.into()), literal: true, default: None };
            Val::new(v, Origin::Field("image app:1 .Config.Env".into()))
        };
        let i = ImageFacts {
            env: vec![
                var("PATH", "/usr/bin"),
                var("API_TOKEN", "abc123xyz"),
                var("DB_PASSWORD_FILE", "/run/secrets/db"),
                var("GPG_KEY", "0xDEAD"),
            ],
            ..image(Some("app"), true)
        };
        let hits = found(image_secret_in_env(&i));
        assert_eq!(hits.iter().map(|h| (h.evidence.as_str(), h.redact)).collect::<Vec<_>>(), [("API_TOKEN", true)]);
        assert!(!hits[0].message.contains("abc123xyz"));
    }

    #[test]
    fn users_and_healthchecks() {
        assert_eq!(image_runs_as_root(&image(None, true)).len(), 1);
        assert_eq!(image_runs_as_root(&image(Some("0:0"), true)).len(), 1);
        assert!(image_runs_as_root(&image(Some("app"), true)).is_empty());
        assert!(image_healthcheck_missing(&image(None, true)).is_empty());
        assert_eq!(image_healthcheck_missing(&image(None, false))[0].evidence, "HEALTHCHECK");
    }
}
