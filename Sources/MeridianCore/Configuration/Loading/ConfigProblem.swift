/// A place in a configuration file: the file, and the line and column where the YAML gives them.
public struct SourceLocation: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var column: Int?

    public init(file: String, line: Int? = nil, column: Int? = nil) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String {
        guard let line else { return file }
        guard let column else { return "\(file):\(line)" }
        return "\(file):\(line):\(column)"
    }

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.file, lhs.line ?? 0, lhs.column ?? 0) < (rhs.file, rhs.line ?? 0, rhs.column ?? 0)
    }
}

/// One thing wrong with a configuration folder, worded for the person who wrote it.
public struct ConfigProblem: Hashable, Sendable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String

    public init(_ message: String, at location: SourceLocation) {
        self.location = location
        self.message = message
    }

    /// `file:line:column: message`, the form editors and compilers use.
    public var description: String { "\(location): \(message)" }
}

/// Every problem found in a configuration folder, sorted by file and line. A folder with any
/// problem never loads in part.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var problems: [ConfigProblem]

    public init(problems: [ConfigProblem]) {
        self.problems = problems
    }

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}

/// Collects problems while a configuration is read, dropping exact repeats (a bad default inherited
/// by every gateway is reported once).
final class ProblemLog {
    private(set) var problems: [ConfigProblem] = []
    private var seen: Set<ConfigProblem> = []

    func report(_ message: String, at location: SourceLocation) {
        let problem = ConfigProblem(message, at: location)
        if seen.insert(problem).inserted { problems.append(problem) }
    }

    var isEmpty: Bool { problems.isEmpty }

    var sorted: [ConfigProblem] {
        problems.enumerated().sorted { ($0.element.location, $0.offset) < ($1.element.location, $1.offset) }
            .map(\.element)
    }
}
