import Foundation
import MeridianCore
import MeridianTesting
import Testing
@testable import MeridianServer

/// Certificates read again (what SIGHUP does) while clients keep asking over HTTPS.
@Suite(.serialized)
struct RedirectTLSReloadTests {
    /// A client that keeps asking until `stop` exists (20 s at most): one thread on a keep-alive
    /// connection, one opening a connection per request; after each request it writes what it
    /// counted to `status`: answers, failures (with the first), reconnections of the keep-alive
    /// thread, and the serial numbers of the certificates new connections were served.
    static let load = """
        import json, os, socket, ssl, sys, threading, time
        ca, port, status, stop = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
        context = ssl.create_default_context(cafile=ca)
        lock = threading.Lock()
        counts = {"answers": 0, "failures": 0, "first_failure": None, "reconnects": 0, "serials": []}
        request = b"GET /v1/orders?id=7 HTTP/1.1\\r\\nHost: go.example.test\\r\\n\\r\\n"
        def connect():
            raw = socket.create_connection(("127.0.0.1", port), timeout=5)
            return context.wrap_socket(raw, server_hostname="go.example.test")
        def answered(tls):
            data = b""
            while b"\\r\\n\\r\\n" not in data:
                chunk = tls.recv(4096)
                if not chunk:
                    raise EOFError("closed")
                data += chunk
            return data.startswith(b"HTTP/1.1 302 ")
        def record(ok, failure=None, serial=None, reconnect=False):
            with lock:
                counts["answers" if ok else "failures"] += 1
                if failure and counts["first_failure"] is None:
                    counts["first_failure"] = failure
                if serial and serial not in counts["serials"]:
                    counts["serials"].append(serial)
                if reconnect:
                    counts["reconnects"] += 1
                with open(status + ".tmp", "w") as out:
                    json.dump(counts, out)
                os.replace(status + ".tmp", status)
        def keep_alive():
            tls = connect()
            while not os.path.exists(stop):
                try:
                    tls.sendall(request)
                    record(answered(tls))
                except Exception as error:
                    record(False, "keep-alive: %r" % error, reconnect=True)
                    tls = connect()
                time.sleep(0.002)
        def new_connections():
            while not os.path.exists(stop):
                try:
                    with connect() as tls:
                        serial = tls.getpeercert()["serialNumber"]
                        tls.sendall(request)
                        record(answered(tls), serial=serial)
                except Exception as error:
                    record(False, "new connection: %r" % error)
                time.sleep(0.002)
        threads = [threading.Thread(target=keep_alive), threading.Thread(target=new_connections)]
        for thread in threads:
            thread.start()
        deadline = time.time() + 20
        while not os.path.exists(stop) and time.time() < deadline:
            time.sleep(0.05)
        open(stop, "w").close()
        for thread in threads:
            thread.join()
        """

    struct Counts: Decodable {
        var answers: Int
        var failures: Int
        var first_failure: String?
        var reconnects: Int
        var serials: [String]
    }

    static func counts(_ file: String) -> Counts? {
        (try? Data(contentsOf: URL(fileURLWithPath: file))).flatMap { try? JSONDecoder().decode(Counts.self, from: $0) }
    }

    /// The serial number of a PEM certificate, as Python prints it (upper-case hex).
    static func serial(_ file: String) throws -> String {
        let result = try RedirectTLSTests.run("/usr/bin/openssl", ["x509", "-in", file, "-noout", "-serial"])
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "serial=", with: "")
    }

    @Test("a renewed certificate is served to new connections after a reload, with no failed request and the open connection kept; a broken one is refused and the one in use stays")
    func reloadUnderLoad() async throws {
        let (world, running, authority) = try await RedirectTLSTests.started()
        defer { authority.remove() }
        let port = try #require(running.redirectTLSPort)
        let go = try #require(world.configuration.tls?.certificates.first)
        let first = try Self.serial(go.certificate)
        let status = authority.folder.appendingPathComponent("load.json").path, stop = authority.folder.appendingPathComponent("stop").path
        let client = Process()
        client.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        client.arguments = ["-c", Self.load, authority.caFile, "\(port)", status, stop]
        try client.run()
        defer { _ = FileManager.default.createFile(atPath: stop, contents: nil); client.waitUntilExit() }
        #expect(await eventually(within: .seconds(10)) { (Self.counts(status)?.answers ?? 0) >= 50 })

        // The certificate is renewed in place (same files, new serial number), and read again.
        _ = try authority.issue("go", names: ["go.example.test"])
        let renewed = try Self.serial(go.certificate)
        #expect(renewed != first)
        #expect(running.director.certificates.reload(tls: world.configuration.tls, api: nil).isEmpty)
        #expect(await eventually(within: .seconds(10)) { Self.counts(status)?.serials.contains(renewed) ?? false })
        let before = Self.counts(status)?.answers ?? 0
        #expect(await eventually(within: .seconds(10)) { (Self.counts(status)?.answers ?? 0) >= before + 50 })

        // A broken pair (the key of another certificate) is refused; the renewed one stays in use.
        let other = try authority.issue("other", names: ["other.example.test"])
        try FileManager.default.removeItem(atPath: go.key)
        try FileManager.default.copyItem(atPath: other.key, toPath: go.key)
        let problems = running.director.certificates.reload(tls: world.configuration.tls, api: nil)
        #expect(problems.count == 1 && problems[0].contains("does not match"), "\(problems)")
        let afterBroken = Self.counts(status)?.answers ?? 0
        #expect(await eventually(within: .seconds(10)) { (Self.counts(status)?.answers ?? 0) >= afterBroken + 50 })

        _ = FileManager.default.createFile(atPath: stop, contents: nil)
        client.waitUntilExit()
        let counts = try #require(Self.counts(status))
        #expect(counts.failures == 0, "\(counts.first_failure ?? "")")
        #expect(counts.reconnects == 0, "the keep-alive connection lived through both reloads")
        #expect(counts.serials == [first, renewed], "new connections were served the first, then the renewed certificate only")
        let metrics = running.director.metricsText()
        #expect(metrics.contains("meridian_tls_certificate_reloads_total{outcome=\"reloaded\"} 1"))
        #expect(metrics.contains("meridian_tls_certificate_reloads_total{outcome=\"refused\"} 1"))
        #expect(metrics.contains("meridian_tls_certificate_expiry_timestamp_seconds{listener=\"redirect-tls\",certificate=\"\(go.certificate)\"}"))
        await running.stop()
        await world.stop()
    }
}
