//! Image rules (CIS Docker Benchmark section 4): image-runs-as-root, image-healthcheck-missing,
//! image-secret-in-env.

use crate::model::{Healthcheck, ImageFacts};
use crate::rules::Hit;

pub type ImageCheck = fn(&ImageFacts) -> Vec<Hit>;

pub const IMAGE_RULES: &[(&str, ImageCheck)] = &[
    ("image-runs-as-root", image_runs_as_root),
    ("image-healthcheck-missing", image_healthcheck_missing),
    ("image-secret-in-env", image_secret_in_env),
];

/// CIS 4.10 for images: an `ENV` named like a secret with a literal, secret-shaped value is in
/// every copy of the image. The value is never printed.
pub fn image_secret_in_env(i: &ImageFacts) -> Vec<Hit> {
    i.env
        .iter()
        .filter(|e| crate::rules::container::secrets::literal_secret(&e.value))
        .map(|e| {
            Hit::new(
                format!("ENV {} holds a literal secret: anyone who pulls the image reads it", e.value.name),
                e.origin.clone(),
                e.value.name.clone(),
            )
            .redacted()
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
        }
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
        let hits = image_secret_in_env(&i);
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
