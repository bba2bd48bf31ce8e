//! Sources do all I/O: they read, parse and normalise, and remember where each value came from.

pub mod compose;
pub mod engine;
pub mod host;
pub mod oci;
pub mod provision;
pub mod read;
