/// `dnssec:` in `global.yaml`: `on`, `off`, or a mapping of `DNSSECSettings` (each with its default).
extension GlobalFile {
    static func readDNSSEC(_ value: YAMLValue) -> DNSSECSettings? {
        if case .scalar(let scalar) = value.node {
            switch scalar.string {
            case "on", "true": return DNSSECSettings()
            case "off", "false": return nil
            default:
                value.report("'\(scalar.string)' is not on, off or a mapping of dnssec settings")
                return nil
            }
        }
        guard var reader = MappingReader(value) else { return nil }
        var settings = DNSSECSettings()
        let enabled = reader.optional("signing")?.bool() ?? true
        func seconds(_ key: String, in range: ClosedRange<Double>, _ text: String) -> Duration? {
            guard let field = reader.optional(key), let duration = field.duration() else { return nil }
            guard duration.seconds == duration.seconds.rounded(), range.contains(duration.seconds) else {
                field.report("must be whole seconds, \(text)")
                return nil
            }
            return duration
        }
        if let validity = seconds("validity", in: 3600...(90 * 86400), "from 1h to 90d") { settings.validity = validity }
        if let refresh = seconds("refresh", in: 60...(30 * 86400), "from 1m to 30d") { settings.refresh = refresh }
        if let denial = reader.optional("denial")?.parsed(as: "compact or white-lies", { DNSSECSettings.Denial(rawValue: $0) }) {
            settings.denial = denial
        }
        if let ttl = seconds("key-ttl", in: 1...86400, "at most 1d") { settings.keyTTL = UInt32(ttl.seconds) }
        if let offset = seconds("inception-offset", in: 0...86400, "at most 1d") { settings.inceptionOffset = offset }
        if settings.refresh * 2 > settings.validity {
            value.report("refresh (\(settings.refresh.shortDescription)) must be at most half the validity "
                         + "(\(settings.validity.shortDescription)), so that every signature is renewed well before it expires")
        }
        reader.finish()
        return enabled ? settings : nil
    }
}
