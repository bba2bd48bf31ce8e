//! memory-not-limited, cpu-not-limited, pids-not-limited, restart-policy-unbounded,
//! healthcheck-missing, oom-kill-disabled, cgroup-parent-set, ulimits-override, logging-disabled

use crate::model::{ContainerSpec, Healthcheck};
use crate::rules::{Hit, declared};

pub fn memory_not_limited(s: &ContainerSpec) -> Vec<Hit> {
    if s.limits.memory.is_some() {
        return vec![];
    }
    vec![Hit::new("no memory limit: one container can exhaust the host's memory", declared(s), "mem_limit")]
}

pub fn cpu_not_limited(s: &ContainerSpec) -> Vec<Hit> {
    let l = &s.limits;
    if l.cpus.is_some() || l.cpu_quota.is_some() || l.cpu_shares.as_ref().is_some_and(|c| c.value > 0 && c.value != 1024) {
        return vec![];
    }
    vec![Hit::new("no CPU limit or priority (cpus, cpu_quota or cpu_shares)", declared(s), "cpus")]
}

pub fn pids_not_limited(s: &ContainerSpec) -> Vec<Hit> {
    if s.limits.pids.is_some() {
        return vec![];
    }
    vec![Hit::new("no PIDs limit: a fork bomb in the container reaches the host", declared(s), "pids_limit")]
}

pub fn restart_policy_unbounded(s: &ContainerSpec) -> Vec<Hit> {
    let Some(r) = &s.restart else { return vec![] };
    let unbounded = match r.value.name.as_str() {
        "always" | "unless-stopped" => r.value.max_retries.is_none_or(|m| m > 5),
        "on-failure" => r.value.max_retries.is_none_or(|m| m > 5),
        _ => false,
    };
    if !unbounded {
        return vec![];
    }
    let shown = match r.value.max_retries {
        Some(m) => format!("{}:{m}", r.value.name),
        None => r.value.name.clone(),
    };
    vec![Hit::new(
        format!("restart policy `{shown}` restarts without bound (CIS: on-failure with at most 5 retries)"),
        r.origin.clone(),
        format!("restart: {shown}"),
    )]
}

pub fn healthcheck_missing(s: &ContainerSpec) -> Vec<Hit> {
    match &s.healthcheck {
        Some(h) if h.value == Healthcheck::Defined => vec![],
        Some(h) => vec![Hit::new("health check is disabled", h.origin.clone(), "healthcheck: disable")],
        None => vec![Hit::new("no health check (unless the image defines one)", declared(s), "healthcheck")],
    }
}

pub fn oom_kill_disabled(s: &ContainerSpec) -> Vec<Hit> {
    match &s.oom_kill_disable {
        Some(o) if o.value => vec![Hit::new(
            "OOM killer is disabled: under memory pressure the host kills other processes",
            o.origin.clone(),
            "oom_kill_disable: true",
        )],
        _ => vec![],
    }
}

pub fn cgroup_parent_set(s: &ContainerSpec) -> Vec<Hit> {
    match &s.cgroup_parent {
        Some(c) => {
            vec![Hit::new(format!("uses cgroup parent {}: check that it is the intended one", c.value), c.origin.clone(), c.value.clone())]
        }
        None => vec![],
    }
}

pub fn ulimits_override(s: &ContainerSpec) -> Vec<Hit> {
    s.ulimits
        .iter()
        .map(|u| Hit::new(format!("overrides the daemon's default ulimit {}", u.value), u.origin.clone(), u.value.clone()))
        .collect()
}

pub fn logging_disabled(s: &ContainerSpec) -> Vec<Hit> {
    match &s.logging_driver {
        Some(d) if d.value == "none" => {
            vec![Hit::new("logging driver `none` discards the container's output", d.origin.clone(), "logging.driver: none")]
        }
        _ => vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Restart;
    use crate::rules::container::testing::*;

    #[test]
    fn restart_policies() {
        for (name, max, fires) in [
            ("always", None, true),
            ("unless-stopped", None, true),
            ("on-failure", None, true),
            ("on-failure", Some(5), false),
            ("on-failure", Some(6), true),
            ("no", None, false),
        ] {
            let s = ContainerSpec { restart: Some(v(Restart { name: name.into(), max_retries: max }, 4)), ..hardened() };
            assert_eq!(!restart_policy_unbounded(&s).is_empty(), fires, "{name} {max:?}");
        }
    }

    #[test]
    fn limits_missing() {
        let s = ContainerSpec { limits: Default::default(), healthcheck: Some(v(Healthcheck::Disabled, 9)), ..hardened() };
        assert_eq!(memory_not_limited(&s)[0].origin, at(1));
        assert_eq!(cpu_not_limited(&s).len(), 1);
        assert_eq!(pids_not_limited(&s).len(), 1);
        assert_eq!(healthcheck_missing(&s)[0].origin, at(9));
    }
}
