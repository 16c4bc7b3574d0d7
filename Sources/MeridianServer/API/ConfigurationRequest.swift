import MeridianCore

/// The body of `POST /v1/admin/configuration` (`ctl apply`): a configuration folder's files and who
/// gives them.
public struct ConfigurationApplyRequest: Codable, Sendable {
    public var author: String
    /// The folder's YAML files, by base name.
    public var files: [ConfigurationRelease.File]

    public init(author: String, files: [ConfigurationRelease.File]) {
        self.author = author
        self.files = files
    }
}

/// The body of `POST /v1/admin/configuration/rollback` (`ctl config rollback`): the kept release
/// whose files are applied again, as a new release, and who asks.
public struct ConfigurationRollbackRequest: Codable, Sendable {
    public var author: String
    public var serial: UInt64

    public init(author: String, serial: UInt64) {
        self.author = author
        self.serial = serial
    }
}
