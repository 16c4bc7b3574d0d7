import NIOCore

/// Coarse timers for the thousands of probes of one event loop: one NIO scheduled task per tick
/// drives them all, instead of one heap entry per timer (inserting into and popping from NIO's
/// scheduled-task heap costs O(log n) copies, and cancelling costs a linear search).
///
/// Deadlines are rounded up to the tick (10 ms by default). A timer cannot be cancelled: its work
/// checks whether it is still wanted. Confined to its event loop.
final class TimerWheel: @unchecked Sendable {
    private let eventLoop: any EventLoop
    private let tick: Int64
    private var slots: [[() -> Void]]
    private var far: [(tick: Int64, work: () -> Void)] = []
    /// The absolute tick (uptime / tick) the next firing handles.
    private var cursor: Int64
    private var pending = 0
    private var ticking = false

    init(eventLoop: any EventLoop, tick: TimeAmount = .milliseconds(10), slots: Int = 1024) {
        self.eventLoop = eventLoop
        self.tick = tick.nanoseconds
        self.slots = Array(repeating: [], count: slots)
        self.cursor = Int64(NIODeadline.now().uptimeNanoseconds) / self.tick
    }

    /// Runs `work` on the event loop at `deadline` (or up to one tick later).
    func schedule(at deadline: NIODeadline, _ work: @escaping () -> Void) {
        eventLoop.assertInEventLoop()
        let due = max((Int64(deadline.uptimeNanoseconds) + tick - 1) / tick, cursor)
        if due - cursor < Int64(slots.count) {
            slots[Int(due % Int64(slots.count))].append(work)
        } else {
            far.append((due, work))
        }
        pending += 1
        if !ticking {
            ticking = true
            scheduleTick()
        }
    }

    private func scheduleTick() {
        let deadline = NIODeadline.uptimeNanoseconds(UInt64(cursor * tick))
        eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in fire() }
    }

    private func fire() {
        let now = Int64(NIODeadline.now().uptimeNanoseconds) / tick
        while cursor <= now {
            let index = Int(cursor % Int64(slots.count))
            let due = slots[index]
            slots[index] = []
            cursor += 1
            if index == slots.count - 1 { bringNearTimersIn() }
            pending -= due.count
            for work in due { work() }
        }
        if pending == 0 {
            ticking = false
        } else {
            scheduleTick()
        }
    }

    /// Moves timers beyond the wheel's horizon into their slots once they come within it.
    private func bringNearTimersIn() {
        guard !far.isEmpty else { return }
        var stillFar: [(tick: Int64, work: () -> Void)] = []
        for timer in far {
            if timer.tick - cursor < Int64(slots.count) {
                slots[Int(max(timer.tick, cursor) % Int64(slots.count))].append(timer.work)
            } else {
                stillFar.append(timer)
            }
        }
        far = stillFar
    }
}
