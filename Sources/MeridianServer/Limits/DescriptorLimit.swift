import CMeridianSockets

/// The process's limit on open file descriptors (RLIMIT_NOFILE).
public enum DescriptorLimit {
    /// The most a soft limit is raised to when the hard limit is unlimited (Linux refuses more than
    /// `fs.nr_open`, 1,048,576 by default).
    static let unlimitedCeiling: UInt64 = 1 << 20

    /// Raises the soft limit to the hard limit and returns the limit then in force (the old one when
    /// raising fails, which only a hard limit above `fs.nr_open` can cause).
    public static func raise() -> Int {
        var soft: UInt64 = 0, hard: UInt64 = 0
        guard CMeridian_descriptorLimit(&soft, &hard) == 0 else { return 1024 }
        let target = min(hard, unlimitedCeiling)
        if soft < target, CMeridian_setDescriptorLimit(target) == 0 { soft = target }
        return Int(clamping: soft)
    }
}
