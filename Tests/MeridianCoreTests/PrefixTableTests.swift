import PropertyBased
import Testing
@testable import MeridianCore

struct PrefixTableTests {
    private func table(_ prefixes: [String]) -> PrefixTable<String> {
        PrefixTable(prefixes.map { (prefix: TestWorld.prefix($0), value: $0) })
    }

    @Test func longestPrefixWinsAmongNestedPrefixes() {
        let table = table(["10.0.0.0/8", "10.34.0.0/16", "10.34.5.0/24", "10.34.5.7/32"])
        #expect(table.lookup(IPAddress("10.1.1.1")!)?.value == "10.0.0.0/8")
        #expect(table.lookup(IPAddress("10.34.1.1")!)?.value == "10.34.0.0/16")
        #expect(table.lookup(IPAddress("10.34.5.1")!)?.value == "10.34.5.0/24")
        #expect(table.lookup(IPAddress("10.34.5.7")!)?.value == "10.34.5.7/32")
        #expect(table.lookup(IPAddress("10.34.5.8")!)?.value == "10.34.5.0/24")
        #expect(table.lookup(IPAddress("10.34.6.0")!)?.value == "10.34.0.0/16")
        #expect(table.lookup(IPAddress("11.0.0.0")!) == nil)
        #expect(table.lookup(IPAddress("9.255.255.255")!) == nil)
    }

    @Test func ipv6AndMappedAddressesAreMatched() {
        let table = table(["2001:db8::/32", "2001:db8:34::/48", "10.34.0.0/16"])
        #expect(table.lookup(IPAddress("2001:db8:34:1::9")!)?.value == "2001:db8:34::/48")
        #expect(table.lookup(IPAddress("2001:db8:35::1")!)?.value == "2001:db8::/32")
        #expect(table.lookup(IPAddress("2001:db9::1")!) == nil)
        #expect(table.lookup(IPAddress("::ffff:10.34.0.1")!)?.value == "10.34.0.0/16")
    }

    @Test func defaultRoutesAndTheLastAddressAreCovered() {
        let table = table(["0.0.0.0/0", "255.255.255.255/32", "::/0", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fff0/124"])
        #expect(table.lookup(IPAddress("1.2.3.4")!)?.value == "0.0.0.0/0")
        #expect(table.lookup(IPAddress("255.255.255.255")!)?.value == "255.255.255.255/32")
        #expect(table.lookup(IPAddress("255.255.255.254")!)?.value == "0.0.0.0/0")
        #expect(table.lookup(IPAddress("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")!)?.value
                == "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fff0/124")
        #expect(table.lookup(IPAddress("2001:db8::1")!)?.value == "::/0")
    }

    @Test func theLastDuplicatePrefixWins() {
        let table = PrefixTable([(prefix: TestWorld.prefix("10.0.0.0/8"), value: 1),
                                 (prefix: TestWorld.prefix("10.0.0.0/8"), value: 2)])
        #expect(table.count == 1)
        #expect(table.lookup(IPAddress("10.9.9.9")!)?.value == 2)
    }

    /// The flattened table answers exactly like a linear longest-prefix scan, for random tables.
    @Test func agreesWithALinearScan() async {
        // Addresses confined to a few /8s so that prefixes nest and overlap often.
        let prefixes = zip(Gen.uint32(), Gen.int(in: 4...32)).map { (bits: UInt32, length: Int) in
            IPPrefix(masking: .v4(bits & 0x03FF_FFFF), length: length)
        }.array(of: 1...60)
        let probes = Gen.uint32().map { IPAddress.v4($0 & 0x03FF_FFFF) }.array(of: 50)
        await propertyCheck(count: 200, input: prefixes, probes) { prefixes, probes in
            let table = PrefixTable(prefixes.map { (prefix: $0, value: $0) })
            for address in probes + prefixes.map(\.address) {
                let expected = prefixes.filter { $0.contains(address) }.max { $0.length < $1.length }
                #expect(table.lookup(address)?.value == expected)
            }
        }
    }
}
