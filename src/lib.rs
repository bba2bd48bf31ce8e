//! cbench: one catalog of container security rules, for Compose files and Docker hosts.

pub mod baseline;
pub mod cis;
pub mod commands;
pub mod config;
pub mod fix;
pub mod model;
pub mod redact;
pub mod report;
pub mod rules;
pub mod runner;
pub mod sources;
pub mod suppress;
