import ArgumentParser
import Foundation
import Logging
import MeridianCore
import MeridianServer
import ServiceLifecycle

/// `--regions DIR`, shared by commands that read a configuration folder.
struct RegionsOption: ParsableArguments {
    @Option(name: .customLong("regions"), help: "The configuration folder.")
    var directory: String = "regions"
}

/// Loads a configuration folder, or prints every problem to standard error and exits with 1.
func loadConfiguration(_ directory: String) throws -> Configuration {
    do {
        return try ConfigurationLoader.load(directory: directory)
    } catch {
        printProblems(error, in: directory)
        throw ExitCode(1)
    }
}

func printProblems(_ error: ConfigurationError, in directory: String) {
    for problem in error.problems {
        printError("\(problem.location): error: \(problem.message)")
    }
    let count = error.problems.count
    printError("\(count) problem\(count == 1 ? "" : "s") in \(directory)")
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// Writes a line to standard output at once (standard output is buffered when it is not a terminal).
func printNow(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}

/// Runs services until SIGINT or SIGTERM; a listener that cannot bind ends the run with a clear
/// message and exit code 1.
func runServices(_ services: [any ServiceLifecycle.Service], listeners: [String: MeridianCore.SocketAddress], logger: Logger) async throws {
    let group = ServiceGroup(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
    do {
        try await group.run()
    } catch {
        printError("error: \(describeStartupError(error, listeners: listeners))")
        throw ExitCode(1)
    }
}

/// What `service`'s listeners bind, named for a start-up error (`director.dns`, ...), each name after `prefix`.
func listenAddresses(of service: DirectorService, prefix: String = "") -> [String: MeridianCore.SocketAddress] {
    Dictionary(uniqueKeysWithValues: service.addresses.map { (prefix + $0.key.rawValue, $0.value) })
}

/// Words for the errors a start-up meets: a port in use above all.
func describeStartupError(_ error: any Error, listeners: [String: MeridianCore.SocketAddress]) -> String {
    let text = String(describing: error)
    if text.contains("Address already in use") || text.contains("EADDRINUSE") {
        let names = listeners.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        return "a listen address is already in use (\(names)): is another director or program running? (\(text))"
    }
    if text.contains("Cannot assign requested address") {
        return "cannot listen on an address this machine does not have (\(text))"
    }
    return text
}
