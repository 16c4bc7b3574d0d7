import Foundation
import Synchronization

/// Runs the built `meridian` executable the way a user does, from the package's root folder.
public enum CommandRunner {
    /// How a finished command ended and what it printed.
    public struct Result: Sendable {
        public var status: Int32
        public var output: String
        public var errors: String
    }

    /// The package's root folder (this file is Sources/MeridianTesting/CommandRunner.swift).
    public static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The files of the shipped `regions/` folder, global.yaml first, then the regions' by name.
    public static let shippedRegionFiles: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: packageRoot.appendingPathComponent("regions").path)) ?? []
        return ["global.yaml"] + names.filter { $0.hasSuffix(".yaml") && $0 != "global.yaml" }.sorted()
    }()

    /// The `meridian` binary next to this test bundle's executable.
    public static var binary: URL {
        let runner = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return runner.deletingLastPathComponent().appendingPathComponent("meridian")
    }

    /// Starts the binary (or, with `program`, the program `arguments[0]`) in the background (output
    /// discarded, the last of its standard error kept for `errors(of:)`); the caller stops it.
    public static func start(_ arguments: [String], program: Bool = false) throws -> Process {
        let process = Process()
        process.executableURL = program ? URL(fileURLWithPath: arguments[0]) : binary
        process.arguments = program ? Array(arguments.dropFirst()) : arguments
        process.currentDirectoryURL = packageRoot
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        let key = ObjectIdentifier(process)
        errors.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            guard !data.isEmpty else {
                handle.readabilityHandler = nil
                return
            }
            recentErrors.withLock { $0[key, default: Data()].append(data); $0[key] = $0[key]!.suffix(keptErrorBytes) }
        }
        try process.run()
        return process
    }

    /// The last of what `process` (started by `start`) wrote to its standard error: what a test
    /// shows when the process ended when it should not have.
    public static func errors(of process: Process) -> String {
        String(decoding: recentErrors.withLock { $0[ObjectIdentifier(process)] ?? Data() }, as: UTF8.self)
    }

    private static let keptErrorBytes = 8 * 1024
    private static let recentErrors = Mutex<[ObjectIdentifier: Data]>([:])

    /// Runs the binary with `arguments`, or, with `program`, the program `arguments[0]`.
    public static func run(_ arguments: [String], environment: [String: String] = [:], program: Bool = false) throws -> Result {
        let process = Process()
        process.executableURL = program ? URL(fileURLWithPath: arguments[0]) : binary
        process.arguments = program ? Array(arguments.dropFirst()) : arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        process.currentDirectoryURL = packageRoot
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Read both pipes to the end before waiting, so a large output cannot block the child.
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
                      errors: String(decoding: errorData, as: UTF8.self))
    }
}

