import Foundation

/// A director's Ed25519 public key, as its region file names it (`director.key: ed25519:BASE64`,
/// the line `meridian keygen` prints): the key its peers check its signatures with. Always 32
/// bytes; parsed at the edge, so the rest of the code never re-checks the text.
public struct DirectorKey: Hashable, Sendable, TextCoded {
    /// The key's raw 32 bytes.
    public let bytes: [UInt8]

    /// The prefix of the text form.
    public static let prefix = "ed25519:"

    /// A key from its raw bytes; `nil` unless there are 32.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 32 else { return nil }
        self.bytes = bytes
    }

    /// A key from `ed25519:BASE64`; `nil` for anything else.
    public init?(_ text: String) {
        guard text.hasPrefix(Self.prefix), let data = Data(base64Encoded: String(text.dropFirst(Self.prefix.count))) else { return nil }
        self.init(bytes: Array(data))
    }

    public var description: String { Self.prefix + Data(bytes).base64EncodedString() }
}
