//! Any bytes as a systemd unit file: the logical lines (continuations, comments) and the
//! ExecStart words must never panic, and every logical line starts on a line of the file.
#![no_main]

use cbench::sources::host::{daemon, systemd};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let lines = text.lines().count() as u32;
    for (n, line) in systemd::logical_lines(&text) {
        assert!(n >= 1 && n <= lines.max(1), "line {n} of {lines}");
        if let Some((_, value)) = line.split_once('=') {
            let _ = daemon::exec_words(value);
        }
    }
});
