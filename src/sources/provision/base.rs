//! The Flatcar image's defaults, as the config finds them: the tree under `flatcar/RELEASE/`
//! in the repository, embedded at build time (build.rs). What it holds and why is in
//! `flatcar/README.md`.

use crate::sources::host::vfs::{Entry, Kind, Placed, Tree};

pub enum BaseEntry {
    File(&'static [u8]),
    Dir,
    Link(&'static str),
}

/// A host path, what is there, its mode (0: the default for its kind).
pub type BaseLine = (&'static str, BaseEntry, u32);

include!(concat!(env!("OUT_DIR"), "/flatcar_base.rs"));

/// The release the base tree describes.
pub fn release() -> &'static str {
    BASES.last().map_or("?", |(r, _)| r)
}

/// The Flatcar image as it boots before a config is applied.
pub fn tree(name: &str) -> Tree {
    let (release, entries) = BASES.last().expect("a Flatcar base tree in flatcar/");
    let mut tree = Tree { name: name.to_string(), base: release.to_string(), ..Tree::default() };
    tree.insert("/", Entry { kind: Kind::Dir, uid: 0, gid: 0, mode: 0o755, placed: Placed::Base });
    for (path, entry, mode) in entries.iter() {
        let (kind, default) = match entry {
            BaseEntry::File(data) => {
                let exec = path.starts_with("/usr/bin/") || path.starts_with("/usr/sbin/");
                (Kind::File((*data).into()), if exec { 0o755 } else { 0o644 })
            }
            BaseEntry::Dir => (Kind::Dir, 0o755),
            BaseEntry::Link(t) => (Kind::Link(t.to_string()), 0o777),
        };
        let mode = if *mode == 0 { default } else { *mode };
        tree.insert(path, Entry { kind, uid: 0, gid: 0, mode, placed: Placed::Base });
    }
    tree
}
