//! Image rules (CIS Docker Benchmark section 4): image-runs-as-root, image-healthcheck-missing.

use crate::model::{Healthcheck, ImageFacts};
use crate::rules::Hit;

pub type ImageCheck = fn(&ImageFacts) -> Vec<Hit>;

pub const IMAGE_RULES: &[(&str, ImageCheck)] =
    &[("image-runs-as-root", image_runs_as_root), ("image-healthcheck-missing", image_healthcheck_missing)];

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
        }
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
