//! Any bytes as a dockerd command line (`ExecStart=` words, then flags as dockerd parses them):
//! no panic, and every flag found has a name.
#![no_main]

use cbench::model::{Origin, Val};
use cbench::sources::host::daemon;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut argv: Vec<Val<String>> = vec![Val::new("dockerd".to_string(), Origin::Unset)];
    argv.extend(daemon::exec_words(&text).into_iter().map(|w| Val::new(w, Origin::Unset)));
    for (name, _) in daemon::parse_flags(&argv) {
        assert!(!name.is_empty() || argv.iter().any(|a| a.value == "--" || a.value.starts_with("--=") || a.value == "-"));
    }
});
