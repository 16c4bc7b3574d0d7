/// The keys that protect sites from overload and bring clients back in steps: `watermarks` (in
/// `global.yaml` and region files), and a service's `spill`, `failback`, `ttl-min` and `slo`.
extension GlobalFile {
    /// `watermarks: {high: 90%, low: 80%}`; either may be left out (its default stays).
    static func readWatermarks(_ value: YAMLValue, defaults: Watermarks = .standard) -> Watermarks? {
        guard var reader = MappingReader(value) else { return nil }
        let high = reader.optional("high")?.fraction(), low = reader.optional("low")?.fraction()
        reader.finish()
        let watermarks = Watermarks(high: high ?? defaults.high, low: low ?? defaults.low)
        guard watermarks.low > 0, watermarks.high > 0 else {
            value.report("watermarks must be above 0%")
            return nil
        }
        guard watermarks.low < watermarks.high else {
            value.report("the low watermark (\(watermarks.low.percentage)) must be below the high one "
                         + "(\(watermarks.high.percentage)), or clients would swing between sites")
            return nil
        }
        return watermarks
    }

    /// `failback: off` (every client back at once) or `{steps: [10%, 50%, 100%], hold: 30s}`.
    static func readFailback(_ value: YAMLValue) -> Failback? {
        if case .scalar(let scalar) = value.node {
            guard ["off", "false"].contains(scalar.string) else {
                value.report("'\(scalar.string)' is not off or a mapping of steps and hold")
                return nil
            }
            return .immediate
        }
        guard var reader = MappingReader(value) else { return nil }
        var failback = Failback.standard
        if let field = reader.optional("steps"), let items = field.list() {
            let steps = items.compactMap { $0.fraction() }
            if steps.count == items.count {
                if steps.isEmpty || steps.count > 10 {
                    field.report("give from 1 to 10 steps")
                } else if zip(steps, steps.dropFirst()).contains(where: { $0 >= $1 }) || steps[0] <= 0 {
                    field.report("steps must grow, each above the one before and above 0%")
                } else if steps.last != 1 {
                    field.report("the last step must be 100%, or the site would never get all its clients back")
                } else {
                    failback.steps = steps
                }
            }
        }
        if let field = reader.optional("hold"), let hold = field.duration() {
            if hold <= .seconds(3600) { failback.hold = hold } else { field.report("hold must be at most 1h") }
        }
        reader.finish()
        return failback
    }

    /// A service's `spill`, `failback`, `ttl-min` and `slo`.
    static func readProtection(_ reader: inout MappingReader, into entry: inout ServiceEntry) {
        entry.spill = reader.optional("spill")?.parsed(as: "on or off") { ["on": true, "true": true, "off": false, "false": false][$0] }
        entry.failback = reader.optional("failback").flatMap(readFailback)
        if let field = reader.optional("ttl-min"), let ttl = field.duration() {
            if ttl.seconds == ttl.seconds.rounded(), ttl.seconds <= 86400 {
                entry.ttlMin = field.located(UInt32(ttl.seconds))
            } else {
                field.report("a TTL must be whole seconds, at most 1d")
            }
        }
        entry.slo = reader.optional("slo")?.duration()
    }
}
