#if canImport(Glibc)
import Glibc
#endif
import COpenSSL
import Foundation
import MeridianCore

/// The server side of TLS for the HTTPS redirect listener, on OpenSSL 3 (Debian's `libssl-dev`):
/// one OpenSSL context per configured certificate (its chain and key read from PEM files, the key
/// checked against the certificate), chosen by the name the client asks for (SNI, matched as
/// OpenSSL matches host names, wildcards included); the first is the default for a client that
/// sends no name or one no certificate covers. Every context offers TLS 1.2 and 1.3 (or 1.3 only),
/// selects ALPN `http/1.1` when the client offers it, refuses renegotiation, seals session tickets
/// with the process's keys (`TLSTicketKeys`) and keeps no session cache.
///
/// The OpenSSL contexts are set up once in `init` and only read after it (OpenSSL makes sessions
/// from one context on any thread), hence `@unchecked Sendable`.
public final class TLSServerContext: @unchecked Sendable {
    /// One configured certificate, as read.
    public struct Certificate: Sendable {
        public var certificateFile: String
        public var keyFile: String
        /// When the certificate (the first of its chain) expires.
        public var notAfter: Date
    }

    /// Why the context could not be made: which file, and why (OpenSSL's reason where it has one).
    public struct SetupError: Error, CustomStringConvertible, Equatable {
        public var file: String
        public var reason: String
        public var description: String { "\(file): \(reason)" }
    }

    public let certificates: [Certificate]
    /// `SSL_CTX *`, one per certificate, in the configured order.
    private let contexts: [OpaquePointer]

    /// Reads every pair of PEM files (`certificate`: the certificate, then any intermediates; `key`:
    /// its private key). Throws for the first pair that cannot be used.
    public init(pairs: [(certificate: String, key: String)], minimum: TLSSettings.MinimumVersion = .tls12) throws(SetupError) {
        guard !pairs.isEmpty else { throw SetupError(file: "", reason: "no certificate configured") }
        var contexts: [OpaquePointer] = []
        var certificates: [Certificate] = []
        for pair in pairs {
            do {
                let (context, notAfter) = try Self.makeContext(pair.certificate, pair.key, minimum: minimum)
                contexts.append(context)
                certificates.append(Certificate(certificateFile: pair.certificate, keyFile: pair.key, notAfter: notAfter))
            } catch {
                contexts.forEach { SSL_CTX_free($0) }
                throw error
            }
        }
        self.contexts = contexts
        self.certificates = certificates
        // The name is read on the context a session starts with: the default's.
        CMeridianTLS_set_servername_callback(contexts[0], Self.selectByName, Unmanaged.passUnretained(self).toOpaque())
    }

    /// The certificates `settings` names (`tls:` in `global.yaml`).
    public convenience init(_ settings: TLSSettings) throws(SetupError) {
        try self.init(pairs: settings.certificates.map { ($0.certificate, $0.key) }, minimum: settings.minimumVersion)
    }

    deinit {
        contexts.forEach { SSL_CTX_free($0) }
    }

    /// A new server session (`SSL *`) on the default context, in accept state; the caller attaches
    /// its transport (`SSL_set_fd`) and frees it (`SSL_free`).
    public func newSession() -> OpaquePointer? {
        guard let session = SSL_new(contexts[0]) else { return nil }
        SSL_set_accept_state(session)
        return session
    }

    /// The index of the certificate that covers `host` (a name, or an IP address), if one does (the first that does).
    public func certificate(covering host: String) -> Int? {
        // An address is matched against the certificate's IP entries, a name against its DNS names.
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        let isAddress = IPAddress(bare) != nil
        return contexts.firstIndex { context in
            guard let leaf = SSL_CTX_get0_certificate(context) else { return false }
            if isAddress { return bare.withCString { X509_check_ip_asc(leaf, $0, 0) } == 1 }
            return host.withCString { X509_check_host(leaf, $0, strlen($0), 0, nil) } == 1
        }
    }

    // MARK: Set-up

    private static func makeContext(_ certificateFile: String, _ keyFile: String,
                                    minimum: TLSSettings.MinimumVersion) throws(SetupError) -> (OpaquePointer, Date) {
        ERR_clear_error()
        guard let context = SSL_CTX_new(TLS_server_method()) else {
            throw SetupError(file: certificateFile, reason: "cannot make a TLS context: \(openSSLReason())")
        }
        // Freed on every way out but the last, which hands it to the caller.
        var made = false
        defer { if !made { SSL_CTX_free(context) } }
        CMeridianTLS_set_server_options(context)
        TLSTicketKeys.install(on: context)
        let version = minimum == .tls13 ? CMeridianTLS_version_1_3() : CMeridianTLS_version_1_2()
        guard CMeridianTLS_set_min_version(context, version) == 1 else {
            throw SetupError(file: certificateFile, reason: "cannot set the minimum TLS version: \(openSSLReason())")
        }
        guard SSL_CTX_use_certificate_chain_file(context, certificateFile) == 1 else {
            throw SetupError(file: certificateFile, reason: "not a PEM certificate chain: \(openSSLReason())")
        }
        guard let leaf = SSL_CTX_get0_certificate(context), let notAfter = date(X509_get0_notAfter(leaf)) else {
            throw SetupError(file: certificateFile, reason: "the certificate has no readable expiry")
        }
        guard let file = BIO_new_file(keyFile, "r") else {
            throw SetupError(file: keyFile, reason: "cannot read the key: \(openSSLReason())")
        }
        let key = PEM_read_bio_PrivateKey(file, nil, nil, nil)
        BIO_free(file)
        guard let key else {
            throw SetupError(file: keyFile, reason: "not a PEM private key: \(openSSLReason())")
        }
        defer { EVP_PKEY_free(key) }
        guard X509_check_private_key(leaf, key) == 1, SSL_CTX_use_PrivateKey(context, key) == 1 else {
            ERR_clear_error()
            throw SetupError(file: keyFile, reason: "the key does not match the certificate \(certificateFile)")
        }
        SSL_CTX_set_alpn_select_cb(context, selectHTTP11, nil)
        made = true
        return (context, notAfter)
    }

    private static func date(_ time: UnsafePointer<ASN1_TIME>?) -> Date? {
        var parts = tm()
        guard let time, ASN1_TIME_to_tm(time, &parts) == 1 else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(timegm(&parts)))
    }

    /// OpenSSL's reason for the last failure on this thread (and clears its queue).
    static func openSSLReason() -> String {
        let code = ERR_get_error()
        ERR_clear_error()
        guard code != 0 else { return "unknown reason" }
        var text = [UInt8](repeating: 0, count: 256)
        text.withUnsafeMutableBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { ERR_error_string_n(code, $0.baseAddress, $0.count) }
        }
        return String(decoding: text.prefix { $0 != 0 }, as: UTF8.self)
    }

    // MARK: Callbacks

    /// SNI: moves the session to the context of the first certificate that covers the asked name.
    private static let selectByName: @convention(c) (OpaquePointer?, UnsafeMutablePointer<Int32>?, UnsafeMutableRawPointer?) -> Int32 = {
        session, _, argument in
        guard let session, let argument, let name = CMeridianTLS_servername(session) else { return CMeridianTLS_ext_ok() }
        let server = Unmanaged<TLSServerContext>.fromOpaque(argument).takeUnretainedValue()
        if let index = server.certificate(covering: String(cString: name)), index != 0 {
            SSL_set_SSL_CTX(session, server.contexts[index])
        }
        return CMeridianTLS_ext_ok()
    }

    private static let http11 = Array("http/1.1".utf8)

    /// ALPN: `http/1.1` when the client offers it; otherwise no protocol is named (as nginx does).
    private static let selectHTTP11: @convention(c) (OpaquePointer?, UnsafeMutablePointer<UnsafePointer<UInt8>?>?,
                                                      UnsafeMutablePointer<UInt8>?, UnsafePointer<UInt8>?, UInt32,
                                                      UnsafeMutableRawPointer?) -> Int32 = { _, out, outLength, offered, offeredLength, _ in
        guard let out, let outLength, let offered else { return CMeridianTLS_ext_noack() }
        let wanted = http11
        var index = 0
        let count = Int(offeredLength)
        while index < count {
            let length = Int(offered[index])
            let start = index + 1
            guard start + length <= count else { break }
            if length == wanted.count, (0..<length).allSatisfy({ offered[start + $0] == wanted[$0] }) {
                out.pointee = offered + start
                outLength.pointee = UInt8(length)
                return CMeridianTLS_ext_ok()
            }
            index = start + length
        }
        return CMeridianTLS_ext_noack()
    }
}
