import Yams

/// A value of the configuration with where it came from, so the checks can report file and line.
struct Located<Value> {
    var value: Value
    var location: SourceLocation
}

/// One YAML node of a configuration file, with its file and its key path (such as
/// `gateways.ist-1.probe.timeout`) for messages. Conversions report a problem and return `nil` when
/// the node is not what was expected.
struct YAMLValue {
    let node: Node
    let file: String
    let path: String
    let log: ProblemLog

    var location: SourceLocation {
        SourceLocation(file: file, line: node.mark?.line, column: node.mark?.column)
    }

    func located<T>(_ value: T) -> Located<T> { Located(value: value, location: location) }

    func report(_ message: String) {
        log.report("\(path): \(message)", at: location)
    }

    var kindDescription: String {
        switch node {
        case .scalar(let scalar): "'\(scalar.string)'"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    func child(_ node: Node, key: String) -> YAMLValue {
        YAMLValue(node: node, file: file, path: path.isEmpty ? key : "\(path).\(key)", log: log)
    }

    /// The text of a scalar node.
    func string() -> String? {
        guard case .scalar(let scalar) = node else {
            report("expected a single value, found \(kindDescription)")
            return nil
        }
        return scalar.string
    }

    /// A scalar converted by `parse`; `what` completes "is not …" in the message.
    func parsed<T>(as what: String, _ parse: (String) -> T?) -> T? {
        guard let text = string() else { return nil }
        guard let value = parse(text) else {
            report("'\(text)' is not \(what)")
            return nil
        }
        return value
    }

    func integer(in range: ClosedRange<Int>) -> Int? {
        guard let value = parsed(as: "a whole number", { Int($0) }) else { return nil }
        guard range.contains(value) else {
            report("\(value) is out of range (\(range.lowerBound) to \(range.upperBound))")
            return nil
        }
        return value
    }

    func number(in range: ClosedRange<Double>) -> Double? {
        guard let value = parsed(as: "a number", { Double($0).flatMap { $0.isFinite ? $0 : nil } }) else {
            return nil
        }
        guard range.contains(value) else {
            report("\(value) is out of range (\(range.lowerBound.formatted) to \(range.upperBound.formatted))")
            return nil
        }
        return value
    }

    /// A fraction written as `0.5` or `50%`.
    func fraction() -> Double? {
        guard let text = string() else { return nil }
        let value: Double? = text.hasSuffix("%") ? Double(text.dropLast()).map { $0 / 100 } : Double(text)
        guard let value, value.isFinite, (0...1).contains(value) else {
            report("'\(text)' is not a fraction from 0 to 1 (write 0.5 or 50%)")
            return nil
        }
        return value
    }

    func bool() -> Bool? {
        parsed(as: "true or false") { ["true": true, "false": false][$0] }
    }

    /// A positive duration such as `500ms` or `2s`.
    func duration() -> Duration? {
        guard let text = string() else { return nil }
        guard let value = Duration.parse(text) else {
            let hint = Double(text) != nil ? " (add a unit: \(text)s or \(text)ms)" : " (write e.g. 500ms, 2s, 1m)"
            report("'\(text)' is not a duration\(hint)")
            return nil
        }
        guard value > .zero else {
            report("duration must be greater than zero")
            return nil
        }
        return value
    }

    /// The items of a list; a single value stands for a list of one.
    func list() -> [YAMLValue]? {
        switch node {
        case .sequence(let sequence):
            return sequence.enumerated().map {
                YAMLValue(node: $0.element, file: file, path: "\(path)[\($0.offset)]", log: log)
            }
        case .scalar:
            return [self]
        default:
            report("expected a list, found \(kindDescription)")
            return nil
        }
    }

    /// Parses a list of names of one kind, reporting each invalid one.
    func names<Kind>(of kind: String) -> [Located<Name<Kind>>]? {
        list()?.compactMap { item in
            item.parsed(as: "a valid \(kind) name (\(Name<Kind>.rule))") { Name<Kind>($0) }.map(item.located)
        }
    }

    var isNull: Bool {
        node.null != nil
    }
}
