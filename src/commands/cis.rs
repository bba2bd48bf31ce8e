//! `cbench cis`: the CIS Docker Benchmark's recommendations in order, each with cbench's answer —
//! the rules that check it, or for one no rule checks, what a person does and what cbench shows
//! to help. The coverage map a security team hands an auditor.

use crate::cis::{self, Rec, Version};
use crate::rules::catalog;

/// How cbench answers one recommendation.
pub enum Answer {
    /// Rules check it (automated by cbench).
    Rules(Vec<&'static str>),
    /// A person checks it, with this guidance (and what cbench shows to help).
    Guidance { what: String, shows: Option<String> },
}

pub fn answer(r: &Rec) -> Answer {
    let rules = r.rules();
    match (&r.guidance, rules.is_empty()) {
        (Some(g), true) => Answer::Guidance { what: g.clone(), shows: r.shows.clone() },
        _ => Answer::Rules(rules),
    }
}

fn section(id: &str) -> &str {
    id.split('.').next().unwrap_or("")
}

/// Per section: (automated by cbench, manual with guidance).
pub fn coverage(v: Version) -> Vec<(String, usize, usize)> {
    let mut out: Vec<(String, usize, usize)> = Vec::new();
    for r in cis::table() {
        let Some(id) = r.id(v) else { continue };
        let s = section(id).to_string();
        if out.last().is_none_or(|(last, _, _)| *last != s) {
            out.push((s, 0, 0));
        }
        let entry = out.last_mut().expect("pushed above");
        match answer(r) {
            Answer::Rules(_) => entry.1 += 1,
            Answer::Guidance { .. } => entry.2 += 1,
        }
    }
    out
}

fn kind(r: &Rec) -> &'static str {
    if r.automated { "automated" } else { "manual" }
}

pub fn text(v: Version) -> String {
    let mut out =
        format!("CIS Docker Benchmark v{} — {} recommendations\n\n", v.as_str(), cis::table().iter().filter(|r| r.id(v).is_some()).count());
    for r in cis::table() {
        let Some(id) = r.id(v) else { continue };
        out.push_str(&format!("{id:<7} {} ({})\n", r.title, kind(r)));
        match answer(r) {
            Answer::Rules(rules) => {
                let sev: Vec<String> =
                    rules.iter().map(|id| format!("{id} ({})", catalog::get(id).map_or("?", |m| m.severity.as_str()))).collect();
                out.push_str(&format!("        checked by: {}\n", sev.join(", ")));
            }
            Answer::Guidance { what, shows } => {
                out.push_str(&format!("        a person checks: {what}\n"));
                if let Some(s) = shows {
                    out.push_str(&format!("        cbench shows: {s}\n"));
                }
            }
        }
    }
    out.push_str("\ncoverage by section (checked by cbench / a person, with guidance):\n");
    for (s, auto, manual) in coverage(v) {
        out.push_str(&format!("  section {s}: {auto} / {manual}\n"));
    }
    out
}

pub fn json(v: Version) -> String {
    let recs: Vec<serde_json::Value> = cis::table()
        .iter()
        .filter_map(|r| {
            let id = r.id(v)?;
            let other = match v {
                Version::V160 => r.id(Version::V180),
                Version::V180 => r.id(Version::V160),
            };
            let (rules, guidance, shows) = match answer(r) {
                Answer::Rules(rules) => (rules, None, None),
                Answer::Guidance { what, shows } => (vec![], Some(what), shows),
            };
            Some(serde_json::json!({
                "id": id, "title": r.title, "assessment": kind(r),
                "also_numbered": other.map(|o| serde_json::json!({ "version": if v == Version::V160 { "1.8.0" } else { "1.6.0" }, "id": o })),
                "rules": rules, "guidance": guidance, "shows": shows,
            }))
        })
        .collect();
    let coverage: Vec<serde_json::Value> = coverage(v)
        .into_iter()
        .map(|(s, a, m)| serde_json::json!({ "section": s, "checked_by_cbench": a, "manual_with_guidance": m }))
        .collect();
    serde_json::to_string_pretty(
        &serde_json::json!({ "benchmark": "CIS Docker Benchmark", "version": v.as_str(), "recommendations": recs, "coverage": coverage }),
    )
    .unwrap_or_default()
        + "\n"
}

fn md(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

pub fn markdown(v: Version) -> String {
    let mut out = format!(
        "# CIS Docker Benchmark v{} — cbench's answers\n\n| id | recommendation | assessment | cbench |\n|---|---|---|---|\n",
        v.as_str()
    );
    for r in cis::table() {
        let Some(id) = r.id(v) else { continue };
        let answer = match answer(r) {
            Answer::Rules(rules) => format!("checked: {}", rules.iter().map(|r| format!("`{r}`")).collect::<Vec<_>>().join(", ")),
            Answer::Guidance { what, shows } => {
                format!("a person checks: {}{}", md(&what), shows.map(|s| format!(" — cbench shows: {}", md(&s))).unwrap_or_default())
            }
        };
        out.push_str(&format!("| {id} | {} | {} | {answer} |\n", md(&r.title), kind(r)));
    }
    out.push_str("\n| section | checked by cbench | a person, with guidance |\n|---|---|---|\n");
    for (s, a, m) in coverage(v) {
        out.push_str(&format!("| {s} | {a} | {m} |\n"));
    }
    out
}
