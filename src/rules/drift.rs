//! compose-drift: a running container that trips a rule its Compose file does not (it was
//! started, or changed, with other settings than the file says).

use std::collections::BTreeSet;

use crate::model::{ContainerSpec, Finding, Origin};
use crate::rules::{Check, ComposeSource, Context, Hit};

/// `found`: what the other rules found on the running container; compared with what they find
/// on its Compose service.
pub fn compose_drift(_: &ContainerSpec, ctx: &Context, found: &[Finding]) -> Check {
    match &ctx.service {
        ComposeSource::None => Check::na("not applicable: not made by Docker Compose"),
        ComposeSource::Unreadable(why) => Check::skip(crate::rules::SkipKind::Unreadable, why.clone()),
        ComposeSource::Service { file, findings } => drift(found, findings, file).into(),
    }
}

/// `container`: findings on the running container; `service`: findings on its Compose service.
pub fn drift(container: &[Finding], service: &[Finding], file: &str) -> Vec<Hit> {
    let in_file: BTreeSet<&str> = service.iter().map(|f| f.rule).collect();
    let mut seen = BTreeSet::new();
    container
        .iter()
        .filter(|f| !in_file.contains(f.rule) && seen.insert(f.rule))
        .map(|f| {
            let mut h = Hit::new(
                format!(
                    "the running container trips {} but its Compose file ({file}) does not: it runs with other settings than the file says",
                    f.rule
                ),
                f.origin.clone(),
                f.rule.to_string(),
            );
            h.related.push(service.first().map_or(Origin::Unset, |s| s.origin.clone()));
            h.related.retain(|o| *o != Origin::Unset);
            h
        })
        .collect()
}
