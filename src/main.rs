use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use cbench::commands::{self, compose};
use cbench::model::Severity;
use cbench::report::{self, Format, Style};
use cbench::sources::compose::LoadOptions;

#[derive(Parser)]
#[command(name = "cbench", version, about = "Container security benchmark: Compose files and Docker hosts, one rule catalog")]
struct Cli {
    #[command(subcommand)]
    command: Command,
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
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// Exit 1 when an unsuppressed finding is at or above this severity.
        #[arg(long, value_enum, default_value = "high")]
        fail_on: Sev,
        /// Show only findings at or above this severity.
        #[arg(long, value_enum)]
        min_severity: Option<Sev>,
        /// Run only these rules (comma-separated or repeated).
        #[arg(long, value_delimiter = ',')]
        select: Vec<String>,
        /// Do not run these rules.
        #[arg(long, value_delimiter = ',')]
        ignore: Vec<String>,
        /// Treat unreadable includes, extends files and env_files as warnings, not errors.
        #[arg(long)]
        allow_partial: bool,
        /// Also report what only pedantic users want (e.g. an image tag without a digest).
        #[arg(long)]
        pedantic: bool,
        /// Ignore .cbench.toml files.
        #[arg(long)]
        no_config: bool,
        #[arg(long, value_enum, default_value = "auto")]
        color: Color,
    },
    /// List the rule catalog
    Rules {
        #[arg(long, value_enum, default_value = "text")]
        format: RulesFormat,
    },
    /// Explain one rule: rationale, remediation with an example, CIS reference
    Explain { rule: String },
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Compose {
            files,
            merged,
            env_file,
            profile,
            format,
            fail_on,
            min_severity,
            select,
            ignore,
            allow_partial,
            pedantic,
            no_config,
            color,
        } => {
            let known = cbench::rules::container_rule_ids();
            for id in select.iter().chain(&ignore) {
                if !known.contains(&id.as_str()) {
                    eprintln!("cbench: unknown rule `{id}` (see `cbench rules`)");
                    return ExitCode::from(2);
                }
            }
            let opts = compose::Options {
                files,
                merged,
                load: LoadOptions { env_files: env_file, profiles: profile, env: std::env::vars().collect() },
                min_severity: min_severity.map(Into::into),
                select,
                ignore,
                pedantic,
                no_config,
                cwd: PathBuf::from("."),
            };
            let run = compose::run(&opts);
            let color = match color {
                Color::Always => true,
                Color::Never => false,
                Color::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
            };
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            // A closed pipe (e.g. `| head`) is not an error worth reporting.
            let _ = report::render(&run, format, &Style { color }, &mut out).and_then(|()| out.flush());
            ExitCode::from(commands::exit_code(&run, fail_on.into(), allow_partial))
        }
        Command::Rules { format } => {
            print(&match format {
                RulesFormat::Text => commands::rules::list_text(),
                RulesFormat::Json => commands::rules::list_json(),
            });
            ExitCode::SUCCESS
        }
        Command::Explain { rule } => match commands::rules::explain(&rule) {
            Some(text) => {
                print(&text);
                ExitCode::SUCCESS
            }
            None => {
                eprintln!("cbench: unknown rule `{rule}` (see `cbench rules`)");
                ExitCode::from(2)
            }
        },
    }
}
