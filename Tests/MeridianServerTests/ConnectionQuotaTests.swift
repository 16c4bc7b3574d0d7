import MeridianCore
import Testing
@testable import MeridianServer

/// The connection quota of a listener, without sockets.
struct ConnectionQuotaTests {
    @Test func aClientGetsItsShareAndTheTotalIsNeverPassed() {
        var quota = ConnectionQuota(total: 5, perClient: 2)
        let one = IPAddress("192.0.2.1")!, two = IPAddress("192.0.2.2")!
        let admitted = [one, one, one, two, two, two, IPAddress("192.0.2.3")!, IPAddress("192.0.2.4")!].map { quota.admit($0) }
        #expect(admitted == [true, true, false, true, true, false, true, false])
        #expect(quota.open == 5)
        quota.release(one)
        #expect(quota.connections(of: one) == 1)
        let again = quota.admit(one)
        #expect(again)
        // Releasing what was never admitted changes nothing.
        quota.release(IPAddress("198.51.100.9")!)
        #expect(quota.open == 5)
    }

    @Test func anIPv6ClientIsItsSlash64() {
        var quota = ConnectionQuota(total: 10, perClient: 2)
        let admitted = ["2001:db8:1:2::1", "2001:db8:1:2::ffff", "2001:db8:1:2:aaaa::1", "2001:db8:1:3::1"].map {
            quota.admit(IPAddress($0)!)
        }
        #expect(admitted == [true, true, false, true])
    }
}
