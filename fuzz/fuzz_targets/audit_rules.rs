//! Any bytes as an audit rules file, line by line as auditctl reads it: no panic.
#![no_main]

use cbench::sources::host::audit;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for line in String::from_utf8_lossy(data).lines() {
        let _ = audit::parse_rule(line);
    }
});
