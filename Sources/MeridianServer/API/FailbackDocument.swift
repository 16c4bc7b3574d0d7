import MeridianCore

/// What the failback endpoints (`FailbackRoutes`) take and answer.
public enum FailbackDocument {
    /// The body of `POST /v1/failback`.
    public struct FinishRequest: Codable, Sendable {
        public var region: String
        public var author: String?

        public init(region: String, author: String?) {
            self.region = region
            self.author = author
        }
    }

    /// What `POST /v1/failback` did: the services whose ramp of `region` ended (none: it was not
    /// failing back).
    public struct Finished: Codable, Sendable {
        public var region: String
        public var ended: [String]
    }

    /// One ramp in progress (`GET /v1/failback`).
    public struct Ramp: Codable, Sendable {
        public var service: String
        public var region: String
        /// The share of its clients the site has back.
        public var share: Double
        /// The step's number, from 1, of `steps`.
        public var step: Int
        public var steps: [Double]
        public var holdSeconds: Double
        public var since: String
        public var nextStep: String

        init(_ ramp: FailbackRamp) {
            service = ramp.service.rawValue
            region = ramp.region.rawValue
            share = ramp.share
            step = ramp.step + 1
            steps = ramp.schedule.steps
            holdSeconds = ramp.schedule.hold.seconds
            since = ramp.since.iso8601
            nextStep = ramp.nextStep.iso8601
        }
    }
}
