import Foundation
import Yams

/// Loads a configuration folder: `global.yaml` for what is global and one YAML file per region.
///
/// Loading reads every file, reports every problem it finds (with file, line and column) and only
/// returns a `Configuration` when there is none: a bad folder never loads in part.
public enum ConfigurationLoader {
    /// A configuration file's name (as shown in messages) and its text.
    public struct SourceFile: Sendable {
        public var name: String
        public var text: String

        public init(name: String, text: String) {
            self.name = name
            self.text = text
        }
    }

    /// Loads every `*.yaml` / `*.yml` file in `directory`.
    public static func load(directory: String) throws(ConfigurationError) -> Configuration {
        try load(files: readFolder(directory))
    }

    /// Reads the configuration files of `directory`, sorted by name.
    public static func readFolder(_ directory: String) throws(ConfigurationError) -> [SourceFile] {
        let folder = SourceLocation(file: directory)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ConfigurationError(problems: [ConfigProblem("no such configuration folder", at: folder)])
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw ConfigurationError(problems: [ConfigProblem("cannot list the folder: \(error.localizedDescription)", at: folder)])
        }
        var files: [SourceFile] = []
        var problems: [ConfigProblem] = []
        for name in names.sorted() where !name.hasPrefix(".") && (name.hasSuffix(".yaml") || name.hasSuffix(".yml")) {
            let path = (directory as NSString).appendingPathComponent(name)
            do {
                files.append(SourceFile(name: path, text: try String(contentsOfFile: path, encoding: .utf8)))
            } catch {
                problems.append(ConfigProblem("cannot read the file (is it UTF-8 text?)", at: SourceLocation(file: path)))
            }
        }
        guard problems.isEmpty else { throw ConfigurationError(problems: problems) }
        return files
    }

    /// Loads a configuration from files given in memory. The file whose base name is `global.yaml`
    /// (or `global.yml`) is the global file; every other file is a region.
    public static func load(files: [SourceFile]) throws(ConfigurationError) -> Configuration {
        let log = ProblemLog()
        var global: GlobalFile?
        var regions: [RegionFile] = []
        for file in files {
            guard let root = parse(file, log: log) else { continue }
            let baseName = (file.name as NSString).lastPathComponent
            if GlobalFile.isGlobal(baseName) {
                if global != nil {
                    log.report("a second global file: keep either global.yaml or global.yml", at: root.location)
                    continue
                }
                global = GlobalFile(reading: root)
            } else {
                let stem = ((baseName as NSString).deletingPathExtension)
                regions.append(RegionFile(reading: root, fileStem: stem))
            }
        }
        let folder = files.first.map { ($0.name as NSString).deletingLastPathComponent } ?? "."
        if !files.contains(where: { GlobalFile.isGlobal(($0.name as NSString).lastPathComponent) }) {
            log.report("no \(GlobalFile.fileName): the folder needs one global file (zone, services, networks)",
                       at: SourceLocation(file: folder))
        }
        if regions.isEmpty {
            log.report("no region files: add one YAML file per region (e.g. istanbul.yaml)", at: SourceLocation(file: folder))
        }
        let configuration = ConfigurationAssembler(global: global ?? GlobalFile(), regions: regions, log: log).assemble()
        guard log.isEmpty, var configuration else { throw ConfigurationError(problems: log.sorted) }
        configuration.fingerprint = ConfigurationFingerprint.of(files)
        return configuration
    }

    /// The YAML document of `file` as the root value; `nil` (with a problem) when it does not parse.
    private static func parse(_ file: SourceFile, log: ProblemLog) -> YAMLValue? {
        do {
            guard let node = try Yams.compose(yaml: file.text) else {
                log.report("the file is empty", at: SourceLocation(file: file.name))
                return nil
            }
            return YAMLValue(node: node, file: file.name, path: "", log: log)
        } catch let error as YamlError {
            let (message, mark) = describe(error)
            let line = mark.flatMap { file.text.split(separator: "\n", omittingEmptySubsequences: false).dropFirst($0.line - 1).first }
            let hint = line.map { $0.contains("::") || $0.contains("[") && $0.contains(":") && $0.contains("/") } == true
                ? " (an IPv6 address inside [ ] must be quoted: \"2001:db8::/32\")" : ""
            log.report("YAML syntax: \(message)\(hint)", at: SourceLocation(file: file.name, line: mark?.line, column: mark?.column))
        } catch {
            log.report("YAML syntax: \(error)", at: SourceLocation(file: file.name))
        }
        return nil
    }

    private static func describe(_ error: YamlError) -> (String, Mark?) {
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            return ([context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": "), mark)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.sorted().map { "'\($0)'" }.joined(separator: ", ")
            return ("duplicate key \(keys) in the mapping that starts here", context.mark)
        case .reader(let problem, _, _, _):
            return (problem, nil)
        default:
            return ("\(error)", nil)
        }
    }
}
