//! Any bytes as an env file or `.env`, each value then interpolated as Compose would: nothing
//! may panic, every line number is a line of the file, and a parse error never repeats the
//! line (the marker `S3CR3T` may be in the input; only a valid name holding it may be shown).
#![no_main]

use cbench::sources::compose::{dotenv, interpolate};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let lines = text.lines().count() as u32;
    match dotenv::parse(text) {
        Ok(vars) => {
            for (name, value, line) in vars {
                assert!(line >= 1 && line <= lines.max(1));
                // Interpolated as `.env` values are (its errors are the interpolate target's).
                let lookup = |k: &str| (k == name).then(|| "v".to_string());
                if let Some(v) = value {
                    let _ = interpolate::interpolate(&v, &lookup);
                }
            }
        }
        Err((line, message)) => {
            assert!(line >= 1 && line <= lines.max(1));
            // A valid name may be shown (`unterminated quote in the value of NAME`); nothing else.
            let bad = text.lines().nth(line as usize - 1).unwrap_or("").trim();
            let bad = bad.strip_prefix("export ").unwrap_or(bad);
            let name = bad.split_once(['=', ':']).map_or("", |(k, _)| k.trim());
            let name_shown = !name.contains(char::is_whitespace) && name.contains("S3CR3T");
            assert!(!message.contains("S3CR3T") || name_shown, "{message}");
        }
    }
});
