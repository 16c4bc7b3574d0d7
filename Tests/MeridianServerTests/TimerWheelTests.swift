import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing
@testable import MeridianServer

struct TimerWheelTests {
    @Test func timersFireNoEarlierThanTheirDeadlineAndInOrder() async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let fired = NIOLockedValueBox<[(Int, NIODeadline, NIODeadline)]>([])
        let done = loop.makePromise(of: Void.self)
        // A short wheel (8 slots of 5 ms) so that the 120 ms timer lies beyond its horizon.
        let delays = [30, 0, 120, 10, 55]
        loop.execute {
            let wheel = TimerWheel(eventLoop: loop, tick: .milliseconds(5), slots: 8)
            for (index, delay) in delays.enumerated() {
                let deadline = NIODeadline.now() + .milliseconds(Int64(delay))
                wheel.schedule(at: deadline) {
                    fired.withLockedValue { $0.append((index, deadline, .now())) }
                    if fired.withLockedValue({ $0.count }) == delays.count { done.succeed() }
                }
            }
        }
        try await done.futureResult.get()
        let events = fired.withLockedValue { $0 }
        #expect(events.map(\.0) == [1, 3, 0, 4, 2])
        #expect(events.allSatisfy { $0.2 >= $0.1 })
    }
}
