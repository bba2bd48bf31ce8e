//! `ContainerSpec`: what a container is allowed to do, whoever describes it
//! (a Compose service, a running container, an OCI bundle).

use super::{Origin, Val};

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ContainerSpec {
    /// Where the container (service) itself is declared; used for findings about what is missing.
    pub declared_at: Option<Origin>,
    pub image: Option<Val<String>>,
    pub privileged: Option<Val<bool>>,
    pub user: Option<Val<String>>,
    pub read_only: Option<Val<bool>>,
    /// Capability names, upper case, without `CAP_`.
    pub cap_add: Vec<Val<String>>,
    pub cap_drop: Vec<Val<String>>,
    pub security: SecurityOpts,
    pub ports: Vec<Val<Port>>,
    pub expose: Vec<Val<String>>,
    pub mounts: Vec<Val<Mount>>,
    pub network_mode: Option<Val<String>>,
    pub pid: Option<Val<String>>,
    pub ipc: Option<Val<String>>,
    pub uts: Option<Val<String>>,
    pub userns: Option<Val<String>>,
    pub devices: Vec<Val<String>>,
    pub device_cgroup_rules: Vec<Val<String>>,
    pub limits: Limits,
    pub restart: Option<Val<Restart>>,
    pub healthcheck: Option<Val<Healthcheck>>,
    /// The health check's command (`CMD`/`CMD-SHELL` and its words), for the secret rules.
    pub healthcheck_test: Option<Val<Vec<String>>>,
    pub command: Option<Val<Vec<String>>>,
    pub entrypoint: Option<Val<Vec<String>>>,
    /// Environment variables. The value stays in memory for rules; reports print only the name.
    pub env: Vec<Val<EnvVar>>,
    pub sysctls: Vec<Val<(String, String)>>,
    pub ulimits: Vec<Val<String>>,
    pub cgroup_parent: Option<Val<String>>,
    pub oom_kill_disable: Option<Val<bool>>,
    pub logging_driver: Option<Val<String>>,
    /// Networks the container joins (Compose: `networks`; engine: NetworkSettings).
    pub networks: Vec<Val<String>>,
    /// The `docker exec` instances the engine still knows (`.ExecIDs`, each `/exec/{id}/json`);
    /// None where there are none to know (a Compose file, an OCI bundle).
    pub execs: Option<Vec<Val<Exec>>>,
}

/// One `docker exec` into a container.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Exec {
    pub privileged: bool,
    /// `--user` as given (empty: the container's user).
    pub user: String,
    /// The command, for the message.
    pub command: String,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct SecurityOpts {
    pub no_new_privileges: Option<Val<bool>>,
    /// `unconfined` or a profile path/name.
    pub seccomp: Option<Val<String>>,
    pub apparmor: Option<Val<String>>,
    /// SELinux confinement off: `label:disable`, or `label:type:spc_t` (the unconfined
    /// "super privileged container" type), as written.
    pub label_disable: Option<Val<String>>,
    pub systempaths_unconfined: Option<Val<()>>,
}

/// A `security_opt` value Docker would refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecurityOptError {
    #[error("invalid no-new-privileges value `{0}`")]
    NoNewPrivileges(String),
    #[error("unknown security option `{0}`")]
    Unknown(String),
}

impl SecurityOpts {
    /// Apply one Docker `--security-opt` value (`no-new-privileges`, `no-new-privileges:true`,
    /// `seccomp=unconfined`, `apparmor:PROFILE`, `label:disable`, `systempaths=unconfined`...),
    /// as written in a Compose file or reported by the engine. Errors describe a value Docker
    /// would refuse.
    pub fn apply(&mut self, opt: &str, origin: Origin) -> Result<(), SecurityOptError> {
        let (key, value) = opt.split_once([':', '=']).map_or((opt, None), |(k, v)| (k, Some(v)));
        match (key, value) {
            ("no-new-privileges", None) => self.no_new_privileges = Some(Val::new(true, origin)),
            ("no-new-privileges", Some(v)) => match v.to_ascii_lowercase().as_str() {
                "true" | "yes" | "on" | "1" => self.no_new_privileges = Some(Val::new(true, origin)),
                "false" | "no" | "off" | "0" => self.no_new_privileges = Some(Val::new(false, origin)),
                _ => return Err(SecurityOptError::NoNewPrivileges(v.to_string())),
            },
            ("seccomp", Some(v)) => self.seccomp = Some(Val::new(v.to_string(), origin)),
            ("apparmor", Some(v)) => self.apparmor = Some(Val::new(v.to_string(), origin)),
            ("label", Some(v @ ("disable" | "type:spc_t"))) => self.label_disable = Some(Val::new(format!("label:{v}"), origin)),
            ("label", Some(_)) => {}
            ("systempaths", Some("unconfined")) => self.systempaths_unconfined = Some(Val::new((), origin)),
            _ => return Err(SecurityOptError::Unknown(opt.to_string())),
        }
        Ok(())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Port {
    /// `None`: every interface.
    pub host_ip: Option<String>,
    /// Published host port range; `None`: a random port.
    pub published: Option<(u32, u32)>,
    pub target: (u32, u32),
    pub protocol: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MountKind {
    Bind,
    Volume,
    Tmpfs,
    Other,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mount {
    pub kind: MountKind,
    /// Host path (bind, absolute), volume name (volume), none (tmpfs / anonymous volume).
    pub source: Option<String>,
    pub target: String,
    pub read_only: bool,
    pub propagation: Option<String>,
    /// Mount options of a tmpfs (`noexec`, `nosuid`, ...).
    pub options: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Limits {
    pub memory: Option<Val<u64>>,
    pub memswap: Option<Val<i64>>,
    pub cpus: Option<Val<f64>>,
    pub cpu_shares: Option<Val<i64>>,
    pub cpu_quota: Option<Val<i64>>,
    pub pids: Option<Val<i64>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Restart {
    /// `no`, `always`, `unless-stopped`, `on-failure` (deploy's `any` maps to `always`).
    pub name: String,
    pub max_retries: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Healthcheck {
    Defined,
    Disabled,
}

#[derive(Clone, PartialEq, Eq)]
pub struct EnvVar {
    pub name: String,
    pub value: Option<String>,
    /// The value was written as-is in the file (not produced by `${...}` interpolation).
    pub literal: bool,
    /// A default written in the file (`${VAR:-value}`): committed, whatever the environment
    /// holds when the file is read.
    pub default: Option<String>,
}

impl std::fmt::Debug for EnvVar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print a value, not even in debug output.
        f.debug_struct("EnvVar").field("name", &self.name).field("literal", &self.literal).finish_non_exhaustive()
    }
}

/// An image a container runs, as far as the image rules need it.
#[derive(Clone, Debug, PartialEq)]
pub struct ImageFacts {
    pub name: String,
    pub declared_at: Origin,
    /// The image's USER; None or empty: root.
    pub user: Option<Val<String>>,
    /// The image's HEALTHCHECK.
    pub healthcheck: Option<Val<Healthcheck>>,
    /// The image's ENV (`Config.Env`): baked into every layer pull; values stay in memory for
    /// the secret rule and are never printed (`EnvVar`'s Debug hides them).
    pub env: Vec<Val<EnvVar>>,
    /// The image's LABELs (`Config.Labels`), as name and value (kept for the secret rule only).
    pub labels: Vec<Val<EnvVar>>,
    /// How each layer was made (`docker history`'s CREATED BY), newest first. A value a
    /// Dockerfile wrote (`ENV`, `ARG`, a build arg a `RUN` saw) stays here even when a later
    /// layer resets it. None: the engine did not answer (the history checks are skipped).
    pub history: Option<Vec<Val<String>>>,
    /// Setuid and setgid files in the image's layers (`--deep` on the engine's own host, read
    /// through the storage driver's directories): (path in the image, mode). Err: why they
    /// were not read.
    pub setuid: Result<Vec<Val<(String, u32)>>, String>,
}
