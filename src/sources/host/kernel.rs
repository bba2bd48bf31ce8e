//! Kernel modules disabled in modprobe.d (`install MOD /bin/true`, `blacklist MOD`), and the
//! kernel command line: /proc/cmdline live; offline the boot configuration (Flatcar's
//! /oem/grub.cfg `linux_append`, /etc/kernel/cmdline, the first `linux` line of
//! /boot/grub/grub.cfg, /etc/default/grub).

use std::collections::BTreeMap;

use super::HostRoot;
use crate::model::{ModuleState, Origin, Val, module_key as module_name};

const DIRS: [&str; 5] = ["/etc/modprobe.d", "/run/modprobe.d", "/usr/local/lib/modprobe.d", "/usr/lib/modprobe.d", "/lib/modprobe.d"];

/// How modprobe.d disables modules, and the paths that could not be read.
pub fn modules(root: &HostRoot) -> (BTreeMap<String, Val<ModuleState>>, Vec<String>) {
    let mut out: BTreeMap<String, Val<ModuleState>> = BTreeMap::new();
    let mut unreadable = Vec::new();
    for path in super::conf_files(root, &DIRS, ".conf", &mut unreadable) {
        if root.is_masked(&path) {
            continue;
        }
        let Some(text) = root.read_or_note(&path, &mut unreadable) else { continue };
        for (i, raw) in text.lines().enumerate() {
            let words: Vec<&str> = raw.split('#').next().unwrap_or("").split_whitespace().collect();
            let origin = root.origin(&path, i as u32 + 1);
            match words.as_slice() {
                ["install", module, command @ ..] if !command.is_empty() => {
                    let command = command.join(" ");
                    // The first install command for a module is the one modprobe runs.
                    let e = out.entry(module_name(module));
                    match e {
                        std::collections::btree_map::Entry::Occupied(mut o) if matches!(o.get().value, ModuleState::Blacklist) => {
                            o.insert(Val::new(ModuleState::Install(command), origin));
                        }
                        std::collections::btree_map::Entry::Vacant(v) => {
                            v.insert(Val::new(ModuleState::Install(command), origin));
                        }
                        _ => {}
                    }
                }
                ["blacklist", module] => {
                    out.entry(module_name(module)).or_insert(Val::new(ModuleState::Blacklist, origin));
                }
                _ => {}
            }
        }
    }
    (out, unreadable)
}

pub fn cmdline(root: &HostRoot) -> Option<Val<String>> {
    if root.is_live() {
        let text = root.read_to_string("/proc/cmdline").ok()?;
        return Some(Val::new(text.trim().to_string(), Origin::Field("/proc/cmdline".into())));
    }
    // Flatcar: `set linux_append="..."` in the OEM partition's grub.cfg.
    for path in ["/oem/grub.cfg", "/usr/share/oem/grub.cfg"] {
        let Ok(text) = root.read_to_string(path) else { continue };
        let mut parts = Vec::new();
        let mut first = None;
        for (i, line) in text.lines().enumerate() {
            if let Some(v) = line.trim().strip_prefix("set linux_append=") {
                let v = v.trim_matches(['"', '\'']).replace("$linux_append", "");
                parts.push(v.trim().to_string());
                first.get_or_insert(i as u32 + 1);
            }
        }
        if let Some(line) = first {
            return Some(Val::new(parts.join(" ").trim().to_string(), root.origin(path, line)));
        }
    }
    if let Ok(text) = root.read_to_string("/etc/kernel/cmdline") {
        return Some(Val::new(text.trim().to_string(), root.origin("/etc/kernel/cmdline", 1)));
    }
    // The generated boot menu: its first `linux` line is what boots by default.
    if let Ok(text) = root.read_to_string("/boot/grub/grub.cfg").or_else(|_| root.read_to_string("/boot/grub2/grub.cfg"))
        && let Some((i, line)) = text.lines().enumerate().find(|(_, l)| l.trim_start().starts_with("linux"))
    {
        let args: Vec<&str> = line.split_whitespace().skip(2).collect();
        let path = if root.exists("/boot/grub/grub.cfg") { "/boot/grub/grub.cfg" } else { "/boot/grub2/grub.cfg" };
        return Some(Val::new(args.join(" "), root.origin(path, i as u32 + 1)));
    }
    let text = root.read_to_string("/etc/default/grub").ok()?;
    let mut parts = Vec::new();
    let mut first = None;
    for (i, line) in text.lines().enumerate() {
        for key in ["GRUB_CMDLINE_LINUX=", "GRUB_CMDLINE_LINUX_DEFAULT="] {
            if let Some(v) = line.trim().strip_prefix(key) {
                parts.push(v.trim_matches(['"', '\'']).to_string());
                first.get_or_insert(i as u32 + 1);
            }
        }
    }
    first.map(|line| Val::new(parts.join(" ").trim().to_string(), root.origin("/etc/default/grub", line)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boot_menu_command_line() {
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        std::fs::create_dir_all(r.join("boot/grub")).unwrap();
        std::fs::write(
            r.join("boot/grub/grub.cfg"),
            "menuentry 'Debian' {\n\tlinux\t/boot/vmlinuz-6.1.0 root=UUID=x ro quiet selinux=0\n\tinitrd /boot/initrd.img\n}\n",
        )
        .unwrap();
        std::fs::create_dir_all(r.join("etc/default")).unwrap();
        std::fs::write(r.join("etc/default/grub"), "GRUB_CMDLINE_LINUX=\"\"\n").unwrap();
        let c = cmdline(&HostRoot::new(r)).unwrap();
        assert_eq!(c.value, "root=UUID=x ro quiet selinux=0");
        assert_eq!(c.origin.to_string(), format!("{}/boot/grub/grub.cfg:2:1", r.display()));
    }

    #[test]
    fn install_wins_over_blacklist_and_names_are_normalised() {
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        std::fs::create_dir_all(r.join("etc/modprobe.d")).unwrap();
        std::fs::create_dir_all(r.join("usr/lib/modprobe.d")).unwrap();
        std::fs::write(r.join("etc/modprobe.d/a.conf"), "blacklist usb-storage\n# install cramfs /bin/true\nblacklist dccp\n").unwrap();
        std::fs::write(r.join("etc/modprobe.d/b.conf"), "install usb_storage /bin/false\n").unwrap();
        // Shadowed by /etc/modprobe.d/a.conf.
        std::fs::write(r.join("usr/lib/modprobe.d/a.conf"), "install dccp /bin/true\n").unwrap();
        let (m, unreadable) = modules(&HostRoot::new(r));
        assert!(unreadable.is_empty());
        assert_eq!(m["usb_storage"].value, ModuleState::Install("/bin/false".into()));
        assert_eq!(m["dccp"].value, ModuleState::Blacklist);
        assert!(!m.contains_key("cramfs"));
    }
}
