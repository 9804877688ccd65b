//! Process measurements for `bench`: CPU time (user + system, all threads) from
//! `getrusage`, peak resident memory from `/proc/self/status` (reset before each run through
//! `/proc/self/clear_refs`, so each run reports its own peak), and the load average that
//! says how busy the machine was.

use newsclaims::pipeline::Summary;

/// One measured run.
#[derive(Debug)]
pub struct Measured {
    /// What the pipeline reported.
    pub summary: Summary,
    /// Wall-clock seconds of `pipeline::run`.
    pub wall: f64,
    /// CPU seconds of the whole process during the run.
    pub cpu: f64,
    /// Peak resident memory in KiB (0 when unknown).
    pub peak_rss_kib: u64,
    /// True when the peak could not be reset, so it is the peak since the process started.
    pub peak_since_start: bool,
}

/// User plus system CPU time of the process so far, all threads included, in seconds.
pub fn cpu_seconds() -> f64 {
    // SAFETY: getrusage only writes into the zeroed struct we own; RUSAGE_SELF is valid.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        if libc::getrusage(libc::RUSAGE_SELF, &mut usage) != 0 {
            return 0.0;
        }
        usage
    };
    let seconds = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
    seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// Resets the kernel's peak-RSS mark of this process (Linux: `5` into
/// `/proc/self/clear_refs`). False when that is not possible; the peak then covers the
/// whole process lifetime.
pub fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Peak resident memory in KiB: `VmHWM` of `/proc/self/status`, else `ru_maxrss`.
pub fn peak_rss() -> u64 {
    if let Ok(status) = std::fs::read_to_string("/proc/self/status")
        && let Some(kib) = status_kib(&status, "VmHWM:")
    {
        return kib;
    }
    // SAFETY: as in cpu_seconds.
    let maxrss = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        if libc::getrusage(libc::RUSAGE_SELF, &mut usage) != 0 {
            return 0;
        }
        usage.ru_maxrss
    };
    // Linux reports ru_maxrss in KiB.
    u64::try_from(maxrss).unwrap_or(0)
}

/// The KiB value of a `Key:   123 kB` line of a /proc status file.
fn status_kib(status: &str, key: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|line| line.strip_prefix(key))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

/// The 1-minute load average (`/proc/loadavg`), when the system reports one.
pub fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_kib_from_a_status_file() {
        let status = "Name:\tx\nVmPeak:\t  2048 kB\nVmHWM:\t    1234 kB\nVmRSS:\t 1000 kB\n";
        assert_eq!(status_kib(status, "VmHWM:"), Some(1234));
        assert_eq!(status_kib(status, "VmSwap:"), None);
    }

    #[test]
    fn cpu_time_does_not_go_backwards() {
        let before = cpu_seconds();
        let mut x = 0u64;
        for i in 0..100_000u64 {
            x = x.wrapping_add(std::hint::black_box(i));
        }
        std::hint::black_box(x);
        assert!(cpu_seconds() >= before);
    }
}
