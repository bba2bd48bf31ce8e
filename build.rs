//! Embeds the Flatcar base tree (`flatcar/RELEASE/`): the image's defaults that `cbench butane`
//! and `cbench ignition` apply a config to. Modes come from the tree's `.modes` (git keeps only
//! 0644 and 0755); `.keep` files only hold empty directories in git.
// The build reads the repository, not an audited host.
#![allow(clippy::disallowed_methods)]
use std::fmt::Write;
use std::path::Path;

fn walk(top: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let path = e.path();
        let host = format!("/{}", path.strip_prefix(top).unwrap().display());
        let name = e.file_name().to_string_lossy().into_owned();
        if name == ".modes" || name == ".keep" {
            continue;
        }
        let meta = std::fs::symlink_metadata(&path).unwrap();
        if meta.file_type().is_symlink() {
            out.push((host, format!("Link({:?})", std::fs::read_link(&path).unwrap().display().to_string())));
        } else if meta.is_dir() {
            out.push((host, "Dir".into()));
            walk(top, &path, out);
        } else {
            out.push((host, format!("File(include_bytes!({:?}))", std::fs::canonicalize(&path).unwrap().display().to_string())));
        }
    }
}

fn main() {
    let base = Path::new("flatcar");
    println!("cargo::rerun-if-changed=flatcar");
    let mut code =
        String::from("/// (release, [(host path, entry, mode or 0 for the default)])\npub const BASES: &[(&str, &[BaseLine])] = &[\n");
    let mut releases: Vec<_> = std::fs::read_dir(base).unwrap().flatten().filter(|e| e.path().is_dir()).collect();
    releases.sort_by_key(|e| e.file_name());
    for release in releases {
        let top = release.path();
        let modes = std::fs::read_to_string(top.join(".modes")).unwrap_or_default();
        let mut entries = Vec::new();
        walk(&top, &top, &mut entries);
        writeln!(code, "    ({:?}, &[", release.file_name().to_string_lossy()).unwrap();
        for (host, entry) in entries {
            let mode = modes
                .lines()
                .find_map(|l| {
                    l.split_once(' ').filter(|(p, _)| format!("/{p}") == host).map(|(_, m)| u32::from_str_radix(m.trim(), 8).unwrap())
                })
                .unwrap_or(0);
            writeln!(code, "        ({host:?}, BaseEntry::{entry}, {mode:#o}),").unwrap();
        }
        code.push_str("    ]),\n");
    }
    code.push_str("];\n");
    std::fs::write(Path::new(&std::env::var("OUT_DIR").unwrap()).join("flatcar_base.rs"), code).unwrap();
}
