//! `HostFacts`: what the host itself says — who can reach the Docker socket, Docker's files,
//! audit rules, kernel settings, sshd, accounts, MAC and mounts. Sources fill it; rules judge it.

use std::collections::BTreeMap;

use super::Val;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct HostFacts {
    /// The live host (`/`): running values (/proc, /sys, loaded audit rules) are read.
    pub live: bool,
    /// os-release: (ID, PRETTY_NAME).
    pub os: Option<(String, String)>,
    /// The docker.socket unit, when the host has one.
    pub docker_socket: Option<SocketFacts>,
    /// Other enabled socket units that start docker.service (`Service=docker.service`, such
    /// as Flatcar's documented docker-tcp.socket): more ways into the API.
    pub docker_api_sockets: Vec<SocketFacts>,
    /// CoreOS's fleet.socket, when the host has one.
    pub fleet_socket: Option<SocketFacts>,
    /// Podman's API socket: the podman.socket unit, and live the socket itself when it exists
    /// (/run/podman/podman.sock).
    pub podman_socket: Option<SocketFacts>,
    /// sysctl values configured in sysctl.d / sysctl.conf, by key.
    pub sysctl_configured: BTreeMap<String, Val<String>>,
    /// Running values from /proc/sys (live host only), for the keys the rules ask about.
    pub sysctl_running: BTreeMap<String, Val<String>>,
    /// Docker's configuration files and sockets that exist, with owner and mode.
    pub docker_files: Vec<FileFacts>,
    /// The daemon.json the audited daemon reads (empty: /etc/docker/daemon.json), and for a
    /// rootless engine its user (uid, name).
    pub daemon_json: String,
    pub daemon_user: Option<(u32, String)>,
    pub audit: AuditFacts,
    /// Kernel modules named in modprobe.d: module to how it is disabled.
    pub modules: BTreeMap<String, Val<ModuleState>>,
    /// The kernel command line (live /proc/cmdline; offline the boot loader's configuration).
    pub cmdline: Option<Val<String>>,
    pub sshd: Option<SshdFacts>,
    pub accounts: Accounts,
    pub mac: MacFacts,
    pub mounts: Mounts,
    /// System files whose mode matters (/etc/shadow, /etc/passwd, ...).
    pub system_files: Vec<FileFacts>,
    /// `--deep`: setuid/setgid and world-writable files found by the walk.
    pub deep: Option<Vec<Val<Special>>>,
    /// What could not be read, by the fact it leaves incomplete: a check that finds nothing on
    /// an incomplete fact is skipped with the path, never passed.
    pub unreadable: Vec<(Fact, String)>,
}

/// A part of the host's facts that a read failure can leave incomplete.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fact {
    /// Docker's files and directories (CIS 3.x).
    DockerFiles,
    /// sysctl.d and sysctl.conf.
    Sysctl,
    /// The `--deep` walk.
    Deep,
    /// modprobe.d.
    Modules,
}

impl HostFacts {
    /// The first path that left `fact` incomplete, if one did.
    pub fn unread(&self, fact: Fact) -> Option<&str> {
        self.unreadable.iter().find(|(f, _)| *f == fact).map(|(_, p)| p.as_str())
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct FileFacts {
    pub path: String,
    pub uid: Val<u32>,
    pub gid: Val<u32>,
    /// Permission bits.
    pub mode: Val<u32>,
    /// What the file is (`docker.service`, `TLS key`, `/etc/shadow`...): rules look their policy
    /// (the most its mode may allow, its CIS ids) up by it.
    pub kind: &'static str,
    /// Who must own it: None for root (root:root); a rootless engine's files belong to its user
    /// (uid, name).
    pub owner: Option<(u32, String)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SocketFacts {
    /// The unit file (with its drop-ins applied).
    pub unit: String,
    pub masked: bool,
    /// `ListenStream=` values: a path, a port, or an address:port.
    pub listen: Vec<Val<String>>,
    pub user: Val<String>,
    pub group: Val<String>,
    /// Permission bits.
    pub mode: Val<u32>,
    /// Members of the socket's group (root excepted: it needs no group).
    pub group_members: Vec<Val<String>>,
}

/// One audit rule, as auditctl takes it.
#[derive(Clone, Debug, PartialEq)]
pub enum AuditRule {
    /// `-w PATH -p PERMS` (a directory watch covers what is below it).
    Watch { path: String, perms: String },
    /// `-a LIST,ACTION -F ...`: the list and action (in either order), the fields.
    Syscall { list: String, action: String, fields: Vec<(String, String, String)> },
    /// `-e N`.
    Enable(String),
    /// `-D` deletes the rules before it.
    Delete,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct AuditFacts {
    /// Where the rules come from: `auditctl -l` (loaded) or the rule files.
    pub source: String,
    pub rules: Vec<Val<AuditRule>>,
    /// Is something loading the rules: auditd or audit-rules.service (enabled, not masked), or
    /// auditd running (live). None: unknown, for the reason in `active_unknown`.
    pub active: Option<Val<bool>>,
    pub active_unknown: Option<String>,
    /// The Docker paths that exist on the host, with what each is (`dockerd`, `data root`,
    /// `docker.service`...; the audit rules hold their CIS ids).
    pub paths: Vec<(String, &'static str)>,
    /// A rule file or directory that could not be read (not root): the rules are unknown.
    pub unreadable: Option<String>,
    /// The `docker exec` command lines auditd recorded (EXECVE records in
    /// /var/log/audit/audit.log whose a0 is docker and a1 exec), each at its log line; Err:
    /// why the log was not read; None: not looked at.
    pub docker_execs: Option<Result<Vec<Val<Vec<String>>>, String>>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ModuleState {
    /// `install MOD /bin/true` (or /bin/false): loading it does nothing.
    Install(String),
    /// `blacklist MOD`: not loaded by alias, still loadable by name.
    Blacklist,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct SshdFacts {
    /// sshd.socket / sshd.service / ssh.service / ssh.socket: (unit, masked, enabled).
    pub units: Vec<(String, bool, bool)>,
    /// Keyword (lower case) to its effective value, outside Match blocks (first value wins).
    pub settings: BTreeMap<String, Val<String>>,
    /// Keywords set inside Match blocks: (keyword, value, the Match line).
    pub matched: Vec<Val<(String, String, String)>>,
    /// The config files read (main and includes), with owner and mode.
    pub files: Vec<FileFacts>,
    /// The main config file (for findings about an unset keyword).
    pub main: String,
    /// A config file that could not be read (not root): the settings are unknown.
    pub unreadable: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct User {
    pub name: String,
    pub uid: u32,
    pub shell: String,
    /// The password hash's state (never the hash), or None when /etc/shadow has no line for the
    /// user (or cannot be read).
    pub password: Option<Password>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Password {
    Set,
    Empty,
    /// `!` or `*`: no password login.
    Locked,
}

/// One sudoers user specification, reduced to what the rules ask: who, and whether sudo asks
/// for a password.
#[derive(Clone, Debug, PartialEq)]
pub struct SudoRule {
    /// `core`, `%wheel`, `ALL`.
    pub who: Vec<String>,
    pub nopasswd: bool,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Accounts {
    pub users: Vec<Val<User>>,
    /// /etc/shadow could not be read (not root).
    pub shadow_unreadable: bool,
    /// Group name to its members (both /etc/group and Flatcar's baselayout).
    pub groups: BTreeMap<String, Vec<Val<String>>>,
    /// Sudoers user specifications in the order sudo reads them (the last match wins).
    pub sudo_rules: Vec<Val<SudoRule>>,
    /// Sudoers files read, in order.
    pub sudoers_files: Vec<String>,
    /// A sudoers file or directory that could not be read (not root).
    /// Why sudoers is not fully known (a file not readable without root, includes nested too
    /// deep): the sudo checks skip with it.
    pub sudoers_unreadable: Option<String>,
    /// /etc/sudoers.d itself.
    pub sudoers_d: Option<FileFacts>,
    /// `auth required pam_wheel.so` in /etc/pam.d/su.
    pub pam_wheel: Option<Val<String>>,
    /// pam_pwquality / pam_cracklib in the password stack.
    pub pam_quality: Option<Val<String>>,
    /// PAM files read (absent on a host without PAM config).
    pub pam_read: bool,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct MacFacts {
    /// `SELINUX=` of /etc/selinux/config.
    pub selinux_config: Option<Val<String>>,
    /// /sys/fs/selinux/enforce: 1 enforcing, 0 permissive (live; None when SELinux is off).
    pub selinux_current: Option<Val<String>>,
    /// AppArmor enabled in the kernel (live /sys/module/apparmor/parameters/enabled).
    pub apparmor_enabled: Option<Val<bool>>,
    /// Mode of the docker-default profile (live /sys/kernel/security/apparmor/profiles).
    pub apparmor_docker_default: Option<Val<String>>,
    /// The daemon's `selinux-enabled` (engine or files).
    pub daemon_selinux: Option<Val<bool>>,
}

/// A file the `--deep` walk reports.
#[derive(Clone, Debug, PartialEq)]
pub struct Special {
    pub path: String,
    pub kind: SpecialKind,
    pub mode: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpecialKind {
    Setuid,
    Setgid,
    WorldWritableFile,
    /// A world-writable directory without the sticky bit.
    WorldWritableDir,
}

/// `usb-storage` and `usb_storage` name the same kernel module.
pub fn module_key(m: &str) -> String {
    m.replace('-', "_")
}

#[derive(Clone, Debug, PartialEq)]
pub struct MountFacts {
    pub target: String,
    pub fstype: String,
    pub options: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Mounts {
    /// Where the mount table comes from (/proc/self/mountinfo live; fstab and .mount units offline).
    pub source: String,
    pub mounts: Vec<Val<MountFacts>>,
    /// Docker's data root (data-root or /var/lib/docker).
    pub data_root: String,
}
