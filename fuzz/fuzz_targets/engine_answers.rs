//! A mock Docker Engine driven by the fuzzer: the fuzz input is what the engine answers to
//! the container inspect, the image inspect and /info (split at 0xFF; a part left out is the
//! recording of a real engine). cbench reads it over its real transport and judges it; every
//! report is rendered. Nothing may panic, no human report may carry a control character from
//! the input, and every report is bounded by the input.
#![no_main]

use std::io::{BufRead, BufReader, Write};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use cbench::commands::host;
use cbench::report::{Format, Style, render_string};
use libfuzzer_sys::fuzz_target;

const VERSION: &str = include_str!("../../fixtures/engine/version.json");
const INFO: &str = include_str!("../../fixtures/engine/info.json");
const BRIDGE: &str = include_str!("../../fixtures/engine/network-bridge.json");
const CONTAINER: &str = include_str!("../../fixtures/engine/container-web.json");
const IMAGE: &str = include_str!("../../fixtures/engine/image.json");

static ANSWERS: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());

/// The mock engine's address (started once).
fn engine() -> &'static str {
    static ADDRESS: OnceLock<String> = OnceLock::new();
    ADDRESS.get_or_init(|| {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = format!("tcp://{}", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request = String::new();
                reader.read_line(&mut request).ok();
                let mut line = String::new();
                while reader.read_line(&mut line).unwrap_or(0) > 0 && line != "\r\n" {
                    line.clear();
                }
                let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
                let answers = ANSWERS.lock().unwrap().clone();
                let part = |i: usize, default: &str| answers.get(i).cloned().unwrap_or_else(|| default.as_bytes().to_vec());
                let body = if path.ends_with("/version") {
                    VERSION.as_bytes().to_vec()
                } else if path.ends_with("/info") {
                    part(2, INFO)
                } else if path.contains("/networks/") {
                    BRIDGE.as_bytes().to_vec()
                } else if path.contains("/containers/json") {
                    format!("[{{\"Id\":\"{}\"}}]", "ab".repeat(32)).into_bytes()
                } else if path.contains("/containers/") {
                    part(0, CONTAINER)
                } else if path.contains("/images/") {
                    part(1, IMAGE)
                } else {
                    b"{}".to_vec()
                };
                let mut out = stream;
                let _ = write!(out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n", body.len());
                let _ = out.write_all(&body);
            }
        });
        address
    })
}

fuzz_target!(|data: &[u8]| {
    let parts: Vec<Vec<u8>> = data.split(|b| *b == 0xFF).map(<[u8]>::to_vec).collect();
    *ANSWERS.lock().unwrap() = parts;
    let mut opts = host::Options::default();
    opts.engine.host = Some(engine().to_string());
    opts.engine.timeout = Duration::from_secs(5);
    opts.only = vec!["daemon".into(), "containers".into(), "images".into()];
    let run = host::run(&opts);
    let style = Style { color: false, expand: false, max_items: None };
    for format in [Format::Text, Format::Compact, Format::Github, Format::Junit, Format::Json, Format::Sarif, Format::DockerBenchJson] {
        let out = render_string(&run, format, &style);
        assert!(out.len() <= 4_000_000 + 200 * data.len(), "{format:?}: {} bytes out of {}", out.len(), data.len());
        if matches!(format, Format::Text | Format::Compact | Format::Github) {
            assert!(!out.contains(|c: char| c.is_control() && c != '\n'), "{format:?} carries a control character");
        }
    }
});
