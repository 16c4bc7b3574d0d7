import Foundation
import Testing

/// Sends requests over HTTPS, each on a connection of its own, with Python's `ssl` (verifying
/// the server's certificate against `caFile` for `serverName`), and returns what came back on
/// each until the server closed it: the HTTPS twin of `RawHTTPClient.exchange`, for whole tables.
enum TLSReplay {
    static let script = """
        import base64, json, socket, ssl, sys
        ca, port, name = sys.argv[1], int(sys.argv[2]), sys.argv[3]
        context = ssl.create_default_context(cafile=ca)
        answers = []
        for request in json.load(sys.stdin):
            with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
                with context.wrap_socket(raw, server_hostname=name) as tls:
                    tls.sendall(base64.b64decode(request))
                    data = b""
                    try:
                        while chunk := tls.recv(65536):
                            data += chunk
                    except (ssl.SSLEOFError, ConnectionResetError):
                        pass
            answers.append(base64.b64encode(data).decode())
        json.dump(answers, sys.stdout)
        """

    static func exchange(_ requests: [String], port: Int, caFile: String, serverName: String = "go.example.test") throws -> [String] {
        let input = try JSONEncoder().encode(requests.map { Data($0.utf8).base64EncodedString() })
        let result = try RedirectTLSTests.run("/usr/bin/python3", ["-c", script, caFile, "\(port)", serverName],
                                              input: String(decoding: input, as: UTF8.self))
        try #require(result.status == 0, "python: \(result.output.suffix(2000))")
        let answers = try JSONDecoder().decode([String].self, from: Data(result.output.utf8))
        return answers.map { String(decoding: Data(base64Encoded: $0) ?? Data(), as: UTF8.self) }
    }
}
