//! image-not-pinned

use crate::model::ContainerSpec;
use crate::rules::Hit;

pub fn image_not_pinned(s: &ContainerSpec) -> Vec<Hit> {
    let Some(img) = &s.image else { return vec![] };
    let name = img.value.as_str();
    if name.contains("@sha256:") {
        return vec![];
    }
    // The tag follows the last `:` after the last `/` (a registry port is before a `/`).
    let last = name.rsplit('/').next().unwrap_or(name);
    let tag = last.rsplit_once(':').map(|(_, t)| t);
    match tag {
        None | Some("latest") => {
            vec![Hit::new(
                format!("image `{name}` is not pinned to a version: each pull may differ"),
                img.origin.clone(),
                format!("image: {name}"),
            )]
        }
        Some(_) => {
            let mut h = Hit::new(format!("image `{name}` has a tag but no digest"), img.origin.clone(), format!("image: {name}"));
            h.pedantic = true;
            vec![h]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::container::testing::*;

    #[test]
    fn tags() {
        for (image, fires, pedantic) in [
            ("nginx", true, false),
            ("nginx:latest", true, false),
            ("registry:5000/app", true, false),
            ("registry:5000/app:1.2", true, true),
            ("nginx:1.27@sha256:abc", false, false),
        ] {
            let s = ContainerSpec { image: Some(v(image.into(), 2)), ..hardened() };
            let hits = image_not_pinned(&s);
            assert_eq!(!hits.is_empty(), fires, "{image}");
            assert_eq!(hits.first().is_some_and(|h| h.pedantic), pedantic, "{image}");
        }
    }
}
