//! `--shard K/N`: which targets one of N machines scans.
//!
//! A target's shard depends only on its repository and its path in that
//! repository, so adding or removing other files never moves it: the same
//! file lands on the same machine night after night, which keeps each
//! machine's result cache warm.

use sha2::{Digest, Sha256};

use crate::report::Shard;

/// The environment variable a Kubernetes Indexed Job sets (0-based).
pub const JOB_COMPLETION_INDEX: &str = "JOB_COMPLETION_INDEX";

impl Shard {
    /// Reads `K/N` (1-based `K`).
    pub fn parse(text: &str) -> anyhow::Result<Shard> {
        let usage =
            || anyhow::anyhow!("--shard `{text}` needs the form K/N with 1 <= K <= N, e.g. 2/4");
        let (index, count) = text.split_once('/').ok_or_else(usage)?;
        let index: u32 = index.trim().parse().map_err(|_| usage())?;
        let count: u32 = count.trim().parse().map_err(|_| usage())?;
        if index == 0 || count == 0 || index > count {
            return Err(usage());
        }
        Ok(Shard { index, count })
    }

    /// Shard `index + 1` of `count` from a 0-based job index, as
    /// `JOB_COMPLETION_INDEX` gives it.
    pub fn from_job_index(job_index: &str, count: u32) -> anyhow::Result<Shard> {
        let index: u32 = job_index.trim().parse().map_err(|_| {
            anyhow::anyhow!(
                "{JOB_COMPLETION_INDEX}=`{job_index}` is not a job index (0, 1, 2, ...)"
            )
        })?;
        if count == 0 || index >= count {
            anyhow::bail!(
                "{JOB_COMPLETION_INDEX}={index} is out of range for --shard-count {count}: the job's completions and --shard-count must agree"
            );
        }
        Ok(Shard {
            index: index + 1,
            count,
        })
    }

    /// Whether this shard scans `path` of `repository`.
    pub fn owns(&self, repository: &str, path: &str) -> bool {
        shard_index(repository, path, self.count) == self.index
    }
}

/// The 1-based shard of `path` in `repository` among `count`.
pub fn shard_index(repository: &str, path: &str, count: u32) -> u32 {
    let mut hasher = Sha256::new();
    hasher.update(repository.as_bytes());
    hasher.update([0]);
    hasher.update(path.as_bytes());
    let digest = hasher.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    // `count` is at least 1 for every Shard that parsing accepts.
    (u64::from_be_bytes(first) % u64::from(count.max(1))) as u32 + 1
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_k_of_n() {
        assert_eq!(Shard::parse("2/4").unwrap(), Shard { index: 2, count: 4 });
        for bad in ["0/4", "5/4", "2", "a/b", "1/0", "-1/2"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn job_index_is_zero_based() {
        assert_eq!(
            Shard::from_job_index("0", 3).unwrap(),
            Shard { index: 1, count: 3 }
        );
        assert!(Shard::from_job_index("3", 3).is_err());
        assert!(Shard::from_job_index("x", 3).is_err());
    }

    #[test]
    fn every_path_has_exactly_one_shard_and_shards_are_balanced() {
        let count = 4;
        let mut sizes = [0usize; 4];
        for i in 0..4000 {
            let path = format!("svc-{i}/Dockerfile");
            let owners: Vec<u32> = (1..=count)
                .filter(|&index| Shard { index, count }.owns("repo", &path))
                .collect();
            assert_eq!(owners.len(), 1, "{path}");
            sizes[owners[0] as usize - 1] += 1;
        }
        assert!(sizes.iter().all(|&n| (800..1200).contains(&n)), "{sizes:?}");
    }

    #[test]
    fn the_repository_is_part_of_the_key() {
        let differ = (0..64)
            .filter(|i| {
                let path = format!("{i}/Dockerfile");
                shard_index("a", &path, 8) != shard_index("b", &path, 8)
            })
            .count();
        assert!(differ > 32, "{differ}");
    }
}
