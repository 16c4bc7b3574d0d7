#if canImport(Glibc)
import Glibc
#endif
import CMeridianSockets
import COpenSSL
import MeridianHTTP

/// How a redirect connection's bytes move: straight on its socket, or through its TLS session
/// (non-blocking OpenSSL on the same socket); and the HTTPS listener's handshakes.
extension RedirectEventLoop {
    /// The answer to a plain HTTP request on the HTTPS port, as nginx words it; the connection is
    /// then closed.
    static let plainRequestAnswer: [UInt8] = {
        let body = "The plain HTTP request was sent to HTTPS port\n"
        return Array(("HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: \(body.utf8.count)\r\n"
                      + "Connection: close\r\n\r\n" + body).utf8)
    }()

    // MARK: Handshakes

    /// Gives a connection the HTTPS listener accepted its TLS session; the handshake must be done
    /// within the head timeout (as nginx's `client_header_timeout` covers it). The session is made
    /// from the certificates in use now, and keeps them through a reload.
    func startHandshake(_ fd: Int32, now: Int64) {
        guard let context = certificates?.redirect, let session = context.newSession() else {
            closeConnection(fd)
            return
        }
        connections[Int(fd)]!.tls = session
        connections[Int(fd)]!.tlsContext = context
        connections[Int(fd)]!.handshaken = false
        connections[Int(fd)]!.headStarted = now
        if SSL_set_fd(session, fd) != 1 { closeConnection(fd) }
    }

    func isHandshaking(_ fd: Int32) -> Bool {
        Int(fd) < connections.count && connections[Int(fd)]?.handshaken == false
    }

    /// Moves a handshake on as far as the socket allows. Before the first byte is taken, it looks
    /// at it: a TLS handshake record goes on; the first letter of an HTTP method gets the plain
    /// request's 400; anything else is closed. A done handshake reads at once (the request may
    /// have come with it).
    func continueHandshake(_ fd: Int32, responder: RedirectResponder, now: Int64) {
        guard let session = connections[Int(fd)]?.tls else { return }
        if SSL_in_before(session) == 1 {
            var first: UInt8 = 0
            let peeked = recv(fd, &first, 1, Int32(MSG_PEEK))
            if peeked < 0 && (errno == EAGAIN || errno == EINTR) { return }
            guard peeked == 1 else {
                closeConnection(fd)
                return
            }
            guard first == 0x16 else {
                refuseNonTLS(fd, startingWith: first)
                return
            }
        }
        connections[Int(fd)]!.lastActivity = now
        let result = SSL_do_handshake(session)
        if result == 1 {
            connections[Int(fd)]!.handshaken = true
            connections[Int(fd)]!.headStarted = nil
            shard.update { $0.count(SSL_session_reused(session) == 1 ? .resumed : .full) }
            _ = CMeridian_epoll_modify(epoll, fd, CMeridianReadable)
            readAndAnswer(fd, responder: responder, now: now)
            return
        }
        switch SSL_get_error(session, result) {
        case SSL_ERROR_WANT_READ:
            _ = CMeridian_epoll_modify(epoll, fd, CMeridianReadable)
        case SSL_ERROR_WANT_WRITE:
            _ = CMeridian_epoll_modify(epoll, fd, CMeridianWritable)
        default:
            ERR_clear_error()
            shard.update { $0.count(.failed) }
            closeConnection(fd)
        }
    }

    private func refuseNonTLS(_ fd: Int32, startingWith first: UInt8) {
        if first >= UInt8(ascii: "A") && first <= UInt8(ascii: "Z") {
            shard.update { $0.count(.plainHTTP) }
            // What the client sent is read first, so that closing does not reset the answer away.
            _ = recv(fd, readBuffer.baseAddress, readBuffer.count, 0)
            Self.plainRequestAnswer.withUnsafeBytes { _ = Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            shutdown(fd, Int32(SHUT_WR))
        } else {
            shard.update { $0.count(.notTLS) }
        }
        closeConnection(fd)
    }

    /// Ends a connection's TLS session (a close_notify when its handshake was done) and frees it.
    func endSession(_ session: OpaquePointer, handshaken: Bool) {
        if handshaken { _ = SSL_shutdown(session) }
        SSL_free(session)
        ERR_clear_error()
    }

    // MARK: Reading

    /// Reads what arrived into `readBuffer`: how many bytes, 0 when the connection ended or failed,
    /// -1 when nothing is there yet.
    func receive(_ fd: Int32) -> Int {
        guard let session = connections[Int(fd)]?.tls else {
            let count = recv(fd, readBuffer.baseAddress, readBuffer.count, 0)
            if count < 0 { return errno == EAGAIN || errno == EINTR ? -1 : 0 }
            return count
        }
        let count = SSL_read(session, readBuffer.baseAddress, Int32(readBuffer.count))
        if count > 0 { return Int(count) }
        switch SSL_get_error(session, count) {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
            return -1
        default:
            ERR_clear_error()
            return 0
        }
    }

    /// Whether the connection's TLS session holds bytes it read but has not handed over (the
    /// socket will not wake for them), while nothing waits to be sent.
    func hasBufferedInput(_ fd: Int32) -> Bool {
        guard Int(fd) < connections.count, let session = connections[Int(fd)]?.tls else { return false }
        return connections[Int(fd)]!.pending.isEmpty && !connections[Int(fd)]!.closeWhenSent && SSL_pending(session) > 0
    }

    // MARK: Writing

    /// Writes `bytes`: how many were taken (0: none now, wait for writability), or `nil` when the
    /// connection failed.
    func transmit(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int? {
        guard let session = connections[Int(fd)]?.tls else {
            let sent = Glibc.send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
            if sent < 0 { return errno == EAGAIN || errno == EINTR ? 0 : nil }
            return sent
        }
        let sent = SSL_write(session, bytes.baseAddress, Int32(clamping: bytes.count))
        if sent > 0 { return Int(sent) }
        switch SSL_get_error(session, sent) {
        case SSL_ERROR_WANT_WRITE, SSL_ERROR_WANT_READ:
            return 0
        default:
            ERR_clear_error()
            return nil
        }
    }

    /// Sends `output` to `fd`; keeps what the socket does not take and waits for writability.
    func send(_ fd: Int32) {
        defer { output.removeAll(keepingCapacity: true) }
        if !output.isEmpty {
            guard let taken = output.withUnsafeBytes({ transmit(fd, $0) }) else {
                closeConnection(fd)
                return
            }
            if taken < output.count {
                connections[Int(fd)]!.pending = Array(output[taken...])
                _ = CMeridian_epoll_modify(epoll, fd, CMeridianWritable)
                return
            }
        }
        if connections[Int(fd)]!.closeWhenSent { closeConnection(fd) }
    }

    func sendPending(_ fd: Int32, responder: RedirectResponder, now: Int64) {
        guard Int(fd) < connections.count, let connection = connections[Int(fd)] else { return }
        guard let sent = connection.pending.withUnsafeBytes({ transmit(fd, $0) }) else {
            closeConnection(fd)
            return
        }
        connections[Int(fd)]!.pending.removeFirst(sent)
        guard connections[Int(fd)]!.pending.isEmpty else { return }
        if connection.closeWhenSent {
            closeConnection(fd)
        } else {
            _ = CMeridian_epoll_modify(epoll, fd, CMeridianReadable)
            if hasBufferedInput(fd) { readAndAnswer(fd, responder: responder, now: now) }
        }
    }
}
