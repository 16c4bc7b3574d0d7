import Testing
@testable import MeridianHTTP

/// The target parsed from `text`, and what it writes for a Location.
func target(_ text: String) -> Result<(RequestTarget, String), HTTPRequestError> {
    let bytes = Array(text.utf8)
    return bytes.withUnsafeBytes { raw in
        RequestTarget.parse(raw, 0..<bytes.count).map { target in
            var output: [UInt8] = []
            target.write(raw, into: &output)
            return (target, String(decoding: output, as: UTF8.self))
        }
    }
}

@Suite("Request targets")
struct RequestTargetTests {
    @Test("path and query are carried byte for byte, escapes and reserved characters kept", arguments: [
        "/", "/v1/orders?id=7", "/a/b/c?x=1&y=2&z", "/%C3%BC/%E2%82%AC?q=%F0%9F%98%80",
        "/a;b=c/d:e@f!$&'()*+,=?k=v/?x", "//evil.example/path", "/?", "/a?b?c", "/~user/-._",
        "/%2F%2f%00",
    ])
    func preserved(text: String) throws {
        let (_, written) = try target(text).get()
        #expect(written == text)
    }

    @Test("bytes not allowed in URLs as they are get percent-encoded")
    func encoded() throws {
        #expect(try target("/ü").get().1 == "/%C3%BC")
        #expect(try target("/a\"<>\\^`{|}b").get().1 == "/a%22%3C%3E%5C%5E%60%7B%7C%7Db")
        #expect(try target("/[x]").get().1 == "/%5Bx%5D")
    }

    @Test("meridian=json asks for JSON and is left out of the Location")
    func jsonParameter() throws {
        let (parsed, written) = try target("/a?x=1&meridian=json&y=2").get()
        #expect(parsed.asksForJSON)
        #expect(written == "/a?x=1&y=2")
        #expect(try target("/a?meridian=json").get().1 == "/a")
        #expect(try target("/a?meridian=jsonp").get().0.asksForJSON == false)
        #expect(try target("/a?xmeridian=json").get().0.asksForJSON == false)
    }

    @Test("absolute form: its host selects the service, its path is carried")
    func absoluteForm() throws {
        let text = "http://Go.Example.Test:8080/p?q=1"
        let (parsed, written) = try target(text).get()
        let bytes = Array(text.utf8)
        #expect(parsed.authority.map { String(decoding: bytes[$0], as: UTF8.self) } == "Go.Example.Test:8080")
        #expect(written == "/p?q=1")
        #expect(try target("https://go.example.test").get().1 == "/")
        #expect(try target("http://go.example.test?x").get().1 == "/?x")
    }

    @Test("malformed targets are refused with a reason", arguments: [
        ("/a%zz", "bad percent-encoding"), ("/a%4", "bad percent-encoding"), ("/%", "bad percent-encoding"),
        ("/a#frag", "a fragment (#) is not sent in requests"),
        ("*", "must start with / (or be an absolute http URL)"),
        ("evil.example/x", "must start with / (or be an absolute http URL)"),
        ("javascript:alert(1)", "must start with / (or be an absolute http URL)"),
        ("ftp://x/y", "must start with / (or be an absolute http URL)"),
        ("http://user@evil/x", "bad authority"), ("http:///x", "bad authority"),
    ])
    func malformed(text: String, reason: String) {
        #expect(throws: HTTPRequestError.badTarget(reason)) { try target(text).get() }
    }
}

@Suite("HTTP Date")
struct HTTPDateTests {
    @Test("IMF-fixdate for known moments")
    func known() {
        #expect(String(decoding: HTTPDate.headerLine(secondsSinceEpoch: 784_111_777), as: UTF8.self)
                == "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n")
        #expect(String(decoding: HTTPDate.headerLine(secondsSinceEpoch: 0), as: UTF8.self)
                == "Date: Thu, 01 Jan 1970 00:00:00 GMT\r\n")
        #expect(String(decoding: HTTPDate.headerLine(secondsSinceEpoch: 1_709_164_800), as: UTF8.self)
                == "Date: Thu, 29 Feb 2024 00:00:00 GMT\r\n")
        #expect(String(decoding: HTTPDate.headerLine(secondsSinceEpoch: 4_102_444_799), as: UTF8.self)
                == "Date: Thu, 31 Dec 2099 23:59:59 GMT\r\n")
    }
}
