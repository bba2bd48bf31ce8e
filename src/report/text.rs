//! Human output: a rustc-style snippet per finding, then input errors and a summary.

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use owo_colors::OwoColorize;

use super::{Outcome, Run, State, Style, untrusted as u};
use crate::model::{DiagKind, Diagnostic, Finding, Origin, Severity};
use crate::rules::catalog;

pub fn diag_location(d: &Diagnostic) -> String {
    match (d.line, d.col) {
        (Some(l), Some(c)) => format!("{}:{l}:{c}", d.path),
        (Some(l), None) => format!("{}:{l}", d.path),
        _ => d.path.clone(),
    }
}

/// Context shown on each side of a finding's span on a long line, and the longest span shown
/// (bytes): a snippet of a 1 MB line costs what a short one does.
const CONTEXT: usize = 80;
const MAX_SPAN: usize = 160;

/// The part of `text` shown for the span `start..end`: a window around it on a long line (`…`
/// where it is cut), every character from byte `mask_from` on masked, its control characters
/// escaped: (the shown line, the span in it). Costs the window, not the line.
fn shown_line(text: &str, start: usize, end: usize, mask_from: Option<usize>) -> (String, usize, usize) {
    let floor = |mut i: usize| {
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let end = floor(end.min(start + MAX_SPAN));
    let (lo, hi) = (floor(start.saturating_sub(CONTEXT)), floor((end + CONTEXT).min(text.len())));
    let (cut_lo, cut_hi) = (if lo > 0 { "…" } else { "" }, if hi < text.len() { "…" } else { "" });
    let piece = |a: usize, b: usize| match mask_from {
        Some(m) if m < b => {
            let m = floor(m.max(a));
            format!("{}{}", u(&text[a..m]), "*".repeat(text[m..b].chars().count()))
        }
        _ => u(&text[a..b]).into_owned(),
    };
    let (a, b, c) = (piece(lo, start), piece(start, end), piece(end, hi));
    let at = cut_lo.len() + a.len();
    (format!("{cut_lo}{a}{b}{c}{cut_hi}"), at, at + b.len())
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

/// Where to start hiding what a secret finding points at in `text` from byte `start`: after a
/// `KEY=` prefix, to the end of the line (a command's secret word may be anywhere after the
/// start; a ` #` may sit inside a quoted value). `None` when the source masked it already (an
/// environment value). The sources masked environment values; this covers what a secret rule
/// recognises elsewhere.
fn mask_start(text: &str, start: usize) -> Option<usize> {
    // A `KEY=` prefix is short: look for its `=` in the next 256 bytes, before any space.
    let near = &text[start..text.len().min(start + 256)];
    let value_start = near.find([' ', '=']).filter(|i| near[*i..].starts_with('=')).map_or(start, |i| start + i + 1);
    let value_start = value_start.min(text.len());
    let masked = text.as_bytes()[value_start..].iter().find(|b| !matches!(b, b'"' | b'\'')) == Some(&b'*');
    (!masked).then_some(value_start)
}

/// Where the scalar that starts at byte `start` of `text` ends: its closing quote, else (in a
/// flow collection, `flow`) the next `,` `]` `}`, else a ` #` comment or the end of the line.
/// Looks at most `MAX_SPAN` bytes ahead (what is shown of a span).
fn scalar_end(text: &str, start: usize, flow: bool) -> usize {
    let mut limit = text.len().min(start + MAX_SPAN + 2);
    while !text.is_char_boundary(limit) {
        limit -= 1;
    }
    let rest = &text[start..limit];
    if let Some(q @ ('"' | '\'')) = rest.chars().next() {
        let mut escaped = false;
        for (i, c) in rest.char_indices().skip(1) {
            match c {
                '\\' if q == '"' && !escaped => escaped = true,
                c if c == q && !escaped => return start + i + 1,
                _ => escaped = false,
            }
        }
        return text.len();
    }
    let end = rest.find(" #").unwrap_or(rest.len());
    let end = if flow { rest[..end].find([',', ']', '}']).unwrap_or(end) } else { end };
    let end = start + rest[..end].trim_end().len();
    if end == start { text.len() } else { end }
}

/// What every finding on a line needs to know of it, measured once per line.
struct LineFacts {
    ascii: bool,
    /// The first `[` or `{` of the line: a scalar after it may be in a flow collection.
    first_bracket: Option<usize>,
}

type LineCache<'a> = rustc_hash::FxHashMap<(&'a str, u32), LineFacts>;

/// The lines (file, line) secret findings point at, with their columns.
type SecretLines<'a> = rustc_hash::FxHashMap<(&'a str, u32), Vec<u32>>;

/// What one entry of the text report shows.
struct View<'v> {
    severity: Severity,
    title: String,
    id: &'v str,
    origin: &'v Origin,
    label: &'v str,
    help: String,
    notes: Vec<String>,
}

fn finding<'a>(run: &'a Run, f: &'a Finding, renderer: &Renderer, secret_lines: &SecretLines, lines: &mut LineCache<'a>) -> String {
    let mut notes: Vec<String> = f.related.iter().map(|r| format!("see also {}", u(&r.to_string()))).collect();
    let cis = catalog::get(f.rule).map(|m| crate::cis::show_all(&m.cis)).unwrap_or_default();
    if !cis.is_empty() {
        notes.push(format!("CIS Docker Benchmark {} {}", crate::cis::version().as_str(), cis.join(", ")));
    }
    let view = View {
        severity: f.severity,
        title: format!("{} `{}`: {}", run.subject_of(f).kind, u(&run.subject_of(f).name), u(&f.message)),
        id: f.rule,
        origin: &f.origin,
        label: &f.evidence,
        help: catalog::get(f.rule).map(|m| m.remediation.clone()).unwrap_or_default(),
        notes,
    };
    entry(run, &view, renderer, secret_lines, lines)
}

/// A service's missing hardening controls as one entry, at its declaration.
fn missing_controls<'a>(
    run: &'a Run,
    list: &[&'a Finding],
    renderer: &Renderer,
    secret_lines: &SecretLines,
    lines: &mut LineCache<'a>,
) -> String {
    let first = list[0];
    let subject = run.subject_of(first);
    let (controls, ids) = controls_of(list);
    let view = View {
        severity: list.iter().map(|f| f.severity).max().unwrap_or(first.severity),
        title: format!("{} `{}`: {} hardening controls not set: {}", subject.kind, u(&subject.name), list.len(), controls.join(", ")),
        id: "hardening",
        origin: &first.origin,
        label: "not set here",
        help: "set them, or see each with `--expand` and `cbench explain RULE`".into(),
        notes: vec![format!("rules: {}", ids.join(", "))],
    };
    entry(run, &view, renderer, secret_lines, lines)
}

fn entry<'a>(run: &'a Run, v: &View, renderer: &Renderer, secret_lines: &SecretLines, lines: &mut LineCache<'a>) -> String {
    let head = level(v.severity).primary_title(v.title.clone()).id(v.id);
    let group = if let Origin::File { path, line, col } = v.origin
        && let Some((path, src)) = run.sources.get_key_value(&**path)
        && let Some(text) = src.line(*line)
    {
        let path: &'a str = path;
        let facts =
            lines.entry((path, *line)).or_insert_with(|| LineFacts { ascii: text.is_ascii(), first_bracket: text.find(['[', '{']) });
        let byte = |col: u32| match facts.ascii {
            true => (col as usize - 1).min(text.len()),
            false => text.char_indices().nth(col as usize - 1).map_or(text.len(), |(i, _)| i),
        };
        let start = byte(*col);
        let end = scalar_end(text, start, facts.first_bracket.is_some_and(|b| b < start));
        // Every secret finding on this line masks it, whichever finding shows it.
        let mask_from =
            secret_lines.get(&(path, *line)).and_then(|cols| mask_start(text, byte(cols.iter().copied().min().unwrap_or(*col))));
        let (shown, start, end) = shown_line(text, start.min(end), end, mask_from);
        head.element(
            Snippet::source(shown)
                .line_start(*line as usize)
                .path(u(path).into_owned())
                .annotation(AnnotationKind::Primary.span(start..end).label(u(v.label).into_owned())),
        )
    } else {
        head.element(Level::NOTE.message(format!("at {}", u(&v.origin.to_string()))))
    };
    let mut footer = Group::with_title(Level::HELP.secondary_title(v.help.clone()));
    for n in &v.notes {
        footer = footer.element(Level::NOTE.message(n.clone()));
    }
    renderer.render(&[group, footer]).to_string()
}

/// With several files, a line per file: its findings by severity and its services.
fn file_summaries(run: &Run, style: &Style) -> String {
    let mut files: Vec<(&str, usize, [usize; 5])> = Vec::new();
    let mut index: rustc_hash::FxHashMap<&str, usize> = Default::default();
    for c in &run.checked {
        let Some(file) = c.file.as_deref() else { continue };
        let i = *index.entry(file).or_insert_with(|| {
            files.push((file, 0, [0; 5]));
            files.len() - 1
        });
        files[i].1 += 1;
    }
    if files.len() < 2 {
        return String::new();
    }
    for f in run.shown() {
        if let Some(i) = run.checked[f.at as usize].file.as_deref().and_then(|p| index.get(p)) {
            files[*i].2[Severity::ALL.iter().position(|s| *s == f.severity).unwrap_or(0)] += 1;
        }
    }
    let mut out = String::new();
    for (file, services, counts) in files {
        let by: Vec<String> =
            Severity::ALL.iter().zip(counts).filter(|(_, n)| *n > 0).map(|(s, n)| paint_count(format!("{n} {s}"), *s, style)).collect();
        let what = if by.is_empty() { "no findings".to_string() } else { by.join(", ") };
        let noun = if services == 1 { "service" } else { "services" };
        out.push_str(&format!("{}: {what} ({services} {noun})\n", u(file)));
    }
    out.push('\n');
    out
}

fn paint_count(text: String, s: Severity, style: &Style) -> String {
    if !style.color {
        return text;
    }
    match s {
        Severity::Critical | Severity::High => text.red().bold().to_string(),
        Severity::Medium => text.yellow().to_string(),
        _ => text,
    }
}

/// The controls a group of findings asks for, and their rule ids.
pub(crate) fn controls_of<'a>(list: &[&'a Finding]) -> (Vec<&'a str>, Vec<&'a str>) {
    let controls = list.iter().map(|f| catalog::get(f.rule).and_then(|m| m.control.as_deref()).unwrap_or(f.rule)).collect();
    (controls, list.iter().map(|f| f.rule).collect())
}

/// One entry of the text report: a finding, or a service's missing hardening controls.
pub(crate) enum Entry<'a> {
    One(&'a Finding),
    Missing(Vec<&'a Finding>),
}

impl Entry<'_> {
    pub(crate) fn severity(&self) -> Severity {
        match self {
            Entry::One(f) => f.severity,
            Entry::Missing(list) => list.iter().map(|f| f.severity).max().unwrap_or(Severity::Info),
        }
    }
}

/// A hardening rule's finding about what a service does not set: it points at the service's
/// declaration (`user: root` written out points at its line, and is not one of them).
fn is_missing_control(run: &Run, f: &Finding) -> bool {
    catalog::get(f.rule).is_some_and(|m| m.control.is_some()) && run.checked[f.at as usize].declared.as_ref() == Some(&f.origin)
}

/// The entries of the text report, criticals and highs first (by severity, then as found):
/// unless `expand`, the missing hardening controls of a service are one entry.
pub(crate) fn entries(run: &Run, expand: bool) -> Vec<Entry<'_>> {
    let mut out: Vec<Entry> = Vec::new();
    let mut group_of: rustc_hash::FxHashMap<u32, usize> = Default::default();
    for f in run.shown() {
        if !expand && is_missing_control(run, f) {
            match group_of.get(&f.at) {
                Some(i) => {
                    if let Entry::Missing(list) = &mut out[*i] {
                        list.push(f);
                    }
                }
                None => {
                    group_of.insert(f.at, out.len());
                    out.push(Entry::Missing(vec![f]));
                }
            }
        } else {
            out.push(Entry::One(f));
        }
    }
    for e in &mut out {
        if let Entry::Missing(list) = e
            && list.len() == 1
        {
            *e = Entry::One(list[0]);
        }
    }
    out.sort_by_key(|e| std::cmp::Reverse(e.severity()));
    out
}

pub fn render(run: &Run, style: &Style) -> String {
    let renderer = if style.color { Renderer::styled() } else { Renderer::plain() };
    let mut out = String::new();
    let mut secret_lines = SecretLines::default();
    for f in run.listed().filter(|f| f.redact) {
        if let Origin::File { path, line, col } = &f.origin {
            secret_lines.entry((&**path, *line)).or_default().push(*col);
        }
    }
    let mut lines = LineCache::default();
    let entries = entries(run, style.expand);
    for e in &entries {
        match e {
            Entry::One(f) => out.push_str(&finding(run, f, &renderer, &secret_lines, &mut lines)),
            Entry::Missing(list) => out.push_str(&missing_controls(run, list, &renderer, &secret_lines, &mut lines)),
        }
        out.push_str("\n\n");
    }
    out.push_str(&file_summaries(run, style));
    for d in &run.diagnostics {
        let label = diag_label(d);
        let label = if !style.color {
            label.to_string()
        } else if d.kind == DiagKind::Warning {
            label.yellow().bold().to_string()
        } else {
            label.red().bold().to_string()
        };
        out.push_str(&format!("{label}: {}: {}\n", u(&diag_location(d)), u(&d.message)));
    }
    let total = run.shown().count();
    let suppressed = run.listed().filter(|f| f.suppressed).count();
    let counts: Vec<String> =
        Severity::ALL.iter().filter(|s| run.count(**s) > 0).map(|s| paint_count(format!("{} {s}", run.count(*s)), *s, style)).collect();
    let errors = run.diagnostics.iter().filter(|d| d.kind != DiagKind::Warning).count();
    let mut summary = format!(
        "{} {} in {} {} across {} {}",
        total,
        if total == 1 { "finding" } else { "findings" },
        run.checked.len(),
        match (run.checked.first().map(|c| c.subject.kind), run.checked.len()) {
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

/// The CIS ids a check line shows: the finding's own id, else the rule's.
pub fn cis_of(rule: &str, finding: Option<&Finding>) -> String {
    match finding.and_then(|f| f.cis) {
        Some(id) => crate::cis::show(id).unwrap_or_default(),
        None => catalog::get(rule).map(|m| crate::cis::show_all(&m.cis).join(",")).unwrap_or_default(),
    }
}

/// A host audit: outcomes by section (PASS / WARN / INFO / N/A / SKIP / ERROR), like
/// docker-bench-security, each with its CIS id, then a score per section and overall.
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
    let cis = |id: String| if id.is_empty() { String::new() } else { format!("[{id}] ") };
    let mut out = String::new();
    let mut score: Vec<(&str, usize, usize)> = Vec::new();
    let outcomes: Vec<Outcome> = run.outcomes().collect();
    let by_check = run.findings_by_check();
    let mut shown_butane = std::collections::HashSet::new();
    if let Some(os) = &run.host_os {
        out.push_str(&format!("Host: {}\n", u(os)));
    }
    for section in &run.sections {
        out.push_str(&format!("[{section}]\n"));
        let skipped: Vec<_> = run.skipped_sections.iter().filter(|s| s.section == *section).collect();
        for s in &skipped {
            out.push_str(&format!("  {}  {}\n", paint("SKIP", "SKIP"), u(&s.reason)));
        }
        let mine: Vec<&Outcome> = outcomes.iter().filter(|o| o.section == *section).collect();
        if mine.is_empty() && skipped.is_empty() {
            let what = match *section {
                "containers" => "no containers to audit (without --all, only running ones are)",
                "images" => "no images in use",
                _ => "nothing to audit",
            };
            out.push_str(&format!("  {what}\n"));
        }
        let mut last: Option<u32> = None;
        let mut quiet_passes = 0;
        let flush = |out: &mut String, quiet: &mut usize| {
            if *quiet > 0 {
                out.push_str(&format!("    {}  {quiet} other checks\n", paint("PASS", "PASS")));
                *quiet = 0;
            }
        };
        for o in &mine {
            if last != Some(o.at) {
                flush(&mut out, &mut quiet_passes);
                out.push_str(&format!("  {} {}\n", o.subject.kind, u(&o.subject.name)));
                last = Some(o.at);
            }
            let one_line_per_check = !matches!(o.subject.kind, "container" | "image");
            let reason = u(o.reason.unwrap_or(""));
            match o.state {
                State::Pass if one_line_per_check => {
                    out.push_str(&format!("    {}  {}{}\n", paint("PASS", "PASS"), cis(cis_of(o.rule, None)), o.rule))
                }
                State::Pass => quiet_passes += 1,
                State::NotApplicable => {
                    out.push_str(&format!("    {}   {}{}: {reason}\n", paint("N/A", "SKIP"), cis(cis_of(o.rule, None)), o.rule))
                }
                State::Skip => out.push_str(&format!("    {}  {}{}: {reason}\n", paint("SKIP", "SKIP"), cis(cis_of(o.rule, None)), o.rule)),
                State::Error => {
                    out.push_str(&format!("    {} {}{}: {reason}\n", paint("ERROR", "WARN"), cis(cis_of(o.rule, None)), o.rule))
                }
                State::Fail | State::Info => {
                    let tag = if o.state == State::Info { "INFO" } else { "WARN" };
                    let found = by_check.get(&(o.at, o.rule)).map_or(&[][..], Vec::as_slice);
                    let mut not_shown = 0;
                    let mut listed = 0;
                    let mut over = 0;
                    for f in found {
                        if f.suppressed || f.hidden {
                            not_shown += 1;
                            continue;
                        }
                        // `--max-items`: a long list is cut in the text report only.
                        if style.max_items.is_some_and(|n| listed >= n) {
                            over += 1;
                            continue;
                        }
                        listed += 1;
                        let tag = if f.severity == Severity::Info { "INFO" } else { "WARN" };
                        out.push_str(&format!(
                            "    {}  {:<8} {}{}: {}  [{}]\n",
                            paint(tag, tag),
                            f.severity.as_str(),
                            cis(cis_of(o.rule, Some(f))),
                            o.rule,
                            u(&f.message),
                            u(&f.origin.to_string())
                        ));
                    }
                    if over > 0 {
                        out.push_str(&format!(
                            "    {}  {}: {over} more not listed (--max-items; every one is in --format json)\n",
                            paint(tag, tag),
                            o.rule,
                        ));
                    }
                    // Findings hidden by --min-severity or suppressed: the outcome stays.
                    if not_shown > 0 {
                        out.push_str(&format!(
                            "    {}  {}{}: {} finding(s) not shown (suppressed or below --min-severity)\n",
                            paint(tag, tag),
                            cis(cis_of(o.rule, None)),
                            o.rule,
                            not_shown
                        ));
                    }
                    // What to do, once per failed check (`cbench explain RULE` has the rest).
                    if o.state == State::Fail
                        && let Some(m) = catalog::get(o.rule)
                    {
                        let fix = m.podman.as_ref().filter(|_| run.podman).unwrap_or(&m.remediation);
                        out.push_str(&format!("          fix: {fix}\n"));
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
        flush(&mut out, &mut quiet_passes);
        let (p, t) = run.score(Some(section));
        score.push((section, p, t));
    }
    for d in &run.diagnostics {
        out.push_str(&format!("{}: {}: {}\n", diag_label(d), u(&diag_location(d)), u(&d.message)));
    }
    let (p, t) = run.score(None);
    let parts: Vec<String> = score.iter().map(|(s, p, t)| format!("{s} {p}/{t}")).collect();
    out.push_str(&format!("Score: {} · overall {p}/{t} checks passed\n", parts.join(" · ")));
    out
}

#[cfg(test)]
mod tests {
    use super::{mask_start, shown_line};

    #[test]
    fn long_lines_are_cut_around_the_span_and_escaped() {
        assert_eq!(shown_line("a: b\x1b[2J", 3, 4, None), ("a: b\\x1b[2J".to_string(), 3, 4));
        let long = format!("{}privileged: true{}", "x".repeat(1000), "y".repeat(1000));
        let (shown, s, e) = shown_line(&long, 1000, 1016, None);
        assert_eq!(&shown[s..e], "privileged: true");
        assert_eq!(shown, format!("…{}privileged: true{}…", "x".repeat(80), "y".repeat(80)));
        // Masked from a byte before the window: all of it after the span's start is hidden.
        let (shown, s, e) = shown_line(&long, 1000, 1016, Some(10));
        assert_eq!(shown, format!("…{}…", "*".repeat(80 + 16 + 80)));
        assert_eq!(&shown[s..e], "*".repeat(16));
        assert_eq!(shown_line("KEY=välue", 0, 3, Some(4)).0, "KEY=*****");
    }

    #[test]
    fn masks_start_after_a_key_and_not_twice() {
        assert_eq!(mask_start("API_TOKEN=abc", 0), Some(10));
        assert_eq!(mask_start("redis-server --requirepass x", 0), Some(0));
        assert_eq!(mask_start("X=\"****\"", 0), None);
    }
}
