import Foundation
import Logging

extension Logger {
    /// The logger of tests: silent but for critical messages, everything with `MERIDIAN_TEST_LOG` set.
    public static let test: Logger = {
        var logger = Logger(label: "meridian-test")
        logger.logLevel = ProcessInfo.processInfo.environment["MERIDIAN_TEST_LOG"] == nil ? .critical : .debug
        return logger
    }()
}
