//! Any bytes as a Butane config and as an Ignition config: nothing may panic; an error names a
//! line of the input; a config that loads is applied to the Flatcar base and judged, and every
//! finding position is a line of the input (or its top); a password hash (marker `S3CR3T`) or a
//! header value never reaches a finding or an error.
#![no_main]

use cbench::commands::provision;
use cbench::runner::Run;
use cbench::sources::provision::{self as source, Dialect};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // YAML breaks lines at \n, \r\n and a lone \r: at most this many.
    let lines = text.split(['\n', '\r']).count().max(1) as u32;
    for dialect in [Dialect::Butane, Dialect::Ignition] {
        let (config, diags) = source::parse(text, "f".into(), dialect, None);
        for d in &diags {
            assert!(d.line.is_none_or(|l| l >= 1 && l <= lines + 1), "{d:?}");
            assert!(!d.message.contains("S3CR3T"), "{d:?}");
        }
        let Some(config) = config else { continue };
        let mut run = Run::default();
        provision::audit(&config, &Default::default(), &Default::default(), &mut run);
        for f in &run.findings {
            if let cbench::model::Origin::File { path, line, .. } = &f.origin {
                assert!(&**path != "f" || *line <= lines + 1, "{f:?}");
            }
            assert!(!f.message.contains("S3CR3T") && !f.evidence.contains("S3CR3T"), "{f:?}");
        }
        let _ = source::translate::to_ignition(&config);
    }
});
