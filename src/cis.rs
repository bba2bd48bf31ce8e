//! The CIS Docker Benchmark's recommendations (`cis/docker.yaml`, embedded): one table maps
//! v1.6.0 numbers, which rules carry in their metadata, to v1.8.0 numbers, and says for each
//! recommendation whether the benchmark automates it and, where no rule checks it, what a
//! person does. Every report prints CIS ids through [`show`], in the numbering `--cis-version`
//! chose (v1.8.0 unless told).

use std::sync::OnceLock;

use crate::rules::catalog;
use crate::sources::compose::yaml::{self, Node};

const TABLE: &str = include_str!("../cis/docker.yaml");

/// A numbering of the CIS Docker Benchmark.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    /// v1.6.0 (2023), what docker-bench-security implements.
    V160,
    /// v1.8.0 (July 2025): adds 2.7 (devicemapper), renumbers v1.6.0's 2.7-2.18 to 2.8-2.19.
    V180,
}

impl Version {
    pub fn parse(s: &str) -> Option<Version> {
        match s.trim_start_matches('v') {
            "1.6.0" | "1.6" => Some(Version::V160),
            "1.8.0" | "1.8" => Some(Version::V180),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Version::V160 => "1.6.0",
            Version::V180 => "1.8.0",
        }
    }
}

/// One recommendation: its number in each version that has it.
#[derive(Debug, Clone)]
pub struct Rec {
    pub v160: Option<String>,
    pub v180: Option<String>,
    pub title: String,
    pub automated: bool,
    /// For what no rule checks: what a person looks at, and the command to run.
    pub guidance: Option<String>,
    /// What cbench shows that helps that person.
    pub shows: Option<String>,
}

impl Rec {
    pub fn id(&self, v: Version) -> Option<&str> {
        match v {
            Version::V160 => self.v160.as_deref(),
            Version::V180 => self.v180.as_deref(),
        }
    }

    /// The rules that check this recommendation (their metadata names its v1.6.0 number, or,
    /// for one v1.8.0 added, `cis: ["1.8.0:ID"]`).
    pub fn rules(&self) -> Vec<&'static str> {
        let keys: Vec<String> = match (&self.v160, &self.v180) {
            (Some(old), _) => vec![old.clone()],
            (None, Some(new)) => vec![format!("1.8.0:{new}")],
            (None, None) => vec![],
        };
        catalog::all().iter().filter(|m| m.cis.iter().any(|c| keys.contains(c))).map(|m| m.id.as_str()).collect()
    }
}

/// The whole table, in the benchmark's order (v1.8.0's).
pub fn table() -> &'static [Rec] {
    static T: OnceLock<Vec<Rec>> = OnceLock::new();
    T.get_or_init(|| parse(TABLE).unwrap_or_else(|e| panic!("cis/docker.yaml: {e}")))
}

fn parse(text: &str) -> Result<Vec<Rec>, String> {
    let docs = yaml::parse(text, 0).map_err(|e| format!("{e:?}"))?;
    let recs = docs.first().and_then(|d| d.get("recommendations")).and_then(Node::as_seq).ok_or("no `recommendations` list")?;
    let s = |n: &Node, k: &str| n.get(k).and_then(Node::as_str).map(|s| s.trim_end().to_string());
    recs.iter()
        .map(|r| {
            let title = s(r, "title").ok_or("a recommendation without a title")?;
            let automated = match s(r, "assessment").as_deref() {
                Some("automated") => true,
                Some("manual") => false,
                other => return Err(format!("{title}: assessment {other:?}")),
            };
            Ok(Rec { v160: s(r, "v160"), v180: s(r, "v180"), title, automated, guidance: s(r, "guidance"), shows: s(r, "shows") })
        })
        .collect()
}

static VERSION: OnceLock<Version> = OnceLock::new();

/// Chooses the numbering reports print (once, at startup; v1.8.0 if never called).
pub fn set_version(v: Version) {
    let _ = VERSION.set(v);
}

pub fn version() -> Version {
    *VERSION.get().unwrap_or(&Version::V180)
}

/// A rule's CIS id (`cis:` in its metadata) in numbering `v`: v1.6.0 numbers map through the
/// table; `1.8.0:ID` (a recommendation v1.6.0 lacks) is ID in v1.8.0 and none in v1.6.0.
pub fn show_in(id: &str, v: Version) -> Option<String> {
    if let Some(new) = id.strip_prefix("1.8.0:") {
        return (v == Version::V180).then(|| new.to_string());
    }
    match table().iter().find(|r| r.v160.as_deref() == Some(id)) {
        Some(r) => r.id(v).map(str::to_string),
        None => Some(id.to_string()),
    }
}

/// A rule's CIS id in the chosen numbering (see [`show_in`]).
pub fn show(id: &str) -> Option<String> {
    show_in(id, version())
}

/// Every CIS id of a rule, in the chosen numbering.
pub fn show_all(ids: &[String]) -> Vec<String> {
    ids.iter().filter_map(|c| show(c)).collect()
}

/// The recommendation numbered `id` in the chosen numbering.
pub fn find(id: &str) -> Option<&'static Rec> {
    let v = version();
    table().iter().find(|r| r.id(v) == Some(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: &str) -> Vec<u32> {
        id.split('.').map(|p| p.parse().unwrap()).collect()
    }

    /// v1.6.0's recommendations by section: (prefix, count), as the benchmark and
    /// docker-bench-security 1.6.0 number them.
    pub(crate) const V160_SECTIONS: &[(&str, u32)] =
        &[("1.1", 18), ("1.2", 2), ("2", 18), ("3", 24), ("4", 12), ("5", 32), ("6", 2), ("7", 9)];

    /// The ones v1.6.0 calls manual (docker-bench-security's "(Manual)").
    const V160_MANUAL: &[&str] = &[
        "1.2.1", "1.2.2", "2.1", "2.8", "2.17", "4.2", "4.3", "4.4", "4.7", "4.8", "4.9", "4.10", "4.11", "4.12", "5.9", "5.18", "5.19",
        "5.24", "5.28", "5.30", "6.1", "6.2", "7.4", "7.6", "7.7", "7.8", "7.9",
    ];

    #[test]
    fn cis_table_v160_is_the_benchmarks_list() {
        let want: Vec<String> = V160_SECTIONS.iter().flat_map(|(p, n)| (1..=*n).map(move |i| format!("{p}.{i}"))).collect();
        let got: Vec<String> = table().iter().filter_map(|r| r.v160.clone()).collect();
        assert_eq!(got, want);
        let manual: Vec<&str> = table().iter().filter(|r| !r.automated).filter_map(|r| r.v160.as_deref()).collect();
        assert_eq!(manual, V160_MANUAL);
    }

    /// v1.8.0: 2.7 added, v1.6.0's 2.7-2.18 are 2.8-2.19, every other number unchanged; both
    /// lists run in order without gaps.
    #[test]
    fn cis_table_v180_renumbers_section_2() {
        let t = table();
        assert_eq!(t.len(), 118);
        for r in t {
            let (Some(old), Some(new)) = (&r.v160, &r.v180) else {
                assert_eq!((r.v160.as_deref(), r.v180.as_deref()), (None, Some("2.7")), "{}", r.title);
                assert!(r.title.contains("devicemapper"));
                continue;
            };
            let k = key(old);
            let want = if k[0] == 2 && (7..=18).contains(&k[1]) { format!("2.{}", k[1] + 1) } else { old.clone() };
            assert_eq!(new, &want);
        }
        for v in [Version::V160, Version::V180] {
            let ids: Vec<Vec<u32>> = t.iter().filter_map(|r| r.id(v)).map(key).collect();
            assert!(ids.windows(2).all(|w| w[0] < w[1]), "{v:?} out of order");
            assert_eq!(ids.len(), if v == Version::V160 { 117 } else { 118 });
        }
        assert_eq!(show_in("2.7", Version::V180).as_deref(), Some("2.8"));
        assert_eq!(show_in("2.18", Version::V180).as_deref(), Some("2.19"));
        assert_eq!(show_in("2.6", Version::V180).as_deref(), Some("2.6"));
        assert_eq!(show_in("5.32", Version::V180).as_deref(), Some("5.32"));
        assert_eq!(show_in("2.7", Version::V160).as_deref(), Some("2.7"));
        assert_eq!(show_in("1.8.0:2.7", Version::V160), None);
        assert_eq!(show_in("1.8.0:2.7", Version::V180).as_deref(), Some("2.7"));
    }

    /// No recommendation without an answer: a rule that checks it, or guidance for a person.
    #[test]
    fn every_recommendation_has_an_answer() {
        for r in table() {
            assert!(!r.rules().is_empty() || r.guidance.is_some(), "{:?} {} has no answer", r.v180, r.title);
        }
        for m in catalog::all() {
            for c in &m.cis {
                let known = table().iter().any(|r| r.v160.as_deref() == Some(c.as_str()))
                    || c.strip_prefix("1.8.0:").is_some_and(|n| table().iter().any(|r| r.v160.is_none() && r.v180.as_deref() == Some(n)));
                assert!(known, "rule {} names CIS {c}, which the table does not have", m.id);
            }
        }
    }
}
