import HTTPTypes
import NIOHTTP1

extension PeerAuthentication {
    /// The signing headers as a message carries them, each `nil` when absent: what `screen` checks.
    /// Every place that takes a peer message (the API's peer routes, the exchange's replies, a
    /// joining director's answer) reads them through `init(reading:)`.
    public struct UncheckedHeaders: Sendable {
        public var sender: String?
        public var timestamp: String?
        public var signature: String?

        /// Reads them through `value`, which gives a header's value by its name (as `Header` spells it).
        public init(reading value: (String) -> String?) {
            sender = value(Header.sender)
            timestamp = value(Header.timestamp)
            signature = value(Header.signature)
        }

        /// The headers of a message as `sign` made them, or as a test writes them.
        public init(_ pairs: [(String, String)]) {
            self.init { name in pairs.first { $0.0.lowercased() == name.lowercased() }?.1 }
        }

        /// The headers of a response to a peer request (AsyncHTTPClient).
        init(_ headers: HTTPHeaders) {
            self.init { headers.first(name: $0) }
        }

        /// The headers of a request from a peer (Hummingbird).
        init(_ fields: HTTPFields) {
            self.init { fields.value(named: $0) }
        }
    }
}

extension HTTPFields {
    /// The first value of the field `name` (any case), if it is there.
    func value(named name: String) -> String? {
        HTTPField.Name(name).flatMap { self[$0] }
    }
}
