use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use cbench::commands::{self, compose, host, oci};
use cbench::model::Severity;
use cbench::report::{self, Format, Run, Style};
use cbench::rules::Selection;
use cbench::sources::compose::LoadOptions;
use cbench::sources::engine::EngineOptions;
use cbench::sources::provision::Dialect;

#[derive(Parser)]
#[command(
    name = "cbench",
    version,
    about = "Container security benchmark: Compose files and Docker hosts, one rule catalog",
    after_help = "Exit codes: 0 no unsuppressed finding at or above --fail-on; 1 at least one; 2 usage or input error, or a partial view (an unreadable include, an unreachable engine) unless --allow-partial."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// The CIS Docker Benchmark numbering every report uses: 1.8.0 (July 2025; adds 2.7
    /// devicemapper, renumbers 2.7-2.18 to 2.8-2.19) or 1.6.0 (docker-bench-security's).
    #[arg(long, global = true, value_name = "VERSION", default_value = "1.8.0", value_parser = parse_cis_version)]
    cis_version: cbench::cis::Version,
}

fn parse_cis_version(s: &str) -> Result<cbench::cis::Version, String> {
    cbench::cis::Version::parse(s).ok_or_else(|| format!("unknown CIS Docker Benchmark version `{s}`: 1.8.0 or 1.6.0"))
}

#[derive(Clone, Copy, ValueEnum)]
enum CisFormat {
    Text,
    Json,
    Markdown,
}

#[derive(Clone, Copy, ValueEnum)]
enum Sev {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl From<Sev> for Severity {
    fn from(s: Sev) -> Severity {
        match s {
            Sev::Info => Severity::Info,
            Sev::Low => Severity::Low,
            Sev::Medium => Severity::Medium,
            Sev::High => Severity::High,
            Sev::Critical => Severity::Critical,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

/// Options every audit shares: what to run, what to show, how, and when to fail.
#[derive(Args)]
struct Output {
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Exit 1 when an unsuppressed finding is at or above this severity.
    #[arg(long, value_enum, default_value = "high")]
    fail_on: Sev,
    /// Show only findings at or above this severity.
    #[arg(long, value_enum)]
    min_severity: Option<Sev>,
    /// Show only these checks: rule ids, CIS ids or CIS id prefixes (`5.4`, `1.1`). Outcomes
    /// and the score do not change; what is shown and the exit code do.
    #[arg(long, value_delimiter = ',')]
    select: Vec<String>,
    /// Hide these checks (rule ids, CIS ids or prefixes); RULE:EVIDENCE suppresses one finding
    /// (one sysctl key, one user, one path).
    #[arg(long, value_delimiter = ',')]
    ignore: Vec<String>,
    /// Host text report: list at most N findings per check (the rest are counted; JSON and the
    /// other formats keep every one).
    #[arg(long, value_name = "N")]
    max_items: Option<usize>,
    /// Text report: show each missing hardening control of a service (memory limit, non-root
    /// user, ...) as its own finding; by default they are one entry per service.
    #[arg(long)]
    expand: bool,
    /// Also report what only pedantic users want (e.g. an image tag without a digest).
    #[arg(long)]
    pedantic: bool,
    #[arg(long, value_enum, default_value = "auto")]
    color: Color,
    /// Write the report to FILE instead of standard output, atomically (a temporary file in the
    /// same directory, then renamed): what node_exporter's textfile collector reads is never
    /// half written.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Audit Compose files (each FILE on its own; -f files merged into one project)
    Compose {
        /// Compose files, each audited as its own project. Without any, the Compose file of the
        /// current directory (and its override) is found as `docker compose` does.
        files: Vec<PathBuf>,
        /// Files merged in order into one project, as `docker compose -f A -f B`.
        #[arg(short = 'f', long = "file")]
        merged: Vec<PathBuf>,
        /// Variables for interpolation (repeatable); replaces the project's .env.
        #[arg(long)]
        env_file: Vec<PathBuf>,
        /// Audit only services of these profiles (and those without profiles). Default: all.
        #[arg(long)]
        profile: Vec<String>,
        /// Treat unreadable includes, extends files and env_files as warnings, not errors.
        #[arg(long)]
        allow_partial: bool,
        /// Suppress the findings this baseline records (reason: baseline): exit by the new ones.
        /// A finding is known by its file, service, rule and setting, not its line. Run from
        /// the directory the baseline was written in (the repository root).
        #[arg(long, value_name = "FILE")]
        baseline: Option<PathBuf>,
        /// Record today's unsuppressed findings in FILE (then report them as suppressed).
        #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
        write_baseline: Option<PathBuf>,
        /// Ignore .cbench.toml files.
        #[arg(long)]
        no_config: bool,
        /// Apply the safe fixes in place (where each value is declared: the service, an anchor,
        /// an extends base, an override file), then report what is left.
        #[arg(long)]
        fix: bool,
        /// With --fix or --diff: also the fixes that change what a service may do (read_only,
        /// cap_drop ALL, ports on 127.0.0.1, privileged off, a bounded restart).
        #[arg(long)]
        unsafe_fixes: bool,
        /// Print the fixes as a unified diff and write nothing (exit 1 when there is something to fix).
        #[arg(long, conflicts_with = "fix")]
        diff: bool,
        #[command(flatten)]
        output: Output,
    },
    /// Audit a Docker host: the daemon, its files, socket access, audit, kernel, sshd, users, MAC,
    /// mounts, every container and the images they use
    Host {
        /// The engine: unix:///path or tcp://host:port. Default: DOCKER_HOST, else the docker CLI's
        /// current context, else /var/run/docker.sock, else $XDG_RUNTIME_DIR/docker.sock (rootless).
        #[arg(long)]
        docker_host: Option<String>,
        /// Seconds each Engine API request may take, its whole body included (each response: at most 64 MiB).
        #[arg(long, default_value = "10")]
        timeout: u64,
        /// Also audit created, exited and paused containers (default: running ones).
        #[arg(long)]
        all: bool,
        /// Audit every local image, not only the images containers use.
        #[arg(long)]
        all_images: bool,
        /// Compare Compose containers with these files (merged in order) instead of the files
        /// their labels record.
        #[arg(long, value_delimiter = ',')]
        compose_files: Vec<PathBuf>,
        /// Audit a directory tree (a mounted image, a fixture) instead of the live host; the
        /// engine is then read only with --docker-host.
        #[arg(long)]
        root: Option<PathBuf>,
        /// With --root: the tree is a snapshot of a live host — read its /proc and /sys, and the
        /// output of auditctl recorded in DIR/.cbench-live/ (`auditctl -s`, `auditctl -l`, `euid`).
        #[arg(long, requires = "root")]
        live: bool,
        /// Run only these sections (daemon, files, socket, audit, kernel, ssh, users, mac, fs,
        /// containers, images).
        #[arg(long, value_delimiter = ',')]
        only: Vec<String>,
        /// Leave these sections out.
        #[arg(long, value_delimiter = ',')]
        skip: Vec<String>,
        /// Audit only the containers whose name or id matches one of these glob patterns
        /// (repeatable, comma-separated; docker-bench-security's -i).
        #[arg(long, value_delimiter = ',', value_name = "PATTERN")]
        include_containers: Vec<String>,
        /// Leave out the containers whose name or id matches one of these patterns (-x).
        #[arg(long, value_delimiter = ',', value_name = "PATTERN")]
        exclude_containers: Vec<String>,
        /// Audit only the images whose name (repo:tag) matches one of these patterns.
        #[arg(long, value_delimiter = ',', value_name = "PATTERN")]
        include_images: Vec<String>,
        /// Leave out the images whose name matches one of these patterns.
        #[arg(long, value_delimiter = ',', value_name = "PATTERN")]
        exclude_images: Vec<String>,
        /// Audit only the containers that carry these labels (KEY or KEY=VALUE, all of them; -t).
        #[arg(long, value_name = "KEY[=VALUE]")]
        label: Vec<String>,
        /// Also walk the file system for setuid/setgid and world-writable files (slow).
        #[arg(long)]
        deep: bool,
        /// Exit by the findings even when the engine could not be reached (no socket, permission
        /// denied, timeout, TLS); without it such a partial view exits 2.
        #[arg(long)]
        allow_partial: bool,
        /// Write a remediation bundle into DIR (a new directory): the files to lay over the
        /// host's root, apply.sh ROOT for modes and owners, README.md with what needs a person,
        /// fix.bu on Flatcar. The audited host is never written.
        #[arg(long, value_name = "DIR")]
        fix_out: Option<PathBuf>,
        /// Audit again every SECONDS until stopped (a DaemonSet's pod, a service): each run's
        /// report replaces the last (use with --output).
        #[arg(long, value_name = "SECONDS")]
        every: Option<u64>,
        #[command(flatten)]
        output: Output,
    },
    /// Audit OCI runtime bundles (a directory with config.json, or the file) with the container rules
    Oci {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[command(flatten)]
        output: Output,
    },
    /// Audit Butane configs (Flatcar provisioning, YAML): the host each one will produce, before it boots
    Butane {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        provision: Provision,
    },
    /// Audit Ignition configs (JSON, spec 3.0–3.4): the host each one will produce, before it boots
    Ignition {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        provision: Provision,
    },
    /// List the rule catalog
    Rules {
        #[arg(long, value_enum, default_value = "text")]
        format: RulesFormat,
    },
    /// Explain one rule: rationale, remediation with an example, CIS reference
    Explain { rule: String },
    /// The CIS Docker Benchmark's recommendations, each with cbench's answer: the rules that
    /// check it, or what a person checks (and what cbench shows to help)
    Cis {
        #[arg(long, value_enum, default_value = "text")]
        format: CisFormat,
    },
}

/// Options of `cbench butane` and `cbench ignition`.
#[derive(Args)]
struct Provision {
    /// The directory `local:` contents and `storage.trees` are read from (Butane's --files-dir).
    #[arg(long, value_name = "DIR")]
    files_dir: Option<PathBuf>,
    /// Run only these sections (provision, daemon, files, socket, audit, kernel, ssh, users,
    /// mac, fs), or the sections of these rule or CIS ids.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Leave these sections out.
    #[arg(long, value_delimiter = ',')]
    skip: Vec<String>,
    /// Exit by the findings even when the config fetches parts of itself at boot (a partial view).
    #[arg(long)]
    allow_partial: bool,
    /// Butane: write the safe fixes into the config (files with fixed contents and modes, new
    /// storage.files entries), then report what is left.
    #[arg(long)]
    fix: bool,
    /// With --fix or --diff: also the fixes that can change what the host does (SELinux
    /// enforcing, sshd settings, the socket's mode, daemon defaults, /tmp noexec).
    #[arg(long)]
    unsafe_fixes: bool,
    /// Butane: print the fixes as a unified diff and write nothing (exit 1 when there is something to fix).
    #[arg(long, conflicts_with = "fix")]
    diff: bool,
    #[command(flatten)]
    output: Output,
}

/// `--only` / `--skip` (sections, or rule and CIS ids and prefixes: those run their sections and
/// narrow what is shown, as --select / --ignore do), then the selection; a usage error exits 2.
fn sections_and_selection(
    only: &[String],
    skip: &[String],
    output: &mut Output,
    known: &[&str],
) -> Result<(Vec<String>, Vec<String>, Selection), ExitCode> {
    let (only, skip) = match (host_sections(only, &mut output.select, true, known), host_sections(skip, &mut output.ignore, false, known)) {
        (Ok(only), Ok(skip)) => (only, skip),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("cbench: {}", cbench::report::untrusted(&e.to_string()));
            return Err(ExitCode::from(2));
        }
    };
    Ok((only, skip, selection(output, &cbench::rules::all_rule_ids())?))
}

/// `--diff`: one round of fixes printed as a diff (exit 1 when there is one; a fix can enable
/// another: --fix shows the rest). `--fix`: fix, audit again, until nothing changes (at most 4
/// rounds), saying what was applied and what is left with why; the caller then reports.
fn fix_rounds(fix: bool, diff: bool, fixer: &dyn Fn(bool) -> commands::compose::FixOutcome) -> Option<ExitCode> {
    if diff {
        let outcome = fixer(true);
        for line in &outcome.messages {
            eprintln!("cbench: {}", cbench::report::untrusted(line));
        }
        print(&outcome.diff);
        return Some(ExitCode::from(u8::from(!outcome.diff.is_empty())));
    }
    if fix {
        let (mut applied, mut files) = (0, std::collections::BTreeSet::new());
        let mut last = Vec::new();
        for _ in 0..4 {
            let outcome = fixer(false);
            applied += outcome.applied;
            files.extend(outcome.files.iter().cloned());
            last = outcome.messages;
            if outcome.files.is_empty() {
                break;
            }
        }
        eprintln!("cbench: {applied} fixes applied to {} files", files.len());
        for line in &last {
            eprintln!("cbench: {}", cbench::report::untrusted(line));
        }
    }
    None
}

fn provision(files: Vec<PathBuf>, dialect: Dialect, p: Provision) -> ExitCode {
    let Provision { files_dir, only, skip, allow_partial, fix, unsafe_fixes, diff, mut output } = p;
    if (fix || diff) && dialect == Dialect::Ignition {
        eprintln!("cbench: --fix and --diff edit Butane configs: fix the Butane source of this Ignition config");
        return ExitCode::from(2);
    }
    let (only, skip, selection) = match sections_and_selection(&only, &skip, &mut output, commands::provision::SECTIONS) {
        Ok(v) => v,
        Err(code) => return code,
    };
    let opts = commands::provision::Options {
        paths: files,
        dialect: Some(dialect),
        files_dir,
        only,
        skip,
        min_severity: output.min_severity.map(Into::into),
        selection,
    };
    if let Some(code) = fix_rounds(fix, diff, &|diff_only| commands::provision::fix(&opts, unsafe_fixes, diff_only)) {
        return code;
    }
    finish(commands::provision::run(&opts), &output, allow_partial)
}

#[derive(Clone, Copy, ValueEnum)]
enum RulesFormat {
    Text,
    Json,
}

fn print(s: &str) {
    let mut out = std::io::stdout().lock();
    // A closed pipe (e.g. `| head`) is not an error worth a panic.
    let _ = out.write_all(s.as_bytes());
}

/// `--select` / `--ignore` against the rules of this command: an unknown id is a usage error.
fn selection(output: &Output, known: &[&str]) -> Result<Selection, ExitCode> {
    Selection::parse(&output.select, &output.ignore, known).map_err(|e| {
        eprintln!("cbench: {}", cbench::report::untrusted(&e.to_string()));
        ExitCode::from(2)
    })
}

/// `--only` / `--skip` values: section names stay; a rule id, CIS id or CIS prefix becomes the
/// sections of the rules it names (only for `--only`: `--skip 1.1` hides those checks and
/// leaves their sections) and goes to `ids` (`--select` / `--ignore`).
fn host_sections(values: &[String], ids: &mut Vec<String>, run_them: bool, known: &[&str]) -> Result<Vec<String>, String> {
    let mut sections = Vec::new();
    for v in values {
        if known.contains(&v.as_str()) {
            sections.push(v.clone());
            continue;
        }
        let named: Vec<&cbench::rules::Rule> = cbench::rules::registry().iter().filter(|r| cbench::rules::select::names(v, r.id)).collect();
        if named.is_empty() {
            return Err(format!("unknown section, rule or CIS id `{v}` (sections: {})", known.join(", ")));
        }
        ids.push(v.clone());
        if run_them {
            sections.extend(named.iter().map(|r| r.section.to_string()));
        }
    }
    sections.sort_by_key(|s| known.iter().position(|x| x == s));
    sections.dedup();
    Ok(sections)
}

/// Print the report and turn the run into an exit code.
fn finish(mut run: Run, output: &Output, allow_partial: bool) -> ExitCode {
    if allow_partial {
        commands::allow_partial(&mut run);
    }
    let run = &run;
    let color = match output.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    };
    let style = Style { color, expand: output.expand, max_items: output.max_items };
    if let Some(path) = &output.output {
        let mut bytes = Vec::new();
        let written = report::render(run, output.format, &style, &mut bytes).and_then(|()| write_atomically(path, &bytes));
        if let Err(e) = written {
            eprintln!("cbench: --output {}: {e}", cbench::report::untrusted(&path.display().to_string()));
            return ExitCode::from(2);
        }
        return ExitCode::from(commands::exit_code(run, output.fail_on.into()));
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    // A closed pipe (e.g. `| head`) is not an error worth reporting.
    let _ = report::render(run, output.format, &style, &mut out).and_then(|()| out.flush());
    ExitCode::from(commands::exit_code(run, output.fail_on.into()))
}

/// `bytes` to `path` by a temporary file beside it and a rename: a reader sees the old report or
/// the new one, never part of one.
fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    let name = path.file_name().ok_or_else(|| std::io::Error::other("not a file name"))?;
    let tmp = dir.join(format!(".{}.{}.tmp", name.to_string_lossy(), std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    cbench::cis::set_version(cli.cis_version);
    match cli.command {
        Command::Compose {
            files,
            merged,
            env_file,
            profile,
            allow_partial,
            no_config,
            baseline,
            write_baseline,
            fix,
            unsafe_fixes,
            diff,
            output,
        } => {
            let selection = match selection(&output, &cbench::rules::container_rule_ids()) {
                Ok(s) => s,
                Err(code) => return code,
            };
            let opts = compose::Options {
                files,
                merged,
                load: LoadOptions { env_files: env_file, profiles: profile, env: std::env::vars().collect() },
                min_severity: output.min_severity.map(Into::into),
                selection,
                pedantic: output.pedantic,
                no_config,
                cwd: PathBuf::from("."),
                baseline,
                write_baseline,
                fixes: matches!(output.format, Format::Sarif),
            };
            let fixer = |diff_only| compose::fix(&compose::run(&opts), unsafe_fixes, diff_only);
            if let Some(code) = fix_rounds(fix, diff, &fixer) {
                return code;
            }
            finish(compose::run(&opts), &output, allow_partial)
        }
        Command::Host {
            docker_host,
            timeout,
            all,
            all_images,
            compose_files,
            root,
            live,
            only,
            skip,
            include_containers,
            exclude_containers,
            include_images,
            exclude_images,
            label,
            deep,
            allow_partial,
            fix_out,
            every,
            mut output,
        } => {
            let filters = match host::Filters::new(&include_containers, &exclude_containers, &include_images, &exclude_images, &label) {
                Ok(f) => f,
                Err(e) => {
                    eprintln!("cbench: {}", cbench::report::untrusted(&e));
                    return ExitCode::from(2);
                }
            };
            let (only, skip, selection) = match sections_and_selection(&only, &skip, &mut output, host::SECTIONS) {
                Ok(v) => v,
                Err(code) => return code,
            };
            // --root names a directory of the auditing machine: checked here, read through HostRoot.
            #[allow(clippy::disallowed_methods)]
            let not_dir = root.as_ref().is_some_and(|r| !r.is_dir());
            if let Some(r) = &root
                && not_dir
            {
                eprintln!("cbench: --root {}: not a directory", cbench::report::untrusted(&r.display().to_string()));
                return ExitCode::from(2);
            }
            // cbench's own image sets CBENCH_HOST_ROOT=/host: the live host through that mount
            // (`docker run --pid host --net host -v /:/host:ro ...`), itself left out.
            #[allow(clippy::disallowed_methods)]
            let mounted = root.is_none().then(|| std::env::var_os("CBENCH_HOST_ROOT").map(PathBuf::from)).flatten().filter(|d| d.is_dir());
            let exclude = mounted.as_ref().and_then(|_| host::own_container());
            let opts = host::Options {
                engine: EngineOptions {
                    host: docker_host,
                    timeout: Duration::from_secs(timeout.max(1)),
                    all,
                    all_images,
                    deep,
                    host_prefix: mounted.clone(),
                    exclude,
                },
                mounted,
                root,
                live,
                compose_files,
                only,
                skip,
                min_severity: output.min_severity.map(Into::into),
                selection,
                pedantic: output.pedantic,
                deep,
                filters,
            };
            if let Some(dir) = fix_out {
                let (run, facts, root) = host::run_keeping_facts(&opts);
                match host::write_bundle(&run, facts.as_ref(), &root, &dir) {
                    Ok(b) => eprintln!(
                        "cbench: remediation bundle in {}: {} files, {} findings fixed, {} need a person (README.md); apply with {}/apply.sh [ROOT]",
                        cbench::report::untrusted(&dir.display().to_string()),
                        b.files.len(),
                        b.claims.len(),
                        b.manual.len(),
                        cbench::report::untrusted(&dir.display().to_string())
                    ),
                    Err(e) => {
                        eprintln!("cbench: --fix-out: {}", cbench::report::untrusted(&e));
                        return ExitCode::from(2);
                    }
                }
                return finish(run, &output, allow_partial);
            }
            if let Some(secs) = every {
                loop {
                    let _ = finish(host::run(&opts), &output, allow_partial);
                    eprintln!("cbench: audit done; the next in {secs} s");
                    std::thread::sleep(Duration::from_secs(secs.max(1)));
                }
            }
            finish(host::run(&opts), &output, allow_partial)
        }
        Command::Oci { paths, output } => {
            let selection = match selection(&output, &cbench::rules::container_rule_ids()) {
                Ok(s) => s,
                Err(code) => return code,
            };
            let opts = oci::Options { paths, min_severity: output.min_severity.map(Into::into), selection, pedantic: output.pedantic };
            finish(oci::run(&opts), &output, false)
        }
        Command::Butane { files, provision: p } => provision(files, Dialect::Butane, p),
        Command::Ignition { files, provision: p } => provision(files, Dialect::Ignition, p),
        Command::Rules { format } => {
            print(&match format {
                RulesFormat::Text => commands::rules::list_text(),
                RulesFormat::Json => commands::rules::list_json(),
            });
            ExitCode::SUCCESS
        }
        Command::Cis { format } => {
            let v = cli.cis_version;
            print(&match format {
                CisFormat::Text => commands::cis::text(v),
                CisFormat::Json => commands::cis::json(v),
                CisFormat::Markdown => commands::cis::markdown(v),
            });
            ExitCode::SUCCESS
        }
        Command::Explain { rule } => match commands::rules::explain(&rule) {
            Some(text) => {
                print(&text);
                ExitCode::SUCCESS
            }
            None => {
                eprintln!("cbench: unknown rule `{}` (see `cbench rules`)", cbench::report::untrusted(&rule));
                ExitCode::from(2)
            }
        },
    }
}
