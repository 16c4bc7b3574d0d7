#if canImport(Glibc)
import Glibc
#endif
import CMeridianSockets
import COpenSSL
import MeridianCore
import MeridianHTTP

/// One thread's share of the redirect listener: an epoll loop over the connections it accepted.
///
/// A readable connection is read once into a buffer allocated at start, every complete head in it
/// is answered into one output array (reused), and the answers go out with one `send`. What a
/// socket does not take is kept for that connection, which is then watched for writability only,
/// so a client that does not read cannot make the director buffer without bound. A partial head is
/// kept until the rest arrives (bounded by the parser's head size). In the steady state of
/// keep-alive requests nothing is allocated.
///
/// A loop may also watch an HTTPS listener: its connections run OpenSSL over the same socket calls
/// (`RedirectEventLoop+Transport.swift`) and get the same answers.
///
/// A loop is made on the starting thread (so that set-up errors surface there), handed to its own
/// thread once, and used only by that thread from then on; hence `@unchecked Sendable`.
final class RedirectEventLoop: @unchecked Sendable {
    /// The bounds a loop keeps its connections within.
    struct Limits: Sendable {
        var maxConnections: Int
        /// Milliseconds a connection may sit idle.
        var idleTimeout: Int64
        /// Milliseconds a started head may take to complete.
        var headTimeout: Int64
        var parser: HTTPRequestHeadParser
    }

    struct Connection {
        var peer: IPAddress
        /// The TLS session (`SSL *`) of a connection to the HTTPS listener, and whether its
        /// handshake is done.
        var tls: OpaquePointer?
        /// The contexts the session was made from, held while it lives (a reload may replace them).
        var tlsContext: TLSServerContext?
        var handshaken = true
        /// The start of a head whose end has not arrived.
        var input: [UInt8] = []
        /// Answer bytes the socket did not take yet.
        var pending: [UInt8] = []
        var closeWhenSent = false
        /// Whether TCP_NODELAY is set: on the first answer that keeps the connection open (as nginx
        /// does), so connections closed after one answer do without the call.
        var noDelay = false
        var lastActivity: Int64
        var headStarted: Int64?
    }

    private let listener: Int32
    /// The HTTPS listener, when there is one.
    let tlsListener: Int32?
    /// Every listener this loop accepts from.
    private let listeners: [Int32]
    /// The HTTPS listener's certificates (those in use when a connection comes).
    let certificates: DirectorCertificates?
    let epoll: Int32
    private let answering: RedirectAnswering
    let shard: RedirectStatistics.Shard
    private let limits: Limits
    var connections: [Connection?] = []
    private var open = 0
    private let events: UnsafeMutablePointer<CMeridianEvent>
    let readBuffer: UnsafeMutableRawBufferPointer
    var output: [UInt8] = []
    private var dateSecond = -1
    private var dateLine: [UInt8] = []
    /// When this loop watches the listener again, after an accept failed for want of descriptors or
    /// memory (`nil` while it watches it).
    private var acceptPausedUntil: Int64?

    /// Milliseconds a loop stops watching the listener after such a failure (nginx waits 500 ms too).
    static let acceptPause: Int64 = 500

    static let eventCapacity = 256
    static let readSize = 65_536

    init(listener: Int32, tls: (listener: Int32, certificates: DirectorCertificates)? = nil, answering: RedirectAnswering,
         shard: RedirectStatistics.Shard, limits: Limits) throws {
        let epoll = CMeridian_epoll_create()
        guard epoll >= 0 else { throw RawSocket.SocketError(operation: "epoll_create1", code: errno) }
        let listeners = [listener] + (tls.map { [$0.listener] } ?? [])
        for watched in listeners where CMeridian_epoll_add(epoll, watched, CMeridianReadable, 1) != 0 {
            let code = errno
            close(epoll)
            throw RawSocket.SocketError(operation: "epoll_ctl", code: code)
        }
        self.listener = listener
        self.listeners = listeners
        tlsListener = tls?.listener
        certificates = tls?.certificates
        self.epoll = epoll
        self.answering = answering
        self.shard = shard
        self.limits = limits
        events = .allocate(capacity: Self.eventCapacity)
        readBuffer = .allocate(byteCount: Self.readSize, alignment: 16)
        output.reserveCapacity(Self.readSize)
    }

    deinit {
        events.deallocate()
        readBuffer.deallocate()
    }

    /// Serves until `workers` stop (noticed within 250 ms), then closes every connection.
    func run(until workers: WorkerThreads) {
        var lastSweep = Self.milliseconds()
        while !workers.isStopping {
            let count = CMeridian_epoll_wait(epoll, events, Int32(Self.eventCapacity), 250)
            let now = Self.milliseconds()
            if count > 0 {
                let responder = answering.current
                refreshDateLine()
                for index in 0..<Int(count) {
                    let event = events[index]
                    if event.fd == listener || event.fd == tlsListener {
                        acceptOne(from: event.fd, now: now)
                    } else if isHandshaking(event.fd) {
                        continueHandshake(event.fd, responder: responder, now: now)
                    } else if event.events & CMeridianWritable != 0 {
                        sendPending(event.fd, responder: responder, now: now)
                    } else {
                        readAndAnswer(event.fd, responder: responder, now: now)
                    }
                }
            }
            if let until = acceptPausedUntil, now >= until { resumeAccepting() }
            if now - lastSweep >= 1000 {
                closeExpired(now: now)
                lastSweep = now
            }
        }
        for fd in connections.indices where connections[fd] != nil { closeConnection(Int32(fd)) }
        close(epoll)
    }

    // MARK: Connections

    /// Accepts one connection per readiness event, as nginx does by default: under a burst the
    /// listener stays readable and the next wait returns at once, and when connections come one at a
    /// time no call is spent learning that there is no second one.
    private func acceptOne(from listening: Int32, now: Int64) {
        var storage = sockaddr_storage()
        let fd = CMeridian_accept(listening, &storage)
        guard fd >= 0 else {
            let code = errno
            if code == EMFILE || code == ENFILE || code == ENOBUFS || code == ENOMEM { pauseAccepting(now: now) }
            return
        }
        guard open < limits.maxConnections, CMeridian_epoll_add(epoll, fd, CMeridianReadable, 0) == 0 else {
            close(fd)
            shard.update { $0.countRefused(.full) }
            return
        }
        if connections.count <= Int(fd) {
            connections += [Connection?](repeating: nil, count: Int(fd) + 1 - connections.count)
        }
        connections[Int(fd)] = Connection(peer: withUnsafePointer(to: &storage) { RawSocket.address(of: $0) } ?? .v4(0),
                                          lastActivity: now)
        open += 1
        if listening == tlsListener { startHandshake(fd, now: now) }
    }

    /// Stops watching the listener for `acceptPause`: it stays readable while the connection that
    /// could not be taken waits, and a level-triggered loop would otherwise wake for it at once, again
    /// and again. The connection waits in the backlog until a descriptor is free.
    private func pauseAccepting(now: Int64) {
        guard acceptPausedUntil == nil else { return }
        for watched in listeners { _ = CMeridian_epoll_remove(epoll, watched) }
        acceptPausedUntil = now + Self.acceptPause
        shard.update { $0.countRefused(.paused) }
    }

    private func resumeAccepting() {
        acceptPausedUntil = nil
        for watched in listeners { _ = CMeridian_epoll_add(epoll, watched, CMeridianReadable, 1) }
    }

    func closeConnection(_ fd: Int32) {
        guard Int(fd) < connections.count, let connection = connections[Int(fd)] else { return }
        if let session = connection.tls { endSession(session, handshaken: connection.handshaken) }
        connections[Int(fd)] = nil
        open -= 1
        close(fd)
    }

    /// Closes connections idle too long, and those whose head is taking too long.
    private func closeExpired(now: Int64) {
        for fd in connections.indices {
            guard let connection = connections[fd] else { continue }
            let idle = now - connection.lastActivity >= limits.idleTimeout
            let slowHead = connection.headStarted.map { now - $0 >= limits.headTimeout } ?? false
            if idle || slowHead {
                if !connection.handshaken { shard.update { $0.count(.timedOut) } }
                closeConnection(Int32(fd))
            }
        }
    }

    // MARK: Reading and answering

    func readAndAnswer(_ fd: Int32, responder: RedirectResponder, now: Int64) {
        guard Int(fd) < connections.count, connections[Int(fd)] != nil else { return }
        let count = receive(fd)
        if count < 0 { return }
        guard count > 0 else {
            closeConnection(fd)
            return
        }
        connections[Int(fd)]!.lastActivity = now
        let peer = connections[Int(fd)]!.peer
        var state = AnswerState(secure: connections[Int(fd)]!.tls != nil)
        if connections[Int(fd)]!.input.isEmpty {
            let bytes = UnsafeRawBufferPointer(rebasing: readBuffer[0..<count])
            answer(bytes, peer: peer, responder: responder, state: &state)
            if !state.close, state.consumed < count {
                connections[Int(fd)]!.input = Array(bytes[state.consumed...])
            }
        } else {
            connections[Int(fd)]!.input += UnsafeRawBufferPointer(rebasing: readBuffer[0..<count])
            var input = connections[Int(fd)]!.input
            input.withUnsafeBytes { answer($0, peer: peer, responder: responder, state: &state) }
            input.removeFirst(state.close ? input.count : state.consumed)
            connections[Int(fd)]!.input = input
        }
        if state.partialHead {
            if connections[Int(fd)]!.headStarted == nil { connections[Int(fd)]!.headStarted = now }
        } else {
            connections[Int(fd)]!.headStarted = nil
        }
        if state.close {
            connections[Int(fd)]!.closeWhenSent = true
        } else if !connections[Int(fd)]!.noDelay {
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            connections[Int(fd)]!.noDelay = true
        }
        send(fd)
        // OpenSSL may hold more of what it read than one call gave (the socket will not wake for it).
        if hasBufferedInput(fd) { readAndAnswer(fd, responder: responder, now: now) }
    }

    private struct AnswerState {
        /// Whether the connection is over TLS.
        let secure: Bool
        var consumed = 0
        var close = false
        var partialHead = false
    }

    /// Answers every complete head at the start of `bytes` into `output`.
    private func answer(_ bytes: UnsafeRawBufferPointer, peer: IPAddress, responder: RedirectResponder, state: inout AnswerState) {
        while state.consumed < bytes.count {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[state.consumed...])
            switch limits.parser.parse(rest) {
            case .incomplete:
                state.partialHead = true
                return
            case .invalid(let error):
                let outcome = RedirectResponder.respond(to: error, dateLine: dateLine, into: &output)
                shard.update { $0.count(outcome, responder: responder) }
                state.close = true
                return
            case .complete(let head):
                let outcome = responder.respond(to: head, in: rest, peer: peer, dateLine: dateLine, secure: state.secure, into: &output)
                shard.update { $0.count(outcome, responder: responder) }
                state.consumed += head.length
                if outcome.close {
                    state.close = true
                    return
                }
            }
        }
    }

    private func refreshDateLine() {
        let second = time(nil)
        if second != dateSecond {
            dateSecond = second
            dateLine = HTTPDate.headerLine(secondsSinceEpoch: second)
        }
    }

    private static func milliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC_COARSE, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }
}
