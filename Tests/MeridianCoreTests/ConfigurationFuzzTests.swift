import Foundation
import PropertyBased
import Testing
@testable import MeridianCore

/// Whatever an editor does to a configuration file, loading ends in a configuration or in
/// problems that name the file, never in a crash.
struct ConfigurationFuzzTests {
    static let shipped: [ConfigurationLoader.SourceFile] = {
        let folder = ConfigurationLoaderTests.shippedRegions
        return try! ConfigurationLoader.readFolder(folder)
    }()

    /// An edit: at a position, delete some characters and insert a fragment that YAML cares about.
    static let edits = zip(Gen.int(in: 0...2), Gen.int(in: 0...100_000), Gen.int(in: 0...8), Gen.int(in: 0...15))
        .map { (file: Int, position: Int, deleted: Int, fragment: Int) in (file, position, deleted, fragment) }
        .array(of: 1...6)

    static let fragments = ["", ":", " ", "\n", "- ", "[", "]", "{", "}", "\"", "'", "#", "&a", "*a", "\t", "::1/128"]

    @Test func mutatedFilesNeverCrashTheLoader() async {
        await propertyCheck(count: 400, input: Self.edits) { edits in
            var files = Self.shipped
            for (file, position, deleted, fragment) in edits {
                var scalars = Array(files[file].text.unicodeScalars)
                let start = position % (scalars.count + 1)
                let end = min(scalars.count, start + deleted)
                scalars.replaceSubrange(start..<end, with: Self.fragments[fragment].unicodeScalars)
                files[file].text = String(String.UnicodeScalarView(scalars))
            }
            do {
                let configuration = try ConfigurationLoader.load(files: files)
                #expect(!configuration.regions.isEmpty && !configuration.services.isEmpty)
            } catch let error as ConfigurationError {
                #expect(!error.problems.isEmpty)
                let names = Set(files.map(\.name) + [ConfigurationLoaderTests.shippedRegions])
                #expect(error.problems.allSatisfy { names.contains($0.location.file) })
            } catch {
                Issue.record("unexpected error \(error)")
            }
        }
    }

    @Test func globalYmlIsTheGlobalFileToo() throws {
        var files = Self.shipped
        let index = files.firstIndex { $0.name.hasSuffix("global.yaml") }!
        files[index].name = files[index].name.replacingOccurrences(of: "global.yaml", with: "global.yml")
        #expect(try ConfigurationLoader.load(files: files).services.count == 4)
        files.append(Self.shipped[index])
        #expect(throws: ConfigurationError.self) { try ConfigurationLoader.load(files: files) }
    }

    @Test func anUnquotedIPv6AddressInAListGetsAHint() {
        var files = Self.shipped
        let index = files.firstIndex { $0.name.hasSuffix("global.yaml") }!
        files[index].text = files[index].text.replacingOccurrences(of: "\"::1/128\"", with: "::1/128")
        do {
            _ = try ConfigurationLoader.load(files: files)
            Issue.record("loaded")
        } catch {
            #expect(error.problems.first?.message.contains("an IPv6 address inside [ ] must be quoted") == true)
        }
    }
}
