import ArgumentParser
import Foundation
import MeridianCore

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
