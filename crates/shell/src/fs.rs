//! The virtual filesystem: files the learner writes (`> file`, `>> file`,
//! `mkdir`), one tree per machine — the learner's own machine and each
//! container — plus path arithmetic. Views of the simulation (a broker's
//! `server.properties`, its log directories with Kafka's segment files) are
//! computed on demand in [`crate::views`] and merged with these files by
//! [`crate::World::read_file`] and [`crate::World::list_dir`].

use kafkaplay_flatmap::{FlatMap, FlatSet};

use kafkaplay_cluster::NodeId;

/// Which machine a path lives on: `None` is the learner's machine, `Some(id)`
/// the container of node `id`.
pub type Machine = Option<NodeId>;

/// Regular files and directories by machine and absolute path.
#[derive(Debug, Clone, Default)]
pub struct Fs {
    files: FlatMap<(Machine, String), Vec<u8>>,
    dirs: FlatSet<(Machine, String)>,
    /// The working directory of the shell on the current machine; relative
    /// paths given to [`crate::World::read_file`] start here.
    pub cwd: String,
}

impl Fs {
    /// A file on the learner's machine.
    pub fn read(&self, path: &str) -> Option<&[u8]> {
        self.read_on(None, path)
    }

    /// Writes a file on the learner's machine.
    pub fn write(&mut self, path: &str, bytes: Vec<u8>) {
        self.write_on(None, path, bytes);
    }

    pub fn read_on(&self, machine: Machine, path: &str) -> Option<&[u8]> {
        self.files.get(&(machine, normalize("/", path))).map(Vec::as_slice)
    }

    /// Creates or replaces a file (its parent directories come into being).
    pub fn write_on(&mut self, machine: Machine, path: &str, bytes: Vec<u8>) {
        let path = normalize("/", path);
        let mut parent = parent_of(&path);
        while parent != "/" {
            self.dirs.insert((machine, parent.clone()));
            parent = parent_of(&parent);
        }
        self.files.insert((machine, path), bytes);
    }

    pub fn append_on(&mut self, machine: Machine, path: &str, bytes: &[u8]) {
        let path = normalize("/", path);
        let mut current = self.read_on(machine, &path).map(<[u8]>::to_vec).unwrap_or_default();
        current.extend_from_slice(bytes);
        self.write_on(machine, &path, current);
    }

    pub fn remove_on(&mut self, machine: Machine, path: &str) -> bool {
        self.files.remove(&(machine, normalize("/", path))).is_some()
    }

    pub fn mkdir_on(&mut self, machine: Machine, path: &str) {
        let path = normalize("/", path);
        let mut p = path.clone();
        while p != "/" {
            self.dirs.insert((machine, p.clone()));
            p = parent_of(&p);
        }
    }

    /// Whether `path` is a directory the learner made (or that holds a file).
    pub fn is_dir_on(&self, machine: Machine, path: &str) -> bool {
        let path = normalize("/", path);
        path == "/" || self.dirs.contains(&(machine, path))
    }

    /// Names and sizes of files directly in `dir`, and names of directories
    /// directly in it.
    pub fn children_on(&self, machine: Machine, dir: &str) -> (Vec<(String, u64)>, Vec<String>) {
        let dir = normalize("/", dir);
        let prefix = if dir == "/" { "/".to_string() } else { format!("{dir}/") };
        let files = self
            .files
            .iter()
            .filter(|((m, p), _)| *m == machine && p.starts_with(&prefix) && !p[prefix.len()..].contains('/'))
            .map(|((_, p), b)| (p[prefix.len()..].to_string(), b.len() as u64))
            .collect();
        let dirs = self
            .dirs
            .iter()
            .filter(|(m, p)| *m == machine && p.starts_with(&prefix) && !p[prefix.len()..].contains('/'))
            .map(|(_, p)| p[prefix.len()..].to_string())
            .collect();
        (files, dirs)
    }
}

/// `path` made absolute against `cwd`, with `.`, `..` and repeated slashes
/// resolved (`..` at the root stays at the root, as in POSIX).
pub fn normalize(cwd: &str, path: &str) -> String {
    let joined = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{cwd}/{path}")
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

/// The directory holding `path` (`/` for `/` itself).
pub fn parent_of(path: &str) -> String {
    match path.rfind('/') {
        Some(0) | None => "/".to_string(),
        Some(i) => path[..i].to_string(),
    }
}

/// The last component of `path`.
pub fn base_name(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    trimmed.rsplit('/').next().unwrap_or(trimmed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_relative_and_dotted_paths() {
        assert_eq!(normalize("/home/learner", "a/../b/./c"), "/home/learner/b/c");
        assert_eq!(normalize("/x", "/../.."), "/");
        assert_eq!(normalize("/", "//etc//kafka/"), "/etc/kafka");
        assert_eq!(parent_of("/etc/kafka"), "/etc");
        assert_eq!(parent_of("/etc"), "/");
        assert_eq!(base_name("/var/lib/kafka/data/t-0/"), "t-0");
    }

    #[test]
    fn files_live_on_one_machine() {
        let mut fs = Fs::default();
        fs.write_on(None, "/home/learner/a.txt", b"hi".to_vec());
        fs.append_on(None, "/home/learner/a.txt", b"!");
        assert_eq!(fs.read("/home/learner/a.txt"), Some(&b"hi!"[..]));
        assert_eq!(fs.read_on(Some(1), "/home/learner/a.txt"), None);
        assert!(fs.is_dir_on(None, "/home"));
        let (files, dirs) = fs.children_on(None, "/home");
        assert!(files.is_empty());
        assert_eq!(dirs, vec!["learner".to_string()]);
        assert_eq!(fs.children_on(None, "/home/learner").0, vec![("a.txt".to_string(), 3)]);
    }
}
