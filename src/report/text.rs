//! Human output: a rustc-style snippet per finding, then input errors and a summary.

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use owo_colors::OwoColorize;

use super::{Outcome, Run, State, Style, section_of};
use crate::model::{DiagKind, Diagnostic, Finding, Origin, Severity};
use crate::rules::catalog;

pub fn diag_location(d: &Diagnostic) -> String {
    match (d.line, d.col) {
        (Some(l), Some(c)) => format!("{}:{l}:{c}", d.path),
        (Some(l), None) => format!("{}:{l}", d.path),
        _ => d.path.clone(),
    }
}

pub fn diag_label(d: &Diagnostic) -> &'static str {
    match d.kind {
        DiagKind::Error => "error",
        DiagKind::Partial => "error (partial view)",
        DiagKind::Warning => "warning",
    }
}

fn level(s: Severity) -> Level<'static> {
    let base = match s {
        Severity::Critical | Severity::High => Level::ERROR,
        Severity::Medium | Severity::Low => Level::WARNING,
        Severity::Info => Level::INFO,
    };
    base.with_name(Some(s.as_str()))
}

/// Hide the secret in `text[start..end]`: keep a `KEY=` prefix, mask the rest.
/// Returns the new line and the end of the masked span.
fn redact(text: &str, start: usize, end: usize) -> (String, usize) {
    let value_start = text[start..end].find('=').map_or(start, |i| start + i + 1);
    (format!("{}****{}", &text[..value_start], &text[end..]), value_start + 4)
}

fn finding(run: &Run, f: &Finding, renderer: &Renderer) -> String {
    let title = format!("{} `{}`: {}", f.subject.kind, f.subject.name, f.message);
    let help = catalog::get(f.rule).map(|m| m.remediation.clone()).unwrap_or_default();
    let cis = catalog::get(f.rule).filter(|m| !m.cis.is_empty()).map(|m| format!("CIS Docker Benchmark {}", m.cis.join(", ")));
    let head = level(f.severity).primary_title(title).id(f.rule);
    let group = if let Origin::File { path, line, col } = &f.origin
        && let Some(src) = run.sources.get(&**path)
        && let Some(text) = src.line(*line)
    {
        let start = text.char_indices().nth(*col as usize - 1).map_or(text.len(), |(i, _)| i);
        let end = start + text[start..].find(" #").map_or(&text[start..], |i| &text[start..start + i]).trim_end().len();
        let end = if end == start { text.len() } else { end };
        let (shown, end) = if f.redact { redact(text, start, end) } else { (text.to_string(), end) };
        head.element(
            Snippet::source(shown)
                .line_start(*line as usize)
                .path(&**path)
                .annotation(AnnotationKind::Primary.span(start..end).label(f.evidence.as_str())),
        )
    } else {
        head.element(Level::NOTE.message(format!("at {}", f.origin)))
    };
    let mut groups: Vec<Group> = vec![group];
    let mut footer = Group::with_title(Level::HELP.secondary_title(help));
    for r in &f.related {
        footer = footer.element(Level::NOTE.message(format!("see also {r}")));
    }
    if let Some(c) = cis {
        footer = footer.element(Level::NOTE.message(c));
    }
    groups.push(footer);
    renderer.render(&groups).to_string()
}

pub fn render(run: &Run, style: &Style) -> String {
    let renderer = if style.color { Renderer::styled() } else { Renderer::plain() };
    let mut out = String::new();
    for f in run.shown() {
        out.push_str(&finding(run, f, &renderer));
        out.push_str("\n\n");
    }
    for d in &run.diagnostics {
        let label = diag_label(d);
        let label = if !style.color {
            label.to_string()
        } else if d.kind == DiagKind::Warning {
            label.yellow().bold().to_string()
        } else {
            label.red().bold().to_string()
        };
        out.push_str(&format!("{label}: {}: {}\n", diag_location(d), d.message));
    }
    let total = run.shown().count();
    let suppressed = run.findings.len() - total;
    let counts: Vec<String> = Severity::ALL
        .iter()
        .filter(|s| run.count(**s) > 0)
        .map(|s| {
            let text = format!("{} {s}", run.count(*s));
            if !style.color {
                return text;
            }
            match s {
                Severity::Critical | Severity::High => text.red().bold().to_string(),
                Severity::Medium => text.yellow().to_string(),
                _ => text,
            }
        })
        .collect();
    let errors = run.diagnostics.iter().filter(|d| d.kind != DiagKind::Warning).count();
    let mut summary = format!(
        "{} {} in {} {} across {} {}",
        total,
        if total == 1 { "finding" } else { "findings" },
        run.checked.len(),
        match (run.checked.first().map(|(s, _)| s.kind), run.checked.len()) {
            (Some("bundle"), 1) => "bundle",
            (Some("bundle"), _) => "bundles",
            (_, 1) => "service",
            _ => "services",
        },
        run.files,
        if run.files == 1 { "file" } else { "files" },
    );
    if !counts.is_empty() {
        summary.push_str(&format!(": {}", counts.join(", ")));
    }
    if suppressed > 0 {
        summary.push_str(&format!(" ({suppressed} suppressed)"));
    }
    if errors > 0 {
        summary.push_str(&format!("; {errors} input {}", if errors == 1 { "error" } else { "errors" }));
    }
    out.push_str(&summary);
    out.push('\n');
    out
}

/// A host audit: outcomes by section (PASS / WARN / INFO / SKIP), like docker-bench-security,
/// then a score per section and overall.
pub fn render_host(run: &Run, style: &Style) -> String {
    let paint = |s: &str, what: &str| -> String {
        if !style.color {
            return s.to_string();
        }
        match what {
            "WARN" => s.red().bold().to_string(),
            "PASS" => s.green().to_string(),
            "INFO" => s.blue().to_string(),
            _ => s.yellow().to_string(),
        }
    };
    let mut out = String::new();
    let mut score: Vec<(&str, usize, usize)> = Vec::new();
    let outcomes = run.outcomes();
    let mut shown_butane = std::collections::HashSet::new();
    if let Some(os) = &run.host_os {
        out.push_str(&format!("Host: {os}\n"));
    }
    for section in &run.sections {
        out.push_str(&format!("[{section}]\n"));
        for (_, reason) in run.skipped_sections.iter().filter(|(s, _)| s == section) {
            out.push_str(&format!("  {}  {reason}\n", paint("SKIP", "SKIP")));
        }
        let outcomes: Vec<Outcome> = outcomes.iter().filter(|o| o.section == *section).cloned().collect();
        if outcomes.is_empty() && !run.skipped_sections.iter().any(|(s, _)| s == section) {
            let what = match *section {
                "containers" => "no containers to audit (without --all, only running ones are)",
                "images" => "no images in use",
                _ => "nothing to audit",
            };
            out.push_str(&format!("  {what}\n"));
        }
        let passed = outcomes.iter().filter(|o| matches!(o.state, State::Pass | State::Info)).count();
        let total = outcomes.iter().filter(|o| o.state != State::Skip).count();
        for (subject, _) in run.checked.iter().filter(|(s, _)| section_of(s.kind) == *section) {
            let one_line_per_check = !matches!(subject.kind, "container" | "image");
            out.push_str(&format!("  {} {}\n", subject.kind, subject.name));
            let mut quiet_passes = 0;
            for o in outcomes.iter().filter(|o| o.subject == subject) {
                match o.state {
                    State::Pass if one_line_per_check => out.push_str(&format!("    {}  {}\n", paint("PASS", "PASS"), o.rule)),
                    State::Pass => quiet_passes += 1,
                    State::Skip => out.push_str(&format!("    {}  {}: {}\n", paint("SKIP", "SKIP"), o.rule, o.reason.unwrap_or(""))),
                    State::Error => out.push_str(&format!("    {} {}: {}\n", paint("ERROR", "WARN"), o.rule, o.reason.unwrap_or(""))),
                    State::Fail | State::Info => {
                        for f in run.shown().filter(|f| f.subject == *subject && f.rule == o.rule) {
                            let tag = if f.severity == Severity::Info { "INFO" } else { "WARN" };
                            out.push_str(&format!(
                                "    {}  {:<8} {}: {}  [{}]\n",
                                paint(tag, tag),
                                f.severity.as_str(),
                                o.rule,
                                f.message,
                                f.origin
                            ));
                        }
                        // What to do, once per failed check (`cbench explain RULE` has the rest).
                        if o.state == State::Fail
                            && let Some(m) = catalog::get(o.rule)
                        {
                            out.push_str(&format!("          fix: {}\n", m.remediation));
                            if run.flatcar
                                && let Some(butane) = &m.butane
                            {
                                // One snippet serves several checks (daemon.json, sshd_config): shown once.
                                if shown_butane.insert(butane.as_str()) {
                                    out.push_str("          Butane:\n");
                                    for line in butane.lines() {
                                        out.push_str(&format!("            {line}\n"));
                                    }
                                } else {
                                    out.push_str("          Butane: the snippet above\n");
                                }
                            }
                        }
                    }
                }
            }
            if quiet_passes > 0 {
                out.push_str(&format!("    {}  {quiet_passes} other checks\n", paint("PASS", "PASS")));
            }
        }
        score.push((section, passed, total));
    }
    for d in &run.diagnostics {
        out.push_str(&format!("{}: {}: {}\n", diag_label(d), diag_location(d), d.message));
    }
    let (p, t) = score.iter().fold((0, 0), |(p, t), (_, sp, st)| (p + sp, t + st));
    let parts: Vec<String> = score.iter().map(|(s, p, t)| format!("{s} {p}/{t}")).collect();
    out.push_str(&format!("Score: {} · overall {p}/{t} checks passed\n", parts.join(" · ")));
    out
}
