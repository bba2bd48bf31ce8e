//! Engine API objects to facts: a container (with its image) to a `ContainerSpec`, `/info` and
//! the default bridge to a `DaemonConfig`. Pure functions; every value names the API field it
//! came from.

use bollard::models::{ContainerInspectResponse, ImageInspect, NetworkInspect, SystemInfo};
use std::collections::BTreeMap;

use crate::model::*;
use crate::sources::compose::convert::normalize_cap;

/// Values of one container's fields, each with its origin.
struct Fields<'a>(&'a str);

impl Fields<'_> {
    fn val<T>(&self, value: T, field: &str) -> Val<T> {
        Val::new(value, Origin::Field(format!("container {} {field}", self.0)))
    }
}

/// `container web (3f2a9c1b7d04)`: how findings and origins name a container.
pub fn container_label(c: &ContainerInspectResponse) -> String {
    let name = c.name.as_deref().unwrap_or("").trim_start_matches('/');
    let id: String = c.id.as_deref().unwrap_or("").chars().take(12).collect();
    format!("{name} ({id})")
}

/// What `container:X` namespace modes may call this container: its full id and its name.
pub fn container_names(c: &ContainerInspectResponse) -> Vec<String> {
    [c.id.as_deref(), c.name.as_deref().map(|n| n.trim_start_matches('/'))].into_iter().flatten().map(str::to_string).collect()
}

/// The facts of one container. `image` is the inspected image, when it could be read.
/// `bind_volumes`: the engine's named volumes of the local driver that bind a host path
/// (`o=bind`, `device=PATH`), by name: a container that mounts one mounts that path.
pub fn container_spec(
    c: &ContainerInspectResponse,
    image: Option<&ImageInspect>,
    bind_volumes: &BTreeMap<String, String>,
) -> ContainerSpec {
    let label = container_label(c);
    let at = |field: &str| Origin::Field(format!("container {label} {field}").trim_end().to_string());
    let f = Fields(&label);
    let mut spec = ContainerSpec { declared_at: Some(at("")), ..Default::default() };
    let config = c.config.as_ref();
    let host = c.host_config.as_ref();
    spec.image = config.and_then(|c| c.image.clone()).map(|i| f.val(i, ".Config.Image"));
    if let Some(h) = host {
        spec.privileged = h.privileged.map(|p| f.val(p, ".HostConfig.Privileged"));
        spec.read_only = h.readonly_rootfs.map(|r| f.val(r, ".HostConfig.ReadonlyRootfs"));
        spec.cap_add = h.cap_add.iter().flatten().map(|c| f.val(normalize_cap(c), ".HostConfig.CapAdd")).collect();
        spec.cap_drop = h.cap_drop.iter().flatten().map(|c| f.val(normalize_cap(c), ".HostConfig.CapDrop")).collect();
        for opt in h.security_opt.iter().flatten() {
            // The engine only reports options it accepted; anything else is not ours to judge.
            let _ = spec.security.apply(opt, at(".HostConfig.SecurityOpt"));
        }
        // Docker itself adds `label=disable` to privileged containers and to those sharing the
        // host's PID or IPC namespace; that is reported as their root cause, not as a choice.
        let host_ns = |m: &Option<String>| m.as_deref() == Some("host");
        if h.privileged == Some(true) || host_ns(&h.pid_mode) || host_ns(&h.ipc_mode) {
            spec.security.label_disable = None;
        }
        let mode = |m: &Option<String>, field: &str| m.as_ref().filter(|m| !m.is_empty()).map(|m| f.val(m.clone(), field));
        spec.network_mode = mode(&h.network_mode, ".HostConfig.NetworkMode");
        spec.pid = mode(&h.pid_mode, ".HostConfig.PidMode");
        spec.ipc = mode(&h.ipc_mode, ".HostConfig.IpcMode");
        spec.uts = mode(&h.uts_mode, ".HostConfig.UTSMode");
        spec.userns = mode(&h.userns_mode, ".HostConfig.UsernsMode");
        spec.cgroup_parent = mode(&h.cgroup_parent, ".HostConfig.CgroupParent");
        spec.devices = h.devices.iter().flatten().filter_map(|d| d.path_on_host.clone()).map(|p| f.val(p, ".HostConfig.Devices")).collect();
        spec.device_cgroup_rules =
            h.device_cgroup_rules.iter().flatten().map(|r| f.val(r.clone(), ".HostConfig.DeviceCgroupRules")).collect();
        spec.limits = Limits {
            memory: h.memory.filter(|m| *m > 0).map(|m| f.val(m as u64, ".HostConfig.Memory")),
            memswap: h.memory_swap.filter(|m| *m != 0).map(|m| f.val(m, ".HostConfig.MemorySwap")),
            cpus: h.nano_cpus.filter(|n| *n > 0).map(|n| f.val(n as f64 / 1e9, ".HostConfig.NanoCpus")),
            cpu_shares: h.cpu_shares.filter(|s| *s > 0).map(|s| f.val(s, ".HostConfig.CpuShares")),
            cpu_quota: h.cpu_quota.filter(|q| *q > 0).map(|q| f.val(q, ".HostConfig.CpuQuota")),
            pids: h.pids_limit.filter(|p| *p > 0).map(|p| f.val(p, ".HostConfig.PidsLimit")),
        };
        spec.restart = h.restart_policy.as_ref().and_then(|r| {
            let name = r.name.as_ref()?.to_string();
            (!name.is_empty()).then(|| {
                let max_retries = r.maximum_retry_count.filter(|m| *m > 0).map(|m| m as u64);
                f.val(Restart { name, max_retries }, ".HostConfig.RestartPolicy")
            })
        });
        spec.oom_kill_disable = h.oom_kill_disable.map(|o| f.val(o, ".HostConfig.OomKillDisable"));
        spec.logging_driver = h.log_config.as_ref().and_then(|l| l.typ.clone()).map(|t| f.val(t, ".HostConfig.LogConfig.Type"));
        let mut sysctls: Vec<(String, String)> = h.sysctls.iter().flatten().map(|(k, v)| (k.clone(), v.clone())).collect();
        sysctls.sort();
        spec.sysctls = sysctls.into_iter().map(|kv| f.val(kv, ".HostConfig.Sysctls")).collect();
        spec.ulimits = h.ulimits.iter().flatten().filter_map(|u| u.name.clone()).map(|n| f.val(n, ".HostConfig.Ulimits")).collect();
        let mut tmpfs: Vec<(&String, &String)> = h.tmpfs.iter().flatten().collect();
        tmpfs.sort();
        for (target, opts) in tmpfs {
            let options = opts.split(',').filter(|o| !o.is_empty()).map(str::to_string).collect();
            let m = Mount { kind: MountKind::Tmpfs, source: None, target: target.clone(), read_only: false, propagation: None, options };
            spec.mounts.push(f.val(m, ".HostConfig.Tmpfs"));
        }
        let mut ports: Vec<(&String, &Option<Vec<bollard::models::PortBinding>>)> = h.port_bindings.iter().flatten().collect();
        ports.sort_by_key(|(k, _)| *k);
        for (key, bindings) in ports {
            let (target, protocol) = key.split_once('/').unwrap_or((key, "tcp"));
            let Ok(target) = target.parse::<u32>() else { continue };
            for b in bindings.iter().flatten() {
                let host_ip = b.host_ip.clone().filter(|ip| !ip.is_empty());
                let published = b.host_port.as_deref().and_then(|p| p.parse::<u32>().ok()).map(|p| (p, p));
                let port = Port { host_ip, published, target: (target, target), protocol: protocol.to_string() };
                spec.ports.push(f.val(port, ".HostConfig.PortBindings"));
            }
        }
    }
    // The profile the engine applied (docker-default on an AppArmor host, empty elsewhere).
    if spec.security.apparmor.is_none()
        && let Some(profile) = c.app_armor_profile.as_ref().filter(|p| !p.is_empty())
    {
        spec.security.apparmor = Some(f.val(profile.clone(), ".AppArmorProfile"));
    }
    for m in c.mounts.iter().flatten() {
        let kind = match m.typ.as_deref() {
            Some("bind") => MountKind::Bind,
            Some("volume") => MountKind::Volume,
            Some("tmpfs") => MountKind::Tmpfs,
            _ => MountKind::Other,
        };
        let (kind, source) = match kind {
            MountKind::Volume => match m.name.as_ref().and_then(|n| bind_volumes.get(n)) {
                Some(device) => (MountKind::Bind, Some(device.clone())),
                None => (kind, m.name.clone()),
            },
            _ => (kind, m.source.clone().filter(|s| !s.is_empty())),
        };
        let mount = Mount {
            kind,
            source,
            target: m.destination.clone().unwrap_or_default(),
            read_only: m.rw == Some(false),
            propagation: m.propagation.clone().filter(|p| !p.is_empty()),
            options: Vec::new(),
        };
        spec.mounts.push(f.val(mount, ".Mounts"));
    }
    // The user: the container's, else the image's (what the process really runs as).
    spec.user = match config.and_then(|c| c.user.clone()).filter(|u| !u.is_empty()) {
        Some(u) => Some(f.val(u, ".Config.User")),
        None => image.and_then(|i| i.config.as_ref()).and_then(|c| c.user.clone()).filter(|u| !u.is_empty()).map(|u| {
            Val::new(u, Origin::Field(format!("image {} .Config.User", config.and_then(|c| c.image.clone()).unwrap_or_default())))
        }),
    };
    // The health check: the container's, else the image's.
    let healthcheck = config.and_then(|c| c.healthcheck.as_ref()).map(|h| (h, ".Config.Healthcheck"));
    let healthcheck = healthcheck
        .or_else(|| image.and_then(|i| i.config.as_ref()).and_then(|c| c.healthcheck.as_ref()).map(|h| (h, "image .Config.Healthcheck")));
    spec.healthcheck = healthcheck.map(|(h, field)| {
        let disabled = h.test.as_ref().and_then(|t| t.first()).is_some_and(|t| t == "NONE");
        f.val(if disabled { Healthcheck::Disabled } else { Healthcheck::Defined }, field)
    });
    spec.healthcheck_test = healthcheck.and_then(|(h, field)| h.test.clone().map(|t| f.val(t, &format!("{field}.Test"))));
    spec.command = config.and_then(|c| c.cmd.clone()).map(|c| f.val(c, ".Config.Cmd"));
    spec.entrypoint = config.and_then(|c| c.entrypoint.clone()).map(|e| f.val(e, ".Config.Entrypoint"));
    // Environment: the values stay in memory for the secret rules and are never printed; they
    // are not literal text of a file a developer wrote, so the Compose-only literal rules skip them.
    spec.env = config
        .and_then(|c| c.env.as_ref())
        .into_iter()
        .flatten()
        .map(|e| {
            let (name, value) = e.split_once('=').map_or((e.as_str(), None), |(n, v)| (n, Some(v.to_string())));
            f.val(EnvVar { name: name.to_string(), value, literal: false, default: None }, ".Config.Env")
        })
        .collect();
    spec.networks = c
        .network_settings
        .as_ref()
        .and_then(|n| n.networks.as_ref())
        .map(|n| {
            let mut names: Vec<&String> = n.keys().collect();
            names.sort();
            names.into_iter().map(|k| f.val(k.clone(), ".NetworkSettings.Networks")).collect()
        })
        .unwrap_or_default();
    spec
}

/// The daemon's effective settings as the engine reports them.
pub fn daemon_config(info: &SystemInfo, bridge: Option<&NetworkInspect>) -> DaemonConfig {
    let at = |field: &str| Origin::Field(format!("engine /info .{field}"));
    let sec: Vec<&str> = info.security_options.iter().flatten().map(String::as_str).collect();
    let has = |name: &str| sec.iter().any(|o| o.split(',').any(|kv| kv == format!("name={name}")));
    let seccomp = sec.iter().find(|o| o.contains("name=seccomp")).map(|o| {
        let profile = o.split(',').find_map(|kv| kv.strip_prefix("profile=")).unwrap_or("default");
        Val::new(profile.to_string(), at("SecurityOptions"))
    });
    DaemonConfig {
        version: None,
        icc: bridge.and_then(|b| b.options.as_ref()).map(|o| {
            let icc = o.get("com.docker.network.bridge.enable_icc").is_none_or(|v| v != "false");
            Val::new(icc, Origin::Field("engine /networks/bridge .Options[com.docker.network.bridge.enable_icc]".into()))
        }),
        userns: Some(Val::new(has("userns"), at("SecurityOptions"))),
        rootless: Some(Val::new(has("rootless"), at("SecurityOptions"))),
        // Older engines do not report it at all: absent is unknown, not off.
        no_new_privileges: has("no-new-privileges").then(|| Val::new(true, at("SecurityOptions"))),
        seccomp_profile: seccomp,
        apparmor: Some(Val::new(has("apparmor"), at("SecurityOptions"))),
        selinux: Some(Val::new(has("selinux"), at("SecurityOptions"))),
        live_restore: info.live_restore_enabled.map(|v| Val::new(v, at("LiveRestoreEnabled"))),
        logging_driver: info.logging_driver.clone().map(|v| Val::new(v, at("LoggingDriver"))),
        debug: info.debug.map(|v| Val::new(v, at("Debug"))),
        experimental: info.experimental_build.map(|v| Val::new(v, at("ExperimentalBuild"))),
        insecure_registries: info
            .registry_config
            .as_ref()
            .and_then(|r| r.insecure_registry_cidrs.clone())
            .into_iter()
            .flatten()
            .chain(
                info.registry_config
                    .as_ref()
                    .and_then(|r| r.index_configs.as_ref())
                    .into_iter()
                    .flatten()
                    .filter(|(_, c)| c.secure == Some(false))
                    .map(|(name, _)| name.clone()),
            )
            .map(|r| Val::new(r, at("RegistryConfig")))
            .collect(),
        storage_driver: info.driver.clone().map(|v| Val::new(v, at("Driver"))),
        swarm_active: info
            .swarm
            .as_ref()
            .and_then(|s| s.local_node_state.as_ref())
            .map(|s| Val::new(s.to_string() == "active", at("Swarm.LocalNodeState"))),
        swarm: info.swarm.as_ref().filter(|s| s.local_node_state.as_ref().is_some_and(|n| n.to_string() == "active")).map(|s| {
            let manager = s.control_available == Some(true);
            let spec = s.cluster.as_ref().and_then(|c| c.spec.as_ref());
            Swarm {
                manager,
                managers: manager.then_some(s.managers).flatten().map(|n| Val::new(n, at("Swarm.Managers"))),
                autolock: manager.then(|| {
                    let on = spec.and_then(|s| s.encryption_config.as_ref()).and_then(|e| e.auto_lock_managers).unwrap_or(false);
                    Val::new(on, at("Swarm.Cluster.Spec.EncryptionConfig.AutoLockManagers"))
                }),
                overlay_networks: Vec::new(),
            }
        }),
        docker_root: info.docker_root_dir.clone().map(|v| Val::new(v, at("DockerRootDir"))),
        images: info.images.map(|n| Val::new(n.max(0) as u64, at("Images"))),
        containers: info
            .containers
            .zip(info.containers_running)
            .map(|(all, running)| Val::new((all.max(0) as u64, running.max(0) as u64), at("Containers"))),
        warnings: info.warnings.iter().flatten().map(|w| Val::new(w.clone(), at("Warnings"))).collect(),
        ..Default::default()
    }
}
